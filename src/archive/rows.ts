/**
 * Between the core's DAILY NormalizedResult points and archive rows, and the rule that says when
 * a day can no longer change ("final").
 *
 * - Every point must be one UTC day (start at 00:00Z, end 24 h later): the archive holds DAILY data.
 * - A dimension or metric the schema has no column for goes to the row's `extra` JSON, never lost.
 * - A template point's button clicks become `template_clicks` rows (one per button type and
 *   content, `clicked` = its count); rowsToPoints puts them back on the template point.
 */
import { DAY } from '../core/dates';
import type { ButtonClicks, Kind, NormalizedResult, Point } from '../core/types';
import { ArchiveError } from './errors';
import type { ArchiveKind, ArchiveRow, CountColumn, DimensionColumn, MoneyColumn } from './schema';
import { isCountColumn, isDimensionColumn, isMoneyColumn } from './schema';

/** Days a kind keeps changing after the day ends, by default (docs/archive.md, "Final days"). */
export const DEFAULT_SETTLE_DAYS: Record<ArchiveKind, number> = {
  messaging: 2,
  messaging_phone: 2,
  conversation: 2,
  pricing: 2,
  // Meta: reads and clicks of a send keep counting for 7 days (META_ENGAGEMENT_DAYS).
  template: 7,
  template_clicks: 7,
};

/** Whether day `dayMs` (start of a UTC day), fetched at `fetchedAt`, can no longer change. */
export function isFinal(dayMs: number, fetchedAt: number, settleDays: number): boolean {
  return fetchedAt >= dayMs + DAY + settleDays * DAY;
}

/** The archive kinds a core kind is stored as. */
export function archiveKindsOf(kind: Kind): ArchiveKind[] {
  if (kind === 'calls' || kind === 'template-groups' || kind === 'groups') return []; // not archived (yet)
  return kind === 'template' ? ['template', 'template_clicks'] : [kind];
}

function dayOfPoint(p: Point): number {
  const start = Date.parse(p.start);
  const end = Date.parse(p.end);
  if (!Number.isFinite(start) || start % DAY !== 0 || end !== start + DAY) {
    throw new ArchiveError('unsupported', `The archive holds UTC days; the point ${p.start} – ${p.end} is not one.`, { hint: 'Archive DAILY results in UTC.' });
  }
  return start;
}

export function splitDims(dims: Record<string, string>): { dims: ArchiveRow['dims']; extra?: Record<string, string> } {
  const known: ArchiveRow['dims'] = {};
  let extra: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(dims)) {
    if (isDimensionColumn(k) && k !== 'button_type' && k !== 'button_content') known[k] = v;
    else (extra ??= {})[k] = v;
  }
  return extra ? { dims: known, extra } : { dims: known };
}

export function splitMetrics(metrics: Record<string, number>): { metrics: ArchiveRow['metrics']; extra?: Record<string, number> } {
  const known: ArchiveRow['metrics'] = {};
  let extra: Record<string, number> | undefined;
  for (const [k, v] of Object.entries(metrics)) {
    if (isMoneyColumn(k) && Number.isFinite(v)) known[k] = v;
    else if (isCountColumn(k) && Number.isSafeInteger(v)) known[k] = v;
    else (extra ??= {})[k] = v;
  }
  return extra ? { metrics: known, extra } : { metrics: known };
}

export interface RowsOfResult {
  /** Rows per archive kind. */
  rows: Partial<Record<ArchiveKind, ArchiveRow[]>>;
}

/** The rows of a DAILY result. */
export function resultToRows(result: Pick<NormalizedResult, 'kind' | 'granularity' | 'currency' | 'points'>): Partial<Record<ArchiveKind, ArchiveRow[]>> {
  if (result.granularity !== 'DAILY') throw new ArchiveError('unsupported', `The archive holds DAILY results, not ${result.granularity}.`, { hint: 'Archive DAILY results.' });
  const currency = result.currency ?? null;
  const main: ArchiveRow[] = [];
  const clicks: ArchiveRow[] = [];
  for (const p of result.points) {
    const day = dayOfPoint(p);
    const d = splitDims(p.dims);
    const m = splitMetrics(p.metrics);
    const row: ArchiveRow = { day, currency, dims: d.dims, metrics: m.metrics };
    if (d.extra || m.extra) row.extra = { ...(d.extra ? { dims: d.extra } : {}), ...(m.extra ? { metrics: m.extra } : {}) };
    // An empty click list (Meta: tracked, nobody clicked) leaves no template_clicks row: say so on the row.
    if (result.kind === 'template' && p.clicks && p.clicks.length === 0) row.extra = { ...row.extra, emptyClicks: true };
    main.push(row);
    if (result.kind === 'template') {
      for (const c of p.clicks ?? []) {
        const crow: ArchiveRow = { day, currency, dims: { ...d.dims, button_type: c.type, button_content: c.button_content }, metrics: {} };
        if (Number.isSafeInteger(c.count)) crow.metrics.clicked = c.count;
        else crow.extra = { metrics: { clicked: c.count } };
        clicks.push(crow);
      }
    }
  }
  return result.kind === 'template' ? { template: main, template_clicks: clicks } : { [result.kind]: main };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A key of a row's day and dimensions (extra dims included). */
export function rowKey(r: ArchiveRow): string {
  const dims = Object.entries({ ...r.dims, ...(r.extra?.dims ?? {}) }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${r.day}\u0000${JSON.stringify(dims)}`;
}

/** Points of a core kind back from its archive rows (template clicks joined onto their template point). */
export function rowsToPoints(kind: Kind, rows: Partial<Record<ArchiveKind, ArchiveRow[]>>): Point[] {
  const points: Point[] = [];
  const byKey = new Map<string, Point>();
  for (const r of rows[kind as ArchiveKind] ?? []) {
    const dims: Record<string, string> = { ...r.extra?.dims };
    for (const [k, v] of Object.entries(r.dims)) if (v !== undefined) dims[k] = v;
    const metrics: Record<string, number> = { ...r.extra?.metrics };
    for (const [k, v] of Object.entries(r.metrics)) if (v !== undefined) metrics[k] = v;
    const p: Point = { start: iso(r.day), end: iso(r.day + DAY), dims, metrics };
    if (kind === 'template' && r.extra?.emptyClicks) p.clicks = [];
    points.push(p);
    if (kind === 'template') byKey.set(rowKey(r), p);
  }
  if (kind === 'template') {
    for (const r of rows.template_clicks ?? []) {
      const { button_type, button_content, ...dims } = r.dims;
      const p = byKey.get(rowKey({ ...r, dims }));
      if (!p) continue;
      const c: ButtonClicks = { type: button_type ?? '', button_content: button_content ?? '', count: r.metrics.clicked ?? r.extra?.metrics?.clicked ?? 0 };
      (p.clicks ??= []).push(c);
    }
  }
  return points;
}

export type { CountColumn, DimensionColumn, MoneyColumn };

/** Consecutive runs of sorted day instants with the same value (a gap of a day or more starts a new run). */
export function runsOf<T>(days: number[], valueOf: (d: number) => T): Array<{ from: number; to: number; value: T }> {
  const out: Array<{ from: number; to: number; value: T }> = [];
  for (const d of days) {
    const v = valueOf(d);
    const last = out[out.length - 1];
    if (last && last.value === v && d === last.to + DAY) last.to = d;
    else out.push({ from: d, to: d, value: v });
  }
  return out;
}
