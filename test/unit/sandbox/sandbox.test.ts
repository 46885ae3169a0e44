/**
 * The embedded sandbox through real sockets: every endpoint's documented shape, paging, the
 * consistency of the value model (HALF_HOUR = DAILY = MONTHLY sums, windows add up, the oracle
 * agrees), error cases, credentials and determinism.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenGenerate } from '@vonage/jwt';
import { DEMO_CREDENTIALS, parseFields, startSandbox } from '../../../src/sandbox';
import type { Sandbox } from '../../../src/sandbox';
import { META_AUTH, VONAGE_BASIC } from '../helpers';

const DAY = 86_400_000;
/** Monday 15 June 2026, 10:17 UTC. */
const NOW = Date.UTC(2026, 5, 15, 10, 17);
const TODAY = Date.UTC(2026, 5, 15);
const sec = (ms: number) => Math.floor(ms / 1000);


type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sb: Sandbox;

async function get(url: string, headers: Record<string, string> = META_AUTH, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Json; text: string }> {
  const r = await fetch(url, { headers, ...init });
  const text = await r.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, body, text };
}
const meta = (path: string, init?: RequestInit) => get(`${sb.metaBaseUrl}/v25.0${path}`, META_AUTH, init);
const fields = (f: string) => `fields=${encodeURIComponent(f)}`;
const vonage = (path: string, headers: Record<string, string> = VONAGE_BASIC, init?: RequestInit) => get(`${sb.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas${path}`, headers, init);

/** Follow `next` links (Meta field analytics), collecting the points of a field. */
async function walkField(url: string, field: string): Promise<{ points: Json[]; pages: number }> {
  const points: Json[] = [];
  let pages = 0;
  for (let next: string | undefined = url; next; ) {
    const r = await get(next);
    assert.equal(r.status, 200, r.text);
    const f = r.body[field];
    points.push(...(field === 'analytics' ? f.data_points : f.data[0].data_points));
    pages++;
    next = f.paging?.next;
    if (next) assert.ok(next.startsWith(sb.url), 'next links are absolute on the sandbox origin');
  }
  return { points, pages };
}

function sum(points: Json[], key: string): number {
  return points.reduce((s, p) => s + (p[key] ?? 0), 0);
}
const round4 = (x: number) => Math.round(x * 10000) / 10000;

before(async () => {
  sb = await startSandbox({ now: () => NOW, metaFieldPageSize: 1000 });
});
after(async () => {
  await sb.close();
});

describe('sandbox model', () => {
  it('has the WABAs, phones and templates the brief describes', () => {
    const [us, eu, br] = sb.data.wabas.meta;
    assert.equal(sb.data.wabas.meta.length, 3);
    assert.deepEqual([us!.currency, us!.timezone, us!.timezoneId, us!.insightsEnabled, us!.partnerBilled], ['USD', 'America/Los_Angeles', '1', true, false]);
    assert.deepEqual([eu!.currency, eu!.timezone, eu!.timezoneId, eu!.insightsEnabled], ['EUR', 'Europe/Berlin', '47', false]);
    assert.deepEqual([br!.currency, br!.timezone, br!.timezoneId, br!.partnerBilled], ['BRL', 'America/Sao_Paulo', '25', true]);
    assert.ok(us!.templates.length >= 25);
    // 80 combinations, plus the charged ones the billing change of 1 Oct 2026 starts.
    assert.equal(us!.combos.pricing.filter((c) => c.activeFrom === undefined).length, 80);
    const vonage = sb.data.wabas.vonage;
    assert.deepEqual(
      vonage.map((w) => [w.currency, w.timezone, w.insightsEnabled]),
      [
        ['GBP', 'Europe/London', true],
        ['INR', 'Asia/Kolkata', false],
      ],
    );
    assert.equal(sb.data.unlinkedVonageWaba.linked, false);
    const all = [...sb.data.wabas.meta, ...vonage, sb.data.unlinkedVonageWaba];
    const ids = all.flatMap((w) => [w.id, ...w.phones.map((p) => p.id), ...w.templates.map((t) => t.id)]);
    assert.ok(ids.every((id) => /^[1-9]\d{14}$/.test(id)));
    assert.equal(new Set(ids).size, ids.length);
    const templates = all.flatMap((w) => w.templates);
    for (const c of ['MARKETING', 'UTILITY', 'AUTHENTICATION']) assert.ok(templates.some((t) => t.category === c));
    for (const s of ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED']) assert.ok(templates.some((t) => t.status === s));
    assert.ok(templates.some((t) => t.buttonTypes.includes('URL')) && templates.some((t) => t.buttonTypes.includes('QUICK_REPLY')));
    assert.deepEqual(new Set(all.flatMap((w) => w.phones.map((p) => p.country))), new Set(['US', 'MX', 'DE', 'BR', 'GB', 'IN']));
    assert.ok(us!.combos.pricing.some((c) => c.dims.pricing_category === 'AUTHENTICATION_INTERNATIONAL'));
    assert.ok(br!.combos.pricing.some((c) => c.dims.pricing_category === 'MARKETING_LITE'));
    assert.ok(us!.combos.conversation.some((c) => c.dims.conversation_direction === 'UNKNOWN'));
    // Tiers only on REGULAR pricing combinations.
    assert.ok(us!.combos.pricing.every((c) => (c.dims.pricing_type === 'REGULAR') === (c.dims.tier !== undefined)));
  });

  it('charges service messages beyond 1,000 per phone number a month and in-window utility messages from 1 Oct 2026', async () => {
    const later = await startSandbox({ now: () => Date.UTC(2026, 11, 2, 13), port: 0 });
    try {
      const w = later.data.wabas.meta[0]!;
      const month = (y: number, m: number) => ({ startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) });
      const base = { provider: 'meta' as const, wabaId: w.id, kind: 'pricing' as const, granularity: 'MONTHLY' as const, dimensions: ['phone_number', 'pricing_category', 'pricing_type'] };
      const before = later.data.points({ ...base, ...month(2026, 8) });
      const service = (pts: typeof before) => pts.filter((p) => p.dims.pricing_category === 'SERVICE' && p.dims.pricing_type !== 'FREE_ENTRY_POINT');
      // September: service and in-window utility messages are free (FREE_CUSTOMER_SERVICE), nothing charged.
      assert.ok(service(before).length > 0 && service(before).every((p) => p.dims.pricing_type === 'FREE_CUSTOMER_SERVICE' && p.metrics.cost === 0));
      assert.ok(before.some((p) => p.dims.pricing_category === 'UTILITY' && p.dims.pricing_type === 'FREE_CUSTOMER_SERVICE' && p.metrics.volume! > 0));
      for (const m of [9, 10]) {
        const pts = later.data.points({ ...base, ...month(2026, m) });
        for (const phone of w.phones) {
          const mine = service(pts).filter((p) => p.dims.phone_number === phone.digits);
          const free = mine.filter((p) => p.dims.pricing_type === 'FREE_CUSTOMER_SERVICE');
          const charged = mine.filter((p) => p.dims.pricing_type === 'REGULAR');
          const total = sum(mine.map((p) => p.metrics), 'volume');
          // The first 1,000 free, the rest charged at the service rate.
          assert.equal(sum(free.map((p) => p.metrics), 'volume'), Math.min(1000, total), `free service messages of ${phone.displayPhoneNumber} in month ${m + 1}`);
          assert.equal(sum(charged.map((p) => p.metrics), 'volume'), Math.max(0, total - 1000));
          if (total > 1000) assert.ok(sum(charged.map((p) => p.metrics), 'cost') > 0, 'charged service messages cost something');
          assert.ok(free.every((p) => p.metrics.cost === 0));
        }
        // In-window utility messages are REGULAR (charged) now: no FREE_CUSTOMER_SERVICE utility left.
        assert.ok(!pts.some((p) => p.dims.pricing_category === 'UTILITY' && p.dims.pricing_type === 'FREE_CUSTOMER_SERVICE'));
        assert.ok(pts.filter((p) => p.dims.pricing_type === 'REGULAR').every((p) => p.metrics.cost! > 0 || p.metrics.volume === 0));
      }
      // The same messages before and after: a day split at the change adds up, the oracle agrees with the points.
      const span = { startMs: Date.UTC(2026, 8, 20), endMs: Date.UTC(2026, 9, 10) };
      const daily = later.data.points({ ...base, ...span, granularity: 'DAILY' });
      const totals = later.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', ...span });
      assert.equal(sum(daily.map((p) => p.metrics), 'volume'), totals.volume);
      assert.equal(round4(sum(daily.map((p) => p.metrics), 'cost')), totals.cost);
    } finally {
      await later.close();
    }
  });

  it('orders values sent >= delivered >= read >= clicked and yields 345,600 points for the 90-day benchmark query', () => {
    const us = sb.data.wabas.meta[0]!;
    const t = sb.data.totals({ provider: 'meta', wabaId: us.id, kind: 'template', startMs: TODAY - 30 * DAY, endMs: TODAY });
    assert.ok(t.sent! >= t.delivered! && t.delivered! >= t.read! && t.read! >= t.clicked! && t.clicked! > 0, JSON.stringify(t));
    assert.ok(t.url_button! >= t.unique_url_button! && t.unique_url_button! > 0);
    const m = sb.data.totals({ provider: 'meta', wabaId: us.id, kind: 'messaging', startMs: TODAY - 30 * DAY, endMs: TODAY });
    assert.ok(m.sent! >= m.delivered! && m.delivered! > 0);
    const points = sb.data.points({
      provider: 'meta',
      wabaId: us.id,
      kind: 'pricing',
      granularity: 'HALF_HOUR',
      startMs: TODAY - 90 * DAY,
      endMs: TODAY,
      dimensions: ['country', 'phone_number', 'pricing_category', 'pricing_type'],
    });
    assert.equal(points.length, 345_600);
  });

  it('has no data after now nor before the history start', () => {
    const us = sb.data.wabas.meta[0]!;
    const future = sb.data.totals({ provider: 'meta', wabaId: us.id, kind: 'pricing', startMs: NOW, endMs: NOW + 10 * DAY });
    assert.equal(future.volume, 0);
    const ancient = sb.data.totals({ provider: 'meta', wabaId: us.id, kind: 'pricing', startMs: TODAY - 800 * DAY, endMs: TODAY - 401 * DAY });
    assert.equal(ancient.volume, 0);
    // The half-hour in progress (10:00-10:30) is not there yet.
    const current = sb.data.totals({ provider: 'meta', wabaId: us.id, kind: 'messaging', startMs: Date.UTC(2026, 5, 15, 10), endMs: NOW });
    assert.equal(current.sent, 0);
  });
});

