/** What an export holds and how it is named (no vscode: shared by the extension and tests). */
import { toCsv } from './csv';
import { slug } from './files';
import { redact } from './redact';
import type { Query } from './query';
import type { QueryRun } from './types';

/** `pricing-meta-102290129340398-2026-10-22_2026-11-20-20261121T0930.json` */
export function exportFileName(query: Pick<Query, 'kind' | 'provider' | 'wabaId' | 'from' | 'to'>, format: 'json' | 'csv', at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 13);
  return `${slug(`${query.kind}-${query.provider}-${query.wabaId}-${query.from}_${query.to}-${stamp}`, 120)}.${format}`;
}

export function savedQueryFileName(query: Pick<Query, 'kind' | 'provider' | 'wabaId'>): string {
  return `${slug(`${query.kind}-${query.provider}-${query.wabaId}`, 80)}.waba-query.json`;
}

export interface ExportDocument {
  exportedAt: string;
  query: Query;
  partial: boolean;
  requests: number;
  result: QueryRun['result'];
  /** The previous period of the same length, when the export asked for the comparison. */
  previous?: { from: string; to: string; result: QueryRun['result'] };
  raw?: unknown[];
}

/** The first line of a CSV export of a partial result (a CSV has no other place for a note). */
export const PARTIAL_CSV_LINE = '# PARTIAL RESULT: some requests failed and the rows below are incomplete. Run the query again to fetch the rest.';

/**
 * Raw bodies made safe to write: a body may echo a credential (Graph `paging.next` links carry
 * `access_token`), so every string holding one is redacted. Bodies without one are kept as they are.
 */
function redactedRaw(raw: unknown[]): unknown[] {
  const text = JSON.stringify(raw);
  if (redact(text) === text) return raw;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), walk(x)]));
    return v;
  };
  return raw.map(walk);
}

export function exportContent(query: Query, run: QueryRun, format: 'json' | 'csv', options: { includeRaw?: boolean; at?: Date; includePrevious?: boolean } = {}): string {
  // Partial: the run's flag, or the result's own `result.partial` warning (a result kept or loaded without its run).
  const partial = run.partial || run.result.warnings.some((w) => w.code === 'result.partial');
  // The previous period (a comparison) only when asked for, and only when it was fetched.
  const previous = options.includePrevious && run.previous && run.previousRange ? { ...run.previousRange, result: run.previous } : undefined;
  if (format === 'csv') {
    const csv = toCsv(run.result, previous?.result);
    return partial ? `${PARTIAL_CSV_LINE}\r\n${csv}` : csv;
  }
  const doc: ExportDocument = {
    exportedAt: (options.at ?? new Date()).toISOString(),
    query,
    partial,
    requests: run.requests,
    result: run.result,
    ...(previous ? { previous } : {}),
  };
  if (options.includeRaw && run.raw) doc.raw = redactedRaw(run.raw);
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The contents of a `*.waba-query.json` file. */
export function savedQueryContent(query: Query, title?: string, range?: string): string {
  const { kind, provider, wabaId, from, to, granularity, ...filters } = query as Query & Record<string, unknown>;
  // A relative range ("last-30-days") instead of the dates, when the query had one: the report stays current.
  const clean: Record<string, unknown> = range ? { kind, provider, wabaId, range, granularity } : { kind, provider, wabaId, from, to, granularity };
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) clean[k] = v;
  return JSON.stringify({ ...(title ? { title } : {}), query: clean }, null, 2) + '\n';
}
