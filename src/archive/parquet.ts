/**
 * Month files as Parquet bytes: written with hyparquet-writer and read with hyparquet (pure
 * JavaScript: no native module, so the extension runs in remote and browser-served VS Code too).
 * A file carries its schema version and what it covers in its key-value metadata.
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ArchiveError } from './errors';
import type { Partition } from './layout';
import type { ArchiveRow } from './schema';
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

export function encodeMonth(file: MonthFile): Uint8Array {
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
  const meta = { ...file.meta, schemaVersion: ARCHIVE_SCHEMA_VERSION };
  const buf = parquetWriteBuffer({
    // hyparquet's column and schema types are wider than what we pass; the shapes are checked by the tests.
    columnData: columns as never,
    schema: parquetSchema() as never,
    kvMetadata: [
      { key: META_VERSION_KEY, value: String(ARCHIVE_SCHEMA_VERSION) },
      { key: META_KEY, value: JSON.stringify(meta) },
    ],
    createdBy: 'waba-analytics archive',
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
  let objects: Array<Record<string, unknown>>;
  try {
    objects = (await parquetReadObjects({ file: ab, metadata: md })) as Array<Record<string, unknown>>;
  } catch (e) {
    throw new ArchiveError('corrupt', `${name} could not be read (${(e as Error).message}).`, { file: name, hint: 'Delete it (the next sync fetches what the API still has) or move it away.', cause: e });
  }
  const rows: ArchiveRow[] = objects.map((o) => {
    const day = o.day instanceof Date ? o.day.getTime() : num(o.day);
    if (day === undefined || !Number.isFinite(day)) throw new ArchiveError('corrupt', `${name} has a row without a day.`, { file: name, hint: 'Delete it and sync again.' });
    const row: ArchiveRow = { day, currency: typeof o.currency === 'string' ? o.currency : null, dims: {}, metrics: {} };
    for (const d of DIMENSION_COLUMNS) if (typeof o[d] === 'string') row.dims[d] = o[d] as string;
    for (const m of [...COUNT_COLUMNS, ...MONEY_COLUMNS]) {
      const v = num(o[m]);
      if (v !== undefined) row.metrics[m] = v;
    }
    if (typeof o.extra === 'string') {
      try {
        const x = JSON.parse(o.extra) as ArchiveRow['extra'];
        if (isRecord(x)) row.extra = x;
      } catch {
        /* an unreadable extra is dropped */
      }
    }
    return row;
  });
  return { meta: { ...meta, schemaVersion: version }, rows };
}
