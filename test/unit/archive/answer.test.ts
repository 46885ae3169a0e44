/**
 * Answering from the history archive, against the embedded sandbox over 127.0.0.1: the answer
 * equals the API's for the same days point for point (each kind, a few dimension and filter
 * combinations, DAILY and MONTHLY), only the days the archive lacks are fetched, and after the
 * sandbox's clock moves on 200 days the archive answers what the API now refuses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerWithArchive, describeSources } from '../../../src/archive/answer';
import { syncArchive } from '../../../src/archive/sync';
import { runQuery } from '../../../src/core/run';
import type { Point, QueryRun } from '../../../src/core/types';
import type { Provider } from '../../../src/core/provider';
import { createProvider } from '../../../src/providers/registry';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../src/sandbox';
import { rejection, tempDir } from '../helpers';

const DAY = 86_400_000;
/** Monday 15 June 2026, 10:17 UTC: the clock of the first sync. */
const T0 = Date.UTC(2026, 5, 15, 10, 17);
const TODAY = Date.UTC(2026, 5, 15);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The synced days: 40 days back through yesterday. */
const SINCE = day(TODAY - 40 * DAY);

let sb: Sandbox;
let meta: Provider;
let vonage: Provider;
let metaWaba: SandboxWaba;
let vonageWaba: SandboxWaba;
let dir: string;

function sortPoints(points: Point[]): Point[] {
  const key = (p: Point) => `${p.start}|${p.end}|${JSON.stringify(Object.entries(p.dims).sort())}`;
  return [...points]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((p) => ({ ...p, metrics: Object.fromEntries(Object.entries(p.metrics).sort()) }));
}

function analyticsRequests(): number {
  return Object.entries(sb.stats.byEndpoint)
    .filter(([k]) => /analytics/.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

before(async () => {
  sb = await startSandbox({ now: () => T0 });
  const config = { now: () => sb.clock.now(), maxRetries: 1, retryBaseMs: 1 };
  meta = createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { ...config, baseUrl: sb.metaBaseUrl } });
  vonage = createProvider({
    provider: 'vonage',
    credentials: { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret, applicationId: sb.credentials.vonageApplicationId, privateKey: sb.credentials.vonagePrivateKey },
    config: { ...config, baseUrl: sb.vonageBaseUrl },
  });
  metaWaba = sb.data.wabas.meta.find((w) => w.insightsEnabled && !w.partnerBilled)!;
  vonageWaba = sb.data.wabas.vonage.find((w) => w.linked)!;
  dir = await tempDir('waba-answer-');
  const m = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba.id], since: SINCE, now: T0 });
  assert.deepEqual(m.kinds.filter((k) => k.error), []);
  const v = await syncArchive({ root: dir, provider: vonage, wabaIds: [vonageWaba.id], since: SINCE, now: T0 });
  assert.deepEqual(v.kinds.filter((k) => k.error), []);
});
after(async () => {
  await sb.close();
});

