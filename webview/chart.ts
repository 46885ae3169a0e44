/**
 * The panel's chart: chart.js 4 with only the pieces used, tuned for large results (no animation,
 * pre-parsed {x, y} points on a linear epoch-ms axis labelled in the result's timezone, LTTB
 * decimation for lines, summed buckets for bars), coloured from the VS Code theme.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ChartConfiguration, ChartDataset, Scale, TooltipItem } from 'chart.js';
import type { Granularity, TimeSeriesSet } from './model';
import { formatMetricValue, makeTimeFormatter, rebucket, timeTicks } from './model';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler, Decimation);

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
}

export interface ChartHandle {
  chart: Chart;
  /** Redraw with new data and/or options (same canvas). */
  update(set: TimeSeriesSet, options: DrawOptions): void;
  /** Re-read the theme colours and redraw. */
  retheme(): void;
  destroy(): void;
}

type XY = { x: number; y: number };

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

function canvasWidth(canvas: HTMLCanvasElement): number {
  return Math.max(200, canvas.parentElement?.clientWidth || canvas.clientWidth || canvas.width || 600);
}

function buildConfig(canvas: HTMLCanvasElement, input: TimeSeriesSet, options: DrawOptions, theme: ThemeColors): { config: ChartConfiguration<'line' | 'bar', XY[]>; buckets: Float64Array } {
  const width = canvasWidth(canvas);
  const time = makeTimeFormatter(options.timezone, options.granularity);
  let set = input;
  let merged = 1;
  if (options.type === 'bar') {
    merged = barFactor(set.buckets.length, width, options.granularity);
    set = rebucket(set, merged);
  }
  const buckets = set.buckets;
  const datasets: ChartDataset<'line' | 'bar', XY[]>[] = set.series.map((s, i) => {
    // Six theme colours; the next six are the same, faded; "Other" is the foreground, faded.
    const base = theme.palette[i % theme.palette.length]!;
    const color = s.other ? withAlpha(theme.foreground, 0.5) : i >= theme.palette.length ? withAlpha(base, 0.5) : base;
    const data = toPoints(s.values, buckets);
    if (options.type === 'bar') {
      return {
        type: 'bar',
        label: s.label,
        data,
        backgroundColor: color,
        borderColor: color,
        borderWidth: 0,
        barPercentage: 1,
        categoryPercentage: 0.9,
        stack: 'all',
      } as ChartDataset<'bar', XY[]>;
    }
    return {
      type: 'line',
      label: s.label,
      data,
      borderColor: color,
      backgroundColor: set.series.length === 1 ? withAlpha(base, 0.15) : color,
      borderWidth: 1.5,
      pointRadius: 0,
      pointHoverRadius: 3,
      pointHitRadius: 4,
      spanGaps: true,
      fill: set.series.length === 1 ? 'origin' : false,
      tension: 0,
      indexAxis: 'x',
    } as ChartDataset<'line', XY[]>;
  });

  const font = { family: theme.fontFamily, size: theme.fontSize };
  const samples = Math.round(2 * width);
  const valueText = (v: number) => formatMetricValue(options.metric, v, options.currency, options.locale);
  const stacked = options.type === 'bar';
  let tickLabel = time.bucket;
  const xTitle = merged > 1 ? `${time.axisTitle}; each bar sums ${merged} ${FACTOR_WORDS[options.granularity]}` : time.axisTitle;

  const config: ChartConfiguration<'line' | 'bar', XY[]> = {
    type: options.type,
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      resizeDelay: 100,
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
          offset: options.type === 'bar',
          min: buckets.length ? buckets[0] : undefined,
          max: buckets.length ? buckets[buckets.length - 1] : undefined,
          grid: { color: theme.border, drawTicks: true },
          border: { color: theme.border },
          title: { display: true, text: xTitle, color: theme.foreground, font },
          ticks: {
            color: theme.foreground,
            font,
            autoSkip: false,
            maxRotation: 0,
            callback: (value) => tickLabel(Number(value)),
          },
          afterBuildTicks: (scale: Scale) => {
            // Ticks on bucket starts only, spaced by the width of their labels.
            const plot = scale.width > 0 ? scale.width : width - 60;
            const probe = timeTicks(buckets, options.granularity, time, Number.MAX_SAFE_INTEGER);
            const labelPx = probe.label(buckets[0] ?? 0).length * theme.fontSize * 0.62 + 24;
            const ticks = timeTicks(buckets, options.granularity, time, Math.max(2, Math.floor(plot / labelPx)));
            tickLabel = ticks.label;
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
        decimation: { enabled: options.type === 'line', algorithm: 'lttb', samples, threshold: samples },
        legend: {
          display: set.series.length > 1,
          position: 'bottom',
          labels: { color: theme.foreground, font, boxWidth: 12, boxHeight: 12 },
        },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line' | 'bar'>[]) => (items.length ? time.bucket((items[0]!.raw as XY).x) : ''),
            label: (item: TooltipItem<'line' | 'bar'>) => `${item.dataset.label ?? ''}: ${valueText((item.raw as XY).y)}`,
          },
        },
      },
      onResize: (chart, size) => {
        const d = chart.options.plugins?.decimation;
        if (d && 'samples' in d) {
          d.samples = Math.round(2 * size.width);
          d.threshold = d.samples;
        }
      },
    },
  };
  return { config, buckets };
}

/**
 * Draw a time series set on a canvas. The benchmark calls this with the same inputs the panel
 * uses; the panel keeps the handle to update the chart in place.
 */
export function drawTimeSeries(canvas: HTMLCanvasElement, set: TimeSeriesSet, options: DrawOptions): ChartHandle {
  let theme = options.theme ?? readTheme();
  let current = { set, options };
  let chart = new Chart<'line' | 'bar', XY[]>(canvas, buildConfig(canvas, set, options, theme).config);
  const rebuild = () => {
    chart.destroy();
    chart = new Chart<'line' | 'bar', XY[]>(canvas, buildConfig(canvas, current.set, current.options, theme).config);
    handle.chart = chart;
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
    destroy() {
      stopTheme();
      chart.destroy();
    },
  };
  return handle;
}
