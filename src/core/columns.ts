/**
 * A NormalizedResult as columns: what the webview receives. Times as epoch-ms numbers, each
 * dimension as a dictionary of values plus one code per point, each metric as one number per
 * point (NaN where the API did not return it). Large results travel as typed arrays.
 */
import type { ColumnarResult } from '../protocol';
import type { NormalizedResult } from './types';

export function toColumns(result: NormalizedResult): ColumnarResult {
  const n = result.points.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const dimNames = new Set<string>();
  const metricNames = new Set<string>();
  for (const p of result.points) {
    for (const k in p.dims) dimNames.add(k);
    for (const k in p.metrics) metricNames.add(k);
  }
  const dims: ColumnarResult['dims'] = {};
  const dimIndex: Record<string, Map<string, number>> = {};
  for (const d of dimNames) {
    dims[d] = { values: [], codes: new Int32Array(n).fill(-1) };
    dimIndex[d] = new Map();
  }
  const metrics: ColumnarResult['metrics'] = {};
  for (const m of metricNames) metrics[m] = new Float64Array(n).fill(NaN);
  const clicks: NonNullable<ColumnarResult['clicks']> = [];
  const startCache = new Map<string, number>();
  const parse = (s: string) => {
    let v = startCache.get(s);
    if (v === undefined) {
      v = Date.parse(s);
      startCache.set(s, v);
    }
    return v;
  };
  for (let i = 0; i < n; i++) {
    const p = result.points[i]!;
    starts[i] = parse(p.start);
    ends[i] = parse(p.end);
    for (const d in p.dims) {
      const value = p.dims[d]!;
      const index = dimIndex[d]!;
      let code = index.get(value);
      if (code === undefined) {
        code = dims[d]!.values.length;
        dims[d]!.values.push(value);
        index.set(value, code);
      }
      (dims[d]!.codes as Int32Array)[i] = code;
    }
    for (const m in p.metrics) (metrics[m] as Float64Array)[i] = p.metrics[m]!;
    if (p.clicks) for (const c of p.clicks) clicks.push({ point: i, type: c.type, button_content: c.button_content, count: c.count });
  }
  return {
    provider: result.provider,
    kind: result.kind,
    wabaId: result.wabaId,
    granularity: result.granularity,
    timezone: result.timezone,
    ...(result.currency ? { currency: result.currency } : {}),
    warnings: result.warnings,
    length: n,
    starts,
    ends,
    dims,
    metrics,
    ...(clicks.length ? { clicks } : {}),
  };
}
