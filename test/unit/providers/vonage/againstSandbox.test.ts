import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DAY, startOfDayUtc } from '../../../../src/core/dates';
import type { QueryUnit } from '../../../../src/core/provider';
import { parseQuery } from '../../../../src/core/query';
import type { Point } from '../../../../src/core/types';
import { COST_UNAVAILABLE_WARNING, HINT_UNAUTHORIZED, createVonageProvider } from '../../../../src/providers/vonage';
import type { VonageProviderConfig } from '../../../../src/providers/vonage';
import { startSandbox } from '../../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../../src/sandbox';
import { pagedIds, rejection } from '../../helpers';

let sb: Sandbox;
let uk: SandboxWaba; // linked, insights on
let india: SandboxWaba; // linked, insights off
const today = startOfDayUtc(Date.now());
const startMs = today - 10 * DAY;
const endMs = today;

before(async () => {
  sb = await startSandbox({ seed: 7 });
  uk = sb.data.wabas.vonage.find((w) => w.insightsEnabled)!;
  india = sb.data.wabas.vonage.find((w) => !w.insightsEnabled)!;
  assert.ok(uk && india, 'the sandbox has a Vonage WABA with and one without insights');
});

after(async () => {
  await sb?.close();
});

function basic(config: VonageProviderConfig = {}) {
  return createVonageProvider(
    { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret },
    { baseUrl: sb.vonageBaseUrl, retryBaseMs: 1, maxRetries: 2, ...config },
  );
}

function jwt(config: VonageProviderConfig = {}) {
  return createVonageProvider(
    {
      apiKey: sb.credentials.vonageApiKey,
      apiSecret: sb.credentials.vonageApiSecret,
      applicationId: sb.credentials.vonageApplicationId,
      privateKey: sb.credentials.vonagePrivateKey,
    },
    { baseUrl: sb.vonageBaseUrl, retryBaseMs: 1, maxRetries: 2, ...config },
  );
}

function unit(query: Record<string, unknown>, templateIds?: string[]): QueryUnit {
  return { query: parseQuery({ provider: 'vonage', from: '2000-01-01', to: '2000-01-02', ...query }), startMs, endMs, templateIds, index: 0 };
}

const sum = (points: Array<{ metrics: Record<string, number> }>, m: string) => points.reduce((s, p) => s + (p.metrics[m] ?? 0), 0);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');


