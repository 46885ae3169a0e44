/**
 * The panel's chart: chart.js 4 with only the pieces used, tuned for large results (no animation,
 * a linear epoch-ms axis labelled in the result's timezone, summed buckets for bars), coloured
 * from the VS Code theme. chart.js lays out and draws the axes, the grid, the legend and the bars;
 * the lines are drawn by a plugin straight from the pre-parsed Float64Arrays, one vertical stroke
 * per pixel column (first, lowest, highest and last value in it, as uPlot and chart.js's own fast
 * path do), so that neither point objects nor a decimation pass are built for thousands of buckets.
 *
 * Cheap under the pointer: chart.js listens to clicks only (its legend toggles series); the
 * crosshair, the points and the tooltip are DOM elements over the canvas, moved on pointer moves
 * and arrow keys without repainting the chart, the bucket found by binary search over the
 * pre-parsed x values. Time-axis ticks are computed arithmetically (webview/ticks.ts): only the
 * chosen ticks are formatted.
 */
import { BarController, BarElement, Chart, Legend, LineController, LineElement, LinearScale, PointElement } from 'chart.js';
import type { ChartConfiguration, ChartDataset, Plugin, Scale } from 'chart.js';
import type { Granularity, TimeSeriesSet } from './model';
import { formatMetricValue, makeTimeFormatter, rebucket } from './model';
import type { TimeTicks } from './ticks';
import { nearestBucket, timeAxisTicks } from './ticks';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, Legend);

export type ChartType = 'line' | 'bar';

export interface ThemeColors {
  palette: string[];
  foreground: string;
  border: string;
  fontFamily: string;
  fontSize: number;
}

const FALLBACK_PALETTE = ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#d18616', '#b180d7'];
const PALETTE_VARS = ['blue', 'red', 'green', 'yellow', 'orange', 'purple'];

/** The theme's chart colours and font, read from the --vscode-* variables (fallbacks outside VS Code). */
export function readTheme(root: Element = document.body): ThemeColors {
  const style = getComputedStyle(root);
  const v = (name: string) => style.getPropertyValue(name).trim();
  const palette = PALETTE_VARS.map((c, i) => v(`--vscode-charts-${c}`) || FALLBACK_PALETTE[i]!);
  const fontSize = parseFloat(v('--vscode-font-size'));
  return {
    palette,
    foreground: v('--vscode-charts-foreground') || v('--vscode-foreground') || '#cccccc',
    border: v('--vscode-editorWidget-border') || v('--vscode-charts-lines') || 'rgba(128,128,128,0.35)',
    fontFamily: v('--vscode-font-family') || 'system-ui, sans-serif',
    fontSize: Number.isFinite(fontSize) && fontSize > 0 ? fontSize : 12,
  };
}

let probe: CanvasRenderingContext2D | null | undefined;
/** `color` with an alpha, whatever CSS colour syntax the theme used. */
export function withAlpha(color: string, alpha: number): string {
  if (probe === undefined) probe = document.createElement('canvas').getContext('2d');
  if (!probe) return color;
  probe.fillStyle = '#000000';
  probe.fillStyle = color;
  const c = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgba = /^rgba?\(([^,]+),([^,]+),([^,)]+)(?:,([^)]+))?\)$/i.exec(c.replace(/\s+/g, ''));
  if (rgba) return `rgba(${rgba[1]}, ${rgba[2]}, ${rgba[3]}, ${alpha * (rgba[4] ? parseFloat(rgba[4]) : 1)})`;
  return c;
}

// ---- theme changes ---------------------------------------------------------------------------

const themeListeners = new Set<() => void>();
let themeObserver: MutationObserver | undefined;
let lastThemeKey = '';
let themeFrame = 0;
/** What identifies the theme: the body's vscode-light|dark|high-contrast class, the theme id, the variables. */
function themeKey(): string {
  const body = document.body;
  const kind = [...body.classList].filter((c) => /^vscode-(light|dark|high-contrast)/.test(c)).join(' ');
  return `${kind}|${body.getAttribute('data-vscode-theme-id') ?? ''}|${document.documentElement.getAttribute('style') ?? ''}`;
}
/**
 * Call `listener` when the theme changes: the body's class (vscode-light, vscode-dark,
 * vscode-high-contrast), its data-vscode-theme-id, or the --vscode-* variables VS Code sets on <html>.
 */
