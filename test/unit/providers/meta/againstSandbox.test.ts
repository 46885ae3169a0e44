import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WabaError } from '../../../../src/core/errors';
import { planQuery } from '../../../../src/core/plan';
import type { Provider, QueryUnit } from '../../../../src/core/provider';
import type { QueryInput } from '../../../../src/core/query';
import { resolveQuery } from '../../../../src/core/query';
import { runQuery } from '../../../../src/core/run';
import type { Logger, Point } from '../../../../src/core/types';
import { META_CAPABILITIES, createMetaProvider } from '../../../../src/providers/meta';
import { ENGAGEMENT_WARNING, PARTNER_COST_WARNING } from '../../../../src/providers/meta/normalize';
import type { Sandbox, SandboxWaba } from '../../../../src/sandbox';
import { startSandbox } from '../../../../src/sandbox';
import { pagedIds } from '../../helpers';

const NOW = Date.UTC(2026, 2, 15, 12, 0, 0);
const DAY = 86_400_000;

let sb: Sandbox;
let meta: Provider;
const logLines: string[] = [];
const logger: Logger = {
  debug: (m) => logLines.push(m),
  info: (m) => logLines.push(m),
  warn: (m) => logLines.push(m),
  error: (m) => logLines.push(m),
};

function provider(token = sb.credentials.metaToken, extra: Record<string, unknown> = {}): Provider {
  return createMetaProvider({ accessToken: token }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 5, maxRetries: 3, logger, ...extra });
}

const waba = (pred: (w: SandboxWaba) => boolean): SandboxWaba => {
  const w = sb.data.wabas.meta.find(pred);
  assert.ok(w, 'sandbox WABA');
  return w;
};
const usWaba = () => waba((w) => w.insightsEnabled && !w.partnerBilled);
const partnerWaba = () => waba((w) => w.partnerBilled);

function units(input: Record<string, unknown>): QueryUnit[] {
  const resolved = resolveQuery({ provider: 'meta', ...input } as QueryInput, META_CAPABILITIES, NOW);
  return planQuery(resolved, META_CAPABILITIES[resolved.query.kind]!);
}