describe('Vonage provider against the sandbox: analytics', () => {
  it('messaging (Basic): follows every page, values match the sandbox oracle, raw bodies kept', async () => {
    const provider = basic({ pageSize: 3 });
    sb.stats.reset();
    const r = await provider.fetchUnit(unit({ kind: 'messaging', wabaId: uk.id, granularity: 'DAILY' }), { keepRaw: true });
    const oracle = sb.data.points({ provider: 'vonage', wabaId: uk.id, kind: 'messaging', startMs, endMs, granularity: 'DAILY' });
    assert.equal(r.points.length, oracle.length);
    assert.ok(r.points.length >= 10);
    assert.deepEqual(
      r.points.map((p) => p.start),
      oracle.map((o) => iso(o.startMs)),
    );
    assert.equal(sum(r.points, 'sent'), sum(oracle, 'sent'));
    assert.equal(sum(r.points, 'delivered'), sum(oracle, 'delivered'));
    assert.ok(sum(r.points, 'sent') > 0);
    assert.equal(r.requests, Math.ceil(oracle.length / 3));
    assert.equal(sb.stats.byEndpoint['vonage messaging-analytics'], r.requests);
    assert.equal(r.raw!.length, r.requests);
    assert.equal(r.timezone, 'UTC');
  });

  it('messaging with filters: phone_number and country_codes reach the sandbox (an unknown number is refused by it)', async () => {
    const provider = basic();
    const phone = uk.phones[0]!;
    const r = await provider.fetchUnit(unit({ kind: 'messaging', wabaId: uk.id, phoneNumbers: [phone.digits], countryCodes: [phone.country], productTypes: [0, 2] }));
    const oracle = sb.data.points({
      provider: 'vonage',
      wabaId: uk.id,
      kind: 'messaging',
      startMs,
      endMs,
      granularity: 'DAILY',
      filters: { phoneNumbers: [phone.digits], countryCodes: [phone.country], productTypes: [0, 2] },
    });
    assert.equal(sum(r.points, 'sent'), sum(oracle, 'sent'));
    const e = await rejection(provider.fetchUnit(unit({ kind: 'messaging', wabaId: uk.id, phoneNumbers: ['19999999999'] })));
    assert.equal(e.status, 400);
    assert.match(e.message, /Invalid parameters: phone_number: 19999999999/);
  });

  it('pricing with dimensions and tiers: pages followed, dims snake_case, cost unavailable warned', async () => {
    const provider = basic({ pageSize: 7 });
    const r = await provider.fetchUnit(unit({ kind: 'pricing', wabaId: uk.id, dimensions: ['COUNTRY', 'PRICING_CATEGORY', 'TIER'] }));
    const oracle = sb.data.points({ provider: 'vonage', wabaId: uk.id, kind: 'pricing', startMs, endMs, granularity: 'DAILY', dimensions: ['country', 'pricing_category', 'tier'] });
    assert.equal(r.points.length, oracle.length);
    assert.ok(r.requests > 1);
    assert.equal(sum(r.points, 'volume'), sum(oracle, 'volume'));
    assert.ok(r.points.every((p) => typeof p.dims.country === 'string' && typeof p.dims.pricing_category === 'string'));
    assert.ok(r.points.some((p) => /^\d+:(\d+|MAX)$/.test(p.dims.tier ?? '')));
    assert.ok(r.points.every((p) => p.metrics.cost === undefined));
    assert.ok(r.warnings.some((w) => w.code === COST_UNAVAILABLE_WARNING.code));
  });

  it('pricing HALF_HOUR: points are half-hours inside the window', async () => {
    const provider = basic();
    const u: QueryUnit = { ...unit({ kind: 'pricing', wabaId: uk.id, granularity: 'HALF_HOUR' }), startMs: today - 2 * DAY, endMs: today - DAY };
    const r = await provider.fetchUnit(u);
    assert.ok(r.points.length > 0);
    for (const p of r.points) {
      assert.equal(Date.parse(p.end) - Date.parse(p.start), 30 * 60_000);
      assert.ok(Date.parse(p.start) >= u.startMs && Date.parse(p.start) < u.endMs);
    }
  });

  it('template (JWT): the batch of ids, pages followed, clicked a number, values match the oracle', async () => {
    const provider = jwt({ pageSize: 4 });
    assert.equal(provider.auth.mode, 'jwt');
    const ids = uk.templates.slice(0, 3).map((t) => t.id);
    const r = await provider.fetchUnit(unit({ kind: 'template', wabaId: uk.id, templateIds: ids }, ids.slice(0, 2)));
    const oracle = sb.data.points({ provider: 'vonage', wabaId: uk.id, kind: 'template', startMs, endMs, granularity: 'DAILY', filters: { templateIds: ids.slice(0, 2) } });
    assert.equal(r.points.length, oracle.length);
    assert.ok(r.requests > 1);
    assert.deepEqual([...new Set(r.points.map((p: Point) => p.dims.template_id))].sort(), ids.slice(0, 2).sort());
    assert.equal(sum(r.points, 'sent'), sum(oracle, 'sent'));
    assert.equal(sum(r.points, 'read'), sum(oracle, 'read'));
    assert.ok(r.points.every((p) => p.clicks === undefined && Date.parse(p.end) - Date.parse(p.start) === DAY));
    assert.ok(r.warnings.some((w) => w.code === 'engagement.still-counting'));
  });

  it('template with metric_types only SENT: other metrics absent', async () => {
    const provider = basic();
    const r = await provider.fetchUnit(unit({ kind: 'template', wabaId: uk.id, templateIds: [uk.templates[0]!.id], metricTypes: ['SENT'] }));
    assert.ok(r.points.length > 0);
    assert.ok(r.points.every((p) => Object.keys(p.metrics).join() === 'sent'));
  });

  it('retries a 429 and a 503, then succeeds', async () => {
    const provider = basic();
    sb.stats.reset();
    sb.faults.add({ kind: 'rate-limit', retryAfterSeconds: 0, match: 'messaging-analytics' });
    sb.faults.add({ kind: 'server-error', status: 503, match: 'messaging-analytics' });
    const r = await provider.fetchUnit(unit({ kind: 'messaging', wabaId: uk.id }));
    assert.equal(r.requests, 1);
    assert.equal(sb.stats.byEndpoint['vonage messaging-analytics'], 3);
    assert.ok(r.points.length > 0);
  });

  it('an unexpected body shape is a response error naming the path', async () => {
    const provider = basic();
    sb.faults.add({ kind: 'unexpected-shape', match: 'pricing-analytics' });
    const e = await rejection(provider.fetchUnit(unit({ kind: 'pricing', wabaId: uk.id })));
    assert.equal(e.kind, 'response');
    assert.equal(e.path, '_embedded.pricing_analytics');
  });

  it('template analytics on a WABA without insights: 403 that says to enable insights', async () => {
    const provider = basic();
    const e = await rejection(provider.fetchUnit(unit({ kind: 'template', wabaId: india.id, templateIds: [india.templates[0]!.id] })));
    assert.equal(e.status, 403);
    assert.equal(e.problemTitle, 'Insights not enabled');
    assert.match(e.message, new RegExp(`Enable insights for WABA ${india.id} first`));
    assert.ok(e.traceId);
  });
});

