/**
 * Time-axis ticks for the panel's chart, computed arithmetically: a "nice" step (30 min, 1 h, 3 h,
 * 6 h, 12 h, 1 day, 2 days, 1 week, 2 weeks, 1 month, 3 months, 6 months, 1 year…) chosen from the
 * range and the room for labels, round instants of that step in the result's timezone (local
 * midnights, first days of months…), each put on a bucket start. Only the chosen ticks touch
 * `Intl` (one cached DateTimeFormat per timezone, to read the zone's offset), never every bucket.
 */
import type { Granularity } from './model';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A step: a fixed length (minutes, hours, days, weeks) or a number of calendar months. */
interface Step {
  ms?: number;
  months?: number;
  /** What the labels of this step show. */
  label: 'minute' | 'day' | 'month';
}

const STEPS: Step[] = [
  { ms: 30 * MINUTE, label: 'minute' },
  { ms: HOUR, label: 'minute' },
  { ms: 2 * HOUR, label: 'minute' },
  { ms: 3 * HOUR, label: 'minute' },
  { ms: 6 * HOUR, label: 'minute' },
  { ms: 12 * HOUR, label: 'minute' },
  { ms: DAY, label: 'day' },
  { ms: 2 * DAY, label: 'day' },
  { ms: 7 * DAY, label: 'day' },
  { ms: 14 * DAY, label: 'day' },
  { months: 1, label: 'month' },
  { months: 2, label: 'month' },
  { months: 3, label: 'month' },
  { months: 6, label: 'month' },
  { months: 12, label: 'month' },
  { months: 24, label: 'month' },
  { months: 60, label: 'month' },
  { months: 120, label: 'month' },
];
/** The smallest step each granularity may use. */
const FIRST_STEP: Record<Granularity, number> = { HALF_HOUR: 0, DAILY: 6, MONTHLY: 10 };
const LABEL_CHARS = { minute: 16, day: 10, month: 7 } as const;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Offset of `timeZone` from UTC at `ms`, in ms (wall clock minus UTC). */
export function zoneOffset(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    offsetFormats.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour === 24 ? 0 : p.hour!, p.minute!, p.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant whose wall clock in `timeZone` reads `wall` (a wall-clock time written as if UTC). */
function fromWall(wall: number, timeZone: string): number {
  const guess = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(guess, timeZone);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A wall-clock time (as if UTC) as the labels of `kind` show it. */
function wallLabel(wall: number, kind: Step['label']): string {
  const d = new Date(wall);
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  if (kind === 'month') return ymd;
  const day = `${ymd}-${pad(d.getUTCDate())}`;
  return kind === 'day' ? day : `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Index of the bucket start nearest to `ms` (buckets sorted ascending, at least one). */
export function nearestBucket(buckets: ArrayLike<number>, ms: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (buckets[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && ms - buckets[lo - 1]! <= buckets[lo]! - ms ? lo - 1 : lo;
}

/** Round wall-clock instants of `step` from `first` to `last` (at most `limit` + 1 of them), as wall times. */
function roundWalls(firstWall: number, lastWall: number, step: Step, limit: number): number[] {
  const out: number[] = [];
  if (step.ms !== undefined && step.ms < DAY) {
    // Steps that divide a day: multiples of the step since the local midnight.
    for (let w = Math.ceil(firstWall / step.ms) * step.ms; w <= lastWall && out.length <= limit; w += step.ms) out.push(w);
  } else if (step.ms !== undefined) {
    // Whole days: local midnights; weeks start on Mondays; 2 days / 2 weeks counted from the epoch.
    const days = step.ms / DAY;
    let day = Math.ceil(firstWall / DAY);
    if (days >= 7) {
      // 1970-01-05 was a Monday (epoch day 4).
      const monday = day + ((4 - (day % 7) + 7) % 7);
      day = days === 14 && Math.floor((monday - 4) / 7) % 2 ? monday + 7 : monday;
    } else if (day % days) day += days - (day % days);
    for (let w = day * DAY; w <= lastWall && out.length <= limit; w += step.ms) out.push(w);
  } else {
    // Months: first days of months whose index is a multiple of the step (Jan, Apr, Jul, Oct for 3).
    const k = step.months!;
    const d = new Date(firstWall);
    let m = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (Date.UTC(Math.floor(m / 12), m % 12, 1) < firstWall) m++;
    if (m % k) m += k - (m % k);
    for (let w = Date.UTC(Math.floor(m / 12), m % 12, 1); w <= lastWall && out.length <= limit; m += k, w = Date.UTC(Math.floor(m / 12), m % 12, 1)) out.push(w);
  }
  return out;
}

export interface TimeTicks {
  /** Tick positions: bucket starts, ascending. */
  values: number[];
  /** The label of each tick, by position. */
  labels: Map<number, string>;
}

/**
 * Ticks for sorted bucket starts in `timeZone`, their labels no wider than the plot allows
 * (`plotWidth` px, labels estimated at `charWidth` px a character plus `gap`). A round instant
 * that is not a bucket start (buckets not aligned with the timezone's days or hours) is put on the
 * nearest bucket start within half a step and labelled with `bucketLabel`, as precisely as the
 * bucket needs.
 */
export function timeAxisTicks(
  buckets: ArrayLike<number>,
  granularity: Granularity,
  timeZone: string,
  plotWidth: number,
  bucketLabel: (ms: number) => string,
  charWidth = 7.5,
  gap = 24,
): TimeTicks {
  const n = buckets.length;
  const labels = new Map<number, string>();
  if (n === 0) return { values: [], labels };
  const first = buckets[0]!;
  const last = buckets[n - 1]!;
  if (n === 1 || last <= first) {
    labels.set(first, bucketLabel(first));
    return { values: [first], labels };
  }
  const firstWall = first + zoneOffset(first, timeZone);
  const lastWall = last + zoneOffset(last, timeZone);
  const spanMs = lastWall - firstWall;
  for (let s = FIRST_STEP[granularity]; s < STEPS.length; s++) {
    const step = STEPS[s]!;
    const stepMs = step.ms ?? step.months! * 30.44 * DAY;
    const room = Math.max(2, Math.floor(plotWidth / (LABEL_CHARS[step.label] * charWidth + gap)));
    if (spanMs / stepMs + 1 > room && s < STEPS.length - 1) continue;
    const walls = roundWalls(firstWall, lastWall, step, room);
    if (walls.length > room && s < STEPS.length - 1) continue;
    const values: number[] = [];
    let widest = 0;
    for (const w of walls) {
      const t = fromWall(w, timeZone);
      const b = nearestBucket(buckets, t);
      const at = buckets[b]!;
      if (Math.abs(at - t) > stepMs / 2 || labels.has(at)) continue;
      const label = at === t ? wallLabel(w, step.label) : bucketLabel(at);
      labels.set(at, label);
      values.push(at);
      widest = Math.max(widest, label.length);
    }
    // Labels wider than planned (ticks not on round instants): try a longer step.
    if (values.length > 1 && values.length * (widest * charWidth + gap) > plotWidth && s < STEPS.length - 1) {
      labels.clear();
      continue;
    }
    if (values.length >= 2 || s === STEPS.length - 1) return { values, labels };
    labels.clear();
    // Fewer than two round instants in the range: the first and last buckets.
    break;
  }
  labels.clear();
  labels.set(first, bucketLabel(first));
  labels.set(last, bucketLabel(last));
  return { values: [first, last], labels };
}
