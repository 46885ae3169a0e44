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
