/**
 * Month files as Parquet bytes: written with hyparquet-writer and read with hyparquet (pure
 * JavaScript: no native module, so the extension runs in remote and browser-served VS Code too).
 * A file carries its schema version and what it covers in its key-value metadata.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ArchiveError } from './errors';
import type { Partition } from './layout';
import type { ArchiveRow, CountColumn, DimensionColumn, MoneyColumn } from './schema';
import { ARCHIVE_SCHEMA_VERSION, COLUMN_ORDER, COUNT_COLUMNS, DIMENSION_COLUMNS, MONEY_COLUMNS, parquetSchema } from './schema';

/** Key-value metadata keys. */
export const META_VERSION_KEY = 'waba_archive.schema_version';
export const META_KEY = 'waba_archive.meta';

/** What a day of a month file holds, per scope: `*` for a whole-WABA kind, a template id for templates. */
export interface DayState {
  /** ISO time the day was fetched. */
  fetchedAt: string;
  /** Fetched after the kind's settle window: never fetched again. */
  final: boolean;
}

export interface MonthMeta extends Partition {
  schemaVersion: number;
  /** Days covered (YYYY-MM-DD), each with its scopes. A covered day without rows had no data. */
  days: Record<string, Record<string, DayState>>;
  /** The settle window used to decide `final`, in days. */
  settleDays: number;
  /** ISO time of the write. */
  writtenAt: string;
}

export interface MonthFile {
  meta: MonthMeta;
  rows: ArchiveRow[];
}

/** The whole-WABA scope of a day. */
export const ALL_SCOPE = '*';

/** `statistics: false` leaves out the column statistics (min/max), which only engines' pruning reads (reused query days: src/archive/reuse.ts). */
export function encodeMonth(file: MonthFile, options: { statistics?: boolean } = {}): Uint8Array {
  const rows = file.rows;
  const col = (name: string, data: unknown[]) => ({ name, data });
  const columns = [
    col('day', rows.map((r) => BigInt(r.day))),
    ...DIMENSION_COLUMNS.map((d) => col(d, rows.map((r) => r.dims[d] ?? null))),
    ...COUNT_COLUMNS.map((m) => col(m, rows.map((r) => (r.metrics[m] === undefined ? null : BigInt(r.metrics[m]!))))),
    ...MONEY_COLUMNS.map((m) => col(m, rows.map((r) => r.metrics[m] ?? null))),
    col('currency', rows.map((r) => r.currency)),
    col('extra', rows.map((r) => (r.extra ? JSON.stringify(r.extra) : null))),
  ];
  // The columns holding a value in some row: a reader of this tool reads only these (the others are all null).
  const used = new Set<string>();
  for (const r of rows) {
    for (const k in r.dims) used.add(k);
    for (const k in r.metrics) used.add(k);
    if (r.currency !== null) used.add('currency');
    if (r.extra) used.add('extra');
  }
  const meta = { ...file.meta, schemaVersion: ARCHIVE_SCHEMA_VERSION, columns: COLUMN_ORDER.filter((c) => used.has(c)) };
  const buf = parquetWriteBuffer({
    // hyparquet's column and schema types are wider than what we pass; the shapes are checked by the tests.
    columnData: columns as never,
    schema: parquetSchema() as never,
    kvMetadata: [
      { key: META_VERSION_KEY, value: String(ARCHIVE_SCHEMA_VERSION) },
      { key: META_KEY, value: JSON.stringify(meta) },
    ],
    createdBy: 'waba-analytics archive',
    ...(options.statistics === false ? { statistics: false } : {}),
  });
  return new Uint8Array(buf);
}

function num(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkMeta(raw: unknown, name: string): MonthMeta {
  const foreign = (why: string) => new ArchiveError('foreign', `${name} is not an archive month file of this tool (${why}).`, { file: name, hint: 'Move it out of the archive folder.' });
  if (!isRecord(raw)) throw foreign('its archive metadata is not an object');
  const m = raw as Partial<MonthMeta>;
  if (typeof m.provider !== 'string' || typeof m.waba !== 'string' || typeof m.kind !== 'string' || typeof m.month !== 'string') throw foreign('its metadata names no partition');
  if (!isRecord(m.days)) throw foreign('its metadata has no days');
  for (const [day, scopes] of Object.entries(m.days)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !isRecord(scopes)) throw foreign(`day "${day.slice(0, 12)}" is not a day`);
    for (const s of Object.values(scopes)) if (!isRecord(s) || typeof s.fetchedAt !== 'string' || typeof s.final !== 'boolean') throw foreign(`day ${day} has no fetch state`);
  }
  return { ...(m as MonthMeta), settleDays: typeof m.settleDays === 'number' ? m.settleDays : 0 };
}

/**
 * Parse a month file. Throws an ArchiveError naming `name`: `corrupt` (not Parquet, or cut
 * short), `foreign` (no archive metadata, other columns), `newer-schema`.
 */
export async function decodeMonth(bytes: Uint8Array, name: string): Promise<MonthFile> {
  const c = await decodeMonthColumns(bytes, name);
  return { meta: c.meta, rows: rowsOfColumns(c, name) };
}

/** A month file's columns as decoded (no object per row): the columns that hold a value somewhere, by kind. */
export interface MonthColumns {
  meta: MonthMeta;
  count: number;
  day: unknown[];
  currency: unknown[];
  extra: unknown[];
  dims: Array<readonly [DimensionColumn, unknown[]]>;
  metrics: Array<readonly [CountColumn | MoneyColumn, unknown[]]>;
}