function sum(points: readonly Point[], metric: string): number {
  return points.reduce((n, p) => n + (p.metrics[metric] ?? 0), 0);
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

before(async () => {
  sb = await startSandbox({ now: () => NOW, metaFieldPageSize: 40, metaEdgePageSize: 4, metaTemplateLimitMax: 4 });
  meta = provider();
});

after(async () => {
  await sb?.close();
});

describe('meta provider against the sandbox: analytics', () => {
  it('messaging, DAILY: one point a day, totals as the oracle says', async () => {
    const w = usWaba();
    const [u, ...rest] = units({ kind: 'messaging', wabaId: w.id, from: day(NOW - 7 * DAY), to: day(NOW - DAY), granularity: 'DAILY' });
    assert.equal(rest.length, 0);
    const r = await meta.fetchUnit(u!);
    assert.equal(r.points.length, 7);
    assert.equal(r.points[0]!.start, `${day(NOW - 7 * DAY)}T00:00:00Z`);
    assert.equal(r.points[0]!.end, `${day(NOW - 6 * DAY)}T00:00:00Z`);
    assert.equal(r.requests, 1);
    assert.equal(r.timezone, 'UTC');
    assert.equal(r.currency, undefined);
    const t = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'messaging', startMs: u!.startMs, endMs: u!.endMs });
    assert.equal(sum(r.points, 'sent'), t.sent);
    assert.equal(sum(r.points, 'delivered'), t.delivered);
  });

  it('pricing, HALF_HOUR with dimensions: every field page followed, raw kept, sums match', async () => {
    const w = usWaba();
    const [u] = units({ kind: 'pricing', wabaId: w.id, from: day(NOW - 2 * DAY), to: day(NOW - 2 * DAY), granularity: 'HALF_HOUR', dimensions: ['COUNTRY', 'PRICING_CATEGORY', 'TIER'] });
    sb.stats.reset();
    const r = await meta.fetchUnit(u!, { keepRaw: true });
    assert.ok(r.requests > 1, `several pages (got ${r.requests})`);
    assert.equal(sb.stats.byEndpoint['meta pricing_analytics'], r.requests);
    assert.equal(r.raw?.length, r.requests);
    assert.ok(r.points.every((p) => p.dims.country && p.dims.pricing_category));
    assert.ok(r.points.every((p) => Date.parse(p.end) - Date.parse(p.start) === 1_800_000));
    assert.ok(r.points.some((p) => p.dims.tier));
    const t = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'pricing', startMs: u!.startMs, endMs: u!.endMs });
    assert.equal(sum(r.points, 'volume'), t.volume);
    assert.ok(Math.abs(sum(r.points, 'cost') - t.cost!) < 0.0001 * r.points.length + 1e-9, `${sum(r.points, 'cost')} vs ${t.cost}`);
    assert.ok(!r.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
  });

  it('pricing on a partner-billed WABA: no cost, the partner warning', async () => {
    const w = partnerWaba();
    const [u] = units({ kind: 'pricing', wabaId: w.id, from: day(NOW - 3 * DAY), to: day(NOW - DAY) });
    const r = await meta.fetchUnit(u!);
    assert.ok(r.points.length > 0);
    assert.ok(r.points.every((p) => !('cost' in p.metrics)));
    assert.ok(r.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
  });

  it('conversation, MONTHLY through runQuery: sums match the oracle, currency from the WABA', async () => {
    const w = usWaba();
    const run = await runQuery(
      meta,
      { provider: 'meta', kind: 'conversation', wabaId: w.id, from: day(NOW - 40 * DAY), to: day(NOW - DAY), granularity: 'MONTHLY', dimensions: ['CONVERSATION_TYPE', 'CONVERSATION_DIRECTION'] },
      { now: NOW },
    );
    assert.equal(run.result.granularity, 'MONTHLY');
    assert.equal(run.result.currency, w.currency);
    const from = Date.parse(`${day(NOW - 40 * DAY)}T00:00:00Z`);
    const t = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'conversation', startMs: from, endMs: Date.parse(`${day(NOW)}T00:00:00Z`) });
    assert.equal(sum(run.result.points, 'conversation'), t.conversation);
    assert.ok(run.result.points.every((p) => p.dims.conversation_type));
  });

  it('conversation refused by Meta (per-message account): a plain error', async () => {
    const w = usWaba();
    const [u] = units({ kind: 'conversation', wabaId: w.id, from: day(NOW - 3 * DAY), to: day(NOW - DAY) });
    sb.faults.add({ kind: 'status', status: 400, graphCode: 100, match: 'conversation_analytics' });
    await assert.rejects(meta.fetchUnit(u!), (e: unknown) => {
      assert.ok(e instanceof WabaError);
      assert.equal(e.graphCode, 100);
      assert.match(e.message, /no conversation data: this account is billed per message; use pricing analytics/);
      return true;
    });
  });

  it('template analytics: every page, clicks and costs, still-counting warning', async () => {
    const w = usWaba();
    const ids = w.templates.slice(0, 3).map((t) => t.id);
    const [u, ...rest] = units({ kind: 'template', wabaId: w.id, from: day(NOW - 5 * DAY), to: day(NOW), templateIds: ids });
    assert.equal(rest.length, 0);
    sb.stats.reset();
    const r = await meta.fetchUnit(u!);
    assert.ok(r.requests > 1, 'several edge pages');
    assert.equal(sb.stats.byEndpoint['meta template_analytics'], r.requests);
    assert.deepEqual([...new Set(r.points.map((p) => p.dims.template_id))].sort(), [...ids].sort());
    const t = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'template', startMs: u!.startMs, endMs: NOW, filters: { templateIds: ids } });
    assert.equal(sum(r.points, 'sent'), t.sent);
    assert.equal(sum(r.points, 'delivered'), t.delivered);
    assert.equal(sum(r.points, 'read'), t.read);
    if (t.clicked !== undefined) assert.equal(sum(r.points, 'clicked'), t.clicked);
    assert.ok(Math.abs(sum(r.points, 'amount_spent') - t.amount_spent!) < 0.0001 * r.points.length + 1e-9);
    assert.ok(r.warnings.some((w) => w.code === ENGAGEMENT_WARNING.code));
  });

  it('template analytics in the WABA timezone', async () => {
    const w = usWaba();
    const [u] = units({ kind: 'template', wabaId: w.id, from: day(NOW - 3 * DAY), to: day(NOW - DAY), templateIds: [w.templates[0]!.id], useWabaTimezone: true });
    const r = await meta.fetchUnit(u!);
    assert.equal(r.timezone, w.timezone);
    assert.equal(r.points.length, 3);
  });

  it('template analytics without insights, then enableInsights', async () => {
    const w = waba((x) => !x.insightsEnabled && !x.partnerBilled);
    const [u] = units({ kind: 'template', wabaId: w.id, from: day(NOW - 2 * DAY), to: day(NOW - DAY), templateIds: [w.templates[0]!.id] });
    await assert.rejects(meta.fetchUnit(u!), (e: unknown) => e instanceof WabaError && e.graphCode === 200 && /Enable insights/.test(e.message));
    assert.equal((await meta.getWaba(w.id)).insightsEnabled, false);
    await meta.enableInsights(w.id);
    assert.equal((await meta.getWaba(w.id)).insightsEnabled, true);
    const r = await meta.fetchUnit(u!);
    assert.equal(r.points.length, 2);
  });
});

