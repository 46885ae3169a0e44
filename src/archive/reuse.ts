/**
 * Final days are never fetched twice. Any query run with an archive folder (CLI `--archive`, the
 * extension's archive folder) keeps the days of its answer that can no longer change, on disk,
 * keyed on the query without its range; the next run of the same query (any range) reads those
 * days back and fetches only the others, one runQuery per run of consecutive days. Every
 * granularity that falls into UTC days is kept: HALF_HOUR and DAILY (MONTHLY answers are built
 * from DAILY days by src/archive/answer.ts).
 *
 * One store: these files live in the archive folder, under `.queries/`, and are the archive's own
 * month files — the same Parquet columns, the same per-day fetch state (`DayState`), the same
 * "final" rule (`isFinal`, the kinds' settle windows of DEFAULT_SETTLE_DAYS) and the same atomic
 * writes. What differs is the partition: a query's shape (its hash) instead of the archive's
 * finest breakdown, because a HALF_HOUR or filtered answer cannot be rebuilt from the DAILY rows of
 * the warehouse table. They sit in a dot folder with their own file ending so that
 * `read_parquet('<archive>/**\/*.parquet')` never counts them twice:
 *
 *   <archive>/.queries/provider=<p>/waba=<id>/query=<hash>/month=<YYYY-MM>/<written-ms>-<random>.days.pq
 *
 * A month is a few segments, each written once with the days one run made final (so the next
 * morning writes one day, not its whole month again); a day held by two segments is taken from the
 * later fetch; past MAX_SEGMENTS a month is compacted into one segment.
 *
 * What is written: only days of a run that completed (not partial, not cancelled, no error), whose
 * answer passed the checks without a doubt (no dropped, repeated or impossible points, no masked
 * credential, a known currency), that are whole UTC days inside the asked range, and final by the
 * time they were fetched. Writing is best effort: a failure to write leaves the answer as it is.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { DAY, HALF_HOUR, formatIsoDate, startOfDayUtc } from '../core/dates';
import type { Provider } from '../core/provider';
import { resolveQuery } from '../core/query';
import type { Query } from '../core/query';
import { stableKey } from '../core/cache';
import type { RunOptions } from '../core/run';
import { runQuery } from '../core/run';
import type { Granularity, Kind, NormalizedResult, Point, ProviderId, QueryRun } from '../core/types';
import type { Warning, WarningCode } from '../core/warnings';
import { WarningSet } from '../core/warnings';
import { writeFileAtomic } from './atomic';
import { checkProvider, checkWabaId, monthOf } from './layout';
import type { DayState, MonthMeta } from './parquet';
import type { MonthColumns } from './parquet';
import { dayAt, decodeMonthColumns, encodeMonth, extraAt, rowsOfColumns } from './parquet';
import { DEFAULT_SETTLE_DAYS, isFinal, runsOf, splitDims, splitMetrics } from './rows';
import type { ArchiveRow } from './schema';
import { ARCHIVE_SCHEMA_VERSION } from './schema';

/** The folder of reused query days, inside the archive folder. */
export const REUSE_DIR = '.queries';
/** Their file ending: Parquet inside, but not `*.parquet`, so the warehouse globs skip them. */
export const REUSE_EXT = '.days.pq';

/** Settle windows: one number of days for every kind, or per kind. */
export type SettleDays = number | Partial<Record<Kind, number>>;

export interface ReuseOptions extends RunOptions {
  /** The archive folder. */
  root: string;
  /** Days after a day's end before it is final (default: the archive's, DEFAULT_SETTLE_DAYS). */
  settleDays?: SettleDays;
  /**
   * Write the final days after the answer is returned (the extension: the panel draws first);
   * `settledReuseWrites()` waits for them. Default: written before the answer is returned.
   */
  writeBehind?: boolean;
}

const pendingWrites = new Set<Promise<void>>();

/** Resolves when every write-behind of kept days has ended (tests, benchmarks, shutdown). */
export async function settledReuseWrites(): Promise<void> {
  while (pendingWrites.size) await Promise.all([...pendingWrites]);
}

function schedule(writeBehind: boolean | undefined, write: () => Promise<void>): Promise<void> {
  if (!writeBehind) return write();
  const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
    .then(write)
    .catch(() => undefined)
    .finally(() => pendingWrites.delete(p));
  pendingWrites.add(p);
  return Promise.resolve();
}

