/**
 * The comparison with the previous period of the same length: the change of each KPI card
 * ("▲ 12% vs 3 Oct – 1 Nov"). Pure (no DOM): tested in node (test/unit/webview-compare.test.ts).
 */
import type { ColumnarResult } from '../src/protocol';
import type { Kpi } from './model';
import { partialPoints, valueAt } from './model';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A range of UTC days as people write it: "3 Oct – 1 Nov", "3 Dec 2025 – 1 Jan 2026" across a year (each date unbreakable). */
export function rangeText(from: string, to: string): string {
  const parse = (d: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : undefined;
  };
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return `${from} – ${to}`;
  // No break inside a date ("17 Nov" never splits across lines): non-breaking spaces.
  const day = (x: { y: number; m: number; d: number }, year: boolean) => `${x.d}\u00a0${MONTHS[x.m - 1]}${year ? `\u00a0${x.y}` : ''}`;
  const years = a.y !== b.y;
  return `${day(a, years)} – ${day(b, years)}`;
}

/** A result holding only the points `keep` accepts (columns copied; dimension values kept as they are). */
export function pickPoints(r: ColumnarResult, keep: (i: number) => boolean): ColumnarResult {
  const idx: number[] = [];
  for (let i = 0; i < r.length; i++) if (keep(i)) idx.push(i);
  const num = (col: ColumnarResult['starts']) => Float64Array.from(idx, (i) => valueAt(col, i));
  const dims: ColumnarResult['dims'] = {};
  for (const [k, d] of Object.entries(r.dims)) dims[k] = { values: d.values, codes: Int32Array.from(idx, (i) => (typeof d.codes[i] === 'number' ? d.codes[i]! : -1)) };
  const metrics: ColumnarResult['metrics'] = {};
  for (const [k, col] of Object.entries(r.metrics)) metrics[k] = num(col);
  const at = new Map(idx.map((i, j) => [i, j]));
  const clicks = r.clicks?.flatMap((c) => (at.has(c.point) ? [{ ...c, point: at.get(c.point)! }] : []));
  return { ...r, length: idx.length, starts: num(r.starts), ends: num(r.ends), dims, metrics, ...(clicks ? { clicks } : {}) };
}

const MS_DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What the change of the KPI cards compares: two results, their days, and a sentence for the tooltip. */
export interface Comparison {
  current: ColumnarResult;
  previous: ColumnarResult;
  /** The days of the previous period compared (UTC, inclusive). */
  range: { from: string; to: string };
  /** "3 Nov – 1 Dec (today so far left out) with 4 Oct – 1 Nov, the same days of the previous period." */
  what: string;
}

/**
 * The comparison with the previous period, like for like. When the current period is still under
 * way at `now` (its last buckets partial: today, this month), those buckets are left out, and so is
 * what of the previous period lands on them once moved onto these dates (the span compared ends
 * at the same point on both sides); null when nothing complete is left to compare. Otherwise the
 * whole periods. The ranges are UTC days, both inclusive.
 */
export function likeForLike(current: ColumnarResult, currentRange: { from: string; to: string }, previous: { result: ColumnarResult; from: string; to: string }, now = Date.now()): Comparison | null {
  const partial = partialPoints(current, now);
  let cut = Infinity;
  for (let i = 0; i < current.length; i++) if (partial[i]) cut = Math.min(cut, valueAt(current.starts, i));
  const currentFrom = currentRange.from;
  if (cut === Infinity) {
    const range = { from: previous.from, to: previous.to };
    return { current, previous: previous.result, range, what: `${rangeText(currentRange.from, currentRange.to)} with ${rangeText(range.from, range.to)}, the previous period of the same length.` };
  }
  const shift = Date.parse(`${currentFrom}T00:00:00Z`) - Date.parse(`${previous.from}T00:00:00Z`);
  if (!Number.isFinite(shift)) return null;
  const endOf = (r: ColumnarResult, i: number) => {
    const e = valueAt(r.ends, i);
    return e === e ? e : valueAt(r.starts, i);
  };
  const cur = pickPoints(current, (i) => !partial[i] && endOf(current, i) <= cut);
  const prev = pickPoints(previous.result, (i) => endOf(previous.result, i) + shift <= cut);
  if (cur.length === 0 || prev.length === 0) return null;
  const lastCur = isoDay(cut - 1);
  const lastPrev = isoDay(cut - shift - 1);
  const midnight = cut % MS_DAY === 0;
  const until = midnight ? '' : ` until ${new Date(cut).toISOString().slice(11, 16)} UTC`;
  const range = { from: previous.from, to: lastPrev < previous.to ? lastPrev : previous.to };
  const left = current.granularity === 'MONTHLY' ? 'this month so far' : current.granularity === 'DAILY' ? 'today so far' : 'the half hour under way';
  return {
    current: cur,
    previous: prev,
    range,
    what: `${rangeText(currentFrom, lastCur)}${until} with ${rangeText(range.from, range.to)}${until}, the same span of the previous period (${left} left out of both: the period is not over).`,
  };
}

export type Direction = 'up' | 'down' | 'same';

export interface KpiDelta {
  direction: Direction;
  /** "▲ 12% vs 3 Oct – 1 Nov", "▼ 1.5 points vs …", "= no change vs …". */
  text: string;
  /** What the previous period's figure was, for a tooltip. */
  title: string;
}

const ARROWS: Record<Direction, string> = { up: '▲', down: '▼', same: '=' };

/**
 * The change of each card against the same card of the previous period, by card id. Rates change
 * in percentage points; counts and money by a share of the previous figure. A card without a
 * figure in either period has no change; a previous figure of 0 gives "from 0".
 */
export function kpiDeltas(current: readonly Kpi[], previous: readonly Kpi[], range: { from: string; to: string }, format: (k: Kpi) => string, locale = 'en-US', what?: string): Record<string, KpiDelta> {
  const vs = `vs ${rangeText(range.from, range.to)}`;
  const out: Record<string, KpiDelta> = {};
  const pct = (v: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
  for (const k of current) {
    const p = previous.find((x) => x.metric === k.metric);
    if (!p || k.value === null || p.value === null) continue;
    const title = `Previous period (${rangeText(range.from, range.to)}): ${format(p)}${what ? `. Compared: ${what}` : ''}`;
    if (k.format === 'percent') {
      const points = (k.value - p.value) * 100;
      const shown = Math.abs(points) < 0.05 ? 0 : points;
      const direction: Direction = shown > 0 ? 'up' : shown < 0 ? 'down' : 'same';
      out[k.metric] = { direction, text: direction === 'same' ? `${ARROWS.same} no change ${vs}` : `${ARROWS[direction]} ${pct(Math.abs(shown), 1)} points ${vs}`, title };
      continue;
    }
    if (p.value === 0) {
      const direction: Direction = k.value > 0 ? 'up' : k.value < 0 ? 'down' : 'same';
      out[k.metric] = { direction, text: direction === 'same' ? `${ARROWS.same} no change ${vs}` : `${ARROWS[direction]} from 0 ${vs}`, title };
      continue;
    }
    const change = ((k.value - p.value) / Math.abs(p.value)) * 100;
    const digits = Math.abs(change) < 10 ? 1 : 0;
    const rounded = Number(Math.abs(change).toFixed(digits));
    const direction: Direction = rounded === 0 ? 'same' : change > 0 ? 'up' : 'down';
    out[k.metric] = { direction, text: direction === 'same' ? `${ARROWS.same} no change ${vs}` : `${ARROWS[direction]} ${pct(rounded, digits)}% ${vs}`, title };
  }
  return out;
}
