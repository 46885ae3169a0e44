/**
 * Marks drawn over the chart (a chart.js plugin, handed to webview/chart.ts with its `plugins`
 * option), so the picture says what the data is:
 * - the current, incomplete period (today, this month): its segment of each line dashed (its bar
 *   hatched), with "so far" over it, instead of a drop that looks like a fall to zero;
 * - the window in which template reads and clicks still grow: shaded, under the grid;
 * - the previous period of the same length, when asked: dashed lines moved onto these dates.
 * The geometry (which buckets, where the previous period lands) is pure and tested in node
 * (test/unit/webview-chart-marks.test.ts); the drawing itself needs a canvas.
 */
import type { Chart, Plugin } from 'chart.js';
import type { Granularity, TimeSeriesSet } from './model';
import { rebucket } from './model';

export interface PreviousOverlay {
  /** One line per series: the previous period's values, on the previous period's bucket starts. */
  series: Array<{ key: string; label: string; values: Float64Array }>;
  buckets: Float64Array;
  /** Added to each previous bucket start so that the previous period lines up with this one (ms). */
  shift: number;
  /** "3 Oct – 1 Nov". */
  rangeText: string;
}

export interface ChartMarks {
  type: 'line' | 'bar';
  set: TimeSeriesSet;
  granularity: Granularity;
  /** "today so far", "this month so far". */
  partialText: string;
  previous: PreviousOverlay | null;
  /** Series colours by series key (the previous period's line takes its series' colour). */
  colorOf: (key: string) => string | undefined;
  foreground: string;
  background: string;
}

/** Index of the first bucket of the trailing run of partial buckets; -1 when the last bucket is complete. */
export function partialStart(partial: ArrayLike<number>): number {
  let i = partial.length;
  while (i > 0 && partial[i - 1]) i--;
  return i < partial.length ? i : -1;
}

/** How many days from one UTC day (YYYY-MM-DD) to another, in ms; NaN when either is not a date. */
export function dayShift(fromDay: string, toDay: string): number {
  const a = Date.parse(`${fromDay}T00:00:00Z`);
  const b = Date.parse(`${toDay}T00:00:00Z`);
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : NaN;
}

/** The bucket starts of the previous period moved onto this period's dates. */
export function shiftedBuckets(buckets: ArrayLike<number>, shift: number): Float64Array {
  const out = new Float64Array(buckets.length);
  for (let i = 0; i < buckets.length; i++) out[i] = buckets[i]! + shift;
  return out;
}

/** The largest value of the overlay (for the y axis to hold it); 0 when none. */
export function overlayMax(previous: Pick<PreviousOverlay, 'series'> | null): number {
  let max = 0;
  for (const s of previous?.series ?? []) for (let i = 0; i < s.values.length; i++) if (s.values[i]! > max) max = s.values[i]!;
  return max;
}

/** How many buckets chart.ts merges per bar (the same rule as its barFactor): for the overlay to be summed alike. */
function barMerge(buckets: number, width: number, granularity: Granularity): number {
  const factors: Record<Granularity, number[]> = { HALF_HOUR: [1, 2, 4, 8, 12, 24, 48, 96, 336, 1440], DAILY: [1, 2, 7, 14, 28, 91, 364], MONTHLY: [1, 3, 6, 12] };
  const maxBars = Math.max(10, Math.floor(width / 3));
  if (buckets <= maxBars) return 1;
  const need = buckets / maxBars;
  return factors[granularity].find((f) => f >= need) ?? Math.ceil(need);
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color.trim());
  if (m) return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
  const r = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(color.replace(/\s+/g, ''));
  if (r) return `rgba(${r[1]}, ${r[2]}, ${r[3]}, ${alpha})`;
  return color;
}