export function onThemeChange(listener: () => void): () => void {
  themeListeners.add(listener);
  if (!themeObserver && typeof MutationObserver !== 'undefined') {
    lastThemeKey = themeKey();
    themeObserver = new MutationObserver(() => {
      const now = themeKey();
      if (now === lastThemeKey) return;
      lastThemeKey = now;
      cancelAnimationFrame(themeFrame);
      themeFrame = requestAnimationFrame(() => {
        for (const l of [...themeListeners]) l();
      });
    });
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }
  return () => themeListeners.delete(listener);
}

// ---- drawing ---------------------------------------------------------------------------------

export interface DrawOptions {
  type: ChartType;
  timezone: string;
  granularity: Granularity;
  /** The metric charted (for value formatting and the y title). */
  metric: string;
  metricLabel?: string;
  currency?: string;
  /** Colours; read from the theme when absent. */
  theme?: ThemeColors;
  locale?: string;
  /** More chart.js plugins (webview/chartMarks.ts: the partial period, the still-counting window, the previous period). */
  plugins?: Plugin<'line' | 'bar'>[];
}

export interface ChartHandle {
  chart: Chart;
  /** Redraw with new data and/or options (same canvas). */
  update(set: TimeSeriesSet, options: DrawOptions): void;
  /** Re-read the theme colours and redraw. */
  retheme(): void;
  /** Show the crosshair and tooltip at a bucket of the chart (as a pointer move or an arrow key does); -1 hides them. */
  showBucket(index: number): void;
  destroy(): void;
}

type XY = { x: number; y: number };

const LINE_WIDTH = 1.5;

/** Bucket lengths for bars: merge consecutive buckets by these factors only. */
const BAR_FACTORS: Record<Granularity, number[]> = {
  HALF_HOUR: [1, 2, 4, 8, 12, 24, 48, 96, 336, 1440],
  DAILY: [1, 2, 7, 14, 28, 91, 364],
  MONTHLY: [1, 3, 6, 12],
};
const FACTOR_WORDS: Record<Granularity, string> = { HALF_HOUR: 'half-hours', DAILY: 'days', MONTHLY: 'months' };

/** How many buckets to merge so bars stay at least ~3 px wide. */
export function barFactor(buckets: number, width: number, granularity: Granularity): number {
  const maxBars = Math.max(10, Math.floor(width / 3));
  if (buckets <= maxBars) return 1;
  const need = buckets / maxBars;
  const factors = BAR_FACTORS[granularity];
  return factors.find((f) => f >= need) ?? Math.ceil(need);
}

function toPoints(values: Float64Array, buckets: Float64Array): XY[] {
  const out: XY[] = [];
  for (let b = 0; b < values.length; b++) {
    const y = values[b]!;
    if (y === y) out.push({ x: buckets[b]!, y });
  }
  return out;
}

/** The lowest and highest value of the visible series (0 and 1 when none). */
function visibleRange(chart: Chart, series: readonly { values: Float64Array }[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  series.forEach((s, k) => {
    if (!chart.isDatasetVisible(k)) return;
    const v = s.values;
    for (let i = 0; i < v.length; i++) {
      const y = v[i]!;
      if (y < min) min = y;
      if (y > max) max = y;
    }
  });
  return min <= max ? { min, max } : { min: 0, max: 1 };
}

/**
 * One line: per pixel column, a vertical stroke from the first value in it through the lowest
 * and highest to the last; missing buckets (NaN) are spanned. Returns the path, and its first and
 * last x for a fill.
 */
function linePath(xs: Float64Array, ys: Float64Array, x0: number, kx: number, y0: number, ky: number): { path: Path2D; first: number; last: number } {
  const path = new Path2D();
  let col = NaN;
  let first = NaN;
  let lo = 0;
  let hi = 0;
  let enter = 0;
  let leave = 0;
  let begun = false;
  const flush = () => {
    if (begun) path.lineTo(col, enter);
    else {
      path.moveTo(col, enter);
      first = col;
      begun = true;
    }
    // No vertex twice in a row: a zero-length segment still costs a join.
    if (lo !== hi) {
      if (lo !== enter && lo !== leave) path.lineTo(col, lo);
      if (hi !== enter && hi !== leave) path.lineTo(col, hi);
      path.lineTo(col, leave);
    }
  };
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i]!;
    if (v !== v) continue;
    const x = Math.round(x0 + (xs[i]! - xs[0]!) * kx);
    const y = y0 + v * ky;
    if (x !== col) {
      if (col === col) flush();
      col = x;
      enter = lo = hi = leave = y;
    } else {
      if (y < lo) lo = y;
      else if (y > hi) hi = y;
      leave = y;
    }
  }
  if (col === col) flush();
  return { path, first, last: col };
}