describe('fields parser', () => {
  it('reads dot-chained modifiers, arrays with or without quotes, line breaks and sub-fields', () => {
    const f = parseFields(
      'name, pricing_analytics.start(1).end(2)\n.granularity(DAILY).dimensions(["COUNTRY","PHONE"]).phone_numbers([]),conversation_analytics.dimensions([CONVERSATION_TYPE]).conversation_types(["A","COUNTRY,PHONE", “B”]),message_templates{name,status}',
    );
    assert.deepEqual(
      f.map((x) => x.name),
      ['name', 'pricing_analytics', 'conversation_analytics', 'message_templates'],
    );
    assert.equal(f[1]!.modifiers.get('start'), '1');
    assert.equal(f[1]!.modifiers.get('granularity'), 'DAILY');
    assert.deepEqual(f[1]!.modifiers.get('dimensions'), ['COUNTRY', 'PHONE']);
    assert.deepEqual(f[1]!.modifiers.get('phone_numbers'), []);
    assert.deepEqual(f[2]!.modifiers.get('dimensions'), ['CONVERSATION_TYPE']);
    assert.deepEqual(f[2]!.modifiers.get('conversation_types'), ['A', 'COUNTRY', 'PHONE', 'B']);
    assert.equal(f[3]!.subfields, 'name,status');
    assert.throws(() => parseFields('pricing_analytics.start(1'), /Syntax error/);
    assert.throws(() => parseFields('a b'), /Syntax error/);
  });
});