/** The settle window of a core kind: the archive's for its kinds; template groups like templates, calls and groups like pricing. */
export function settleDaysOf(kind: Kind, override?: SettleDays): number {
  if (typeof override === 'number') return override;
  const own = override?.[kind];
  if (own !== undefined) return own;
  if (kind === 'template' || kind === 'template-groups') return DEFAULT_SETTLE_DAYS.template;
  if (kind === 'messaging' || kind === 'conversation' || kind === 'pricing') return DEFAULT_SETTLE_DAYS[kind];
  return DEFAULT_SETTLE_DAYS.pricing;
}

const BUCKET: Partial<Record<Granularity, number>> = { HALF_HOUR, DAILY: DAY };

/** Warnings that make a run's days doubtful: never kept as final. */
const DOUBTFUL: ReadonlySet<WarningCode> = new Set<WarningCode>([
  'answer.out-of-range',
  'answer.duplicate-point',
  'answer.impossible-value',
  'answer.unknown-granularity',
  'answer.redacted',
  'result.partial',
  'cost.currency-unknown',
]);
/** Warnings about the data itself, kept with the days and given again when the days are read back. */
const ABOUT_DATA: ReadonlySet<WarningCode> = new Set<WarningCode>(['cost.unavailable', 'conversation.legacy', 'value.unknown', 'value.alias', 'answer.unknown-metric', 'timezone.missing']);

/** What a reuse file holds beyond an archive month's metadata. */
interface ReuseMeta extends Omit<MonthMeta, 'kind'> {
  kind: Kind;
  /** The query without its range (stableKey), checked on read: a hash collision is never an answer. */
  query: string;
  granularity: Granularity;
  timezone?: string;
  currency?: string;
  /** Warnings about the data of these days (ABOUT_DATA codes). */
  warnings?: Warning[];
}

/** The query without its range, in a stable form (arrays of values sorted: their order does not change the answer). */
export function reuseKey(q: Query): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (k === 'from' || k === 'to' || v === undefined) continue;
    rest[k] = Array.isArray(v) ? [...v].map(String).sort() : v;
  }
  return stableKey(rest);
}

/** Segments a month may have before it is compacted into one. */
export const MAX_SEGMENTS = 8;

function monthDir(root: string, q: Query, key: string, month: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  if (!/^\d{4}-\d{2}$/.test(month)) throw new Error('not a month');
  return path.join(path.resolve(root), REUSE_DIR, `provider=${checkProvider(q.provider)}`, `waba=${checkWabaId(q.wabaId)}`, `query=${hash}`, `month=${month}`);
}

/** Whether a query's answers fall into whole UTC days this store can keep. */
function reusable(q: Query, startMs: number, options: RunOptions): boolean {
  if (!BUCKET[q.granularity] || startMs % DAY !== 0) return false;
  // Raw bodies for export cannot be read back; days in the WABA's own timezone are not UTC days.
  if (options.keepRaw || ('useWabaTimezone' in q && q.useWabaTimezone)) return false;
  return /^\d{1,32}$/.test(q.wabaId);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** ISO texts of instants, made once each (a HALF_HOUR answer repeats each start per combination). */
function isoCache(): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    let s = cache.get(ms);
    if (s === undefined) cache.set(ms, (s = iso(ms)));
    return s;
  };
}

function pointToRow(p: Point, startMs: number, bucket: number, currency: string | undefined, isoOf: (ms: number) => string): ArchiveRow {
  const d = splitDims(p.dims);
  const m = splitMetrics(p.metrics);
  const row: ArchiveRow = { day: startMs, currency: currency ?? null, dims: d.dims, metrics: m.metrics };
  const extra: NonNullable<ArchiveRow['extra']> = {};
  if (d.extra) extra.dims = d.extra;
  if (m.extra) extra.metrics = m.extra;
  if (p.clicks) extra.clicks = p.clicks;
  if (p.start !== isoOf(startMs)) extra.start = p.start;
  if (p.end !== isoOf(startMs + bucket)) extra.end = p.end;
  if (Object.keys(extra).length) row.extra = extra;
  return row;
}

