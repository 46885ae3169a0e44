/**
 * A NormalizedResult as columns: what the webview receives. Times as epoch-ms numbers, each
 * dimension as a dictionary of values plus one code per point, each metric as one number per
 * point (NaN where the API did not return it). Large results travel as typed arrays.
 */
import type { ColumnarResult } from '../protocol';
import type { NormalizedResult } from './types';

export function toColumns(result: NormalizedResult): ColumnarResult {
  const points = result.points;
  const n = points.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  // Columns appear in the order their names first appear; a column made late is -1 / NaN before.
  const dims: ColumnarResult['dims'] = {};
  const dimIndex = new Map<string, Map<string, number>>();
  const metrics: Record<string, Float64Array<ArrayBuffer>> = {};
  const clicks: NonNullable<ColumnarResult['clicks']> = [];
  const times = new Map<string, number>();
  const parse = (s: string) => {
    let v = times.get(s);
    if (v === undefined) {
      v = Date.parse(s);
      times.set(s, v);
    }
    return v;
  };
  /** The code column and code of each dimension of a `dims` object. */
  const codesOf = (d: Record<string, string>): Array<[Int32Array, number]> => {
    const out: Array<[Int32Array, number]> = [];
    for (const name in d) {
      let column = dims[name];
      let index = dimIndex.get(name);
      if (!column || !index) {
        column = dims[name] = { values: [], codes: new Int32Array(n).fill(-1) };
        index = new Map();
        dimIndex.set(name, index);
      }
      const value = d[name]!;
      let code = index.get(value);
      if (code === undefined) {
        code = column.values.length;
        column.values.push(value);
        index.set(value, code);
      }
      out.push([column.codes as Int32Array, code]);
    }
    return out;
  };
  // Shared (frozen) dims objects, as the Meta normalizer makes them: their codes worked out once.
  const shared = new Map<Record<string, string>, Array<[Int32Array, number]>>();
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    starts[i] = parse(p.start);
    ends[i] = parse(p.end);
    let codes = shared.get(p.dims);
    if (codes === undefined) {
      codes = codesOf(p.dims);
      if (Object.isFrozen(p.dims)) shared.set(p.dims, codes);
    }
    for (let k = 0; k < codes.length; k++) codes[k]![0][i] = codes[k]![1];
    for (const m in p.metrics) {
      let column = metrics[m];
      if (!column) column = metrics[m] = new Float64Array(n).fill(NaN);
      column[i] = p.metrics[m]!;
    }
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