describe('meta provider against the sandbox: accounts', () => {
  it('listWabas finds every WABA via debug_token and businesses, plus ids by hand', async () => {
    const p = provider(undefined, { manualWabaIds: ['777000777'] });
    sb.stats.reset();
    const list = await p.listWabas();
    assert.equal(sb.stats.byEndpoint['meta debug_token'], 1);
    assert.equal(sb.stats.byEndpoint['meta businesses'], 1);
    assert.ok((sb.stats.byEndpoint['meta owned_whatsapp_business_accounts'] ?? 0) >= 1);
    assert.ok((sb.stats.byEndpoint['meta client_whatsapp_business_accounts'] ?? 0) >= 1);
    const ids = list.map((w) => w.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const w of sb.data.wabas.meta) {
      const found = list.find((x) => x.id === w.id);
      assert.ok(found, `WABA ${w.id} listed`);
      assert.equal(found.provider, 'meta');
      assert.equal(found.name, w.name);
      assert.equal(found.currency, w.currency);
      assert.equal(found.timezone, w.timezone, 'Meta timezone id mapped to the IANA name');
      assert.equal(found.source, 'token');
    }
    const manual = list.find((w) => w.id === '777000777');
    assert.deepEqual(manual, { provider: 'meta', id: '777000777', source: 'manual' }, 'a WABA whose details fail still appears');
    assert.ok(logLines.some((l) => l.includes('777000777')));
  });

  it('getWaba: name, currency, IANA timezone, insights', async () => {
    const w = usWaba();
    const info = await meta.getWaba(w.id);
    assert.equal(info.id, w.id);
    assert.equal(info.name, w.name);
    assert.equal(info.currency, w.currency);
    assert.equal(info.timezone, w.timezone);
    assert.equal(info.insightsEnabled, true);
  });

  it('listPhoneNumbers: every page', async () => {
    const w = usWaba();
    const phones = await meta.listPhoneNumbers(w.id);
    assert.deepEqual(
      phones.map((p) => [p.id, p.displayPhoneNumber, p.verifiedName, p.qualityRating]),
      w.phones.map((p) => [p.id, p.displayPhoneNumber, p.verifiedName, p.qualityRating]),
    );
  });

  it('listTemplates: one page at a time with the cursor; buttons from components', async () => {
    const w = usWaba();
    const { ids: seen, pages } = await pagedIds((o) => meta.listTemplates(w.id, o), 2);
    assert.deepEqual(seen, w.templates.map((t) => t.id));
    assert.ok(pages >= 2);
    const first = (await meta.listTemplates(w.id, { limit: 50 })).items;
    for (const t of w.templates) {
      const got = first.find((x) => x.id === t.id)!;
      assert.equal(got.name, t.name);
      assert.equal(got.category, t.category);
      assert.equal(got.status, t.status);
      assert.equal(got.language, t.language);
      assert.deepEqual([...(got.buttons ?? [])].sort(), [...t.buttonTypes].sort());
    }
  });

  it('setClickTracking with the current category', async () => {
    const w = usWaba();
    const t = w.templates.find((x) => x.buttonTypes.includes('URL') && !x.clickTrackingOptedOut && x.status === 'APPROVED')!;
    assert.ok(t);
    await meta.setClickTracking!(t.id, true, t.category);
    assert.equal(sb.data.template('meta', t.id)!.template.clickTrackingOptedOut, true);
    assert.equal(sb.data.template('meta', t.id)!.template.status, 'APPROVED');
    await meta.setClickTracking!(t.id, false, t.category);
    assert.equal(sb.data.template('meta', t.id)!.template.clickTrackingOptedOut, false);
    await assert.rejects(meta.setClickTracking!(t.id, true, 'not a category!'), (e: unknown) => e instanceof WabaError && e.kind === 'input');
  });
});