/** Draws the lines of `view` under chart.js's datasets layer (whose line datasets are empty: legend entries only). */
function linesPlugin(view: HoverView, fill: string | undefined, width: number): Plugin<'line' | 'bar'> {
  return {
    id: 'wabaLines',
    afterDataLimits(chart, { scale }) {
      // The y range of the visible series, from 0 (chart.js has no data to find it).
      if (scale.id !== 'y') return;
      const r = visibleRange(chart, view.series);
      scale.min = Math.min(0, r.min);
      scale.max = r.max > scale.min ? r.max : scale.min + 1;
    },
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      const xScale = chart.scales.x!;
      const yScale = chart.scales.y!;
      const xs = view.buckets;
      if (!xs.length || !area) return;
      // Linear scales: value -> pixel is affine; two points give it.
      const x0 = xScale.getPixelForValue(xs[0]!);
      const kx = xs.length > 1 ? (xScale.getPixelForValue(xs[xs.length - 1]!) - x0) / (xs[xs.length - 1]! - xs[0]!) : 0;
      const yLow = yScale.getPixelForValue(yScale.min);
      const ky = yScale.max > yScale.min ? (yScale.getPixelForValue(yScale.max) - yLow) / (yScale.max - yScale.min) : -1;
      const y0 = yLow - yScale.min * ky;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top - width, area.right - area.left, area.bottom - area.top + 2 * width);
      ctx.clip();
      ctx.lineWidth = width;
      ctx.lineJoin = 'round';
      ctx.lineCap = 'butt';
      // The first series last, on top (as chart.js orders datasets).
      for (let k = view.series.length - 1; k >= 0; k--) {
        if (!chart.isDatasetVisible(k)) continue;
        const s = view.series[k]!;
        const { path, first, last } = linePath(xs, s.values, x0, kx, y0, ky);
        if (fill && first === first) {
          const area2 = new Path2D(path);
          area2.lineTo(last, y0);
          area2.lineTo(first, y0);
          area2.closePath();
          ctx.fillStyle = fill;
          ctx.fill(area2);
        }
        ctx.strokeStyle = s.color;
        ctx.stroke(path);
      }
      ctx.restore();
    },
  };
}

function canvasWidth(canvas: HTMLCanvasElement): number {
  return Math.max(200, canvas.parentElement?.clientWidth || canvas.clientWidth || canvas.width || 600);
}

/** What the hover layer shows: the buckets and series as drawn (merged for bars). */
interface HoverView {
  type: ChartType;
  buckets: Float64Array;
  series: { label: string; color: string; values: Float64Array }[];
  title: (ms: number) => string;
  value: (v: number) => string;
}

/** A bucket's usual length, for a lone bar's width. */
const STEP_MS: Record<Granularity, number> = { HALF_HOUR: 1_800_000, DAILY: 86_400_000, MONTHLY: 30 * 86_400_000 };

