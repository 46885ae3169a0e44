/**
 * The chart benchmark page (bundled by bench/chart/run.mjs, run in headless Chromium). It times
 * the panel's own path (columns -> buildTimeSeries -> drawTimeSeries) against chart.js with its
 * default options on the same data (every series, a category axis of formatted labels).
 */
import { Chart, registerables } from 'chart.js';
import type { ColumnarResult } from '../../src/protocol';
import { drawTimeSeries } from '../../webview/chart';
import type { ThemeColors } from '../../webview/chart';
import { buildTimeSeries, makeTimeFormatter } from '../../webview/model';

Chart.register(...registerables);

const HALF_HOUR = 1_800_000;
const T0 = Date.parse('2024-08-01T00:00:00Z');

/** `series` countries × `buckets` half-hours, one messaging point each (sent, delivered). */
export function makeResult(series: number, buckets: number): ColumnarResult {
  const n = series * buckets;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const codes = new Int32Array(n);
  const sent = new Float64Array(n);
  let seed = 42;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let i = 0;
  for (let s = 0; s < series; s++) {
    const scale = 1 + 200 / (s + 1);
    for (let b = 0; b < buckets; b++, i++) {
      starts[i] = T0 + b * HALF_HOUR;
      ends[i] = starts[i]! + HALF_HOUR;
      codes[i] = s;
      sent[i] = Math.round(scale * (50 + 40 * Math.sin((b / 48) * Math.PI * 2) + 20 * rand()));
    }
  }
  return {
    provider: 'meta',
    kind: 'messaging',
    wabaId: '1',
    granularity: 'HALF_HOUR',
    timezone: 'UTC',
    warnings: [],
    length: n,
    starts,
    ends,
    dims: { country: { values: Array.from({ length: series }, (_, k) => `C${k}`), codes } },
    metrics: { sent, delivered: sent },
  };
}

const THEME: ThemeColors = {
  palette: ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#d18616', '#b180d7'],
  foreground: '#cccccc',
  border: '#454545',
  fontFamily: 'sans-serif',
  fontSize: 12,
};

function freshCanvas(): HTMLCanvasElement {
  const box = document.getElementById('box')!;
  box.replaceChildren();
  const canvas = document.createElement('canvas');
  box.append(canvas);
  return canvas;
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));

export interface Timing {
  /** Until the constructor returned (data prepared, first frame drawn when not animated). */
  sync: number;
  /** Until the chart is fully drawn (animation complete) and a frame has passed. */
  drawn: number;
}

/** The panel: aggregate to the top 8 + Other, draw with the panel's options. */
async function panel(result: ColumnarResult, type: 'line' | 'bar'): Promise<Timing> {
  const canvas = freshCanvas();
  await nextFrame();
  const t0 = performance.now();
  const set = buildTimeSeries(result, { metric: 'sent', breakdown: 'country' });
  const handle = drawTimeSeries(canvas, set, { type, timezone: result.timezone, granularity: result.granularity, metric: 'sent', theme: THEME });
  const sync = performance.now() - t0;
  const drawn = (await nextFrame()) - t0;
  handle.destroy();
  return { sync, drawn };
}

/** chart.js defaults: every series, a category axis of formatted labels, numbers parsed by chart.js. */
async function defaults(result: ColumnarResult): Promise<Timing> {
  const canvas = freshCanvas();
  await nextFrame();
  const t0 = performance.now();
  const time = makeTimeFormatter(result.timezone, result.granularity);
  // The same data, in the shape a straightforward implementation gives chart.js.
  const starts = [...new Set(Array.from(result.starts as Float64Array))].sort((a, b) => a - b);
  const pos = new Map(starts.map((s, i) => [s, i]));
  const dim = result.dims.country!;
  const sent = result.metrics.sent as Float64Array;
  const data: (number | null)[][] = dim.values.map(() => new Array<number | null>(starts.length).fill(null));
  for (let i = 0; i < result.length; i++) data[(dim.codes as Int32Array)[i]!]![pos.get((result.starts as Float64Array)[i]!)!] = sent[i]!;
  let done: () => void = () => {};
  const complete = new Promise<void>((resolve) => (done = resolve));
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels: starts.map((s) => time.bucket(s)), datasets: dim.values.map((label, k) => ({ label, data: data[k]! })) },
    options: { animation: { onComplete: () => done() } },
  });
  const sync = performance.now() - t0;
  await complete;
  const drawn = (await nextFrame()) - t0;
  chart.destroy();
  return { sync, drawn };
}

declare global {
  interface Window {
    bench: {
      run(kind: 'panel-line' | 'panel-bar' | 'defaults', series: number, buckets: number): Promise<Timing>;
    };
  }
}

const cache = new Map<string, ColumnarResult>();
window.bench = {
  async run(kind, series, buckets) {
    const key = `${series}x${buckets}`;
    let result = cache.get(key);
    if (!result) {
      result = makeResult(series, buckets);
      cache.set(key, result);
    }
    if (kind === 'defaults') return defaults(result);
    return panel(result, kind === 'panel-bar' ? 'bar' : 'line');
  },
};
document.title = 'ready';