describe('Meta dialect', () => {
  it('answers the WABA node fields', async () => {
    const w = sb.data.wabas.meta[1]!;
    const r = await meta(`/${w.id}?${fields('id,name,currency,timezone_id,is_enabled_for_insights')}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id: w.id, name: w.name, currency: 'EUR', timezone_id: '47', is_enabled_for_insights: false });
    const plain = await meta(`/${w.id}`);
    assert.deepEqual(plain.body, { id: w.id, name: w.name });
    // Without a version prefix too.
    const unversioned = await get(`${sb.metaBaseUrl}/${w.id}?fields=currency`);
    assert.equal(unversioned.body.currency, 'EUR');
  });

  it('serves discovery: debug_token (POST form only), businesses and their WABAs', async () => {
    const r = await meta('/debug_token', { method: 'POST', headers: { ...META_AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: `method=GET&input_token=${DEMO_CREDENTIALS.metaToken}` });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.is_valid, true);
    const scope = r.body.data.granular_scopes.find((s: Json) => s.scope === 'whatsapp_business_management');
    assert.deepEqual(scope.target_ids, sb.data.wabas.meta.map((w) => w.id));
    const bad = await meta('/debug_token', { method: 'POST', headers: { ...META_AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: 'input_token=nope' });
    assert.equal(bad.body.data.is_valid, false);
    const inUrl = await meta(`/debug_token?input_token=whatever`);
    assert.equal(inUrl.status, 400);
    const biz = await meta('/me/businesses');
    assert.deepEqual(biz.body.data, [{ id: sb.data.business.id, name: sb.data.business.name }]);
    const owned = await meta(`/${sb.data.business.id}/owned_whatsapp_business_accounts`);
    const client = await meta(`/${sb.data.business.id}/client_whatsapp_business_accounts`);
    const listed = [...owned.body.data, ...client.body.data];
    assert.deepEqual(new Set(listed.map((w: Json) => w.id)), new Set(sb.data.wabas.meta.map((w) => w.id)));
    assert.deepEqual(Object.keys(owned.body.data[0]).sort(), ['currency', 'id', 'name', 'timezone_id']);
  });

  it('pages message_templates and phone_numbers to the end without duplicates', async () => {
    const w = sb.data.wabas.meta[0]!;
    const seen: Json[] = [];
    let pages = 0;
    for (let next: string | undefined = `${sb.metaBaseUrl}/v25.0/${w.id}/message_templates?${fields('id,name,status,category,language,quality_score,components')}&limit=10`; next; ) {
      const r = await get(next);
      assert.equal(r.status, 200);
      seen.push(...r.body.data);
      assert.ok(r.body.paging.cursors.after);
      next = r.body.paging.next;
      pages++;
    }
    assert.equal(pages, Math.ceil(w.templates.length / 10));
    assert.deepEqual(
      seen.map((t) => t.id),
      w.templates.map((t) => t.id),
    );
    assert.deepEqual(Object.keys(seen[0]!).sort(), ['category', 'components', 'id', 'language', 'name', 'quality_score', 'status']);
    assert.ok(['GREEN', 'YELLOW', 'RED', 'UNKNOWN'].includes(seen[0]!.quality_score.score));
    // Default page size (25) and a filter.
    const first = await meta(`/${w.id}/message_templates`);
    assert.equal(first.body.data.length, 25);
    const approved = await meta(`/${w.id}/message_templates?status=APPROVED&limit=100`);
    assert.ok(approved.body.data.every((t: Json) => t.status === 'APPROVED') && approved.body.data.length > 10);
    const phones = await meta(`/${w.id}/phone_numbers?${fields('id,display_phone_number,verified_name,quality_rating')}`);
    assert.deepEqual(
      phones.body.data,
      w.phones.map((p) => ({ id: p.id, display_phone_number: p.displayPhoneNumber, verified_name: p.verifiedName, quality_rating: p.qualityRating })),
    );
  });

  it('pricing_analytics: shape, paging without duplicates, sums equal to the oracle', async () => {
    const w = sb.data.wabas.meta[0]!;
    const start = TODAY - 3 * DAY;
    const end = TODAY - DAY;
    const f = `pricing_analytics.start(${sec(start)}).end(${sec(end)}).granularity(HALF_HOUR).dimensions(["COUNTRY","PHONE","PRICING_CATEGORY","PRICING_TYPE"])`;
    const { points, pages } = await walkField(`${sb.metaBaseUrl}/v25.0/${w.id}?${fields(f)}`, 'pricing_analytics');
    assert.equal(points.length, 96 * 80);
    assert.equal(pages, Math.ceil((96 * 80) / 1000));
    const keys = new Set(points.map((p) => `${p.start}|${p.country}|${p.phone_number}|${p.pricing_category}|${p.pricing_type}`));
    assert.equal(keys.size, points.length, 'no duplicates across pages');
    const p = points.find((x) => x.pricing_type === 'REGULAR')!;
    assert.equal(typeof p.start, 'number');
    assert.equal(p.end - p.start, 1800);
    assert.ok(w.phones.some((ph) => ph.digits === p.phone_number));
    assert.equal(p.tier, undefined, 'tier only when asked as a dimension');
    const oracle = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', startMs: start, endMs: end });
    assert.equal(sum(points, 'volume'), oracle.volume);
    assert.equal(round4(sum(points, 'cost')), oracle.cost);
    // Free points cost 0.
    assert.ok(points.filter((x) => x.pricing_type !== 'REGULAR').every((x) => x.cost === 0));
  });

  it('pricing_analytics: the 90-day benchmark query pages 345,600 points (last page reached by its cursor)', async () => {
    const w = sb.data.wabas.meta[0]!;
    const f = `pricing_analytics.start(${sec(TODAY - 90 * DAY)}).end(${sec(TODAY)}).granularity(HALF_HOUR).dimensions(["COUNTRY","PHONE","PRICING_CATEGORY","PRICING_TYPE"])`;
    const firstPage = await meta(`/${w.id}?${fields(f)}`);
    assert.equal(firstPage.body.pricing_analytics.data[0].data_points.length, 1000);
    const next = new URL(firstPage.body.pricing_analytics.paging.next as string);
    const cursor = Buffer.from('pricing_analytics:345000').toString('base64url');
    next.searchParams.set('after', cursor);
    const last = await get(next.toString());
    assert.equal(last.body.pricing_analytics.data[0].data_points.length, 600);
    assert.equal(last.body.pricing_analytics.paging.next, undefined);
  });

  it('HALF_HOUR sums equal DAILY sums equal MONTHLY sums, with filters, and windows add up', async () => {
    const w = sb.data.wabas.meta[0]!;
    const start = Date.UTC(2026, 3, 20, 5);
    const end = Date.UTC(2026, 5, 10);
    const totals: Record<string, { volume: number; cost: number; n: number }> = {};
    for (const g of ['HALF_HOUR', 'DAILY', 'MONTHLY']) {
      const f = `pricing_analytics.start(${sec(start)}).end(${sec(end)}).granularity(${g}).country_codes(["US","BR"]).pricing_types(["REGULAR"]).dimensions(["COUNTRY"])`;
      const { points } = await walkField(`${sb.metaBaseUrl}/v25.0/${w.id}?${fields(f)}`, 'pricing_analytics');
      assert.deepEqual(new Set(points.map((p) => p.country)), new Set(['US', 'BR']));
      totals[g] = { volume: sum(points, 'volume'), cost: round4(sum(points, 'cost')), n: points.length };
    }
    assert.equal(totals.HALF_HOUR!.n, 2 * ((end - start) / 1_800_000));
    assert.equal(totals.DAILY!.n, 2 * 51);
    assert.equal(totals.MONTHLY!.n, 2 * 3);
    assert.equal(totals.HALF_HOUR!.volume, totals.DAILY!.volume);
    assert.equal(totals.DAILY!.volume, totals.MONTHLY!.volume);
    assert.equal(totals.HALF_HOUR!.cost, totals.MONTHLY!.cost);
    const filters = { countryCodes: ['US', 'BR'], pricingTypes: ['REGULAR'] };
    const oracle = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', startMs: start, endMs: end, filters });
    assert.equal(oracle.volume, totals.DAILY!.volume);
    assert.equal(oracle.cost, totals.DAILY!.cost);
    const mid = Date.UTC(2026, 4, 3);
    const a = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', startMs: start, endMs: mid, filters });
    const b = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', startMs: mid, endMs: end, filters });
    assert.equal(a.volume! + b.volume!, oracle.volume);
    assert.equal(round4(a.cost! + b.cost!), oracle.cost);
    // MONTHLY points are clipped to the range asked.
    const f = `pricing_analytics.start(${sec(start)}).end(${sec(end)}).granularity(MONTHLY)`;
    const monthly = await meta(`/${w.id}?${fields(f)}`);
    const mp = monthly.body.pricing_analytics.data[0].data_points;
    assert.deepEqual(
      mp.map((p: Json) => [p.start, p.end]),
      [
        [sec(start), sec(Date.UTC(2026, 4, 1))],
        [sec(Date.UTC(2026, 4, 1)), sec(Date.UTC(2026, 5, 1))],
        [sec(Date.UTC(2026, 5, 1)), sec(end)],
      ],
    );
  });

  it('pricing_analytics: partner-billed WABA has no cost; VOLUME only has no cost; tiers and unknown categories show', async () => {
    const [us, , br] = sb.data.wabas.meta;
    const f = (g: string, extra = '') => `pricing_analytics.start(${sec(TODAY - 10 * DAY)}).end(${sec(TODAY)}).granularity(${g})${extra}`;
    const partner = await meta(`/${br!.id}?${fields(f('DAILY', '.dimensions(["PRICING_CATEGORY"])'))}`);
    const pts = partner.body.pricing_analytics.data[0].data_points as Json[];
    assert.ok(pts.length > 0 && pts.every((p) => p.cost === undefined && typeof p.volume === 'number'));
    assert.ok(pts.some((p) => p.pricing_category === 'MARKETING_LITE'));
    const volumeOnly = await meta(`/${us!.id}?${fields(f('MONTHLY', '.metric_types(["VOLUME"])'))}`);
    assert.ok(volumeOnly.body.pricing_analytics.data[0].data_points.every((p: Json) => p.cost === undefined && p.volume > 0));
    const tiers = await meta(`/${us!.id}?${fields(f('MONTHLY', '.dimensions(["TIER","PRICING_TYPE"])'))}`);
    const tp = tiers.body.pricing_analytics.data[0].data_points as Json[];
    assert.ok(tp.every((p) => (p.pricing_type === 'REGULAR') === /^\d+:(\d+|MAX)$/.test(p.tier ?? '')));
    assert.ok(us!.combos.pricing.some((c) => c.dims.pricing_category === 'AUTHENTICATION_INTERNATIONAL'));
    const intl = await meta(`/${us!.id}?${fields(f('MONTHLY', '.pricing_categories(["AUTHENTICATION_INTERNATIONAL"]).dimensions(["COUNTRY"])'))}`);
    assert.deepEqual(
      intl.body.pricing_analytics.data[0].data_points.map((p: Json) => p.country),
      ['IN'],
    );
  });

  it('conversation_analytics: seed syntax, dimensions, FREE_ENTRY filter, partner without cost', async () => {
    const [us, , br] = sb.data.wabas.meta;
    const base = `conversation_analytics.start(${sec(TODAY - 20 * DAY)}).end(${sec(TODAY)}).granularity(MONTHLY).phone_numbers([])`;
    const r = await meta(`/${us!.id}?${fields(`${base}.dimensions([CONVERSATION_TYPE])`)}`);
    assert.equal(r.status, 200, r.text);
    const pts = r.body.conversation_analytics.data[0].data_points as Json[];
    assert.deepEqual(new Set(pts.map((p) => p.conversation_type)), new Set(['REGULAR', 'FREE_TIER', 'FREE_ENTRY_POINT']));
    assert.ok(pts.every((p) => typeof p.conversation === 'number' && typeof p.cost === 'number'));
    assert.ok(pts.filter((p) => p.conversation_type !== 'REGULAR').every((p) => p.cost === 0));
    const all = await meta(`/${us!.id}?${fields(`${base}.dimensions(["CONVERSATION_CATEGORY","CONVERSATION_TYPE","COUNTRY,PHONE","CONVERSATION_DIRECTION"])`)}`);
    const ap = all.body.conversation_analytics.data[0].data_points as Json[];
    assert.ok(ap.every((p) => p.phone_number && p.country && p.conversation_category && p.conversation_type && p.conversation_direction));
    assert.ok(ap.some((p) => p.conversation_direction === 'UNKNOWN'));
    const free = await meta(`/${us!.id}?${fields(`${base}.conversation_types(["FREE_ENTRY"]).dimensions(["CONVERSATION_TYPE"])`)}`);
    assert.deepEqual(new Set(free.body.conversation_analytics.data[0].data_points.map((p: Json) => p.conversation_type)), new Set(['FREE_ENTRY_POINT']));
    const oracle = sb.data.totals({ provider: 'meta', wabaId: us!.id, kind: 'conversation', startMs: TODAY - 20 * DAY, endMs: TODAY });
    assert.equal(sum(pts, 'conversation'), oracle.conversation);
    assert.equal(round4(sum(pts, 'cost')), oracle.cost);
    const partner = await meta(`/${br!.id}?${fields(`${base}.metric_types(["COST","CONVERSATION"])`)}`);
    assert.ok(partner.body.conversation_analytics.data[0].data_points.every((p: Json) => p.cost === undefined && p.conversation >= 0));
  });

  it('analytics (messaging): DAY/MONTH words, echoed filters, combined with plain fields', async () => {
    const w = sb.data.wabas.meta[0]!;
    const phone = w.phones[0]!.digits;
    const f = `name,analytics.start(${sec(TODAY - 7 * DAY)}).end(${sec(TODAY)}).granularity(DAY).phone_numbers(["${phone}"]).country_codes(["US"]).product_types([0,2])`;
    const r = await meta(`/${w.id}?${fields(f)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.name, w.name);
    assert.equal(r.body.id, w.id);
    const a = r.body.analytics;
    assert.deepEqual([a.phone_numbers, a.country_codes, a.granularity], [[phone], ['US'], 'DAY']);
    assert.equal(a.data_points.length, 7);
    assert.ok(a.data_points.every((p: Json) => p.end - p.start === 86400 && p.sent >= p.delivered));
    const oracle = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'messaging', startMs: TODAY - 7 * DAY, endMs: TODAY, filters: { phoneNumbers: [phone], countryCodes: ['US'] } });
    assert.equal(sum(a.data_points, 'sent'), oracle.sent);
    assert.equal(sum(a.data_points, 'delivered'), oracle.delivered);
    const daily = await meta(`/${w.id}?${fields(`analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY)`)}`);
    assert.equal(daily.status, 400);
    assert.equal(daily.body.error.code, 100);
    assert.match(daily.body.error.message, /granularity/);
  });

  it('refuses bad analytics parameters with Graph errors', async () => {
    const w = sb.data.wabas.meta[0]!;
    const cases: Array<[string, RegExp]> = [
      [`pricing_analytics.end(${sec(TODAY)}).granularity(DAILY)`, /start is required/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).granularity(DAILY)`, /end is required/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)})`, /granularity is required/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAY)`, /granularity must be one of/],
      [`pricing_analytics.start(${sec(TODAY - 400 * DAY)}).end(${sec(TODAY)}).granularity(DAILY)`, /lookback/],
      [`pricing_analytics.start(${sec(TODAY)}).end(${sec(TODAY - DAY)}).granularity(DAILY)`, /must be after/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY).pricing_categories(["NOPE"])`, /pricing_categories\[0\]/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY).dimensions(["COLOR"])`, /dimensions\[0\]/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY).phone_numbers(["${w.phones[0]!.id}"])`, /not a phone number of this/],
      [`pricing_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY).tiers(["0:MAX"])`, /Unknown filtering parameter tiers/],
      [`conversation_analytics.start(${sec(TODAY - DAY)}).end(${sec(TODAY)}).granularity(DAILY).metric_types(["VOLUME"])`, /metric_types\[0\]/],
      ['timezone', /nonexisting field \(timezone\)/],
      ['pricing_analytics.start(1', /Syntax error/],
    ];
    for (const [f, re] of cases) {
      const r = await meta(`/${w.id}?${fields(f)}`);
      assert.equal(r.status, 400, f);
      assert.equal(r.body.error.code, 100, f);
      assert.match(r.body.error.message, re, f);
      assert.equal(typeof r.body.error.fbtrace_id, 'string');
    }
  });

  it('refuses tokens in the URL, wrong tokens and unknown objects', async () => {
    const w = sb.data.wabas.meta[0]!;
    const inUrl = await get(`${sb.metaBaseUrl}/v25.0/${w.id}?access_token=${DEMO_CREDENTIALS.metaToken}`);
    assert.equal(inUrl.status, 400);
    assert.match(inUrl.body.error.message, /Authorization header/);
    const wrong = await get(`${sb.metaBaseUrl}/v25.0/${w.id}`, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 190);
    assert.equal(wrong.body.error.type, 'OAuthException');
    const none = await get(`${sb.metaBaseUrl}/v25.0/${w.id}`, {});
    assert.equal(none.body.error.code, 190);
    const unknown = await meta('/999999999999999?fields=name');
    assert.equal(unknown.status, 400);
    assert.deepEqual([unknown.body.error.code, unknown.body.error.error_subcode], [100, 33]);
    assert.match(unknown.body.error.message, /Object with ID '999999999999999' does not exist/);
    const edge = await meta(`/${w.id}/nope`);
    assert.match(edge.body.error.message, /nonexisting field \(nope\)/);
  });

  it('template_analytics: shape, clicks and costs by template, paging, oracle', async () => {
    const w = sb.data.wabas.meta[0]!;
    const pick = (name: string) => w.templates.find((t) => t.name === name)!;
    const ids = ['spring_sale', 'order_confirmation', 'login_code', 'price_drop', 'loyalty_points'].map((n) => pick(n).id);
    const start = TODAY - 7 * DAY;
    const url = `${sb.metaBaseUrl}/v25.0/${w.id}/template_analytics?start=${sec(start)}&end=${sec(NOW)}&granularity=DAILY&template_ids=${encodeURIComponent(JSON.stringify(ids.map(Number)))}&metric_types=${encodeURIComponent('[SENT,DELIVERED,READ,CLICKED,COST]')}`;
    const points: Json[] = [];
    let pages = 0;
    for (let next: string | undefined = url; next; pages++) {
      const r = await get(next);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.data[0].granularity, 'DAILY');
      assert.equal(r.body.data[0].product_type, 'cloud_api');
      points.push(...r.body.data[0].data_points);
      next = r.body.paging.next;
    }
    // 7 full days + today's partial day, 5 templates, 25 per page.
    assert.equal(points.length, 8 * 5);
    assert.equal(pages, 2);
    const byId = (id: string) => points.filter((p) => p.template_id === id);
    const [spring, order, login, price, loyalty] = ids.map(byId);
    assert.ok(spring!.every((p) => p.clicked.some((c: Json) => c.type === 'url_button' && c.button_content === 'Shop now') && p.clicked.some((c: Json) => c.type === 'quick_reply_button')));
    assert.ok(order!.every((p) => p.clicked.map((c: Json) => c.type).join() === 'url_button,unique_url_button'));
    assert.ok(login!.every((p) => p.clicked === undefined), 'no clicks for AUTHENTICATION');
    assert.ok(price!.every((p) => p.clicked === undefined), 'no clicks when click tracking is opted out');
    assert.ok(loyalty!.every((p) => p.clicked === undefined), 'no clicks without buttons');
    assert.ok(points.every((p) => p.cost[0].type === 'amount_spent' && p.end - p.start === 86400 && p.sent >= p.delivered && p.delivered >= p.read));
    assert.ok(login!.every((p) => !p.cost.some((c: Json) => c.type === 'cost_per_url_button_click')));
    for (const id of ids) {
      const oracle = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'template', startMs: start, endMs: NOW, filters: { templateIds: [id] } });
      const mine = byId(id);
      assert.equal(sum(mine, 'sent'), oracle.sent);
      assert.equal(sum(mine, 'read'), oracle.read);
      assert.equal(round4(mine.reduce((s, p) => s + p.cost[0].value, 0)), oracle.cost);
      const clicks = mine.reduce((s, p) => s + (p.clicked ?? []).filter((c: Json) => c.type !== 'unique_url_button').reduce((t: number, c: Json) => t + c.count, 0), 0);
      assert.equal(clicks, oracle.clicked ?? 0);
    }
  });

  it('template_analytics: comma lists, lower-case words, metric selection, WABA time zone', async () => {
    const w = sb.data.wabas.meta[0]!;
    const id = w.templates[0]!.id;
    const r = await meta(`/${w.id}/template_analytics?start=${sec(TODAY - 2 * DAY)}&end=${sec(TODAY)}&granularity=daily&template_ids=${id}&metric_types=sent%2Cclicked`);
    assert.equal(r.status, 200, r.text);
    const p = r.body.data[0].data_points;
    assert.equal(p.length, 2);
    assert.deepEqual(Object.keys(p[0]).sort(), ['clicked', 'end', 'sent', 'start', 'template_id']);
    const tz = await meta(`/${w.id}/template_analytics?start=2026-06-10&end=2026-06-12&granularity=DAILY&template_ids=[${id}]&use_waba_timezone=true`);
    assert.equal(tz.status, 200, tz.text);
    assert.equal(tz.body.data[0].waba_timezone, 'America/Los_Angeles');
    const tp = tz.body.data[0].data_points as Json[];
    assert.deepEqual(
      tp.map((x) => x.start),
      [10, 11, 12].map((d) => sec(Date.UTC(2026, 5, d, 7))),
    );
    const oracle = sb.data.points({ provider: 'meta', wabaId: w.id, kind: 'template', granularity: 'DAILY', startMs: Date.UTC(2026, 5, 10, 7), endMs: Date.UTC(2026, 5, 13, 7), timezone: 'America/Los_Angeles', filters: { templateIds: [id] } });
    assert.deepEqual(
      tp.map((x) => x.sent),
      oracle.map((x) => x.metrics.sent),
    );
    const secondsWithTz = await meta(`/${w.id}/template_analytics?start=${sec(TODAY - DAY)}&end=${sec(TODAY)}&granularity=DAILY&template_ids=[${id}]&use_waba_timezone=true`);
    assert.equal(secondsWithTz.status, 400);
  });

  it('template_analytics errors: >10 ids, future end, lookback, unknown template, no insights, granularity', async () => {
    const [us, eu] = sb.data.wabas.meta;
    const q = (w: string, s: number, e: number, ids: string[], g = 'DAILY') => meta(`/${w}/template_analytics?start=${s}&end=${e}&granularity=${g}&template_ids=${encodeURIComponent(JSON.stringify(ids))}`);
    const eleven = us!.templates.slice(0, 11).map((t) => t.id);
    const tooMany = await q(us!.id, sec(TODAY - DAY), sec(TODAY), eleven);
    assert.deepEqual([tooMany.status, tooMany.body.error.code], [400, 100]);
    assert.match(tooMany.body.error.message, /at most 10/);
    const future = await q(us!.id, sec(TODAY - DAY), sec(NOW + 3_600_000), [eleven[0]!]);
    assert.deepEqual([future.status, future.body.error.code, future.body.error.error_subcode], [400, 100, 4182001]);
    const old = await q(us!.id, sec(TODAY - 120 * DAY), sec(TODAY), [eleven[0]!]);
    assert.equal(old.body.error.error_subcode, 4182001);
    const foreign = await q(us!.id, sec(TODAY - DAY), sec(TODAY), [eu!.templates[0]!.id]);
    assert.equal(foreign.body.error.code, 100);
    assert.match(foreign.body.error.message, /not a message template of this/);
    const noInsights = await q(eu!.id, sec(TODAY - DAY), sec(TODAY), [eu!.templates[0]!.id]);
    assert.deepEqual([noInsights.status, noInsights.body.error.code, noInsights.body.error.error_subcode], [400, 200, 2388096]);
    const monthly = await q(us!.id, sec(TODAY - DAY), sec(TODAY), [eleven[0]!], 'MONTHLY');
    assert.equal(monthly.body.error.code, 100);
    const missing = await meta(`/${us!.id}/template_analytics?start=${sec(TODAY - DAY)}&end=${sec(TODAY)}&granularity=DAILY`);
    assert.match(missing.body.error.message, /template_ids is required/);
  });

  it('enables insights (then template analytics work) and click tracking keeps or changes the category', async () => {
    const s2 = await startSandbox({ now: () => NOW });
    try {
      const eu = s2.data.wabas.meta[1]!;
      const post = (path: string) => get(`${s2.metaBaseUrl}/v25.0${path}`, META_AUTH, { method: 'POST' });
      const r = await post(`/${eu.id}?is_enabled_for_insights=true`);
      assert.deepEqual([r.status, r.body], [200, { id: eu.id }]);
      assert.equal(s2.data.wabas.meta[1]!.insightsEnabled, true);
      const node = await get(`${s2.metaBaseUrl}/v25.0/${eu.id}?fields=is_enabled_for_insights`);
      assert.equal(node.body.is_enabled_for_insights, true);
      const ta = await get(`${s2.metaBaseUrl}/v25.0/${eu.id}/template_analytics?start=${sec(TODAY - DAY)}&end=${sec(TODAY)}&granularity=DAILY&template_ids=[${eu.templates[0]!.id}]`);
      assert.equal(ta.status, 200, ta.text);
      const off = await post(`/${eu.id}?is_enabled_for_insights=false`);
      assert.equal(off.status, 400);

      const us = s2.data.wabas.meta[0]!;
      const t = us.templates.find((x) => x.name === 'spring_sale')!;
      const same = await post(`/${t.id}?cta_url_link_tracking_opted_out=true&category=marketing`);
      assert.deepEqual([same.status, same.body], [200, { success: true }]);
      assert.deepEqual([t.clickTrackingOptedOut, t.status, t.category], [true, 'APPROVED', 'MARKETING']);
      const clicks = await get(`${s2.metaBaseUrl}/v25.0/${us.id}/template_analytics?start=${sec(TODAY - DAY)}&end=${sec(TODAY)}&granularity=DAILY&template_ids=[${t.id}]`);
      assert.equal(clicks.body.data[0].data_points[0].clicked, undefined);
      const other = await post(`/${t.id}?cta_url_link_tracking_opted_out=false&category=UTILITY`);
      assert.equal(other.status, 200);
      const node2 = await get(`${s2.metaBaseUrl}/v25.0/${t.id}?fields=id,name,status,category,cta_url_link_tracking_opted_out`);
      assert.deepEqual(node2.body, { id: t.id, name: 'spring_sale', status: 'PENDING', category: 'UTILITY', cta_url_link_tracking_opted_out: false });
      const missing = await post(`/${t.id}?cta_url_link_tracking_opted_out=true`);
      assert.equal(missing.status, 400);
    } finally {
      await s2.close();
    }
  });
});

