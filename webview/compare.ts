/**
 * The comparison with the previous period of the same length: the change of each KPI card
 * ("▲ 12% vs 3 Oct – 1 Nov"). Pure (no DOM): tested in node (test/unit/webview-compare.test.ts).
 */
import type { Kpi } from './model';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A range of UTC days as people write it: "3 Oct – 1 Nov", "3 Dec 2025 – 1 Jan 2026" across a year. */
export function rangeText(from: string, to: string): string {
  const parse = (d: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : undefined;
  };
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return `${from} – ${to}`;
  const day = (x: { y: number; m: number; d: number }, year: boolean) => `${x.d} ${MONTHS[x.m - 1]}${year ? ` ${x.y}` : ''}`;
  const years = a.y !== b.y;
  return `${day(a, years)} – ${day(b, years)}`;
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
export function kpiDeltas(current: readonly Kpi[], previous: readonly Kpi[], range: { from: string; to: string }, format: (k: Kpi) => string, locale = 'en-US'): Record<string, KpiDelta> {
  const vs = `vs ${rangeText(range.from, range.to)}`;
  const out: Record<string, KpiDelta> = {};
  const pct = (v: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
  for (const k of current) {
    const p = previous.find((x) => x.metric === k.metric);
    if (!p || k.value === null || p.value === null) continue;
    const title = `Previous period (${rangeText(range.from, range.to)}): ${format(p)}`;
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
