/**
 * The query cache: what `npm run bench` counts on (the same query again sends no request,
 * Refresh sends it again, the lifetime setting), and its bounds (use order, points, raw bodies).
 */
import '../fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryCache } from '../../../src/core/cache';
import { DAY } from '../../../src/core/dates';
import type { QueryInput } from '../../../src/core/query';
import type { Point, QueryRun } from '../../../src/core/types';
import { startSandbox } from '../../../src/sandbox';
import { settings } from '../fakeVscode';
import { sandboxQueryService } from '../helpers';

const point: Point = { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', dims: {}, metrics: { sent: 1 } };
const runOf = (points: number, raw?: unknown[]): QueryRun => ({
  result: { provider: 'meta', kind: 'messaging', wabaId: '1', granularity: 'DAILY', timezone: 'UTC', points: Array.from({ length: points }, () => point), warnings: [] },
  requests: 1,
  partial: false,
  ...(raw ? { raw } : {}),
});

describe('query cache: bounds', () => {
  it('evicts the least recently used, counting a hit as a use', () => {
    const cache = new QueryCache(60_000, 2);
    const a = runOf(1);
    cache.set('c', { q: 'a' }, a);
    cache.set('c', { q: 'b' }, runOf(1));
    assert.equal(cache.get('c', { q: 'a' }), a, 'a is used: b is now the oldest');
    cache.set('c', { q: 'c' }, runOf(1));
    assert.equal(cache.get('c', { q: 'b' }), undefined);
    assert.equal(cache.get('c', { q: 'a' }), a);
    assert.equal(cache.size, 2);
  });

  it('keeps at most maxPoints across entries, but always the newest run', () => {
    const cache = new QueryCache(60_000, 20, Date.now, 100);
    cache.set('c', { q: 1 }, runOf(60));
    cache.set('c', { q: 2 }, runOf(30));
    assert.equal(cache.size, 2);
    cache.set('c', { q: 3 }, runOf(30));
    assert.equal(cache.get('c', { q: 1 }), undefined, '120 points: the oldest goes');
    assert.equal(cache.size, 2);
    // The same key again replaces its points instead of adding them.
    for (let i = 0; i < 5; i++) cache.set('c', { q: 3 }, runOf(30));
    assert.ok(cache.get('c', { q: 2 }), 'the budget counts each key once');
    const big = runOf(150);
    cache.set('c', { q: 'big' }, big);
    assert.equal(cache.size, 1, 'a run over the budget alone stays, alone');
    assert.equal(cache.get('c', { q: 'big' }), big);
    cache.clear();
    cache.set('c', { q: 4 }, runOf(100));
    assert.equal(cache.size, 1, 'clearing gave the budget back');
  });

  it('a lifetime of 0 turns it off and forgets what it held; expiry is after the lifetime', () => {
    let now = 0;
    const cache = new QueryCache(1000, 20, () => now);
    cache.set('c', { q: 1 }, runOf(1));
    now = 1000;
    assert.ok(cache.get('c', { q: 1 }), 'still fresh at exactly the lifetime');
    cache.setTtl(0);
    assert.equal(cache.size, 0);
    cache.setTtl(1000);
    assert.equal(cache.get('c', { q: 1 }), undefined);
  });

  it('a run kept without raw bodies does not answer when raw bodies are needed', () => {
    const cache = new QueryCache(60_000);
    cache.set('c', { q: 1 }, runOf(1));
    assert.ok(cache.get('c', { q: 1 }));
    assert.equal(cache.get('c', { q: 1 }, { needRaw: true }), undefined);
    cache.set('c', { q: 1 }, runOf(1, [{ body: 1 }]));
    assert.ok(cache.get('c', { q: 1 }, { needRaw: true }));
  });
});

describe('query cache: the query service against the sandbox', () => {
  it('the same query again sends nothing; Refresh (clear) and the lifetime setting send it again', async () => {
    const NOW = Date.now();
    const TODAY = Math.floor(NOW / DAY) * DAY;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const sb = await startSandbox({ now: () => NOW });
    const { service, dispose } = await sandboxQueryService(sb);
    try {
      const w = sb.data.wabas.meta[0]!;
      const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: w.id, from: day(TODAY - 7 * DAY), to: day(TODAY - DAY), dimensions: ['COUNTRY'] };
      sb.stats.reset();
      const first = await service.run('c1', query);
      const sent = sb.stats.requests;
      assert.ok(sent >= 1);
      assert.equal(first.fromCache, false);
      assert.equal(first.run.result.currency, w.currency, 'the currency came with the data');

      // The same query, written differently (order, case, defaults): from the cache.
      const again = await service.run('c1', { ...query, dimensions: ['country'], granularity: 'DAILY' });
      assert.equal(again.fromCache, true);
      assert.equal(again.run, first.run);
      assert.equal(sb.stats.requests, sent, 'no request');

      // Refresh clears the cache (the command calls cache.clear()).
      service.cache.clear();
      assert.equal((await service.run('c1', query)).fromCache, false);
      assert.equal(sb.stats.requests, 2 * sent);

      // Exports to include raw bodies: the run kept without them is not reused.
      settings.set('export.includeRawResponses', true);
      const withRaw = await service.run('c1', query);
      assert.equal(withRaw.fromCache, false);
      assert.ok(withRaw.run.raw?.length);
      assert.equal((await service.run('c1', query)).fromCache, true, 'the run with raw bodies is');
      settings.delete('export.includeRawResponses');

      // The lifetime setting: 0 turns the cache off.
      settings.set('cache.ttlSeconds', 0);
      const before = sb.stats.requests;
      assert.equal((await service.run('c1', query)).fromCache, false);
      assert.equal((await service.run('c1', query)).fromCache, false);
      assert.equal(sb.stats.requests, before + 2 * sent);
      assert.equal(service.cache.size, 0);
    } finally {
      dispose();
      await sb.close();
    }
  });
});
