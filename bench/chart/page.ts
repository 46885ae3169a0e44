/**
 * The chart benchmark's page script (bundled by bench/chart/run.mjs, run in headless Chromium).
 *
 * Two contenders on the same data:
 *  - the panel: the real webview bundle (dist/webview.js, loaded by panel.html next to this
 *    script) is sent the `result` message the extension posts; timed from postMessage until the
 *    panel has rendered (header, KPIs, table, chart) and a frame has been drawn;
 *  - chart.js with its default options (animation, parsing, a category axis of formatted labels)
 *    given every series of the same breakdown, as a straightforward implementation would.
 *
 * Data: the columnar result of the pipeline benchmark (result.bin, written by bench/pipeline.ts),
 * or a synthetic result of `series` × `buckets` half-hours.
 */
import { Chart, registerables } from 'chart.js';
import type { ColumnarResult, HostMessage } from '../../src/protocol';
import { makeTimeFormatter } from '../../webview/model';

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
  for (let b = 0; b < buckets; b++) {
    for (let s = 0; s < series; s++, i++) {
      const scale = 1 + 200 / (s + 1);
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

interface ColumnRef {
  type: 'f64' | 'i32';
  offset: number;
  length: number;
}

/** result.bin: u32 header length, JSON header, padding to 8 bytes, then the columns. */
async function loadResult(url: string): Promise<{ result: ColumnarResult; query: Record<string, unknown> }> {
  const buf = await (await fetch(url)).arrayBuffer();
  const len = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, len)));
  const base = 4 + len + ((8 - ((4 + len) % 8)) % 8);
  const col = (r: ColumnRef) => (r.type === 'f64' ? new Float64Array(buf, base + r.offset, r.length) : new Int32Array(buf, base + r.offset, r.length));
  const { query, ...rest } = header;
  const result: ColumnarResult = {
    ...rest,
    starts: col(rest.starts),
    ends: col(rest.ends),
    dims: Object.fromEntries(Object.entries(rest.dims as Record<string, { values: string[]; codes: ColumnRef }>).map(([k, d]) => [k, { values: d.values, codes: col(d.codes) }])),
    metrics: Object.fromEntries(Object.entries(rest.metrics as Record<string, ColumnRef>).map(([k, m]) => [k, col(m)])),
  };
  return { result, query };
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));

export interface Timing {
  /** Until the handler / constructor returned. */
  sync: number;
  /** Until the chart is fully drawn (animation complete, for chart.js defaults) and a frame has passed. */
  drawn: number;
}

export interface PanelTiming extends Timing {
  /** What the panel chose to chart (the defaults contender draws the same). */
  breakdown: string;
  metric: string;
  series: number;
  canvas: { width: number; height: number };
  label: string;
}

/** The real panel: post the `result` message, wait until it has rendered and a frame has passed. */
async function panel(result: ColumnarResult, query: Record<string, unknown>): Promise<PanelTiming> {
  const message: HostMessage = {
    type: 'result',
    query: { provider: 'meta', kind: result.kind, wabaId: result.wabaId ?? '1', from: '2024-08-01', to: '2024-10-29', granularity: result.granularity, ...query } as Extract<HostMessage, { type: 'result' }>['query'],
    result,
    context: { connectionLabel: 'Bench', wabaName: 'Bench WABA', templateNames: {}, requests: 1, fetchedAt: new Date().toISOString() },
  };
  await nextFrame();
  let handled = 0;
  const done = new Promise<void>((resolve) =>
    // Registered after the panel's own listener: runs once the panel has handled the message.
    window.addEventListener(
      'message',
      () => {
        handled = performance.now();
        resolve();
      },
      { once: true },
    ),
  );
  const t0 = performance.now();
  window.postMessage(message, '*');
  await done;
  const drawn = (await nextFrame()) - t0;
  const canvas = document.querySelector('#chart canvas') as HTMLCanvasElement | null;
  if (document.getElementById('app')?.getAttribute('data-mode') !== 'result' || !canvas) throw new Error('the panel did not render the result');
  const value = (id: string) => (document.getElementById(id) as HTMLSelectElement | null)?.value ?? '';
  const label = canvas.getAttribute('aria-label') ?? '';
  return {
    sync: handled - t0,
    drawn,
    breakdown: value('breakdown'),
    metric: value('metric'),
    series: Number(/, (\d+) series,/.exec(label)?.[1] ?? 0),
    canvas: { width: canvas.clientWidth, height: canvas.clientHeight },
    label,
  };
}

/** chart.js defaults: every series of the breakdown, a category axis of formatted labels, numbers parsed by chart.js. */
async function defaults(result: ColumnarResult, breakdown: string, metric: string, size: { width: number; height: number }): Promise<Timing & { series: number }> {
  const box = document.getElementById('box')!;
  box.style.width = `${size.width}px`;
  box.style.height = `${size.height}px`;
  box.replaceChildren();
  const canvas = document.createElement('canvas');
  box.append(canvas);
  await nextFrame();
  const t0 = performance.now();
  const time = makeTimeFormatter(result.timezone, result.granularity);
  // The same data, in the shape a straightforward implementation gives chart.js.
  const startsCol = result.starts as Float64Array;
  const starts = [...new Set(Array.from(startsCol))].sort((a, b) => a - b);
  const pos = new Map(starts.map((s, i) => [s, i]));
  const dim = result.dims[breakdown];
  const names = dim ? dim.values : [metric];
  const values = result.metrics[metric] as Float64Array;
  const data: (number | null)[][] = names.map(() => new Array<number | null>(starts.length).fill(null));
  for (let i = 0; i < result.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    const g = dim ? (dim.codes as Int32Array)[i]! : 0;
    if (g < 0) continue;
    const row = data[g]!;
    const b = pos.get(startsCol[i]!)!;
    row[b] = (row[b] ?? 0) + v;
  }
  let complete: () => void = () => {};
  const animated = new Promise<void>((resolve) => (complete = resolve));
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels: starts.map((s) => time.bucket(s)), datasets: names.map((label, k) => ({ label, data: data[k]! })) },
    options: { animation: { onComplete: () => complete() } },
  });
  const sync = performance.now() - t0;
  await animated;
  const drawn = (await nextFrame()) - t0;
  chart.destroy();
  return { sync, drawn, series: names.length };
}

declare global {
  interface Window {
    bench: {
      /** Load a data set: 'result' (result.bin) or 'synthetic:SERIESxBUCKETS'. */
      load(name: string): Promise<{ points: number }>;
      panel(): Promise<PanelTiming>;
      defaults(breakdown: string, metric: string, size: { width: number; height: number }): Promise<Timing & { series: number }>;
    };
    benchReady?: boolean;
  }
}

let data: { result: ColumnarResult; query: Record<string, unknown> } | undefined;
window.bench = {
  async load(name) {
    const m = /^synthetic:(\d+)x(\d+)$/.exec(name);
    data = m ? { result: makeResult(Number(m[1]), Number(m[2])), query: {} } : await loadResult(name);
    return { points: data.result.length };
  },
  panel: () => panel(data!.result, data!.query),
  defaults: (breakdown, metric, size) => defaults(data!.result, breakdown, metric, size),
};
window.benchReady = true;