describe('meta provider against the sandbox: errors', () => {
  it('a wrong token: says to replace it, never shows it', async () => {
    const token = ['EAA', 'WrongTokenForTheSandbox', '0123456789'].join('');
    const p = provider(token);
    for (const call of [() => p.listPhoneNumbers(usWaba().id), () => p.listWabas()]) {
      await assert.rejects(call(), (e: unknown) => {
        assert.ok(e instanceof WabaError);
        assert.equal(e.graphCode, 190);
        assert.match(e.message, /replace it in the connection settings/);
        assert.ok(!e.message.includes(token));
        assert.ok(!JSON.stringify(e.toJSON()).includes(token));
        return true;
      });
    }
    assert.ok(!logLines.some((l) => l.includes(token) || l.includes(sb.credentials.metaToken)), 'no token in logs');
  });

  it('rate limited once: retried; a long regain time fails at once with the wait', async () => {
    const w = usWaba();
    const [u] = units({ kind: 'messaging', wabaId: w.id, from: day(NOW - 2 * DAY), to: day(NOW - DAY) });
    sb.stats.reset();
    sb.faults.add({ kind: 'rate-limit', graphCode: 80007, match: 'analytics' });
    const r = await meta.fetchUnit(u!);
    assert.equal(r.points.length, 2);
    assert.equal(sb.stats.byEndpoint['meta analytics'], 2, 'one refused, one answered');
    sb.faults.add({ kind: 'rate-limit', graphCode: 80007, regainMinutes: 5, match: 'analytics' });
    await assert.rejects(meta.fetchUnit(u!), (e: unknown) => e instanceof WabaError && e.retryAfterSeconds === 300 && e.graphCode === 80007);
    sb.faults.clear();
  });

  it('insights and click-tracking answers of another shape are clear errors', async () => {
    const w = usWaba();
    const t = w.templates[0]!;
    sb.faults.add({ kind: 'unexpected-shape', match: `/${t.id}?` });
    await assert.rejects(meta.setClickTracking!(t.id, true, t.category), (e: unknown) => e instanceof WabaError && e.kind === 'response' && e.endpoint === 'click_tracking');
    sb.faults.add({ kind: 'unexpected-shape', match: 'is_enabled_for_insights' });
    await assert.rejects(meta.enableInsights(w.id), (e: unknown) => e instanceof WabaError && e.kind === 'response' && e.endpoint === 'enable_insights');
    sb.faults.clear();
  });

  it('unknown WABA: the id is named, not retried', async () => {
    sb.stats.reset();
    await assert.rejects(meta.getWaba('123123123'), (e: unknown) => e instanceof WabaError && e.graphCode === 100 && e.graphSubcode === 33 && /Check the id/.test(e.message));
    assert.equal(sb.stats.requests, 1);
  });

  it('an unexpected body shape is a shape error naming the path', async () => {
    const w = usWaba();
    const [u] = units({ kind: 'messaging', wabaId: w.id, from: day(NOW - 2 * DAY), to: day(NOW - DAY) });
    sb.faults.add({ kind: 'unexpected-shape', match: 'analytics' });
    await assert.rejects(meta.fetchUnit(u!), (e: unknown) => e instanceof WabaError && e.kind === 'response' && /^analytics\./.test(e.path ?? ''));
    sb.faults.clear();
  });
});