describe('Vonage dialect', () => {
  const [gb, inr] = [0, 1].map((i) => () => sb.data.wabas.vonage[i]!);
  const d = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  it('lists WABAs with page/page_size and answers one WABA and its numbers', async () => {
    const first = await vonage('?page=1&page_size=1');
    assert.equal(first.status, 200);
    assert.deepEqual([first.body.page, first.body.page_size, first.body.total_pages, first.body.total_items], [1, 1, 2, 2]);
    assert.equal(first.body._embedded.wabas[0].waba_id, gb().id);
    const second = await get(first.body._links.next.href as string, VONAGE_BASIC);
    assert.equal(second.body._embedded.wabas[0].waba_id, inr().id);
    assert.equal(second.body._links.next, undefined);
    const all = await vonage('');
    assert.ok(!all.body._embedded.wabas.some((w: Json) => w.waba_id === sb.data.unlinkedVonageWaba.id), 'the unlinked WABA is not listed');
    const one = await vonage(`/${gb().id}`);
    assert.deepEqual([one.body.waba_id, one.body.name, one.body.currency, one.body.timezone, one.body.insights_enabled], [gb().id, gb().name, 'GBP', 'Europe/London', true]);
    const numbers = await vonage(`/${gb().id}/numbers`);
    assert.deepEqual(
      numbers.body._embedded.numbers.map((n: Json) => [n.phone_number_id, n.display_phone_number, n.country]),
      gb().phones.map((p) => [p.id, p.displayPhoneNumber, 'GB']),
    );
    const missing = await vonage('/123456789012345');
    assert.equal(missing.status, 404);
    const forbidden = await vonage(`/${sb.data.unlinkedVonageWaba.id}`);
    assert.equal(forbidden.status, 403);
  });

  it('messaging-analytics: epoch-second strings, paging by cursor, HALF_HOUR = DAILY = MONTHLY = oracle', async () => {
    const start = TODAY - 20 * DAY;
    const end = TODAY - 2 * DAY; // inclusive
    const sums: Record<string, number> = {};
    for (const g of ['HALF_HOUR', 'DAILY', 'MONTHLY']) {
      const points: Json[] = [];
      let next: string | undefined = `${sb.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${gb().id}/messaging-analytics?start=${d(start)}&end=${d(end)}&granularity=${g}&page_size=200`;
      let pages = 0;
      while (next) {
        const r = await get(next, VONAGE_BASIC);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.id, gb().id);
        assert.equal(r.body.granularity, g);
        points.push(...r.body._embedded.messaging_analytics);
        next = r.body.paging.next;
        pages++;
      }
      if (g === 'HALF_HOUR') {
        assert.equal(points.length, 19 * 48);
        assert.equal(pages, Math.ceil((19 * 48) / 200));
        assert.equal(new Set(points.map((p) => p.start)).size, points.length);
      }
      assert.ok(points.every((p) => typeof p.start === 'string' && /^\d+$/.test(p.start)));
      sums[g] = sum(points, 'sent');
    }
    const oracle = sb.data.totals({ provider: 'vonage', wabaId: gb().id, kind: 'messaging', startMs: start, endMs: end + DAY });
    assert.deepEqual([sums.HALF_HOUR, sums.DAILY, sums.MONTHLY], [oracle.sent, oracle.sent, oracle.sent]);
    // Filters, with repeated and comma-separated lists.
    const phone = gb().phones[1]!.digits;
    const f = await vonage(`/${gb().id}/messaging-analytics?start=${d(start)}&end=${d(end)}&granularity=MONTHLY&phone_number=${phone}&country_codes=GB&country_codes=IE&product_types=0,2`);
    const fo = sb.data.totals({ provider: 'vonage', wabaId: gb().id, kind: 'messaging', startMs: start, endMs: end + DAY, filters: { phoneNumbers: [phone], countryCodes: ['GB', 'IE'] } });
    assert.equal(sum(f.body._embedded.messaging_analytics, 'sent'), fo.sent);
    assert.deepEqual(f.body.country_codes, ['GB', 'IE']);
  });

  it('pricing-analytics: ISO times, dimensions, tier filter, no cost', async () => {
    const start = d(TODAY - 10 * DAY);
    const end = d(TODAY - DAY);
    const r = await vonage(`/${gb().id}/pricing-analytics?start=${start}&end=${end}&granularity=DAILY&dimensions=PRICING_CATEGORY,PRICING_TYPE,TIER&page_size=1000`);
    assert.equal(r.status, 200, r.text);
    const pts = r.body._embedded.pricing_analytics as Json[];
    assert.ok(pts.length > 0);
    assert.match(pts[0]!.start, /^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    assert.ok(pts.every((p) => p.cost === undefined && p.pricing_category && p.pricing_type && p.phone_number === undefined));
    assert.ok(pts.every((p) => (p.pricing_type === 'REGULAR') === (p.tier !== undefined)));
    const oracle = sb.data.totals({ provider: 'vonage', wabaId: gb().id, kind: 'pricing', startMs: TODAY - 10 * DAY, endMs: TODAY });
    assert.equal(sum(pts, 'volume'), oracle.volume);
    assert.equal(oracle.cost, undefined);
    const tier = await vonage(`/${gb().id}/pricing-analytics?start=${start}&end=${end}&granularity=MONTHLY&tier=0:750000&dimensions=TIER`);
    assert.deepEqual(new Set(tier.body._embedded.pricing_analytics.map((p: Json) => p.tier)), new Set(['0:750000']));
  });

  it('template-analytics: clicked as a number, self/next links, insights required', async () => {
    const ids = gb().templates.slice(0, 3).map((t) => t.id);
    const url = `${sb.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${gb().id}/template-analytics?start=${d(TODAY - 5 * DAY)}&end=${d(TODAY - DAY)}&granularity=DAILY&template_ids=[${ids.join(',')}]&page_size=4`;
    const pts: Json[] = [];
    for (let next: string | undefined = url; next; ) {
      const r = await get(next, VONAGE_BASIC);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body._links.self.href.startsWith(sb.url));
      pts.push(...r.body._embedded.template_analytics);
      next = r.body._links.next?.href;
    }
    assert.equal(pts.length, 5 * 3);
    const otp = gb().templates.find((t) => t.category === 'AUTHENTICATION')!;
    assert.ok(pts.filter((p) => p.template_id !== otp.id).every((p) => typeof p.clicked === 'number'));
    assert.ok(pts.filter((p) => p.template_id === otp.id).every((p) => p.clicked === undefined));
    assert.match(pts[0]!.start, /T00:00:00Z$/);
    const oracle = sb.data.totals({ provider: 'vonage', wabaId: gb().id, kind: 'template', startMs: TODAY - 5 * DAY, endMs: TODAY, filters: { templateIds: ids } });
    assert.equal(sum(pts, 'sent'), oracle.sent);
    assert.equal(sum(pts, 'clicked'), oracle.clicked);
    const noInsights = await vonage(`/${inr().id}/template-analytics?start=${d(TODAY - 5 * DAY)}&end=${d(TODAY - DAY)}&granularity=DAILY&template_ids=[${inr().templates[0]!.id}]`);
    assert.equal(noInsights.status, 403);
    assert.equal(noInsights.body.title, 'Insights not enabled');
    assert.match(noInsights.headers.get('content-type')!, /application\/problem\+json/);
  });

  it('refuses bad parameters with invalid_parameters', async () => {
    const w = gb().id;
    const cases: Array<[string, string, string]> = [
      ['messaging-analytics', `end=${d(TODAY)}&granularity=DAILY`, 'start'],
      ['messaging-analytics', `start=${d(TODAY - DAY)}&granularity=DAILY`, 'end'],
      ['messaging-analytics', `start=${d(TODAY - DAY)}&end=${d(TODAY)}`, 'granularity'],
      ['messaging-analytics', `start=${d(TODAY - DAY)}&end=${d(TODAY)}&granularity=DAY`, 'granularity'],
      ['pricing-analytics', `start=${d(TODAY - 100 * DAY)}&end=${d(TODAY)}&granularity=DAILY`, 'start'],
      ['pricing-analytics', `start=${d(TODAY - 2 * DAY)}&end=${d(TODAY)}&granularity=DAILY&dimensions=COLOR`, 'dimensions'],
      ['pricing-analytics', `start=${d(TODAY - 2 * DAY)}&end=${d(TODAY)}&granularity=DAILY&phone_number=1`, 'phone_number'],
      ['template-analytics', `start=${d(TODAY - 2 * DAY)}&end=${d(TODAY)}&granularity=HALF_HOUR&template_ids=[${gb().templates[0]!.id}]`, 'granularity'],
      ['template-analytics', `start=${d(TODAY - 2 * DAY)}&end=${d(TODAY)}&granularity=DAILY&template_ids=[${gb().templates.map((t) => t.id).concat(inr().templates.map((t) => t.id)).join(',')}]`, 'template_ids'],
      ['template-analytics', `start=${d(TODAY - 2 * DAY)}&end=${d(TODAY)}&granularity=DAILY&template_ids=[${inr().templates[0]!.id}]`, 'template_ids'],
    ];
    for (const [ep, q, name] of cases) {
      const r = await vonage(`/${w}/${ep}?${q}`);
      assert.equal(r.status, 400, `${ep}?${q}`);
      assert.equal(r.body.title, 'Invalid parameters');
      assert.ok(
        r.body.invalid_parameters.some((p: Json) => p.name === name),
        `${ep}?${q}: ${r.text}`,
      );
      assert.ok(r.headers.get('x-request-id'));
    }
  });

  it('enable_insights answers 200, 403 and 404', async () => {
    const s2 = await startSandbox({ now: () => NOW });
    try {
      const patch = (id: string) => get(`${s2.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${id}/enable_insights`, VONAGE_BASIC, { method: 'PATCH' });
      const inWaba = s2.data.wabas.vonage[1]!;
      const ok = await patch(inWaba.id);
      assert.deepEqual([ok.status, ok.body], [200, {}]);
      assert.equal(inWaba.insightsEnabled, true);
      assert.equal((await patch(s2.data.unlinkedVonageWaba.id)).status, 403);
      assert.equal((await patch('111111111111111')).status, 404);
      const wrongMethod = await get(`${s2.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${inWaba.id}/enable_insights`, VONAGE_BASIC);
      assert.equal(wrongMethod.status, 405);
    } finally {
      await s2.close();
    }
  });

  it('authenticates with Basic or a @vonage/jwt token; the template API takes only the JWT', async () => {
    const jwt = tokenGenerate(sb.credentials.vonageApplicationId, sb.credentials.vonagePrivateKey);
    const bearer = { authorization: `Bearer ${jwt}` };
    assert.equal((await vonage('', bearer)).status, 200);
    const tplUrl = `${sb.vonageBaseUrl}/v2/whatsapp-manager/wabas/${gb().id}/templates`;
    const seen: Json[] = [];
    for (let next: string | undefined = `${tplUrl}?limit=3`; next; ) {
      const r = await get(next, bearer);
      assert.equal(r.status, 200, r.text);
      seen.push(...r.body.templates);
      next = r.body._links.next?.href;
    }
    assert.deepEqual(
      seen.map((t) => t.id),
      gb().templates.map((t) => t.id),
    );
    assert.deepEqual(Object.keys(seen[0]!).sort(), ['category', 'components', 'id', 'language', 'name', 'status']);
    const marketing = await get(`${tplUrl}?category=MARKETING`, bearer);
    assert.ok(marketing.body.templates.every((t: Json) => t.category === 'MARKETING'));
    const basicOnV2 = await get(tplUrl, VONAGE_BASIC);
    assert.equal(basicOnV2.status, 401);
    const otherApp = tokenGenerate('00000000-0000-4000-8000-000000000000', sb.credentials.vonagePrivateKey);
    assert.equal((await vonage('', { authorization: `Bearer ${otherApp}` })).status, 401);
    const wrong = await vonage('', { authorization: `Basic ${Buffer.from('demo-vonage-key:nope').toString('base64')}` });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('content-type')!, /application\/problem\+json/);
    assert.equal(wrong.body.title, 'Unauthorized');
    assert.equal(wrong.body.instance, wrong.headers.get('x-request-id'));
    const tampered = `${jwt.slice(0, -4)}AAAA`;
    assert.equal((await vonage('', { authorization: `Bearer ${tampered}` })).status, 401);
    assert.equal((await vonage('?api_secret=x')).status, 400);
  });
});

