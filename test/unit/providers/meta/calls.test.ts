/**
 * Few calls, fast: windows sized to whole pages (plan.ts splitByPages), the currency asked with
 * the data, one template_analytics page per batch, pipelined pages, and the normalizer's fast
 * path for data points (the same result as through the schema).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DAY, HALF_HOUR } from '../../../../src/core/dates';
import { WabaError } from '../../../../src/core/errors';
import { splitByPages } from '../../../../src/core/plan';
import type { QueryInput } from '../../../../src/core/query';
import { runQuery } from '../../../../src/core/run';
import { createMetaProvider } from '../../../../src/providers/meta';
import { metaNextLink, normalizeMetaPage } from '../../../../src/providers/meta/normalize';
import type { Sandbox } from '../../../../src/sandbox';
import { startSandbox } from '../../../../src/sandbox';

const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first page of a regular answer: `perBucket` points per bucket from `start`, `size` points. */
function firstPage(start: number, perBucket: number, size: number, bucketMs = HALF_HOUR): number[] {
  return Array.from({ length: size }, (_, i) => start + Math.floor(i / perBucket) * bucketMs);
}
const pagesOf = (buckets: number, perBucket: number, size: number) => Math.ceil((buckets * perBucket) / size);

describe('splitByPages: windows sized to whole pages', () => {
  it('345,600 points (80 a half-hour, 90 days), pages of 5000: 70 requests, four chains', () => {
    const unit = { startMs: TODAY - 90 * DAY, endMs: TODAY };
    const split = splitByPages(unit, firstPage(unit.startMs, 80, 5000), { bucketMs: HALF_HOUR, dimensions: true, maxWindows: 4 })!;
    assert.ok(split);
    assert.equal(split.keepBeforeMs, unit.startMs + 62 * HALF_HOUR, 'the 63rd half-hour is cut by the page: refetched');
    assert.equal(split.windows.length, 4);
    assert.equal(split.windows[0]!.startMs, split.keepBeforeMs);
    assert.equal(split.windows.at(-1)!.endMs, unit.endMs);
    const pages = split.windows.map((w) => pagesOf((w.endMs - w.startMs) / HALF_HOUR, 80, 5000));
    assert.equal(1 + pages.reduce((a, b) => a + b, 0), 70);
    assert.equal(Math.ceil(345_600 / 5000), 70);
  });

  it('never more requests than one chain, windows contiguous (any regular answer)', () => {
    let splits = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 2, max: 300 }), fc.integer({ min: 2, max: 2000 }), fc.integer({ min: 2, max: 6 }), (G, S, buckets, maxWindows) => {
        fc.pre(G < S && buckets * G > S);
        const unit = { startMs: TODAY - buckets * HALF_HOUR, endMs: TODAY };
        const split = splitByPages(unit, firstPage(unit.startMs, G, S), { bucketMs: HALF_HOUR, dimensions: G > 1, maxWindows });
        if (!split) return;
        splits++;
        assert.ok(split.windows.length >= 2 && split.windows.length <= maxWindows);
        let at = split.keepBeforeMs;
        let requests = 1;
        for (const w of split.windows) {
          assert.equal(w.startMs, at);
          assert.ok(w.endMs > w.startMs);
          requests += pagesOf((w.endMs - w.startMs) / HALF_HOUR, G, S);
          at = w.endMs;
        }
        assert.equal(at, unit.endMs);
        // The first page holds every point before keepBeforeMs.
        assert.ok((split.keepBeforeMs - unit.startMs) / HALF_HOUR <= S / G);
        assert.ok(requests <= pagesOf(buckets, G, S), `${requests} requests, one chain ${pagesOf(buckets, G, S)}`);
      }),
      { numRuns: 400 },
    );
    assert.ok(splits > 100, `${splits} of 400 answers were cut`);
  });

  it('follows the one chain when the page is not regular', () => {
    const unit = { startMs: TODAY - 30 * DAY, endMs: TODAY };
    const opts = { bucketMs: HALF_HOUR, dimensions: true, maxWindows: 4 };
    // 10 a bucket, pages of 95: one chain needs ceil(14,400 / 95) = 152; the first page keeps 90 points, then 1 + ceil(14,310 / 95) = 152.
    const page = firstPage(unit.startMs, 10, 95);
    assert.ok(splitByPages(unit, page, opts));
    assert.equal(splitByPages(unit, [...page].reverse(), opts), undefined, 'not in time order');
    assert.equal(splitByPages(unit, page.map((t) => t + HALF_HOUR), opts), undefined, 'does not start at the start');
    assert.equal(splitByPages(unit, [...page.slice(0, 10), ...page.slice(20).map((t) => t + HALF_HOUR)], opts), undefined, 'a gap');
    assert.equal(splitByPages(unit, [...page.slice(0, 15), ...page.slice(16), page.at(-1)!], opts), undefined, 'buckets of other sizes');
    assert.equal(splitByPages(unit, firstPage(unit.startMs, 1, 100), opts), undefined, 'one point a bucket with dimensions: maybe ordered by dimension');
    assert.ok(splitByPages(unit, firstPage(unit.startMs, 1, 100), { ...opts, dimensions: false }), 'without dimensions, one point a bucket is the answer');
    assert.equal(splitByPages(unit, page, { ...opts, maxWindows: 1 }), undefined);
    // Pages of 96: one chain needs 150; 1 + ceil(14,310 / 96) = 151.
    assert.equal(splitByPages(unit, firstPage(unit.startMs, 10, 96), opts), undefined, 'a cut would cost a request');
  });
});