describe('answering from the archive', () => {
  it('equals the API point for point, for each kind, with dimensions and filters, DAILY and MONTHLY', async () => {
    const phone = metaWaba.phones[0]!.digits;
    const templateIds = metaWaba.templates.slice(0, 4).map((t) => t.id);
    const from = day(TODAY - 35 * DAY);
    const to = day(TODAY);
    const base = { provider: 'meta', wabaId: metaWaba.id, from, to };
    const cases: Array<[Provider, Record<string, unknown>]> = [
      [meta, { ...base, kind: 'pricing', granularity: 'DAILY' }],
      [meta, { ...base, kind: 'pricing', granularity: 'DAILY', dimensions: ['COUNTRY', 'PRICING_CATEGORY'], countryCodes: ['US', 'BR'] }],
      [meta, { ...base, kind: 'pricing', granularity: 'MONTHLY', dimensions: ['PHONE'], pricingTypes: ['REGULAR'] }],
      [meta, { ...base, kind: 'pricing', granularity: 'DAILY', metricTypes: ['COST'], pricingCategories: ['MARKETING', 'UTILITY'], phoneNumbers: [phone] }],
      [meta, { ...base, kind: 'pricing', granularity: 'MONTHLY', dimensions: ['TIER', 'PRICING_TYPE'] }],
      [meta, { ...base, kind: 'conversation', granularity: 'DAILY', dimensions: ['CONVERSATION_TYPE', 'CONVERSATION_DIRECTION'], conversationTypes: ['FREE_ENTRY', 'REGULAR'] }],
      [meta, { ...base, kind: 'conversation', granularity: 'MONTHLY', metricTypes: ['CONVERSATION'], conversationCategories: ['MARKETING'] }],
      [meta, { ...base, kind: 'messaging', granularity: 'DAILY' }],
      [meta, { ...base, kind: 'messaging', granularity: 'MONTHLY' }],
      [meta, { ...base, kind: 'messaging', granularity: 'DAILY', phoneNumbers: [phone] }],
      [meta, { ...base, kind: 'messaging', granularity: 'MONTHLY', phoneNumbers: metaWaba.phones.slice(0, 2).map((p) => p.digits) }],
      [meta, { ...base, kind: 'template', granularity: 'DAILY', templateIds }],
      [meta, { ...base, kind: 'template', granularity: 'DAILY', templateIds, metricTypes: ['CLICKED', 'COST'] }],
      [vonage, { ...base, provider: 'vonage', wabaId: vonageWaba.id, kind: 'pricing', granularity: 'DAILY', dimensions: ['COUNTRY'] }],
      [vonage, { ...base, provider: 'vonage', wabaId: vonageWaba.id, kind: 'pricing', granularity: 'MONTHLY' }],
      [vonage, { ...base, provider: 'vonage', wabaId: vonageWaba.id, kind: 'messaging', granularity: 'DAILY' }],
      [vonage, { ...base, provider: 'vonage', wabaId: vonageWaba.id, kind: 'messaging', granularity: 'DAILY', phoneNumbers: [vonageWaba.phones[0]!.digits] }],
      [vonage, { ...base, provider: 'vonage', wabaId: vonageWaba.id, kind: 'template', granularity: 'DAILY', templateIds: vonageWaba.templates.slice(0, 3).map((t) => t.id) }],
    ];
    for (const [provider, query] of cases) {
      const label = `${String(query.provider)} ${String(query.kind)} ${JSON.stringify(query)}`;
      const api = await runQuery(provider, query, { now: T0 });
      const before = analyticsRequests();
      const answer = await answerWithArchive(provider, query, { root: dir, now: T0 });
      assert.ok(api.result.points.length > 0, label);
      assert.deepEqual(sortPoints(answer.result.points), sortPoints(api.result.points), label);
      assert.equal(answer.result.currency, api.result.currency, label);
      // The final days came from the archive; only the rest was asked (fewer requests than the API alone needs, or as many).
      const sources = answer.sources!;
      assert.equal(sources[0]!.source, 'archive', label);
      assert.equal(sources[0]!.from, from, label);
      assert.equal(sources[sources.length - 1]!.source, 'api', label);
      assert.equal(sources[sources.length - 1]!.to, to, label);
      assert.ok(analyticsRequests() - before <= api.requests, label);
      assert.ok(!answer.result.warnings.some((w) => w.code.startsWith('archive.')), label);
    }
  });

  it('answers final days from the archive alone: no request', async () => {
    const query = { kind: 'pricing', provider: 'meta', wabaId: metaWaba.id, from: SINCE, to: day(TODAY - 10 * DAY), dimensions: ['COUNTRY'] };
    const before = sb.stats.requests;
    const answer = await answerWithArchive(meta, query, { root: dir, now: T0 });
    assert.equal(sb.stats.requests, before);
    assert.equal(answer.requests, 0);
    assert.deepEqual(answer.sources, [{ from: SINCE, to: day(TODAY - 10 * DAY), source: 'archive' }]);
    assert.deepEqual(sortPoints(answer.result.points), sortPoints((await runQuery(meta, query, { now: T0 })).result.points));
  });

  it('a query the archive cannot answer (HALF_HOUR, messaging per country) goes to the API, and says so', async () => {
    const query = { kind: 'messaging', provider: 'meta', wabaId: metaWaba.id, from: day(TODAY - 3 * DAY), to: day(TODAY - 2 * DAY), countryCodes: ['US'] };
    const answer = await answerWithArchive(meta, query, { root: dir, now: T0 });
    assert.deepEqual(answer.sources, [{ from: query.from, to: query.to, source: 'api' }]);
    assert.deepEqual(answer.result.points, (await runQuery(meta, query, { now: T0 })).result.points);
    const hh = await answerWithArchive(meta, { ...query, kind: 'pricing', granularity: 'HALF_HOUR', countryCodes: undefined }, { root: dir, now: T0 });
    assert.equal(hh.sources![0]!.source, 'api');
    assert.ok(hh.result.points.length > 40);
  });

  it('after the clock moves on 200 days, the archive answers what the API now refuses', async () => {
    const templateIds = metaWaba.templates.slice(0, 3).map((t) => t.id);
    const tq = { kind: 'template', provider: 'meta', wabaId: metaWaba.id, from: day(TODAY - 30 * DAY), to: day(TODAY - 10 * DAY), templateIds };
    const vq = { kind: 'pricing', provider: 'vonage', wabaId: vonageWaba.id, from: day(TODAY - 30 * DAY), to: day(TODAY - 10 * DAY), dimensions: ['COUNTRY'] };
    const then = new Map<string, QueryRun>();
    for (const [p, q] of [[meta, tq], [vonage, vq]] as const) then.set(q.kind, await runQuery(p, q, { now: T0 }));
    sb.clock.advance(200 * DAY);
    try {
      const later = sb.clock.now();
      for (const [p, q] of [[meta, tq], [vonage, vq]] as const) {
        const refused = await rejection(runQuery(p, q, { now: later }));
        assert.match(refused.message, /reaches back (90|365) days/);
        const before = sb.stats.requests;
        const answer = await answerWithArchive(p, q, { root: dir, now: later });
        assert.equal(sb.stats.requests, before, 'no request');
        assert.deepEqual(sortPoints(answer.result.points), sortPoints(then.get(q.kind)!.result.points), q.kind);
        assert.deepEqual(answer.sources, [{ from: q.from, to: q.to, source: 'archive' }]);
        assert.deepEqual(answer.result.warnings.map((w) => w.code), ['archive.beyond-lookback']);
        assert.match(describeSources(answer.sources!, q.provider), /from history$/);
      }
      // A range from the archive's days to today: the archive, a gap neither keeps (left out, said), the API.
      const wide = { ...tq, to: day(later) };
      const answer = await answerWithArchive(meta, wide, { root: dir, now: later });
      assert.deepEqual(answer.sources!.map((s) => s.source), ['archive', 'api']);
      assert.equal(answer.sources![0]!.to, day(TODAY - 1 * DAY));
      const codes = answer.result.warnings.map((w) => w.code);
      assert.ok(codes.includes('archive.beyond-lookback') && codes.includes('archive.days-missing'), codes.join());
      const starts = new Set(answer.result.points.map((p) => p.start.slice(0, 10)));
      assert.ok(starts.has(day(TODAY - 30 * DAY)) && starts.has(day(later - DAY)) && !starts.has(day(TODAY + 50 * DAY)));
      // Beyond the lookback with nothing archived: the API's own error, unchanged.
      const none = await rejection(answerWithArchive(meta, { ...tq, from: day(TODAY + 20 * DAY), to: day(TODAY + 30 * DAY) }, { root: dir, now: later }));
      assert.match(none.message, /reaches back 90 days/);
    } finally {
      sb.clock.reset();
    }
  });
});