describe('determinism', () => {
  it('gives identical bodies for the same seed and different values for another seed', async () => {
    const [a, b, c] = await Promise.all([startSandbox({ now: () => NOW, seed: 7 }), startSandbox({ now: () => NOW, seed: 7 }), startSandbox({ now: () => NOW, seed: 8 })]);
    try {
      const bodies = async (s: Sandbox) => {
        const w = s.data.wabas.meta[0]!;
        const v = s.data.wabas.vonage[0]!;
        const urls = [
          `${s.metaBaseUrl}/v25.0/${w.id}?${fields(`pricing_analytics.start(${sec(TODAY - 2 * DAY)}).end(${sec(TODAY)}).granularity(HALF_HOUR).dimensions(["COUNTRY","PHONE"])`)}`,
          `${s.metaBaseUrl}/v25.0/${w.id}/template_analytics?start=${sec(TODAY - 5 * DAY)}&end=${sec(TODAY)}&granularity=DAILY&template_ids=[${w.templates[0]!.id}]`,
          `${s.metaBaseUrl}/v25.0/${w.id}/message_templates?fields=id,name,status,category,language`,
          `${s.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${v.id}/pricing-analytics?start=2026-06-01&end=2026-06-10&granularity=DAILY&dimensions=COUNTRY`,
        ];
        const out: string[] = [];
        for (const u of urls) out.push((await get(u, u.includes('/vonage/') ? VONAGE_BASIC : META_AUTH)).text.split(s.url).join('ORIGIN'));
        return out;
      };
      const [ba, bb, bc] = [await bodies(a), await bodies(b), await bodies(c)];
      assert.deepEqual(ba, bb);
      assert.notEqual(ba[0], bc[0]);
      assert.notEqual(a.data.wabas.meta[0]!.id, c.data.wabas.meta[0]!.id);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
