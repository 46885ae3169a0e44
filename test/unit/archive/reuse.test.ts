/**
 * Final days are never fetched twice (src/archive/reuse.ts), against the embedded sandbox over
 * 127.0.0.1: the second morning of the same query sends exactly the requests of the days not yet
 * final, for HALF_HOUR and DAILY, and answers point for point what the API answers for the whole
 * range; cancelled and partial runs keep nothing.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { answerWithArchive } from '../../../src/archive/answer';
import { MAX_SEGMENTS, REUSE_DIR, REUSE_EXT, reuseKey, runReusing, settleDaysOf } from '../../../src/archive/reuse';
import { parseQuery } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { Point } from '../../../src/core/types';
import type { Provider } from '../../../src/core/provider';
import { createProvider } from '../../../src/providers/registry';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../src/sandbox';
import { rejection, tempDir } from '../helpers';

const DAY = 86_400_000;
/** Monday 15 June 2026, 08:05 UTC: the first morning. */
const T0 = Date.UTC(2026, 5, 15, 8, 5);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = () => Math.floor(sb.clock.now() / DAY) * DAY;

let sb: Sandbox;
let meta: Provider;
let waba: SandboxWaba;

function sorted(points: Point[]): Point[] {
  const key = (p: Point) => `${p.start}|${p.end}|${JSON.stringify(Object.entries(p.dims).sort())}`;
  return [...points].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((p) => ({ ...p, metrics: Object.fromEntries(Object.entries(p.metrics).sort()) }));
}

function analyticsRequests(): number {
  return Object.entries(sb.stats.byEndpoint)
    .filter(([k]) => /analytics/.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else out.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  await walk(dir);
  return out;
}

before(async () => {
  sb = await startSandbox({ now: () => T0 });
  meta = createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { baseUrl: sb.metaBaseUrl, now: () => sb.clock.now(), maxRetries: 0, retryBaseMs: 1 } });
  waba = sb.data.wabas.meta.find((w) => w.insightsEnabled && !w.partnerBilled)!;
});
beforeEach(() => {
  sb.clock.set(T0);
  sb.faults.clear();
});
after(async () => {
  await sb.close();
});

