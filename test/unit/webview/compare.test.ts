import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kpiDeltas, rangeText } from '../../../webview/compare';
import type { Kpi } from '../../../webview/model';
import { formatKpi } from '../../../webview/model';

const k = (metric: string, value: number | null, format: Kpi['format'] = 'count'): Kpi => ({ metric, label: metric, value, format });
const range = { from: '2026-10-03', to: '2026-11-01' };
const fmt = (x: Kpi) => formatKpi(x);

describe('webview comparison with the previous period', () => {
  it('writes a range as days and short months, with years only across a year', () => {
    assert.equal(rangeText('2026-10-03', '2026-11-01'), '3 Oct – 1 Nov');
    assert.equal(rangeText('2025-12-03', '2026-01-01'), '3 Dec 2025 – 1 Jan 2026');
    assert.equal(rangeText('x', '2026-01-01'), 'x – 2026-01-01');
  });

  it('gives counts and money a change as a share of the previous figure', () => {
    const d = kpiDeltas([k('sent', 112), k('cost', 90, 'money')], [k('sent', 100), k('cost', 100, 'money')], range, fmt);
    assert.equal(d.sent!.text, '▲ 12% vs 3 Oct – 1 Nov');
    assert.equal(d.sent!.direction, 'up');
    assert.equal(d.cost!.text, '▼ 10% vs 3 Oct – 1 Nov');
    assert.match(d.sent!.title, /Previous period \(3 Oct – 1 Nov\): 100/);
  });

  it('keeps one decimal under 10% and says "no change" when it rounds to nothing', () => {
    const d = kpiDeltas([k('a', 1025), k('b', 100000), k('c', 5)], [k('a', 1000), k('b', 100001), k('c', 5)], range, fmt);
    assert.equal(d.a!.text, '▲ 2.5% vs 3 Oct – 1 Nov');
    assert.equal(d.b!.direction, 'same');
    assert.equal(d.c!.text, '= no change vs 3 Oct – 1 Nov');
  });

  it('gives rates a change in percentage points', () => {
    const d = kpiDeltas([k('read_rate', 0.62, 'percent')], [k('read_rate', 0.5, 'percent')], range, fmt);
    assert.equal(d.read_rate!.text, '▲ 12 points vs 3 Oct – 1 Nov');
  });

  it('has no change without a figure in either period, and "from 0" after a zero', () => {
    const d = kpiDeltas([k('a', null), k('b', 5), k('c', 3)], [k('a', 4), k('b', null), k('c', 0)], range, fmt);
    assert.equal(d.a, undefined);
    assert.equal(d.b, undefined);
    assert.equal(d.c!.text, '▲ from 0 vs 3 Oct – 1 Nov');
  });
});
