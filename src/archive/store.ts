/**
 * Reading and writing an archive folder: one month file at a time (read, merge, replace
 * atomically), and a scan of the whole tree that reports each bad file by name and keeps going.
 */
import { promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';
import type { AtomicWriteOptions } from './atomic';
import { isTempName, writeFileAtomic } from './atomic';
import { ArchiveError, problemOf } from './errors';
import type { ArchiveProblem } from './errors';
import type { Partition } from './layout';
import { monthFilePath, monthFileRel, parseMonthFileRel } from './layout';
import { LOCK_NAME } from './lock';
import type { DayState, MonthFile } from './parquet';
import { ALL_SCOPE, decodeMonth, encodeMonth } from './parquet';
import type { ArchiveRow } from './schema';
import { ARCHIVE_SCHEMA_VERSION } from './schema';

/** The month file of a partition; undefined when there is none. Throws an ArchiveError naming a bad file. */
export async function readMonthFile(root: string, p: Partition): Promise<MonthFile | undefined> {
  const file = monthFilePath(root, p);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ArchiveError('io', `Could not read ${monthFileRel(p)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { file: monthFileRel(p), hint: 'Check the permissions of the archive folder.', cause: e });
  }
  const m = await decodeMonth(bytes, monthFileRel(p));
  if (m.meta.provider !== p.provider || m.meta.waba !== p.waba || m.meta.kind !== p.kind || m.meta.month !== p.month) {
    throw new ArchiveError('foreign', `${monthFileRel(p)} says it holds ${m.meta.provider}/${m.meta.waba}/${m.meta.kind}/${m.meta.month}, not what its path says.`, {
      file: monthFileRel(p),
      hint: 'Move it out of the archive folder.',
    });
  }
  return m;
}

/** Replace a partition's month file atomically (rows sorted by day, as written). */
export async function writeMonthFile(root: string, file: MonthFile, options: AtomicWriteOptions = {}): Promise<void> {
  const p: Partition = { provider: file.meta.provider, waba: file.meta.waba, kind: file.meta.kind, month: file.meta.month };
  const rows = [...file.rows].sort((a, b) => a.day - b.day);
  await writeFileAtomic(monthFilePath(root, p), encodeMonth({ meta: { ...file.meta, schemaVersion: ARCHIVE_SCHEMA_VERSION }, rows }), options);
}

/** What one fetch brings into a month: its days and scopes, and their rows. */
export interface MonthUpdate {
  /** Day (YYYY-MM-DD) -> scopes fetched (`*`, or template ids), each with its state. */
  days: Record<string, Record<string, DayState>>;
  rows: ArchiveRow[];
  /** How to tell a row's scope (template id for templates, `*` otherwise). */
  scopeOf: (r: ArchiveRow) => string;
}

const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A month with an update laid over it: rows of the fetched (day, scope) pairs are replaced by the
 * update's, everything else is kept; a final day is never replaced by a not-final one.
 */
export function mergeMonth(base: MonthFile | undefined, p: Partition, update: MonthUpdate, settleDays: number, now: number): MonthFile {
  const days: MonthFile['meta']['days'] = {};
  for (const [d, scopes] of Object.entries(base?.meta.days ?? {})) days[d] = { ...scopes };
  const replaced = new Set<string>();
  for (const [d, scopes] of Object.entries(update.days)) {
    for (const [s, state] of Object.entries(scopes)) {
      if (days[d]?.[s]?.final && !state.final) continue;
      (days[d] ??= {})[s] = state;
      replaced.add(`${d}\u0000${s}`);
    }
  }
  const keep = (base?.rows ?? []).filter((r) => !replaced.has(`${dayKey(r.day)}\u0000${update.scopeOf(r)}`));
  const incoming = update.rows.filter((r) => replaced.has(`${dayKey(r.day)}\u0000${update.scopeOf(r)}`));
  return {
    meta: { ...p, schemaVersion: ARCHIVE_SCHEMA_VERSION, days, settleDays, writtenAt: new Date(now).toISOString() },
    rows: [...keep, ...incoming],
  };
}

/** The scope of a row of an archive kind. */
export function scopeOfRow(kind: Partition['kind']): (r: ArchiveRow) => string {
  if (kind === 'template' || kind === 'template_clicks') return (r) => r.dims.template_id ?? ALL_SCOPE;
  // messaging_phone: one scope per phone number (its digits).
  if (kind === 'messaging_phone') return (r) => r.dims.phone_number ?? ALL_SCOPE;
  return () => ALL_SCOPE;
}

export interface ScannedFile {
  /** Relative to the root, forward slashes. */
  file: string;
  partition: Partition;
  month: MonthFile;
}

export interface ArchiveScan {
  files: ScannedFile[];
  /** Each file that could not be read, or does not belong, by name; the rest is in `files`. */
  problems: ArchiveProblem[];
}

/**
 * Read every month file of the archive (optionally only some partitions). A corrupt, foreign or
 * misplaced file is reported in `problems` by its relative name; it does not stop the scan.
 * Our temp files and the lock are skipped; other files are ignored unless they end in `.parquet`.
 */
export async function scanArchive(root: string, filter: (p: Partition) => boolean = () => true): Promise<ArchiveScan> {
  const out: ArchiveScan = { files: [], problems: [] };
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') out.problems.push(problemOf(e, rel || '.'));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (depth < 4) await walk(path.join(dir, e.name), r, depth + 1);
        continue;
      }
      if (isTempName(e.name) || (depth === 0 && e.name === LOCK_NAME)) continue;
      if (!e.name.endsWith('.parquet')) continue;
      const p = parseMonthFileRel(r);
      if (!p) {
        out.problems.push({ code: 'layout', file: r, message: `${r} is not where the archive layout puts a month file; it was not read.` });
        continue;
      }
      if (!filter(p)) continue;
      try {
        const month = await readMonthFile(root, p);
        if (month) out.files.push({ file: r, partition: p, month });
      } catch (err) {
        out.problems.push(problemOf(err, r));
      }
    }
  };
  await walk(path.resolve(root), '', 0);
  return out;
}