describe('Vonage provider against the sandbox: discovery and insights', () => {
  it('listWabas: every page of the list, then the manual ids, without duplicates', async () => {
    const provider = basic({ wabasPageSize: 1, manualWabaIds: ['555000111', uk.id, '555000111'] });
    sb.stats.reset();
    const wabas = await provider.listWabas();
    assert.equal(sb.stats.byEndpoint['vonage wabas'], sb.data.wabas.vonage.length);
    assert.deepEqual(
      wabas.map((w) => [w.id, w.source]),
      [...sb.data.wabas.vonage.map((w) => [w.id, 'list']), ['555000111', 'manual']],
    );
    const first = wabas.find((w) => w.id === uk.id)!;
    assert.equal(first.name, uk.name);
    assert.equal(first.currency, uk.currency);
    assert.equal(first.provider, 'vonage');
    assert.equal(wabas.some((w) => w.id === sb.data.unlinkedVonageWaba.id), false);
  });

  it('getWaba: name, currency, timezone, insights', async () => {
    const w = await basic().getWaba(uk.id);
    assert.deepEqual(
      { id: w.id, name: w.name, currency: w.currency, timezone: w.timezone, insightsEnabled: w.insightsEnabled },
      { id: uk.id, name: uk.name, currency: uk.currency, timezone: uk.timezone, insightsEnabled: true },
    );
  });

  it('listPhoneNumbers', async () => {
    const phones = await basic().listPhoneNumbers(uk.id);
    assert.deepEqual(
      phones.map((p) => [p.id, p.displayPhoneNumber, p.verifiedName, p.qualityRating]),
      uk.phones.map((p) => [p.id, p.displayPhoneNumber, p.verifiedName, p.qualityRating]),
    );
  });

  it('listTemplates with a JWT: the v2 API, paged by cursor', async () => {
    const provider = jwt();
    const { ids: seen, pages } = await pagedIds((o) => provider.listTemplates(uk.id, o), 2);
    assert.deepEqual(seen, uk.templates.map((t) => t.id));
    assert.ok(pages >= 2);
    const all = await provider.listTemplates(uk.id, { limit: 500 });
    assert.equal(all.next, undefined);
    for (const t of uk.templates) {
      const info = all.items.find((i) => i.id === t.id)!;
      assert.equal(info.name, t.name);
      assert.equal(info.category, t.category);
      assert.equal(info.status, t.status);
      assert.deepEqual([...(info.buttons ?? [])].sort(), [...t.buttonTypes].sort());
    }
  });

  it('listTemplates without a JWT: the manual ids, no request sent', async () => {
    const provider = basic({ manualTemplateIds: { [uk.id]: ['111', '222', '111'] } });
    sb.stats.reset();
    const page = await provider.listTemplates(uk.id);
    assert.deepEqual(page, { items: [{ id: '111', name: '111' }, { id: '222', name: '222' }] });
    assert.deepEqual(await provider.listTemplates(india.id), { items: [] });
    assert.equal(sb.stats.requests, 0);
  });

  it('enableInsights: 200 enables; 403 not linked and 404 unknown say what to do', async () => {
    const provider = basic();
    const unlinked = sb.data.unlinkedVonageWaba.id;
    const forbidden = await rejection(provider.enableInsights(unlinked));
    assert.equal(forbidden.kind, 'api');
    assert.equal(forbidden.status, 403);
    assert.ok(forbidden.message.includes(`This API key is not linked to WABA ${unlinked}; link it in the Vonage dashboard or use the key that owns it.`));
    const missing = await rejection(provider.enableInsights('404404404'));
    assert.equal(missing.status, 404);
    assert.match(missing.message, /does not know WABA 404404404/);
    assert.equal((await provider.getWaba(india.id)).insightsEnabled, false);
    await provider.enableInsights(india.id);
    assert.equal((await provider.getWaba(india.id)).insightsEnabled, true);
  });

  it('bad credentials: a 401 error that says what to do and never shows the secret', async () => {
    const secret = 'wrong-secret-Zq81xP';
    const provider = createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: secret }, { baseUrl: sb.vonageBaseUrl, retryBaseMs: 1 });
    const e = await rejection(provider.listWabas());
    assert.equal(e.status, 401);
    assert.ok(e.message.includes(HINT_UNAUTHORIZED));
    assert.ok(e.traceId);
    const text = `${e.message} ${JSON.stringify(e.toJSON())} ${e.stack ?? ''}`;
    assert.equal(text.includes(secret), false);
    assert.equal(text.includes(Buffer.from(`${sb.credentials.vonageApiKey}:${secret}`).toString('base64')), false);
  });

  it('a JWT signed with another key is refused by the template API with the same hint', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const provider = createVonageProvider(
      { apiKey: '', apiSecret: '', applicationId: sb.credentials.vonageApplicationId, privateKey },
      { baseUrl: sb.vonageBaseUrl, retryBaseMs: 1 },
    );
    const e = await rejection(provider.listTemplates(uk.id));
    assert.equal(e.status, 401);
    assert.ok(e.message.includes(HINT_UNAUTHORIZED));
    assert.equal(e.message.includes('PRIVATE KEY'), false);
  });
});
