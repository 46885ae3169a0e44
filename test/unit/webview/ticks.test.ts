import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTimeFormatter } from '../../../webview/model';
import { nearestBucket, timeAxisTicks, zoneOffset } from '../../../webview/ticks';

const HALF_HOUR = 1_800_000;
const DAY = 86_400_000;
const series = (start: string, step: number, n: number) => Float64Array.from({ length: n }, (_, i) => Date.parse(start) + i * step);

describe('webview ticks: time-axis ticks computed arithmetically', () => {
  it('reads a timezone offset, across a DST change', () => {
    assert.equal(zoneOffset(Date.parse('2024-07-01T12:00:00Z'), 'UTC'), 0);
    assert.equal(zoneOffset(Date.parse('2024-07-01T12:00:00Z'), 'America/New_York'), -4 * 3_600_000);
    assert.equal(zoneOffset(Date.parse('2024-12-01T12:00:00Z'), 'America/New_York'), -5 * 3_600_000);
    assert.equal(zoneOffset(Date.parse('2024-12-01T12:00:00Z'), 'Asia/Kathmandu'), 5.75 * 3_600_000);
  });

  it('finds the nearest bucket by binary search', () => {
    const b = [0, 10, 20, 30];
    assert.equal(nearestBucket(b, -5), 0);
    assert.equal(nearestBucket(b, 4), 0);
    assert.equal(nearestBucket(b, 5), 0);
    assert.equal(nearestBucket(b, 6), 1);
    assert.equal(nearestBucket(b, 29), 3);
    assert.equal(nearestBucket(b, 99), 3);
    assert.equal(nearestBucket([7], 1e12), 0);
  });

  it('puts ticks on local midnights of bucket starts for 90 days of half-hours, labels fitting the plot', () => {
    const buckets = series('2024-08-01T03:00:00Z', HALF_HOUR, 90 * 48);
    const sp = makeTimeFormatter('America/Sao_Paulo', 'HALF_HOUR');
    let calls = 0;
    const label = (ms: number) => {
      calls++;
      return sp.bucket(ms);
    };
    const t = timeAxisTicks(buckets, 'HALF_HOUR', sp.timezone, 1000, label, 7.5);
    assert.ok(t.values.length >= 2 && t.values.length <= Math.floor(1000 / (10 * 7.5 + 24)), `${t.values.length} ticks`);
    for (const v of t.values) {
      assert.ok(buckets.includes(v));
      assert.equal(sp.dateTime(v).slice(11), '00:00');
      assert.equal(t.labels.get(v), sp.dateTime(v).slice(0, 10));
    }
    // Two weeks (Mondays) at this width: 90 days would need 14 labels of 10 characters a week; no bucket was formatted.
    const gaps = new Set(t.values.slice(1).map((v, i) => Math.round((v - t.values[i]!) / DAY)));
    assert.deepEqual([...gaps], [14]);
    assert.equal(new Date(t.values[0]! - 3 * 3_600_000).getUTCDay(), 1);
    assert.equal(calls, 0);
  });

  it('uses hours for a day of half-hours and months for a year of days', () => {
    const day = series('2024-11-11T00:00:00Z', HALF_HOUR, 48);
    const utc = makeTimeFormatter('UTC', 'HALF_HOUR');
    const h = timeAxisTicks(day, 'HALF_HOUR', 'UTC', 900, utc.bucket, 7.5);
    assert.ok(h.values.length >= 4);
    for (const v of h.values) assert.match(h.labels.get(v)!, /^2024-11-11 (\d\d):00$/);
    const step = h.values[1]! - h.values[0]!;
    assert.ok([3, 6].includes(step / 3_600_000), `step ${step / 3_600_000} h`);

    const year = series('2024-01-01T00:00:00Z', DAY, 366);
    const d = timeAxisTicks(year, 'DAILY', 'UTC', 700, makeTimeFormatter('UTC', 'DAILY').bucket, 7.5);
    for (const v of d.values) {
      assert.equal(new Date(v).getUTCDate(), 1);
      assert.match(d.labels.get(v)!, /^2024-\d\d$/);
    }
    assert.ok(d.values.length >= 4 && d.values.length <= 12);
  });

  it('never puts more ticks than the labels allow, and never ticks off the buckets', () => {
    for (const [tz, gran, step, n] of [
      ['UTC', 'HALF_HOUR', HALF_HOUR, 12_480],
      ['Asia/Kathmandu', 'HALF_HOUR', HALF_HOUR, 500],
      ['America/Los_Angeles', 'DAILY', DAY, 120],
      ['UTC', 'DAILY', DAY, 3],
    ] as const) {
      const buckets = series('2024-03-01T00:00:00Z', step, n);
      const f = makeTimeFormatter(tz, gran);
      for (const width of [150, 400, 1100]) {
        const t = timeAxisTicks(buckets, gran, f.timezone, width, f.bucket, 7.5);
        assert.ok(t.values.length >= 1, `${tz} ${n} @${width}`);
        const widest = Math.max(...t.values.map((v) => t.labels.get(v)!.length));
        assert.ok(t.values.length <= 2 || t.values.length * (widest * 7.5 + 24) <= width, `${tz} ${n} @${width}: ${t.values.length} × ${widest} chars`);
        for (const v of t.values) assert.ok(buckets.includes(v), `${tz} ${n} @${width}: ${v} is no bucket start`);
        assert.deepEqual(
          t.values,
          [...t.values].sort((a, b) => a - b),
        );
      }
    }
  });

  it('labels a tick off the round instants (daily UTC buckets shown in another timezone) as precisely as its bucket', () => {
    const buckets = series('2024-11-01T00:00:00Z', DAY, 20);
    const la = makeTimeFormatter('America/Los_Angeles', 'DAILY');
    const t = timeAxisTicks(buckets, 'DAILY', la.timezone, 2000, la.bucket, 7.5);
    assert.ok(t.values.length >= 2);
    for (const v of t.values) assert.equal(t.labels.get(v), la.bucket(v));
    assert.match(t.labels.get(t.values[0]!)!, /^2024-1\d-\d\d \d\d:00$/);
  });

  it('handles one bucket and none', () => {
    const one = timeAxisTicks([Date.parse('2024-11-01T00:00:00Z')], 'MONTHLY', 'UTC', 500, () => '2024-11');
    assert.deepEqual(one.values, [Date.parse('2024-11-01T00:00:00Z')]);
    assert.equal(one.labels.get(one.values[0]!), '2024-11');
    assert.deepEqual(timeAxisTicks([], 'DAILY', 'UTC', 500, () => '').values, []);
  });
});
