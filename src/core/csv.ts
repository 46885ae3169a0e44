/** A NormalizedResult's points as CSV (RFC 4180), one row a point. */
import type { NormalizedResult } from './types';
import { csvMetricHeader } from './vocabulary';

/** One CSV cell: quoted when needed, and a text that a spreadsheet would run as a formula made inert. */
export function csvCell(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return csvCell(value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' '));
  if (typeof value === 'object') return csvCell(JSON.stringify(value));
  if (typeof value !== 'string') return csvCell(String(value));
  // Spreadsheets run cells that start with these as formulas: neutralise them.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvColumns(result: NormalizedResult): { dims: string[]; metrics: string[]; clicks: boolean } {
  const dims = new Set<string>();
  const metrics = new Set<string>();
  let clicks = false;
  for (const p of result.points) {
    for (const k in p.dims) dims.add(k);
    for (const k in p.metrics) metrics.add(k);
    if (p.clicks?.length) clicks = true;
  }
  return { dims: [...dims].sort(), metrics: [...metrics].sort(), clicks };
}

/**
 * The points as CSV. Metric columns keep their API names, money ones with the currency
 * (`cost (USD)`). With `previous` (a comparison), a first column `period` says `current` or
 * `previous` and the previous period's rows follow the current ones.
 */
export function toCsv(result: NormalizedResult, previous?: NormalizedResult): string {
  const cols = csvColumns(result);
  if (previous) {
    const p = csvColumns(previous);
    cols.dims = [...new Set([...cols.dims, ...p.dims])].sort();
    cols.metrics = [...new Set([...cols.metrics, ...p.metrics])].sort();
    cols.clicks ||= p.clicks;
  }
  const { dims, metrics, clicks } = cols;
  const currency = result.currency ?? previous?.currency;
  const header = [...(previous ? ['period'] : []), 'start', 'end', ...dims, ...metrics.map((m) => csvMetricHeader(m, currency)), ...(clicks ? ['clicks'] : [])];
  const lines = [header.map(csvCell).join(',')];
  const rows = (r: NormalizedResult, period: string | undefined) => {
    for (const p of r.points) {
      const row: Array<string | number | undefined> = period ? [period, p.start, p.end] : [p.start, p.end];
      for (const d of dims) row.push(p.dims[d]);
      for (const m of metrics) row.push(p.metrics[m]);
      if (clicks) row.push(p.clicks?.length ? p.clicks.map((c) => `${c.type}:${c.button_content}=${c.count}`).join('; ') : undefined);
      lines.push(row.map(csvCell).join(','));
    }
  };
  rows(result, previous ? 'current' : undefined);
  if (previous) rows(previous, 'previous');
  return lines.join('\r\n') + '\r\n';
}
