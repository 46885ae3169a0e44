import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayShift, overlayMax, partialStart, shiftedBuckets } from '../../../webview/chartMarks';

describe('webview chart marks: where they go', () => {
  it('finds the trailing run of partial buckets only', () => {
    assert.equal(partialStart(Uint8Array.from([0, 0, 0, 1])), 3);
    assert.equal(partialStart(Uint8Array.from([0, 1, 1])), 1);
    assert.equal(partialStart(Uint8Array.from([1, 0, 0])), -1);
    assert.equal(partialStart(new Uint8Array(0)), -1);
  });

  it('moves the previous period onto this one by whole days', () => {
    const shift = dayShift('2026-10-03', '2026-11-02');
    assert.equal(shift, 30 * 86_400_000);
    assert.deepEqual([...shiftedBuckets([Date.UTC(2026, 9, 3), Date.UTC(2026, 9, 4)], shift)], [Date.UTC(2026, 10, 2), Date.UTC(2026, 10, 3)]);
    assert.ok(Number.isNaN(dayShift('soon', '2026-11-02')));
  });

  it('gives the y axis room for the highest previous value (NaN ignored)', () => {
    assert.equal(overlayMax({ series: [{ key: 'a', label: 'a', values: Float64Array.from([1, NaN, 7]) }, { key: 'b', label: 'b', values: Float64Array.from([3]) }] }), 7);
    assert.equal(overlayMax(null), 0);
  });
});