/** The day of row `i` (epoch ms); throws a `corrupt` ArchiveError when it has none. */
export function dayAt(c: MonthColumns, i: number, name: string): number {
  const raw = c.day[i];
  const day = raw instanceof Date ? raw.getTime() : num(raw);
  if (day === undefined || !Number.isFinite(day)) throw new ArchiveError('corrupt', `${name} has a row without a day.`, { file: name, hint: 'Delete it and sync again.' });
  return day;
}

/** The `extra` JSON of row `i`, when it has a readable one. */
export function extraAt(c: MonthColumns, i: number): ArchiveRow['extra'] | undefined {
  const extra = c.extra[i];
  if (typeof extra !== 'string') return undefined;
  try {
    const x = JSON.parse(extra) as ArchiveRow['extra'];
    return isRecord(x) ? x : undefined;
  } catch {
    return undefined; // an unreadable extra is dropped
  }
}

export function rowsOfColumns(c: MonthColumns, name: string): ArchiveRow[] {
  const rows: ArchiveRow[] = new Array<ArchiveRow>(c.count);
  for (let i = 0; i < c.count; i++) {
    const currency = c.currency[i];
    const row: ArchiveRow = { day: dayAt(c, i, name), currency: typeof currency === 'string' ? currency : null, dims: {}, metrics: {} };
    for (const [d, col] of c.dims) if (typeof col[i] === 'string') row.dims[d] = col[i] as string;
    for (const [m, col] of c.metrics) {
      const v = num(col[i]);
      if (v !== undefined) row.metrics[m] = v;
    }
    const extra = extraAt(c, i);
    if (extra) row.extra = extra;
    rows[i] = row;
  }
  return rows;
}

/** Parse a month file into its columns; throws like decodeMonth. */
export async function decodeMonthColumns(bytes: Uint8Array, name: string): Promise<MonthColumns> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let md: ReturnType<typeof parquetMetadata>;
  try {
    md = parquetMetadata(ab);
  } catch (e) {
    throw new ArchiveError('corrupt', `${name} is not a readable Parquet file (${(e as Error).message}).`, { file: name, hint: 'Delete it (the next sync fetches what the API still has) or move it away.', cause: e });
  }
  const kv = new Map((md.key_value_metadata ?? []).map((e) => [e.key, e.value]));
  const version = Number(kv.get(META_VERSION_KEY));
  if (!kv.has(META_VERSION_KEY) || !Number.isInteger(version)) throw new ArchiveError('foreign', `${name} is a Parquet file without archive metadata; this tool did not write it.`, { file: name, hint: 'Move it out of the archive folder.' });
  if (version > ARCHIVE_SCHEMA_VERSION) {
    throw new ArchiveError('newer-schema', `${name} was written with archive schema version ${version}; this version reads up to ${ARCHIVE_SCHEMA_VERSION}.`, { file: name, hint: 'Update waba-analytics.' });
  }
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(kv.get(META_KEY) ?? 'null');
  } catch {
    metaJson = null;
  }
  const meta = checkMeta(metaJson, name);
  const names = md.schema.slice(1).map((s) => s.name);
  if (names.join(',') !== COLUMN_ORDER.join(',')) throw new ArchiveError('foreign', `${name} has other columns than the archive schema ${version}.`, { file: name, hint: 'Move it out of the archive folder.' });
  // Column by column (no object per row from the reader); timestamps as epoch ms, not Date objects.
  const count = Number(md.num_rows);
  const columns = new Map<string, unknown[]>();
  // A file that names the columns holding values (encodeMonth's `columns`) is read for those only: the others are null.
  const listed = (metaJson as { columns?: unknown }).columns;
  const only = Array.isArray(listed) && listed.every((c) => typeof c === 'string' && COLUMN_ORDER.includes(c)) ? ['day', ...(listed as string[]).filter((c) => c !== 'day')] : undefined;
  try {
    await parquetRead({
      file: ab,
      metadata: md,
      ...(only ? { columns: only } : {}),
      parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
      onChunk: (c) => {
        let col = columns.get(c.columnName);
        if (!col) columns.set(c.columnName, (col = new Array<unknown>(count).fill(null)));
        const data = c.columnData;
        for (let i = 0; i < data.length && c.rowStart + i < count; i++) col[c.rowStart + i] = data[i];
      },
    });
  } catch (e) {
    throw new ArchiveError('corrupt', `${name} could not be read (${(e as Error).message}).`, { file: name, hint: 'Delete it (the next sync fetches what the API still has) or move it away.', cause: e });
  }
  const none: unknown[] = [];
  const col = (c: string) => columns.get(c) ?? none;
  const hasValue = (c: unknown[]) => c.some((v) => v !== null && v !== undefined);
  return {
    meta: { ...meta, schemaVersion: version },
    count,
    day: col('day'),
    currency: col('currency'),
    extra: col('extra'),
    // Only the columns that hold a value somewhere are looked at row by row.
    dims: DIMENSION_COLUMNS.map((d) => [d, col(d)] as const).filter(([, c]) => hasValue(c)),
    metrics: [...COUNT_COLUMNS, ...MONEY_COLUMNS].map((m) => [m, col(m)] as const).filter(([, c]) => hasValue(c)),
  };
}