function buildConfig(
  canvas: HTMLCanvasElement,
  input: TimeSeriesSet,
  options: DrawOptions,
  theme: ThemeColors,
  plugin: Plugin<'line' | 'bar'>,
): { config: ChartConfiguration<'line' | 'bar', XY[]>; view: HoverView } {
  const line = options.type === 'line';
  const width = canvasWidth(canvas);
  const time = makeTimeFormatter(options.timezone, options.granularity);
  const valueText = (v: number) => formatMetricValue(options.metric, v, options.currency, options.locale);
  let set = input;
  let merged = 1;
  if (options.type === 'bar') {
    merged = barFactor(set.buckets.length, width, options.granularity);
    set = rebucket(set, merged);
  }
  const buckets = set.buckets;
  const step = buckets.length > 1 ? (buckets[buckets.length - 1]! - buckets[0]!) / (buckets.length - 1) : STEP_MS[options.granularity] * merged;
  const barPad = options.type === 'bar' ? step / 2 : 0;
  const colors: string[] = [];
  const datasets: ChartDataset<'line' | 'bar', XY[]>[] = set.series.map((s, i) => {
    // Six theme colours; the next six are the same, faded; "Other" is the foreground, faded.
    const base = theme.palette[i % theme.palette.length]!;
    const color = s.other ? withAlpha(theme.foreground, 0.5) : i >= theme.palette.length ? withAlpha(base, 0.5) : base;
    colors.push(color);
    if (!line) {
      return {
        type: 'bar',
        label: s.label,
        data: toPoints(s.values, buckets),
        backgroundColor: color,
        borderColor: color,
        hoverBackgroundColor: color,
        hoverBorderColor: color,
        borderWidth: 0,
        barPercentage: 1,
        categoryPercentage: 0.9,
        stack: 'all',
      } as ChartDataset<'bar', XY[]>;
    }
    // A line dataset holds no data: its legend entry only; the lines plugin draws the line.
    return {
      type: 'line',
      label: s.label,
      data: [],
      borderColor: color,
      backgroundColor: set.series.length === 1 ? withAlpha(base, 0.15) : color,
      borderWidth: LINE_WIDTH,
      pointRadius: 0,
      pointHoverRadius: 0,
      pointHitRadius: 0,
    } as ChartDataset<'line', XY[]>;
  });

  const view: HoverView = {
    type: options.type,
    buckets,
    series: set.series.map((s, i) => ({ label: s.label, color: colors[i]!, values: s.values })),
    title: time.bucket,
    value: valueText,
  };
  const lines = linesPlugin(view, set.series.length === 1 ? withAlpha(theme.palette[0]!, 0.15) : undefined, LINE_WIDTH);
  const font = { family: theme.fontFamily, size: theme.fontSize };
  const stacked = options.type === 'bar';
  const xTitle = merged > 1 ? `${time.axisTitle}; each bar sums ${merged} ${FACTOR_WORDS[options.granularity]}` : time.axisTitle;
  // Ticks for the plot width last laid out (chart.js builds the ticks more than once per layout).
  let ticks: TimeTicks = { values: [], labels: new Map() };
  let ticksWidth = -1;

  const config: ChartConfiguration<'line' | 'bar', XY[]> = {
    type: options.type,
    data: { datasets },
    plugins: [...(line ? [lines, plugin] : [plugin]), ...(options.plugins ?? [])],
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      resizeDelay: 100,
      // Clicks only (the legend toggles series): pointer moves never make chart.js repaint; the hover layer shows the values.
      events: ['click'],
      color: theme.foreground,
      borderColor: theme.border,
      font,
      interaction: { mode: 'index', intersect: false, axis: 'x' },
      layout: { padding: 4 },
      elements: { point: { radius: 0 }, line: { borderJoinStyle: 'round' } },
      scales: {
        x: {
          type: 'linear',
          stacked,
          // Bars: half a bucket each side, so that the first and last bars are whole (chart.js's own
          // `offset` on a linear axis pads by half a tick step: days of empty plot on either side).
          offset: false,
          min: buckets.length ? buckets[0]! - barPad : undefined,
          max: buckets.length ? buckets[buckets.length - 1]! + barPad : undefined,
          grid: { color: theme.border, drawTicks: true },
          border: { color: theme.border },
          title: { display: true, text: xTitle, color: theme.foreground, font },
          ticks: {
            color: theme.foreground,
            font,
            autoSkip: false,
            maxRotation: 0,
            callback: (value) => ticks.labels.get(Number(value)) ?? time.bucket(Number(value)),
          },
          afterBuildTicks: (scale: Scale) => {
            // Round instants of a nice step, on bucket starts, spaced by the width of their labels.
            const plot = Math.round(scale.width > 0 ? scale.width : width - 60);
            if (plot !== ticksWidth) {
              ticks = timeAxisTicks(buckets, options.granularity, time.timezone, plot, time.bucket, theme.fontSize * 0.62);
              ticksWidth = plot;
            }
            scale.ticks = ticks.values.map((value) => ({ value }));
          },
        },
        y: {
          type: 'linear',
          stacked,
          beginAtZero: true,
          grid: { color: theme.border },
          border: { color: theme.border },
          title: { display: true, text: options.metricLabel ?? options.metric, color: theme.foreground, font },
          ticks: { color: theme.foreground, font, callback: (value) => valueText(Number(value)) },
        },
      },
      plugins: {
        legend: {
          display: set.series.length > 1,
          position: 'bottom',
          labels: { color: theme.foreground, font, boxWidth: 12, boxHeight: 12 },
        },
      },
    },
  };
  return { config, view };
}