describe('requests against the sandbox', () => {
  let sb: Sandbox;
  const meta = () => createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 2 });
  before(async () => {
    sb = await startSandbox({ now: () => NOW, metaFieldPageSize: 500 });
  });
  after(() => sb.close());

  it('HALF_HOUR pricing: the minimum of requests, the same points as one chain, the currency with the data', async () => {
    const w = sb.data.wabas.meta[0]!;
    const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: w.id, from: day(TODAY - 6 * DAY), to: day(TODAY - DAY), granularity: 'HALF_HOUR', dimensions: ['COUNTRY', 'PHONE', 'PRICING_CATEGORY'] };
    sb.stats.reset();
    const chain = await runQuery(meta(), query, { now: NOW, concurrency: 1 });
    const chainRequests = sb.stats.requests;
    sb.stats.reset();
    // A round trip per request, so that requests sent at once are seen at once.
    sb.faults.add({ kind: 'latency', ms: 20, count: Infinity });
    const r = await runQuery(meta(), query, { now: NOW }).finally(() => sb.faults.clear());
    const n = r.result.points.length;
    assert.ok(n > 2000, `${n} points`);
    assert.equal(r.requests, Math.ceil(n / 500));
    assert.equal(sb.stats.requests, r.requests, 'what the sandbox counted');
    assert.equal(chainRequests, r.requests);
    assert.ok(sb.stats.maxInFlight > 1, 'windows fetched at once');
    assert.deepEqual(r.result.points, chain.result.points);
    assert.equal(r.result.currency, w.currency);
    assert.equal(sb.stats.byEndpoint['meta waba'], undefined, 'no request of its own for the currency');
  });

  it('template analytics: one request per batch of 10 ids; the currency only when costs are asked', async () => {
    const w = sb.data.wabas.meta.find((x) => x.insightsEnabled && !x.partnerBilled)!;
    const ids = w.templates.slice(0, 25).map((t) => t.id);
    const query: QueryInput = { provider: 'meta', kind: 'template', wabaId: w.id, from: day(TODAY - 89 * DAY), to: day(TODAY), templateIds: ids };
    sb.stats.reset();
    const r = await runQuery(meta(), query, { now: NOW });
    assert.equal(sb.stats.byEndpoint['meta template_analytics'], Math.ceil(ids.length / 10));
    assert.equal(sb.stats.byEndpoint['meta waba'], 1, 'template answers have no currency: the WABA is read');
    assert.equal(r.result.currency, w.currency);
    assert.equal(new Set(r.result.points.map((p) => p.dims.template_id)).size, ids.length);
    sb.stats.reset();
    await runQuery(meta(), { ...query, metricTypes: ['SENT', 'DELIVERED', 'READ'] }, { now: NOW });
    assert.equal(sb.stats.byEndpoint['meta waba'], undefined, 'no cost asked: no currency needed');
    sb.stats.reset();
    await runQuery(meta(), query, { now: NOW, waba: { provider: 'meta', id: w.id, currency: w.currency, source: 'list' } });
    assert.equal(sb.stats.requests, Math.ceil(ids.length / 10), 'WABA details known: the data only');
  });

  it('a page that does not fit fails the query and leaves no request running', async () => {
    const w = sb.data.wabas.meta[0]!;
    const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: w.id, from: day(TODAY - 3 * DAY), to: day(TODAY - DAY), granularity: 'HALF_HOUR', dimensions: ['COUNTRY', 'PHONE'] };
    sb.faults.add({ kind: 'unexpected-shape', match: 'pricing_analytics', count: 1 });
    sb.faults.add({ kind: 'latency', ms: 300, match: 'after=', count: Infinity });
    try {
      await assert.rejects(runQuery(meta(), query, { now: NOW, concurrency: 1 }), (e: unknown) => e instanceof WabaError && e.kind === 'response' && /does not fit at pricing_analytics/.test(e.message));
      const deadline = Date.now() + 2000;
      while (sb.stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sb.stats.inFlight, 0);
    } finally {
      sb.faults.clear();
    }
  });
});

