/**
 * Planning: a resolved query becomes request units. A range longer than the endpoint allows, or
 * a large HALF_HOUR range, becomes windows (cut on bucket boundaries, half-open, no gap and no
 * overlap); more template ids than one request takes become batches.
 */
import type { QueryUnit } from './provider';
import type { KindCapabilities, ResolvedQuery } from './query';
import { DAY, addMonthsUtc, startOfMonthUtc } from './dates';

export interface Window {
  startMs: number;
  endMs: number;
}

/** Cut [startMs, endMs) into windows of at most `days` days, on day (or month) boundaries. */
export function splitWindows(startMs: number, endMs: number, days: number, monthly = false): Window[] {
  if (endMs <= startMs) return [];
  const windows: Window[] = [];
  const maxMs = Math.max(1, Math.floor(days)) * DAY;
  let cursor = startMs;
  while (cursor < endMs) {
    let cut = Math.min(endMs, cursor + maxMs);
    if (monthly && cut < endMs) {
      // Cut at the last month start inside the window, so no month is split between two windows.
      const monthCut = startOfMonthUtc(cut);
      if (monthCut > cursor) cut = monthCut;
      else cut = Math.min(endMs, addMonthsUtc(startOfMonthUtc(cursor), 1));
    }
    windows.push({ startMs: cursor, endMs: cut });
    cursor = cut;
  }
  return windows;
}

/** Split ids into batches of at most `size`. */
export function batches<T>(ids: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += n) out.push(ids.slice(i, i + n));
  return out;
}

/** The window length, in days, used for a query on an endpoint. */
export function windowDays(caps: KindCapabilities, granularity: string): number {
  return granularity === 'HALF_HOUR' ? Math.min(caps.maxSpanDays, caps.halfHourWindowDays) : caps.maxSpanDays;
}

export function planQuery(resolved: ResolvedQuery, caps: KindCapabilities): QueryUnit[] {
  const { query } = resolved;
  const windows = splitWindows(resolved.startMs, resolved.endMs, windowDays(caps, query.granularity), query.granularity === 'MONTHLY');
  const idBatches = query.kind === 'template' ? batches(query.templateIds, caps.maxTemplateIds ?? 10) : [undefined];
  const units: QueryUnit[] = [];
  for (const w of windows) {
    for (const ids of idBatches) {
      const unit: QueryUnit = { query, startMs: w.startMs, endMs: w.endMs, index: units.length };
      if (ids) unit.templateIds = ids;
      units.push(unit);
    }
  }
  return units;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Where a paged answer's range is cut after its first page: see `splitByPages`. */
export interface PageSplit {
  /** The first page's points starting before this are kept; the windows cover the rest. */
  keepBeforeMs: number;
  /** Consecutive windows from keepBeforeMs to the unit's end, each but the last a whole number of pages. */
  windows: Window[];
}

export interface SplitOptions {
  /** The bucket length, ms (HALF_HOUR or DAILY: buckets of one length). */
  bucketMs: number;
  /** The query breaks down by dimensions (so one point per bucket could mean another order). */
  dimensions: boolean;
  /** Windows at most (the concurrency). */
  maxWindows: number;
}

/**
 * Windows sized to whole pages, planned from the first page of a paged answer, so that a large
 * range is fetched by several cursor chains at once with no more requests than one chain needs.
 *
 * An answer lists every bucket's points in time order, the same number G per bucket; a page holds
 * S points. The first page (`starts`: its points' start instants, in order, S of them) tells G and
 * S. Its last bucket may continue on the next page, so only the buckets before it are kept; the
 * rest of the range becomes windows whose lengths are multiples of S / gcd(S, G) buckets, which
 * hold whole pages: no window ends on a partly empty page, except the last one.
 *
 * Undefined (follow the one cursor chain) when the page does not look like that (not in time
 * order, a gap, buckets of different sizes), when cutting would cost a request more than the one
 * chain (the chain's last page has less room than the kept page's partial bucket), or when there
 * is not enough left to share. Windows are always asked as windows, so an answer that is not as
 * regular as it looked costs a partly empty page, never a point.
 */
export function splitByPages(unit: Window, starts: readonly number[], options: SplitOptions): PageSplit | undefined {
  const S = starts.length;
  const b = options.bucketMs;
  if (S < 2 || !(b > 0) || starts[0] !== unit.startMs) return undefined;
  let G = 0;
  while (G < S && starts[G] === starts[0]) G++;
  // One point per bucket with dimensions asked could be an answer ordered by dimension first.
  if (G === S || (G === 1 && options.dimensions)) return undefined;
  let i = 0;
  let bucket = 0;
  while (i < S) {
    const t = starts[i]!;
    if (t !== unit.startMs + bucket * b) return undefined;
    let j = i;
    while (j < S && starts[j] === t) j++;
    if (j < S ? j - i !== G : j - i > G) return undefined;
    i = j;
    bucket++;
  }
  const last = bucket - 1;
  const total = Math.ceil((unit.endMs - unit.startMs) / b);
  const remaining = total - last;
  if (remaining <= 0) return undefined;
  if (1 + Math.ceil((remaining * G) / S) > Math.ceil((total * G) / S)) return undefined;
  const block = S / gcd(S, G);
  const blocks = Math.floor(remaining / block);
  const count = Math.min(Math.max(1, Math.floor(options.maxWindows)), blocks + (remaining % block ? 1 : 0));
  if (count < 2) return undefined;
  const cuts = [last];
  for (let w = 1; w < count; w++) {
    const cut = last + Math.round((w * remaining) / count / block) * block;
    if (cut > cuts[cuts.length - 1]! && cut < total) cuts.push(cut);
  }
  if (cuts.length < 2) return undefined;
  const at = (k: number) => unit.startMs + k * b;
  return {
    keepBeforeMs: at(last),
    windows: cuts.map((k, n) => ({ startMs: at(k), endMs: n + 1 < cuts.length ? at(cuts[n + 1]!) : unit.endMs })),
  };
}