// ---- the hover layer -------------------------------------------------------------------------

const KEYS = ['ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End'];

function div(parent: HTMLElement, style: Partial<CSSStyleDeclaration>): HTMLDivElement {
  const el = document.createElement('div');
  Object.assign(el.style, style);
  parent.append(el);
  return el;
}

/**
 * The crosshair, one point per line and the tooltip, as DOM elements over the canvas (its parent
 * is the positioned chart box). A pointer move is handled once per frame: binary search of the
 * nearest bucket, then only when the bucket changed a few transforms and texts. Keyboard: the
 * canvas is focusable; arrow keys, Page Up/Down, Home and End move through the buckets, Escape
 * hides; what the tooltip says is then announced (a polite live region, silent for the pointer).
 */
class HoverLayer {
  private readonly layer: HTMLDivElement;
  private readonly line: HTMLDivElement;
  private readonly tip: HTMLDivElement;
  private readonly tipTitle: HTMLDivElement;
  private rows: { row: HTMLDivElement; text: Text; shown: boolean }[] = [];
  private dots: HTMLDivElement[] = [];
  private chart: Chart | undefined;
  private view: HoverView | undefined;
  private index = -1;
  private pointer: { x: number; y: number } | undefined;
  private frame = 0;
  private live = false;
  private readonly added: [string, EventListener][] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    theme: ThemeColors,
  ) {
    const box = canvas.parentElement ?? document.body;
    this.layer = div(box, { position: 'absolute', left: '0', top: '0', right: '0', bottom: '0', pointerEvents: 'none', overflow: 'hidden', contain: 'strict' });
    this.layer.className = 'chart-hover';
    this.line = div(this.layer, { position: 'absolute', left: '0', top: '0', width: '1px', display: 'none', willChange: 'transform' });
    this.tip = div(this.layer, {
      position: 'absolute',
      left: '0',
      top: '0',
      display: 'none',
      padding: '4px 8px',
      borderRadius: '3px',
      whiteSpace: 'nowrap',
      lineHeight: '1.4',
      willChange: 'transform',
      background: 'var(--vscode-editorHoverWidget-background, #252526)',
      color: 'var(--vscode-editorHoverWidget-foreground, #cccccc)',
      border: '1px solid var(--vscode-editorHoverWidget-border, #454545)',
      boxShadow: '0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36))',
    });
    this.tip.className = 'chart-tooltip';
    this.tip.setAttribute('role', 'status');
    this.tip.setAttribute('aria-live', 'off');
    this.tip.setAttribute('aria-atomic', 'true');
    this.tipTitle = div(this.tip, { fontWeight: '600' });
    this.retheme(theme);
    if (!canvas.hasAttribute('tabindex')) canvas.tabIndex = 0;
    canvas.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight PageUp PageDown Home End Escape');
    const on = (type: string, fn: EventListener) => {
      canvas.addEventListener(type, fn, { passive: type !== 'keydown' });
      this.added.push([type, fn]);
    };
    on('pointermove', (e) => this.onPointer(e as PointerEvent));
    on('pointerleave', () => this.hide());
    on('blur', () => this.hide());
    on('keydown', (e) => this.onKey(e as KeyboardEvent));
  }

  retheme(theme: ThemeColors): void {
    this.line.style.background = withAlpha(theme.foreground, 0.6);
    this.tip.style.fontFamily = theme.fontFamily;
    this.tip.style.fontSize = `${theme.fontSize}px`;
  }

  /** A new chart (or new data): rows and points for its series; hidden until the next move. */
  bind(chart: Chart, view: HoverView): void {
    this.chart = chart;
    this.view = view;
    this.hide();
    for (const r of this.rows) r.row.remove();
    for (const d of this.dots) d.remove();
    this.rows = view.series.map((s) => {
      const row = div(this.tip, { display: 'none' });
      const swatch = document.createElement('span');
      Object.assign(swatch.style, { display: 'inline-block', width: '10px', height: '10px', marginRight: '6px', background: s.color, verticalAlign: 'baseline' });
      const text = document.createTextNode('');
      row.append(swatch, text);
      return { row, text, shown: false };
    });
    this.dots =
      view.type === 'line'
        ? view.series.map((s) =>
            div(this.layer, { position: 'absolute', left: '0', top: '0', width: '7px', height: '7px', borderRadius: '50%', display: 'none', background: s.color, willChange: 'transform' }),
          )
        : [];
  }

  /** After chart.js drew (a resize, a legend toggle): put what is shown where it now belongs. */
  redrawn(chart: Chart): void {
    if (chart === this.chart && this.index >= 0) {
      const i = this.index;
      this.index = -1;
      this.show(i, this.live);
    }
  }

  private onPointer(e: PointerEvent): void {
    this.pointer = { x: e.clientX, y: e.clientY };
    if (!this.frame) this.frame = requestAnimationFrame(() => this.track());
  }

  private track(): void {
    this.frame = 0;
    const p = this.pointer;
    const chart = this.chart;
    const view = this.view;
    if (!p || !chart || !view || !view.buckets.length) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = p.x - rect.left;
    const y = p.y - rect.top;
    const area = chart.chartArea;
    if (!area || x < area.left - 4 || x > area.right + 4 || y < area.top || y > area.bottom) {
      this.hide();
      return;
    }
    const value = chart.scales.x!.getValueForPixel(x);
    if (value === undefined || !Number.isFinite(value)) return;
    this.show(nearestBucket(view.buckets, value), false);
  }

  private onKey(e: KeyboardEvent): void {
    const view = this.view;
    if (!view || !view.buckets.length) return;
    if (e.key === 'Escape') {
      if (this.index >= 0) e.preventDefault();
      this.hide();
      return;
    }
    if (!KEYS.includes(e.key)) return;
    e.preventDefault();
    const n = view.buckets.length;
    const page = Math.max(1, Math.round(n / 10));
    const at = this.index;
    let i: number;
    switch (e.key) {
      case 'Home':
        i = 0;
        break;
      case 'End':
        i = n - 1;
        break;
      case 'ArrowLeft':
        i = at < 0 ? n - 1 : at - 1;
        break;
      case 'ArrowRight':
        i = at < 0 ? 0 : at + 1;
        break;
      case 'PageUp':
        i = at < 0 ? n - 1 : at - page;
        break;
      default:
        i = at < 0 ? 0 : at + page;
    }
    this.show(Math.max(0, Math.min(n - 1, i)), true);
  }

  /** The crosshair and tooltip at bucket `i`; `announce` for keyboard moves. */
  show(i: number, announce: boolean): void {
    const chart = this.chart;
    const view = this.view;
    if (!chart || !view || i < 0 || i >= view.buckets.length) {
      this.hide();
      return;
    }
    if (announce !== this.live) {
      this.live = announce;
      this.tip.setAttribute('aria-live', announce ? 'polite' : 'off');
    }
    if (i === this.index) return;
    this.index = i;
    const area = chart.chartArea;
    const xScale = chart.scales.x!;
    const yScale = chart.scales.y!;
    const ms = view.buckets[i]!;
    const x = Math.round(xScale.getPixelForValue(ms));
    this.line.style.height = `${area.bottom - area.top}px`;
    this.line.style.transform = `translate(${x}px, ${area.top}px)`;
    this.line.style.display = 'block';
    this.tipTitle.textContent = view.title(ms);
    let shown = 0;
    view.series.forEach((s, k) => {
      const v = s.values[i]!;
      const visible = v === v && chart.isDatasetVisible(k);
      const row = this.rows[k]!;
      if (visible) {
        row.text.data = `${s.label}: ${view.value(v)}`;
        shown++;
      }
      if (visible !== row.shown) {
        row.shown = visible;
        row.row.style.display = visible ? 'block' : 'none';
      }
      const dot = this.dots[k];
      if (dot) {
        if (visible) dot.style.transform = `translate(${x - 3}px, ${Math.round(yScale.getPixelForValue(v)) - 3}px)`;
        dot.style.display = visible ? 'block' : 'none';
      }
    });
    if (!shown) this.tipTitle.textContent = `${view.title(ms)}: no data`;
    // Right of the crosshair in the left half of the plot, left of it in the right half.
    const right = x > (area.left + area.right) / 2;
    this.tip.style.transform = right ? `translate(${x - 10}px, ${area.top + 4}px) translateX(-100%)` : `translate(${x + 10}px, ${area.top + 4}px)`;
    this.tip.style.display = 'block';
  }

  hide(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pointer = undefined;
    if (this.index < 0) return;
    this.index = -1;
    this.line.style.display = 'none';
    this.tip.style.display = 'none';
    for (const d of this.dots) d.style.display = 'none';
  }

  destroy(): void {
    this.hide();
    for (const [type, fn] of this.added) this.canvas.removeEventListener(type, fn);
    this.canvas.removeAttribute('aria-keyshortcuts');
    this.layer.remove();
  }
}