/** The overlay as drawn on a bar chart: summed per bar like the bars. */
function overlayFor(chart: Chart, marks: ChartMarks): PreviousOverlay | null {
  const prev = marks.previous;
  if (!prev || marks.type !== 'bar') return prev;
  const width = Math.max(200, chart.canvas.parentElement?.clientWidth || chart.canvas.clientWidth || 600);
  const f = barMerge(marks.set.buckets.length, width, marks.granularity);
  if (f === 1) return prev;
  const merged = rebucket({ ...marks.set, buckets: prev.buckets, series: prev.series.map((s) => ({ ...s, total: 0 })), partial: new Uint8Array(prev.buckets.length) }, f);
  return { ...prev, buckets: merged.buckets, series: merged.series };
}

/** The chart.js plugin; `marks()` is read at each draw (the section keeps it current). */
export function chartMarksPlugin(marks: () => ChartMarks | null): Plugin<'line' | 'bar'> {
  return {
    id: 'wabaMarks',
    afterDataLimits(chart, { scale }) {
      const m = marks();
      if (scale.id !== 'y' || !m?.previous) return;
      const max = overlayMax(overlayFor(chart, m));
      if (max > scale.max) scale.max = max;
    },
    beforeDatasetsDraw(chart) {
      const m = marks();
      const area = chart.chartArea;
      if (!m || !area) return;
      const x = chart.scales.x!;
      // Lines: the period under way, a faint hatched band from half-way after the last complete
      // bucket (the dashed segment and its hollow point read as "so far", not as a fall).
      const at = partialStart(m.set.partial);
      if (at >= 0 && m.type !== 'bar') {
        const b = m.set.buckets;
        const before = at > 0 ? b[at - 1]! : b.length > 1 ? b[at]! - (b[1]! - b[0]!) : b[at]!;
        const left = Math.max(area.left, x.getPixelForValue((before + b[at]!) / 2));
        if (area.right > left) {
          const band = chart.ctx.createPattern(hatchTile(m.foreground, 0.12), 'repeat');
          chart.ctx.save();
          chart.ctx.fillStyle = band ?? withAlpha(m.foreground, 0.05);
          chart.ctx.fillRect(left, area.top, area.right - left, area.bottom - area.top);
          chart.ctx.restore();
        }
      }
      // The still-counting window, shaded under the lines and bars.
      const win = m.set.stillCounting;
      if (!win) return;
      const left = Math.max(area.left, x.getPixelForValue(win.from));
      const right = Math.min(area.right, x.getPixelForValue(win.to));
      if (!(right > left)) return;
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = withAlpha(m.foreground, 0.08);
      ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      ctx.fillStyle = withAlpha(m.foreground, 0.75);
      ctx.font = `${Math.max(10, (chart.options.font?.size as number | undefined) ?? 12) - 1}px ${String(chart.options.font?.family ?? 'sans-serif')}`;
      ctx.textBaseline = 'top';
      const text = 'may still grow';
      const w = ctx.measureText(text).width;
      if (w + 6 < right - left) ctx.fillText(text, left + 3, area.top + 3);
      ctx.restore();
    },
    afterDatasetsDraw(chart) {
      const m = marks();
      const area = chart.chartArea;
      if (!m || !area) return;
      const { ctx } = chart;
      const xs = chart.scales.x!;
      const ys = chart.scales.y!;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top - 2, area.right - area.left, area.bottom - area.top + 4);
      ctx.clip();
      // The previous period: dashed lines in its series' colour (the total: the foreground), faded.
      const prev = overlayFor(chart, m);
      if (prev) {
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5;
        for (const s of prev.series) {
          ctx.strokeStyle = withAlpha(m.colorOf(s.key) ?? m.foreground, 0.7);
          ctx.beginPath();
          let begun = false;
          for (let i = 0; i < s.values.length; i++) {
            const v = s.values[i]!;
            if (v !== v) continue;
            const px = xs.getPixelForValue(prev.buckets[i]! + prev.shift);
            const py = ys.getPixelForValue(v);
            if (begun) ctx.lineTo(px, py);
            else ctx.moveTo(px, py);
            begun = true;
          }
          ctx.stroke();
        }
        ctx.setLineDash([]);
      }
      // The period under way.
      const at = partialStart(m.set.partial);
      if (at >= 0) {
        const line = m.type !== 'bar';
        if (line) {
          chart.data.datasets.forEach((d, k) => {
            if (!chart.isDatasetVisible(k)) return;
            const s = m.set.series[k];
            if (!s) return;
            const color = typeof d.borderColor === 'string' ? d.borderColor : m.foreground;
            // From the last complete bucket with a value to each partial one: erase the solid stroke, draw it dashed.
            let from = -1;
            for (let b = at - 1; b >= 0; b--)
              if (s.values[b] === s.values[b]) {
                from = b;
                break;
              }
            let px = from >= 0 ? xs.getPixelForValue(m.set.buckets[from]!) : NaN;
            let py = from >= 0 ? ys.getPixelForValue(s.values[from]!) : NaN;
            for (let b = at; b < s.values.length; b++) {
              const v = s.values[b]!;
              if (v !== v) continue;
              const qx = xs.getPixelForValue(m.set.buckets[b]!);
              const qy = ys.getPixelForValue(v);
              if (px === px) {
                ctx.lineCap = 'round';
                ctx.strokeStyle = m.background;
                ctx.lineWidth = 4;
                ctx.beginPath();
                ctx.moveTo(px, py);
                ctx.lineTo(qx, qy);
                ctx.stroke();
                ctx.lineCap = 'butt';
                ctx.setLineDash([4, 3]);
                ctx.strokeStyle = color;
                ctx.lineWidth = 1.5;
                ctx.beginPath();
                ctx.moveTo(px, py);
                ctx.lineTo(qx, qy);
                ctx.stroke();
                ctx.setLineDash([]);
              }
              // A hollow point: a value so far, not a final one.
              ctx.fillStyle = m.background;
              ctx.strokeStyle = color;
              ctx.lineWidth = 1.5;
              ctx.beginPath();
              ctx.arc(qx, qy, 3.5, 0, 2 * Math.PI);
              ctx.fill();
              ctx.stroke();
              px = qx;
              py = qy;
            }
          });
        } else {
          // Bars: the bars from the one holding the first partial bucket on, hatched.
          const p = m.set.buckets[at]!;
          let threshold = -Infinity;
          for (const d of chart.data.datasets) for (const pt of d.data as Array<{ x: number }>) if (pt.x <= p && pt.x > threshold) threshold = pt.x;
          const hatch = ctx.createPattern(hatchTile(m.background, 0.6), 'repeat');
          chart.data.datasets.forEach((d, k) => {
            if (!chart.isDatasetVisible(k)) return;
            const meta = chart.getDatasetMeta(k);
            (d.data as Array<{ x: number }>).forEach((pt, j) => {
              if (pt.x < threshold) return;
              const el = meta.data[j];
              if (!el) return;
              const { x, y, base, width } = el.getProps(['x', 'y', 'base', 'width'], true) as { x: number; y: number; base: number; width: number };
              const top = Math.min(y, base);
              const h = Math.abs(base - y);
              if (hatch) {
                ctx.fillStyle = hatch;
                ctx.fillRect(x - width / 2, top, width, h);
              }
            });
          });
        }
        ctx.fillStyle = withAlpha(m.foreground, 0.85);
        ctx.font = `${Math.max(10, (chart.options.font?.size as number | undefined) ?? 12) - 1}px ${String(chart.options.font?.family ?? 'sans-serif')}`;
        ctx.textBaseline = 'top';
        ctx.textAlign = 'right';
        ctx.fillText(m.partialText, area.right - 2, area.top + (m.set.stillCounting ? 18 : 3));
      }
      ctx.restore();
    },
  };
}

const tiles = new Map<string, HTMLCanvasElement>();
/** An 8×8 tile of diagonal stripes in a colour at an opacity. */
function hatchTile(background: string, alpha: number): HTMLCanvasElement {
  const key = `${background}|${alpha}`;
  const cached = tiles.get(key);
  if (cached) return cached;
  const c = document.createElement('canvas');
  c.width = 8;
  c.height = 8;
  const g = c.getContext('2d');
  if (g) {
    g.strokeStyle = withAlpha(background, alpha);
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(-2, 10);
    g.lineTo(10, -2);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
  }
  tiles.set(key, c);
  return c;
}