/** The point of row `i` of a segment's columns. */
function pointAt(c: MonthColumns, i: number, day: number, bucket: number, isoOf: (ms: number) => string): Point {
  const extra = extraAt(c, i);
  const dims: Record<string, string> = extra?.dims ? { ...extra.dims } : {};
  for (const [d, col] of c.dims) {
    const v = col[i];
    if (typeof v === 'string') dims[d] = v;
  }
  const metrics: Record<string, number> = extra?.metrics ? { ...extra.metrics } : {};
  for (const [m, col] of c.metrics) {
    const v = col[i];
    if (typeof v === 'number') metrics[m] = v;
    else if (typeof v === 'bigint') metrics[m] = Number(v);
  }
  const p: Point = { start: extra?.start ?? isoOf(day), end: extra?.end ?? isoOf(day + bucket), dims, metrics };
  if (extra?.clicks) p.clicks = extra.clicks.map((x) => ({ ...x }));
  return p;
}

interface Segment {
  file: string;
  meta: ReuseMeta;
  /** As decoded: points are made from the columns directly (no row objects in between). */
  cols: MonthColumns;
}

/** A month's segments, and for each day the segment that holds its latest fetch. */
interface MonthDays {
  segments: Segment[];
  days: Map<string, { state: DayState; segment: Segment }>;
}

async function readSegment(file: string, key: string): Promise<Segment | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return undefined;
  }
  try {
    const cols = await decodeMonthColumns(bytes, path.basename(file));
    const meta = cols.meta as unknown as ReuseMeta;
    // Another query's file (a hash collision) or a file of another version: not an answer.
    return meta.query === key ? { file, meta, cols } : undefined;
  } catch {
    // A damaged segment only costs requests: its days are fetched again.
    return undefined;
  }
}

async function readMonth(dir: string, key: string): Promise<MonthDays> {
  const out: MonthDays = { segments: [], days: new Map() };
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => n.endsWith(REUSE_EXT) && !n.startsWith('.')).sort()) {
    const seg = await readSegment(path.join(dir, name), key);
    if (!seg) continue;
    out.segments.push(seg);
    for (const [d, scopes] of Object.entries(seg.meta.days)) {
      const st = scopes['*'];
      const have = out.days.get(d);
      if (st && (!have || have.state.fetchedAt <= st.fetchedAt)) out.days.set(d, { state: st, segment: seg });
    }
  }
  return out;
}

/**
 * The pieces of one query's answer added up into one run: days read back (from the store of final
 * days or the history archive) and the API's runs of the other days, in the order added. The first
 * timezone found holds; an API run's currency wins over one read back.
 */
export class PiecedRun {
  readonly points: Point[] = [];
  readonly raw: unknown[] = [];
  readonly warnings = new WarningSet();
  requests = 0;
  partial = false;
  timezone: string | undefined;
  currency: string | undefined;

  /** An API run of some of the days (its raw bodies kept with `keepRaw`). */
  addRun(run: QueryRun, keepRaw = false): void {
    for (const p of run.result.points) this.points.push(p);
    this.warnings.addAll(run.result.warnings);
    if (keepRaw && run.raw) for (const b of run.raw) this.raw.push(b);
    this.requests += run.requests;
    this.partial ||= run.partial;
    this.timezone ??= run.result.timezone;
    if (run.result.currency) this.currency = run.result.currency;
  }

  /** The result of query `q` (the points added, or `points` made of them). */
  result(provider: ProviderId, q: Query, points: Point[] = this.points): NormalizedResult {
    return {
      provider,
      kind: q.kind,
      wabaId: q.wabaId,
      granularity: q.granularity,
      timezone: this.timezone ?? 'UTC',
      ...(this.currency ? { currency: this.currency } : {}),
      points,
      warnings: this.warnings.list(),
    };
  }
}

/**
 * Run a query like runQuery, reading back the final days an earlier run of the same query kept in
 * the archive folder, fetching the rest, and keeping the days that are final now. `sources` is not
 * set (all days are the API's answers; src/archive/answer.ts says where archive days came from).
 * Points come day by day (a kept day's points in the order the API gave them).
 */