/**
 * For the benchmark of what the user waits for (bench/waits.ts): on the canvas, when the chart
 * was last drawn and on screen (epoch ms, the end of the first frame rendered after it:
 * data-drawn-at) and how long building and drawing it took (ms, data-draw-ms).
 */
function markDrawn(canvas: HTMLCanvasElement, started: number): void {
  canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      canvas.dataset.drawnAt = (performance.timeOrigin + performance.now()).toFixed(1);
      ch.port1.close();
    };
    ch.port2.postMessage(0);
  });
}

/**
 * Draw a time series set on a canvas. The benchmark calls this with the same inputs the panel
 * uses; the panel keeps the handle to update the chart in place.
 */
export function drawTimeSeries(canvas: HTMLCanvasElement, set: TimeSeriesSet, options: DrawOptions): ChartHandle {
  let theme = options.theme ?? readTheme();
  let current = { set, options };
  const hover = new HoverLayer(canvas, theme);
  const plugin: Plugin<'line' | 'bar'> = { id: 'wabaHover', afterRender: (c) => hover.redrawn(c) };
  const make = () => {
    hover.hide();
    const started = performance.now();
    const built = buildConfig(canvas, current.set, current.options, theme, plugin);
    const c = new Chart<'line' | 'bar', XY[]>(canvas, built.config);
    hover.bind(c, built.view);
    markDrawn(canvas, started);
    return c;
  };
  let chart = make();
  const rebuild = () => {
    chart.destroy();
    chart = make();
    handle.chart = chart;
    hover.retheme(theme);
  };
  const stopTheme = options.theme ? () => {} : onThemeChange(() => handle.retheme());
  const handle: ChartHandle = {
    chart,
    update(nextSet, nextOptions) {
      current = { set: nextSet, options: nextOptions };
      if (!nextOptions.theme) theme = readTheme();
      else theme = nextOptions.theme;
      rebuild();
    },
    retheme() {
      if (current.options.theme) return;
      theme = readTheme();
      rebuild();
    },
    showBucket(index) {
      if (index < 0) hover.hide();
      else hover.show(index, false);
    },
    destroy() {
      stopTheme();
      hover.destroy();
      chart.destroy();
    },
  };
  return handle;
}
