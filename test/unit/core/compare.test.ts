/**
 * Relative ranges of saved queries (resolved at run time, on a fixed clock) and the comparison
 * with the previous period of the same length (src/core/run.ts `compare`), against the sandbox:
 * the previous period's totals equal a direct query of that period, and its requests are counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY, formatIsoDate, startOfDayUtc } from '../../../src/core/dates';
import { SavedQuerySchema, previousPeriod, resolveRelativeRange, savedQueryOf } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { NormalizedResult } from '../../../src/core/types';
import { RELATIVE_RANGES } from '../../../src/core/vocabulary';
import { createMetaProvider } from '../../../src/providers/meta';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';

describe('relative ranges', () => {
  const now = Date.parse('2026-03-15T17:45:00Z');

  it('resolve on the day of the clock (UTC days, both inclusive)', () => {
    assert.deepEqual(resolveRelativeRange('last-7-days', now), { from: '2026-03-09', to: '2026-03-15' });
    assert.deepEqual(resolveRelativeRange('last-30-days', now), { from: '2026-02-14', to: '2026-03-15' });
    assert.deepEqual(resolveRelativeRange('last-90-days', now), { from: '2025-12-16', to: '2026-03-15' });
    assert.deepEqual(resolveRelativeRange('this-month', now), { from: '2026-03-01', to: '2026-03-15' });
    assert.deepEqual(resolveRelativeRange('previous-month', now), { from: '2026-02-01', to: '2026-02-28' });
    assert.deepEqual(resolveRelativeRange('previous-month', Date.parse('2026-01-03T00:00:00Z')), { from: '2025-12-01', to: '2025-12-31' });
  });

  it('a saved query with "range" becomes from/to when read; with both, or an unknown range, it is refused by name', () => {
    const file = { title: 'r', query: { kind: 'pricing', provider: 'meta', wabaId: '1', range: 'previous-month' } };
    assert.ok(SavedQuerySchema.safeParse(file.query).success, 'the schema takes a range instead of from/to');
    const read = savedQueryOf(file, 'r.waba-query.json', { now });
    assert.deepEqual([read.query.from, read.query.to, read.query.range, read.range], ['2026-02-01', '2026-02-28', undefined, 'previous-month']);
    assert.throws(() => savedQueryOf({ query: { ...file.query, from: '2026-01-01' } }, 'x', { now }), /both "range" and "from"\/"to"/);
    assert.throws(() => savedQueryOf({ query: { ...file.query, range: 'last-week' } }, 'x', { now }), /"range" must be one of last-7-days/);
    assert.equal(RELATIVE_RANGES.length, 5);
  });

  it('the previous period has the same number of days and ends the day before', () => {
    assert.deepEqual(previousPeriod('2026-11-02', '2026-12-01'), { from: '2026-10-03', to: '2026-11-01' });
    assert.deepEqual(previousPeriod('2026-03-01', '2026-03-01'), { from: '2026-02-28', to: '2026-02-28' });
  });
});

function totals(r: NormalizedResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of r.points) for (const [m, v] of Object.entries(p.metrics)) out[m] = (out[m] ?? 0) + v;
  return out;
}

describe('comparison with the previous period', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox();
  });
  after(async () => {
    await sb.close();
  });
  const meta = () => createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, retryBaseMs: 1 });

  it('fetches the previous period in the same run: its totals equal a direct query of it, its requests counted', async () => {
    const today = startOfDayUtc(Date.now());
    const wabaId = sb.data.wabas.meta[0]!.id;
    const q = { kind: 'pricing', provider: 'meta', wabaId, from: formatIsoDate(today - 20 * DAY), to: formatIsoDate(today - 6 * DAY), dimensions: ['PRICING_CATEGORY'] } as const;
    const compared = await runQuery(meta(), q, { compare: true });
    const range = previousPeriod(q.from, q.to);
    assert.deepEqual(compared.previousRange, range);
    assert.ok(compared.previous, 'the previous period rode along');
    const direct = await runQuery(meta(), { ...q, ...range });
    const alone = await runQuery(meta(), q);
    assert.deepEqual(totals(compared.previous), totals(direct.result));
    assert.ok(Object.values(totals(direct.result)).some((v) => v > 0), 'the sandbox has data in the previous period');
    assert.deepEqual(totals(compared.result), totals(alone.result), 'the current period is unchanged');
    assert.equal(compared.requests, alone.requests + direct.requests);
    assert.ok(!compared.result.warnings.some((w) => w.code === 'comparison.unavailable'));
    assert.equal(alone.previous, undefined);
  });

  it('a previous period beyond the lookback: the current result, and a comparison.unavailable warning', async () => {
    const today = startOfDayUtc(Date.now());
    const wabaId = sb.data.wabas.meta[0]!.id;
    // Meta messaging reaches back a year: 300 days now, the 300 before would start 600 days back.
    const q = { kind: 'messaging', provider: 'meta', wabaId, from: formatIsoDate(today - 300 * DAY), to: formatIsoDate(today - 1 * DAY) } as const;
    const compared = await runQuery(meta(), q, { compare: true });
    assert.equal(compared.previous, undefined);
    assert.deepEqual(compared.previousRange, previousPeriod(q.from, q.to));
    const w = compared.result.warnings.find((x) => x.code === 'comparison.unavailable');
    assert.match(w?.message ?? '', /reaches back/);
    assert.ok(compared.result.points.length > 0);
  });
});
