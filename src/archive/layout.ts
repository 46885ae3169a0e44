/**
 * Where things live in an archive folder (docs/archive.md):
 *
 *   <root>/provider=<p>/waba=<id>/kind=<kind>/month=<YYYY-MM>/waba-<id>-<kind>-<YYYY-MM>.parquet
 *   <root>/.lock
 *
 * Hive-style partitions, so DuckDB, ClickHouse, BigQuery, Spark and Snowflake prune by path. Every
 * segment is validated before it becomes a path: a provider from the known list, a WABA id of
 * digits, a known kind, a real month; nothing else can reach the file system.
 */
import * as path from 'node:path';
import { PROVIDERS } from '../core/types';
import type { ProviderId } from '../core/types';
import { ArchiveError } from './errors';
import type { ArchiveKind } from './schema';
import { isArchiveKind } from './schema';

export interface Partition {
  provider: ProviderId;
  waba: string;
  kind: ArchiveKind;
  /** YYYY-MM */
  month: string;
}

const WABA_ID = /^\d{1,32}$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function invalid(what: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  throw new ArchiveError('invalid-path', `The archive refuses ${what} ${shown}.`, { hint: 'Archive path segments are a known provider, a WABA id of digits, a known kind and a month YYYY-MM.' });
}

export function checkProvider(v: unknown): ProviderId {
  if (typeof v !== 'string' || !(PROVIDERS as readonly string[]).includes(v)) invalid('the provider', v);
  return v as ProviderId;
}
export function checkWabaId(v: unknown): string {
  if (typeof v !== 'string' || !WABA_ID.test(v)) invalid('the WABA id', v);
  return v;
}
export function checkKind(v: unknown): ArchiveKind {
  if (!isArchiveKind(v)) invalid('the kind', v);
  return v;
}
export function checkMonth(v: unknown): string {
  if (typeof v !== 'string' || !MONTH.test(v) || Number(v.slice(0, 4)) < 1970) invalid('the month', v);
  return v;
}
export function checkPartition(p: Partition): Partition {
  return { provider: checkProvider(p.provider), waba: checkWabaId(p.waba), kind: checkKind(p.kind), month: checkMonth(p.month) };
}

/** The partition's folder, relative to the root, with forward slashes. */
export function partitionDir(p: Partition): string {
  const c = checkPartition(p);
  return `provider=${c.provider}/waba=${c.waba}/kind=${c.kind}/month=${c.month}`;
}

/** The month file's name: self-describing, so a copy out of the tree still says what it holds. */
export function monthFileName(p: Partition): string {
  const c = checkPartition(p);
  return `waba-${c.waba}-${c.kind}-${c.month}.parquet`;
}

/** The month file's path, relative to the root (forward slashes). */
export function monthFileRel(p: Partition): string {
  return `${partitionDir(p)}/${monthFileName(p)}`;
}

/** The month file's absolute path; checked to stay inside the root. */
export function monthFilePath(root: string, p: Partition): string {
  const base = path.resolve(root);
  const file = path.resolve(base, ...monthFileRel(p).split('/'));
  const rel = path.relative(base, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) invalid('the path', rel);
  return file;
}

/** The partition a relative path (forward or back slashes) names, or undefined when it is not a month file of the layout. */
export function parseMonthFileRel(rel: string): Partition | undefined {
  const parts = rel.split(/[\\/]/);
  if (parts.length !== 5) return undefined;
  const value = (seg: string, key: string) => (seg.startsWith(`${key}=`) ? seg.slice(key.length + 1) : undefined);
  const p = { provider: value(parts[0]!, 'provider'), waba: value(parts[1]!, 'waba'), kind: value(parts[2]!, 'kind'), month: value(parts[3]!, 'month') };
  try {
    const c = checkPartition(p as Partition);
    return parts[4] === monthFileName(c) ? c : undefined;
  } catch {
    return undefined;
  }
}

/** The month (YYYY-MM) of a UTC instant. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}
