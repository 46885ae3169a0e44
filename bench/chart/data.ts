/**
 * The chart benchmark's data, shared by its two page scripts (page.ts: the panel's chart code,
 * chart.js and uPlot; panel-page.ts: the whole panel).
 *
 * A data set is the columnar result the extension posts to the webview: the pipeline
 * benchmark's result (result.bin / result-1m.bin, written by bench/pipeline.ts), or a synthetic
 * result of `series` × `buckets` half-hours. Every contender charts the same series: the ones the
 * panel charts by default (its default breakdown and metric, the 8 largest plus "Other"), built
 * by the panel's own model (buildTimeSeries) before any timing starts.
 */
import type { ColumnarResult } from '../../src/protocol';
import type { TimeSeriesSet } from '../../webview/model';
import { buildTimeSeries, defaultBreakdown, defaultMetric, makeTimeFormatter, metricLabel } from '../../webview/model';

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
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
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

export interface DataSet {
  result: ColumnarResult;
  query: Record<string, unknown>;
  /** What the panel charts by default, pre-parsed. */
  set: TimeSeriesSet;
  breakdown: string | null;
  metric: string;
  metricLabel: string;
  timezone: string;
}

/** 'synthetic:SERIESxBUCKETS' or the URL of a result file. */
export async function loadDataSet(name: string): Promise<DataSet> {
  const m = /^synthetic:(\d+)x(\d+)$/.exec(name);
  const { result, query } = m ? { result: makeResult(Number(m[1]), Number(m[2])), query: {} } : await loadResult(name);
  const breakdown = defaultBreakdown(result);
  const metric = defaultMetric(result);
  if (!metric) throw new Error(`${name}: nothing to chart`);
  const set = buildTimeSeries(result, { metric, breakdown });
  const time = makeTimeFormatter(result.timezone, result.granularity);
  return {
    result,
    query,
    set,
    breakdown,
    metric,
    metricLabel: metricLabel(metric) + (result.currency && /cost|amount/.test(metric) ? ` (${result.currency})` : ''),
    timezone: time.timezone,
  };
}

export const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));

/** Resolves after the next frame has been rendered (a task queued from its rAF runs after style, layout and paint). */
export async function afterNextFrame(): Promise<number> {
  await nextFrame();
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve(performance.now());
    ch.port2.postMessage(0);
  });
}

export interface DrawTiming {
  /** Until the constructor / handler returned, ms. */
  sync: number;
  /** Until the next frame after it has been rendered, ms (wall clock). */
  drawn: number;
  /** Series drawn. */
  series: number;
  /** Buckets (x values) per series. */
  buckets: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}
