/** A NormalizedResult's points as CSV (RFC 4180), one row a point. */
import type { NormalizedResult } from './types';

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
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

export function toCsv(result: NormalizedResult): string {
  const { dims, metrics, clicks } = csvColumns(result);
  const header = ['start', 'end', ...dims, ...metrics, ...(clicks ? ['clicks'] : [])];
  const lines = [header.map(cell).join(',')];
  for (const p of result.points) {
    const row: Array<string | number | undefined> = [p.start, p.end];
    for (const d of dims) row.push(p.dims[d]);
    for (const m of metrics) row.push(p.metrics[m]);
    if (clicks) row.push(p.clicks?.length ? p.clicks.map((c) => `${c.type}:${c.button_content}=${c.count}`).join('; ') : undefined);
    lines.push(row.map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