describe('meta normalize: the fast path for data points', () => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '../../../../../test/fixtures/meta', name), 'utf8'));
  const ctx = { kind: 'pricing' as const, endpoint: 'pricing_analytics' };
  const body = (points: unknown[]) => ({ id: '1', currency: 'USD', pricing_analytics: { data: [{ data_points: points }], paging: { next: 'https://graph.facebook.com/v25.0/1?after=X' } } });
  const usual = [
    { start: 1735689600, end: 1735776000, country: 'US', phone_number: '15550001111', pricing_category: 'MARKETING', pricing_type: 'REGULAR', tier: '0:750000', volume: 12, cost: 0.3 },
    { start: 1735689600, end: 1735776000, country: 'BR', phone_number: 15550001111, pricing_category: 'SOMETHING_NEW', volume: 0 },
    { start: '1735776000', end: '2025-01-03T00:00:00Z', country: '', volume: 3, cost: null, ignored: { x: 1 } },
  ];

  it('gives what the schema path gives (numbers as strings take the schema path)', () => {
    const fast = normalizeMetaPage(body(usual), ctx);
    const stringy = usual.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'number' && k !== 'phone_number' ? String(v) : v])));
    const slow = normalizeMetaPage(body(stringy), ctx);
    assert.deepEqual(fast, slow);
    assert.deepEqual(fast.points[0], {
      start: '2025-01-01T00:00:00Z',
      end: '2025-01-02T00:00:00Z',
      dims: { phone_number: '15550001111', country: 'US', tier: '0:750000', pricing_category: 'MARKETING', pricing_type: 'REGULAR' },
      metrics: { volume: 12, cost: 0.3 },
    });
    assert.deepEqual(fast.points[1]!.dims, { phone_number: '15550001111', country: 'BR', pricing_category: 'SOMETHING_NEW' });
    assert.deepEqual(fast.points[2], { start: '2025-01-02T00:00:00Z', end: '2025-01-03T00:00:00Z', dims: {}, metrics: { volume: 3 } });
    assert.ok(fast.warnings.some((m) => m.code === 'value.unknown' && m.message.includes('SOMETHING_NEW')), 'an unknown value is reported');
    assert.equal(fast.currency, 'USD');
    // The warning comes again on a later page (the values are remembered, their warnings too).
    assert.ok(normalizeMetaPage(body(usual), ctx).warnings.some((m) => m.code === 'value.unknown' && m.message.includes('SOMETHING_NEW')));
  });

  it('a point that does not fit is named by its path', () => {
    for (const [bad, where] of [
      [{ end: 1735776000, volume: 1 }, 'data_points[1].start: missing (required)'],
      [{ start: 1735689600, end: 1735776000, volume: 'lots' }, 'data_points[1].volume'],
      [{ start: 1735689600, end: 1735776000, country: { code: 'US' } }, 'data_points[1].country'],
      ['a string', 'data_points[1]'],
    ] as const) {
      assert.throws(
        () => normalizeMetaPage(body([usual[0], bad]), ctx),
        (e: unknown) => e instanceof WabaError && e.kind === 'response' && e.message.includes(`pricing_analytics.data[0].${where}`),
        where,
      );
    }
  });

  it('metaNextLink reads the link normalizeMetaPage reads, before the body is checked', () => {
    const cases: Array<[unknown, 'messaging' | 'conversation' | 'pricing' | 'template']> = [
      [fixture('messaging-analytics-day.json'), 'messaging'],
      [fixture('conversation-monthly-all-dimensions.json'), 'conversation'],
      [fixture('pricing-analytics-constructed.json'), 'pricing'],
      [fixture('template-analytics-daily.json'), 'template'],
      [body(usual), 'pricing'],
      [{ pricing_analytics: { data: [] }, paging: { next: 'https://graph.facebook.com/top' } }, 'pricing'],
      [{ analytics: { data_points: [], paging: { next: '' } }, paging: { next: 'https://graph.facebook.com/outer' } }, 'messaging'],
      [{ data: [], paging: { next: 'https://graph.facebook.com/t?after=C' } }, 'template'],
      [{ conversation_analytics: { data: [], paging: null } }, 'conversation'],
    ];
    for (const [b, kind] of cases) assert.equal(metaNextLink(b, kind), normalizeMetaPage(b, { kind }).next, JSON.stringify(b).slice(0, 80));
  });
});