export async function runReusing(provider: Provider, input: unknown, options: ReuseOptions): Promise<QueryRun> {
  const { root, settleDays, writeBehind, ...runOptions } = options;
  const now = options.now ?? Date.now();
  if (runOptions.compare) {
    // The previous period is its own query with its own days: src/archive/answer.ts asks for both through here.
    return runQuery(provider, input, { ...runOptions, now });
  }
  const resolved = resolveQuery(input, provider.capabilities, now);
  const q = resolved.query;
  if (!reusable(q, resolved.startMs, runOptions)) return runQuery(provider, input, { ...runOptions, now });
  const bucket = BUCKET[q.granularity]!;
  const key = reuseKey(q);
  const settle = settleDaysOf(q.kind, settleDays);
  const today = startOfDayUtc(now);
  const firstDay = resolved.startMs;
  const lastDay = startOfDayUtc(resolved.endMs - 1);
  const allDays: number[] = [];
  for (let d = firstDay; d <= lastDay; d += DAY) allDays.push(d);
  // A day is whole when the asked range covers it (the last may end at now).
  const whole = (d: number) => d + DAY <= resolved.endMs;

  const months = new Map<string, MonthDays>();
  for (const month of new Set(allDays.map(monthOf))) months.set(month, await readMonth(monthDir(root, q, key, month), key));
  // Each day of the range held final, and the segment holding it.
  const owner = new Map<number, Segment>();
  for (const d of allDays) {
    const held = months.get(monthOf(d))?.days.get(formatIsoDate(d));
    if (!held || d >= today || !whole(d)) continue;
    // Final by the settle window in force now (a longer window than the one written makes it not final).
    const at = Date.parse(held.state.fetchedAt);
    if (held.state.final && Number.isFinite(at) && isFinal(d, at, settle)) owner.set(d, held.segment);
  }
  const heldBy = (d: number): Segment | undefined => owner.get(d);
  const runs = runsOf(allDays, (d) => !!heldBy(d));
  if (!runs.some((r) => r.value)) {
    const run = await runQuery(provider, input, { ...runOptions, now });
    await schedule(writeBehind, () => keep(root, q, key, bucket, settle, now, months, [{ from: firstDay, to: lastDay, run }], whole));
    return run;
  }

  const acc = new PiecedRun();
  acc.warnings.addAll(resolved.warnings);
  // The kept days' points, by day, each from the segment holding its latest fetch.
  const keptPoints = new Map<number, Point[]>();
  const isoOf = isoCache();
  const used = new Set<Segment>();
  for (const d of allDays) {
    const seg = heldBy(d);
    if (!seg) continue;
    keptPoints.set(d, []);
    used.add(seg);
  }
  for (const seg of used) {
    const c = seg.cols;
    let day = NaN;
    let list: Point[] | undefined;
    for (let i = 0; i < c.count; i++) {
      const t = dayAt(c, i, seg.file);
      if (Number.isNaN(day) || t < day || t >= day + DAY) {
        day = startOfDayUtc(t);
        list = owner.get(day) === seg ? keptPoints.get(day) : undefined;
      }
      if (list) list.push(pointAt(c, i, t, bucket, isoOf));
    }
    acc.timezone ??= seg.meta.timezone;
    acc.currency ??= seg.meta.currency ?? (c.currency.find((x) => typeof x === 'string') as string | undefined);
    acc.warnings.addAll(seg.meta.warnings ?? []);
  }
  const fetched: Array<{ from: number; to: number; run: QueryRun }> = [];
  for (const r of runs) {
    if (r.value) {
      for (let d = r.from; d <= r.to; d += DAY) for (const p of keptPoints.get(d) ?? []) acc.points.push(p);
      continue;
    }
    const from = r.from === firstDay ? q.from : formatIsoDate(r.from);
    const to = r.to === lastDay ? q.to : formatIsoDate(r.to);
    const run = await runQuery(provider, { ...q, from, to }, { ...runOptions, now, ...(acc.currency && !runOptions.waba ? { resolveCurrency: false } : {}) });
    fetched.push({ from: r.from, to: r.to, run });
    acc.addRun(run);
  }
  await schedule(writeBehind, () => keep(root, q, key, bucket, settle, now, months, fetched, whole));
  return { result: acc.result(provider.id, q), requests: acc.requests, partial: acc.partial };
}