describe('final days are never fetched twice', () => {
  for (const granularity of ['HALF_HOUR', 'DAILY'] as const) {
    it(`${granularity}: the second morning sends only the requests of the days not yet final, and answers as the API does`, async () => {
      const dir = await tempDir('waba-reuse-');
      const query = (from: number) => ({ kind: 'pricing', provider: 'meta', wabaId: waba.id, granularity, dimensions: ['COUNTRY', 'PRICING_CATEGORY', 'PRICING_TYPE', 'PHONE'], from: day(from), to: day(today()) });
      const first = await answerWithArchive(meta, query(today() - 20 * DAY), { root: dir, now: sb.clock.now(), settleDays: 1 });
      assert.ok(first.requests >= (granularity === 'HALF_HOUR' ? 4 : 1), `the first morning fetches all: ${first.requests}`);
      assert.ok((await files(dir)).some((f) => f.startsWith(REUSE_DIR)), 'final days were kept');

      sb.clock.advance(DAY);
      const now = sb.clock.now();
      sb.stats.reset();
      const second = await answerWithArchive(meta, query(today() - 20 * DAY), { root: dir, now, settleDays: 1 });
      const sent = sb.stats.requests;
      assert.equal(sent, second.requests, 'the run counts what the sandbox served');
      // Not final on the first morning (settle window one day): its yesterday and today; and today.
      sb.stats.reset();
      const minimum = await runQuery(meta, query(today() - 2 * DAY), { now });
      assert.equal(sb.stats.requests, minimum.requests);
      assert.equal(sent, minimum.requests, `second morning: ${sent} requests, the not-yet-final days need ${minimum.requests}`);
      assert.deepEqual(second.sources, [{ from: day(today() - 20 * DAY), to: day(today()), source: 'api' }]);

      // Point for point what the API answers for the whole range.
      const api = await runQuery(meta, query(today() - 20 * DAY), { now });
      assert.ok(api.result.points.length > 0);
      assert.deepEqual(sorted(second.result.points), sorted(api.result.points));
      assert.equal(second.result.currency, api.result.currency);
      assert.deepEqual(second.result.warnings.map((w) => w.code).sort(), api.result.warnings.map((w) => w.code).sort());
    });
  }

  it('the same query over another range reuses the days it shares; arrays in another order are the same query', async () => {
    const dir = await tempDir('waba-reuse-');
    const q = { kind: 'messaging', provider: 'meta', wabaId: waba.id, granularity: 'DAILY', from: day(today() - 30 * DAY), to: day(today() - 5 * DAY) };
    await runReusing(meta, q, { root: dir, now: sb.clock.now() });
    sb.stats.reset();
    const inner = await runReusing(meta, { ...q, from: day(today() - 25 * DAY), to: day(today() - 10 * DAY) }, { root: dir, now: sb.clock.now() });
    assert.equal(sb.stats.requests, 0, 'every day of the inner range was final and kept');
    assert.equal(inner.requests, 0);
    const api = await runQuery(meta, { ...q, from: day(today() - 25 * DAY), to: day(today() - 10 * DAY) }, { now: sb.clock.now() });
    assert.deepEqual(sorted(inner.result.points), sorted(api.result.points));
    const a = parseQuery({ ...q, kind: 'pricing', dimensions: ['COUNTRY', 'PHONE'] });
    const b = parseQuery({ ...q, kind: 'pricing', dimensions: ['PHONE', 'COUNTRY'], from: day(today() - 3 * DAY) });
    assert.equal(reuseKey(a), reuseKey(b));
    assert.notEqual(reuseKey(a), reuseKey(parseQuery({ ...q, kind: 'pricing', dimensions: ['PHONE'] })));
  });

  it('morning after morning: one small segment a day, compacted past the limit, the answer still the API\'s', async () => {
    const dir = await tempDir('waba-reuse-');
    for (let morning = 0; morning < MAX_SEGMENTS + 4; morning++) {
      const q = { kind: 'pricing', provider: 'meta', wabaId: waba.id, granularity: 'DAILY', dimensions: ['COUNTRY'], from: day(today() - 40 * DAY), to: day(today()) };
      const run = await runReusing(meta, q, { root: dir, now: sb.clock.now(), settleDays: 1 });
      const api = await runQuery(meta, q, { now: sb.clock.now() });
      assert.deepEqual(sorted(run.result.points), sorted(api.result.points), `morning ${morning}`);
      sb.clock.advance(DAY);
    }
    const segments = (await files(dir)).filter((f) => f.endsWith(REUSE_EXT));
    const perMonth = new Map<string, number>();
    for (const f of segments) perMonth.set(path.dirname(f), (perMonth.get(path.dirname(f)) ?? 0) + 1);
    assert.ok(perMonth.size >= 2);
    for (const [month, n] of perMonth) assert.ok(n <= MAX_SEGMENTS, `${month}: ${n} segments`);
    assert.ok(!segments.some((f) => f.endsWith('.parquet')), 'never read as the warehouse table');
  });

  it('templates settle for 7 days: days of the last week are fetched again', async () => {
    const dir = await tempDir('waba-reuse-');
    const templateIds = waba.templates.slice(0, 3).map((t) => t.id);
    const q = { kind: 'template', provider: 'meta', wabaId: waba.id, granularity: 'DAILY', templateIds, from: day(today() - 20 * DAY), to: day(today()) };
    assert.equal(settleDaysOf('template'), 7);
    await runReusing(meta, q, { root: dir, now: sb.clock.now() });
    sb.clock.advance(DAY);
    sb.stats.reset();
    await runReusing(meta, { ...q, to: day(today()) }, { root: dir, now: sb.clock.now() });
    const sent = analyticsRequests();
    sb.stats.reset();
    // Final on the first morning: days that ended 7 days before it (8 days back); now 9 days back.
    const minimum = await runQuery(meta, { ...q, from: day(today() - 8 * DAY), to: day(today()) }, { now: sb.clock.now() });
    assert.ok(minimum.requests >= 1);
    assert.equal(sent, analyticsRequests());
  });

  it('a cancelled run and a partial run keep nothing', async () => {
    const dir = await tempDir('waba-reuse-');
    const q = { kind: 'pricing', provider: 'meta', wabaId: waba.id, granularity: 'HALF_HOUR', dimensions: ['COUNTRY', 'PHONE'], from: day(today() - 60 * DAY), to: day(today()) };
    const controller = new AbortController();
    const p = runReusing(meta, q, { root: dir, now: sb.clock.now(), signal: controller.signal });
    controller.abort();
    const err = await rejection(p);
    assert.equal(err.kind, 'cancelled');
    assert.deepEqual(await files(dir), []);

    // One request of three fails (templates go ten ids a request): a partial result, nothing kept as final.
    const templateIds = waba.templates.slice(0, 25).map((t) => t.id);
    assert.ok(templateIds.length > 10, 'enough templates for several requests');
    const tq = { kind: 'template', provider: 'meta', wabaId: waba.id, granularity: 'DAILY', templateIds, from: day(today() - 30 * DAY), to: day(today()) };
    sb.faults.add({ kind: 'server-error', status: 500, count: 1, match: 'template_analytics' });
    const partial = await runReusing(meta, tq, { root: dir, now: sb.clock.now(), allowPartial: true });
    assert.equal(partial.partial, true);
    assert.ok(partial.result.warnings.some((w) => w.code === 'result.partial'));
    assert.deepEqual(await files(dir), []);

    // An error keeps nothing either.
    sb.faults.add({ kind: 'status', status: 400, count: Infinity, match: 'pricing_analytics' });
    await rejection(runReusing(meta, q, { root: dir, now: sb.clock.now() }));
    sb.faults.clear();
    assert.deepEqual(await files(dir), []);
  });
});
