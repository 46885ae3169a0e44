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
  const otherIds = query.kind === 'template-groups' ? query.templateGroupIds : query.kind === 'groups' ? query.groupIds : undefined;
  if (otherIds) {
    const units: QueryUnit[] = [];
    for (const w of windows) for (const ids of batches(otherIds, caps.maxIds ?? 1)) units.push({ query, startMs: w.startMs, endMs: w.endMs, index: units.length, ids });
    return units;
  }
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

/** Where a paged answer's range is cut after its first page: see `splitByPages`. */
export interface PageSplit {
  /** The first page's points starting before this are kept; the windows cover the rest. */
  keepBeforeMs: number;
  /** Consecutive windows from keepBeforeMs to the unit's end. */
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
 * S, hence how many requests one chain needs for the whole range: ceil(N / S). Its last bucket may
 * continue on the next page, so only the buckets before it are kept; the rest of the range becomes
 * windows, each ending on a page as full as can be (a window of n buckets takes ceil(nG / S)
 * requests), chosen so that all of them together take no more requests than the chain would.
 *
 * Undefined (follow the one chain) when the page does not look like that (not in time order, a
 * gap, buckets of different sizes), or when no cut keeps to the chain's count. Windows are always
 * asked as windows, so an answer less regular than it looked costs a partly empty page, never a point.
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
  // Requests of a window of n buckets, and the room its last page leaves.
  const requests = (n: number) => Math.ceil((n * G) / S);
  const waste = (n: number) => requests(n) * S - n * G;
  const budget = requests(total) - 1;
  for (let count = Math.min(Math.floor(options.maxWindows), remaining); count >= 2; count--) {
    const sizes: number[] = [];
    let left = remaining;
    for (let w = 0; w < count - 1; w++) {
      // Near an even share, the size whose last page is fullest (then the nearest to the share).
      const share = left / (count - w);
      let best = 0;
      for (let n = Math.max(1, Math.floor(share / 2)); n <= Math.min(left - (count - w - 1), Math.ceil((share * 3) / 2)); n++) {
        if (!best || waste(n) < waste(best) || (waste(n) === waste(best) && Math.abs(n - share) < Math.abs(best - share))) best = n;
      }
      if (!best) break;
      sizes.push(best);
      left -= best;
    }
    if (sizes.length !== count - 1 || left < 1) continue;
    sizes.push(left);
    if (sizes.reduce((sum, n) => sum + requests(n), 0) > budget) continue;
    const at = (k: number) => unit.startMs + k * b;
    const windows: Window[] = [];
    let k = last;
    for (const n of sizes) {
      windows.push({ startMs: at(k), endMs: k + n >= total ? unit.endMs : at(k + n) });
      k += n;
    }
    return { keepBeforeMs: at(last), windows };
  }
  return undefined;
}