/** Keep the final, whole, undoubted days of completed runs. Best effort: a failure to write is not the query's. */
async function keep(
  root: string,
  q: Query,
  key: string,
  bucket: number,
  settle: number,
  now: number,
  months: Map<string, MonthDays>,
  fetched: Array<{ from: number; to: number; run: QueryRun }>,
  whole: (d: number) => boolean,
): Promise<void> {
  const fetchedAt = new Date(now).toISOString();
  const byMonth = new Map<string, { days: number[]; rows: ArchiveRow[]; warnings: Warning[]; timezone?: string; currency?: string }>();
  for (const { from, to, run } of fetched) {
    if (run.partial || run.result.warnings.some((w) => DOUBTFUL.has(w.code))) continue;
    const finalDays = new Set<number>();
    for (let d = from; d <= to; d += DAY) if (whole(d) && isFinal(d, now, settle)) finalDays.add(d);
    if (!finalDays.size) continue;
    const rowsByDay = new Map<number, ArchiveRow[]>();
    const isoOf = isoCache();
    const starts = new Map<string, number>();
    let clean = true;
    for (const p of run.result.points) {
      let t = starts.get(p.start);
      if (t === undefined) starts.set(p.start, (t = Date.parse(p.start)));
      const d = startOfDayUtc(t);
      if (!finalDays.has(d)) continue;
      // A point that does not sit in its bucket (a day in another timezone): these days are not kept.
      if (!Number.isFinite(t) || t % bucket !== 0) {
        clean = false;
        break;
      }
      const list = rowsByDay.get(d) ?? [];
      list.push(pointToRow(p, t, bucket, run.result.currency, isoOf));
      rowsByDay.set(d, list);
    }
    if (!clean) continue;
    const aboutData = run.result.warnings.filter((w) => ABOUT_DATA.has(w.code));
    for (const d of [...finalDays].sort((a, b) => a - b)) {
      const m = byMonth.get(monthOf(d)) ?? { days: [], rows: [], warnings: [] };
      m.days.push(d);
      for (const r of rowsByDay.get(d) ?? []) m.rows.push(r);
      m.warnings.push(...aboutData);
      if (run.result.timezone) m.timezone = run.result.timezone;
      if (run.result.currency) m.currency = run.result.currency;
      byMonth.set(monthOf(d), m);
    }
  }
  for (const [month, add] of byMonth) {
    try {
      const dir = monthDir(root, q, key, month);
      const days: Record<string, Record<string, DayState>> = {};
      for (const d of add.days) days[formatIsoDate(d)] = { '*': { fetchedAt, final: true } };
      const warnings = new WarningSet();
      warnings.addAll(add.warnings);
      await writeSegment(dir, q, key, month, settle, fetchedAt, days, add.rows, warnings.list(), add.timezone, add.currency);
      const old = months.get(month)?.segments ?? [];
      if (old.length + 1 > MAX_SEGMENTS) await compact(dir, q, key, month, settle, fetchedAt);
    } catch {
      /* best effort: the days are fetched again next time */
    }
  }
}

async function writeSegment(
  dir: string,
  q: Query,
  key: string,
  month: string,
  settle: number,
  writtenAt: string,
  days: Record<string, Record<string, DayState>>,
  rows: ArchiveRow[],
  warnings: Warning[],
  timezone: string | undefined,
  currency: string | undefined,
): Promise<string> {
  const meta: ReuseMeta = {
    provider: q.provider,
    waba: q.wabaId,
    kind: q.kind,
    month,
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    days,
    settleDays: settle,
    writtenAt,
    query: key,
    granularity: q.granularity,
    ...(timezone ? { timezone } : {}),
    ...(currency ? { currency } : {}),
    warnings,
  };
  const file = path.join(dir, `${String(Date.parse(writtenAt)).padStart(15, '0')}-${randomBytes(4).toString('hex')}${REUSE_EXT}`);
  await writeFileAtomic(file, encodeMonth({ meta: meta as unknown as MonthMeta, rows }, { statistics: false }));
  return file;
}

/** A month's segments as one: each day from its latest fetch; the old segments removed once the new one is in place. */
async function compact(dir: string, q: Query, key: string, month: string, settle: number, writtenAt: string): Promise<void> {
  const m = await readMonth(dir, key);
  if (m.segments.length <= 1) return;
  const days: Record<string, Record<string, DayState>> = {};
  const owner = new Map<number, Segment>();
  for (const [d, held] of m.days) {
    days[d] = { '*': held.state };
    owner.set(Date.parse(`${d}T00:00:00Z`), held.segment);
  }
  const rows: ArchiveRow[] = [];
  for (const seg of m.segments) for (const r of rowsOfColumns(seg.cols, seg.file)) if (owner.get(startOfDayUtc(r.day)) === seg) rows.push(r);
  rows.sort((a, b) => a.day - b.day);
  const warnings = new WarningSet();
  for (const seg of m.segments) warnings.addAll(seg.meta.warnings ?? []);
  const last = m.segments[m.segments.length - 1]!.meta;
  const file = await writeSegment(dir, q, key, month, settle, writtenAt, days, rows, warnings.list(), last.timezone, last.currency);
  for (const seg of m.segments) if (seg.file !== file) await fs.rm(seg.file, { force: true });
}
