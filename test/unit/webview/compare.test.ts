import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnarResult } from '../../../src/protocol';
import { kpiDeltas, likeForLike, pickPoints, rangeText } from '../../../webview/compare';
import type { Kpi } from '../../../webview/model';
import { formatKpi } from '../../../webview/model';

const k = (metric: string, value: number | null, format: Kpi['format'] = 'count'): Kpi => ({ metric, label: metric, value, format });
const range = { from: '2026-10-03', to: '2026-11-01' };
const fmt = (x: Kpi) => formatKpi(x);
/** The text with its non-breaking spaces (dates never split) written as spaces. */
const plain = (t: string | undefined) => (t ?? '').replace(/\u00a0/g, ' ');

describe('webview comparison with the previous period', () => {
  it('writes a range as days and short months, with years only across a year', () => {
    assert.equal(plain(rangeText('2026-10-03', '2026-11-01')), '3 Oct – 1 Nov');
    assert.equal(plain(rangeText('2025-12-03', '2026-01-01')), '3 Dec 2025 – 1 Jan 2026');
    assert.equal(plain(rangeText('x', '2026-01-01')), 'x – 2026-01-01');
  });

  it('gives counts and money a change as a share of the previous figure', () => {
    const d = kpiDeltas([k('sent', 112), k('cost', 90, 'money')], [k('sent', 100), k('cost', 100, 'money')], range, fmt);
    assert.equal(plain(d.sent!.text), '▲ 12% vs 3 Oct – 1 Nov');
    assert.equal(d.sent!.direction, 'up');
    assert.equal(plain(d.cost!.text), '▼ 10% vs 3 Oct – 1 Nov');
    assert.match(plain(d.sent!.title), /Previous period \(3 Oct – 1 Nov\): 100/);
  });

  it('keeps one decimal under 10% and says "no change" when it rounds to nothing', () => {
    const d = kpiDeltas([k('a', 1025), k('b', 100000), k('c', 5)], [k('a', 1000), k('b', 100001), k('c', 5)], range, fmt);
    assert.equal(plain(d.a!.text), '▲ 2.5% vs 3 Oct – 1 Nov');
    assert.equal(d.b!.direction, 'same');
    assert.equal(plain(d.c!.text), '= no change vs 3 Oct – 1 Nov');
  });

  it('gives rates a change in percentage points', () => {
    const d = kpiDeltas([k('read_rate', 0.62, 'percent')], [k('read_rate', 0.5, 'percent')], range, fmt);
    assert.equal(plain(d.read_rate!.text), '▲ 12 points vs 3 Oct – 1 Nov');
  });

  it('has no change without a figure in either period, and "from 0" after a zero', () => {
    const d = kpiDeltas([k('a', null), k('b', 5), k('c', 3)], [k('a', 4), k('b', null), k('c', 0)], range, fmt);
    assert.equal(d.a, undefined);
    assert.equal(d.b, undefined);
    assert.equal(plain(d.c!.text), '▲ from 0 vs 3 Oct – 1 Nov');
  });
});

describe('webview comparison, like for like', () => {
  const DAY = 86_400_000;
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
  /** A daily result of `sent` per day from `from`, UTC. */
  const daily = (from: string, sent: number[]): ColumnarResult => ({
    provider: 'meta',
    kind: 'messaging',
    wabaId: '1',
    granularity: 'DAILY',
    timezone: 'UTC',
    warnings: [],
    length: sent.length,
    starts: Float64Array.from(sent, (_, i) => day(from) + i * DAY),
    ends: Float64Array.from(sent, (_, i) => day(from) + (i + 1) * DAY),
    dims: {},
    metrics: { sent: Float64Array.from(sent), delivered: Float64Array.from(sent) },
  });
  const total = (r: ColumnarResult) => Array.from(r.metrics.sent as Float64Array).reduce((a, b) => a + b, 0);

  it('compares whole periods when the current one is over', () => {
    const cmp = likeForLike(daily('2026-11-24', [10, 10, 10, 10, 10, 10, 10]), { from: '2026-11-24', to: '2026-11-30' }, { result: daily('2026-11-17', [9, 9, 9, 9, 9, 9, 9]), from: '2026-11-17', to: '2026-11-23' }, Date.UTC(2026, 11, 2, 13));
    assert.ok(cmp);
    assert.deepEqual([total(cmp.current), total(cmp.previous), cmp.range], [70, 63, { from: '2026-11-17', to: '2026-11-23' }]);
    assert.match(plain(cmp.what), /24 Nov – 30 Nov with 17 Nov – 23 Nov, the previous period of the same length/);
  });

  it('leaves today so far out of both periods: the same days on each side', () => {
    // Last 7 days, today (2 Dec) under way at 13:00 with 3 so far; the previous 7 days are complete.
    const now = Date.UTC(2026, 11, 2, 13);
    const cmp = likeForLike(daily('2026-11-26', [10, 10, 10, 10, 10, 10, 3]), { from: '2026-11-26', to: '2026-12-02' }, { result: daily('2026-11-19', [8, 8, 8, 8, 8, 8, 8]), from: '2026-11-19', to: '2026-11-25' }, now);
    assert.ok(cmp);
    assert.equal(total(cmp.current), 60, 'the 6 complete days');
    assert.equal(total(cmp.previous), 48, 'the first 6 days of the previous period, not all 7');
    assert.deepEqual(cmp.range, { from: '2026-11-19', to: '2026-11-24' });
    assert.match(plain(cmp.what), /26 Nov – 1 Dec with 19 Nov – 24 Nov, the same span of the previous period \(today so far left out of both/);
    // The cards' change then reads +25%, not the cliff 63 vs 56.
    const d = kpiDeltas([k('sent', total(cmp.current))], [k('sent', total(cmp.previous))], cmp.range, fmt, 'en-US', cmp.what);
    assert.equal(plain(d.sent!.text), '▲ 25% vs 19 Nov – 24 Nov');
    assert.match(plain(d.sent!.title), /Compared: 26 Nov – 1 Dec/);
  });

  it('has nothing to compare while the only bucket is under way', () => {
    const now = Date.UTC(2026, 11, 2, 13);
    assert.equal(likeForLike(daily('2026-12-02', [3]), { from: '2026-12-02', to: '2026-12-02' }, { result: daily('2026-12-01', [9]), from: '2026-12-01', to: '2026-12-01' }, now), null);
  });

  it('keeps only the points asked for, with their dimension codes and clicks', () => {
    const r = { ...daily('2026-11-01', [1, 2, 3]), dims: { country: { values: ['US', 'DE'], codes: Int32Array.from([0, 1, 0]) } }, clicks: [{ point: 2, type: 'url_button', button_content: 'Shop', count: 4 }] };
    const p = pickPoints(r, (i) => i !== 1);
    assert.deepEqual([p.length, Array.from(p.metrics.sent as Float64Array), Array.from(p.dims.country!.codes as Int32Array), p.clicks], [2, [1, 3], [0, 0], [{ point: 1, type: 'url_button', button_content: 'Shop', count: 4 }]]);
  });
});
