/**
 * Sync: keep every day the APIs will forget. For each WABA and kind, the days from the kind's
 * lookback (or `since`) through yesterday (UTC) that the archive lacks or holds only as not yet
 * final are fetched with the core's runQuery, at DAILY with the finest breakdown one request
 * allows, and written into their month files atomically, under the archive's lock. Final days
 * are never fetched again, so a second run sends only the requests of the not-yet-final days.
 */
import { DAY, formatIsoDate, parseIsoDate, startOfDayUtc } from '../core/dates';
import { WabaError, describeError } from '../core/errors';
import { collectTemplates } from '../core/listing';
import type { Provider } from '../core/provider';
import { CONVERSATION_DIMENSIONS, PRICING_DIMENSIONS } from '../core/query';
import { runQuery } from '../core/run';
import type { Kind, WabaInfo } from '../core/types';
import type { Warning } from '../core/warnings';
import { warning } from '../core/warnings';
import { KINDS } from '../core/types';
import type { AtomicWriteOptions } from './atomic';
import { cleanTemps } from './atomic';
import { ArchiveError, problemOf } from './errors';
import type { ArchiveProblem } from './errors';
import type { Partition } from './layout';
import { checkWabaId, monthFileRel, monthOf } from './layout';
import type { LockInfo, LockOptions } from './lock';
import { acquireLock } from './lock';
import type { DayState, MonthFile } from './parquet';
import { ALL_SCOPE } from './parquet';
import { DEFAULT_SETTLE_DAYS, archiveKindsOf, isFinal, resultToRows, runsOf } from './rows';
import type { ArchiveKind } from './schema';
import { mergeMonth, readMonthFile, scopeOfRow, writeMonthFile } from './store';

export interface SyncOptions {
  /** The archive folder (created when missing). */
  root: string;
  provider: Provider;
  wabaIds: string[];
  /** Default: every kind the provider offers. */
  kinds?: Kind[];
  /** The clock (epoch ms); default Date.now(). Also the time recorded as each day's fetch time. */
  now?: number;
  /** First day wanted (YYYY-MM-DD); never earlier than the kind's lookback. Default: the lookback. */
  since?: string;
  /** Last day wanted (YYYY-MM-DD); default and latest: yesterday (UTC). */
  through?: string;
  /** Days after a day's end before it is final, per archive kind (DEFAULT_SETTLE_DAYS otherwise). */
  settleDays?: Partial<Record<ArchiveKind, number>>;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** Requests of one query at once (runQuery's concurrency; default 4). */
  concurrency?: number;
  lock?: LockOptions;
  /** Tests: passed to each month file's atomic write. */
  write?: AtomicWriteOptions;
}

export interface SyncProgress {
  /** `start` before a query is sent, `done` after it ended (written, or failed). */
  phase: 'start' | 'done';
  /** Queries done so far, and planned in all. */
  done: number;
  total: number;
  waba: string;
  kind: Kind;
  /** The range of the query starting now (or just done), YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  /** Template ids of the query, for templates. */
  templates?: number;
  /** The phone number (digits), for messaging per number. */
  phone?: string;
}

/** One query of the plan. */
export interface SyncTask {
  waba: string;
  kind: Kind;
  /** Inclusive UTC days. */
  from: string;
  to: string;
  /** For templates: the ids (scopes) fetched. */
  templateIds?: string[];
  /** Messaging of one phone number (its digits), kept as `messaging_phone`. */
  phone?: string;
}

export interface SyncKindReport {
  waba: string;
  kind: Kind;
  /** Days (per scope) fetched, and those of them now final. */
  daysFetched: number;
  daysFinal: number;
  /** Queries and requests sent for this kind. */
  queries: number;
  requests: number;
  /** Month files written (relative). */
  files: string[];
  /** Why this kind stopped early, when it did (the others went on). */
  error?: { message: string; kind: string };
  /** Why this kind was not synced at all, when that is no failure (template analytics with insights off). */
  skipped?: Warning;
}

export interface SyncReport {
  /** Every request sent: analytics, WABA details, template listings. */
  requests: number;
  kinds: SyncKindReport[];
  /** Files that could not be read (their days were neither fetched nor written). */
  problems: ArchiveProblem[];
  /** What was skipped without failing (codes of src/core/warnings.ts), e.g. `archive.insights-off`. */
  warnings: Warning[];
  /** Temp files of killed writes, removed. */
  cleanedTemps: string[];
  /** A stale lock of a process that no longer ran, taken over. */
  tookOverLock?: LockInfo;
  tasks: SyncTask[];
}

const COST_KINDS: ReadonlySet<Kind> = new Set(['pricing', 'conversation', 'template']);

/** The finest breakdown one request of a kind allows (every dimension the provider accepts). */
export function finestQuery(provider: Provider, kind: Kind): Record<string, unknown> {
  const caps = provider.capabilities[kind];
  const dims = caps?.filters.includes('dimensions');
  if (kind === 'pricing' && dims) return { dimensions: [...PRICING_DIMENSIONS] };
  if (kind === 'conversation' && dims) return { dimensions: [...CONVERSATION_DIMENSIONS] };
  return {};
}

function days(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let d = fromMs; d <= toMs; d += DAY) out.push(d);
  return out;
}

/** Consecutive runs of sorted day instants, as [first, last] pairs. */
const spansOf = (sorted: number[]): Array<[number, number]> => runsOf(sorted, () => true).map((r) => [r.from, r.to]);

function cancelled(): WabaError {
  return new WabaError('cancelled', 'The sync was cancelled; the days written so far are kept.', { hint: 'Sync again to go on.' });
}

interface KindPlan {
  waba: string;
  kind: Kind;
  tasks: SyncTask[];
  /** Month files already read (by month), reused when writing. */
  months: Map<string, MonthFile | undefined>;
  /** The same for messaging_phone. */
  phoneMonths: Map<string, MonthFile | undefined>;
  report: SyncKindReport;
}

const archivable = (provider: Provider, k: Kind) => !!provider.capabilities[k]?.granularities.includes('DAILY') && archiveKindsOf(k).length > 0;

/** A kind asked for by name that the archive cannot keep is refused, never skipped in silence. */
export function checkArchivableKinds(provider: Provider, kinds: readonly Kind[]): void {
  const refused = kinds.filter((k) => !archivable(provider, k));
  if (refused.length) {
    throw new WabaError('input', `The history archive does not keep ${refused.join(', ')} yet.`, {
      hint: `Leave ${refused.length > 1 ? 'them' : 'it'} out of --kinds; the archive keeps ${KINDS.filter((k) => archivable(provider, k)).join(', ')}.`,
    });
  }
}

/** Sync the archive at `root`; resolves with what was done. Throws only on cancellation or when the lock is held. */
export async function syncArchive(options: SyncOptions): Promise<SyncReport> {
  const { provider, root, signal } = options;
  const now = options.now ?? Date.now();
  const wabaIds = [...new Set(options.wabaIds.map((w) => checkWabaId(w)))];
  // Only the kinds the archive stores (calls, template groups and WhatsApp groups are not archived yet).
  checkArchivableKinds(provider, options.kinds ?? []);
  const kinds = (options.kinds ?? [...KINDS]).filter((k) => archivable(provider, k));
  const settle = (k: ArchiveKind) => options.settleDays?.[k] ?? DEFAULT_SETTLE_DAYS[k];
  const today = startOfDayUtc(now);
  const yesterday = today - DAY;
  const sinceMs = options.since !== undefined ? parseIsoDate(options.since) : undefined;
  const throughMs = options.through !== undefined ? parseIsoDate(options.through) : undefined;
  if ((options.since !== undefined && sinceMs === undefined) || (options.through !== undefined && throughMs === undefined)) {
    throw new WabaError('input', 'The sync range must be given as days written YYYY-MM-DD.', { hint: 'Fix --since/--through.' });
  }
  if (signal?.aborted) throw cancelled();

  const lock = await acquireLock(root, options.lock);
  const report: SyncReport = { requests: 0, kinds: [], problems: [], warnings: [], cleanedTemps: [], tasks: [] };
  const skipInsightsOff = (kr: SyncKindReport) => {
    kr.skipped = warning('archive.insights-off', `skipped template analytics for WABA ${kr.waba}: insights are off`);
    report.warnings.push(kr.skipped);
  };
  if (lock.tookOver) report.tookOverLock = lock.tookOver;
  try {
    report.cleanedTemps = await cleanTemps(root);
    const plans: KindPlan[] = [];
    const wabaInfo = new Map<string, WabaInfo | undefined>();
    for (const waba of wabaIds) {
      if (kinds.some((k) => COST_KINDS.has(k))) {
        try {
          report.requests++;
          wabaInfo.set(waba, await provider.getWaba(waba, signal));
        } catch {
          if (signal?.aborted) throw cancelled();
          // Costs are then kept without a currency; each kind still runs (and fails on its own if the WABA is unreachable).
          wabaInfo.set(waba, undefined);
        }
      }
      for (const kind of kinds) {
        if (signal?.aborted) throw cancelled();
        const caps = provider.capabilities[kind]!;
        const kr: SyncKindReport = { waba, kind, daysFetched: 0, daysFinal: 0, queries: 0, requests: 0, files: [] };
        report.kinds.push(kr);
        const earliest = Math.max(today - caps.lookbackDays * DAY, sinceMs ?? -Infinity);
        const last = Math.min(yesterday, throughMs ?? Infinity);
        const plan: KindPlan = { waba, kind, tasks: [], months: new Map(), phoneMonths: new Map(), report: kr };
        plans.push(plan);
        if (last < earliest) continue;
        const wanted = days(earliest, last);
        // The coverage of every month of the range, from the kind's main archive file.
        const main = archiveKindsOf(kind)[0]!;
        // A month file that cannot be read is a problem of the report, and its days are left alone (blocked).
        const readMonths = async (ak: ArchiveKind, into: Map<string, MonthFile | undefined>): Promise<Set<string>> => {
          const blocked = new Set<string>();
          for (const month of new Set(wanted.map(monthOf))) {
            const p: Partition = { provider: provider.id, waba, kind: ak, month };
            try {
              into.set(month, await readMonthFile(root, p));
            } catch (e) {
              report.problems.push(problemOf(e, monthFileRel(p)));
              blocked.add(month);
            }
          }
          return blocked;
        };
        const blocked = await readMonths(main, plan.months);
        const stateOf = (d: number, scope: string): DayState | undefined => plan.months.get(monthOf(d))?.meta.days[formatIsoDate(d)]?.[scope];
        const open = wanted.filter((d) => !blocked.has(monthOf(d)));
        if (kind === 'template' && wabaInfo.get(waba)?.insightsEnabled === false) {
          // Not a failure of the sync: the WABA has no template analytics to keep.
          skipInsightsOff(kr);
          continue;
        }
        if (kind === 'template') {
          let templateIds: string[];
          try {
            let pages = 0;
            const counting = { id: provider.id, listTemplates: (w: string, o?: Parameters<Provider['listTemplates']>[1]) => (pages++, provider.listTemplates(w, o)) };
            try {
              templateIds = (await collectTemplates(counting, waba, { signal })).map((t) => t.id);
            } finally {
              report.requests += pages;
            }
          } catch (e) {
            if (signal?.aborted) throw cancelled();
            kr.error = { message: describeError(e), kind: e instanceof WabaError ? e.kind : 'network' };
            continue;
          }
          // Templates needing the same days share queries (the plan batches their ids by the provider's maximum).
          const groups = new Map<string, { ids: string[]; days: number[] }>();
          for (const id of templateIds) {
            const need = open.filter((d) => !stateOf(d, id)?.final);
            if (!need.length) continue;
            const key = need.join(',');
            const g = groups.get(key) ?? { ids: [], days: need };
            g.ids.push(id);
            groups.set(key, g);
          }
          for (const g of groups.values()) {
            for (const [a, b] of spansOf(g.days)) plan.tasks.push({ waba, kind, from: formatIsoDate(a), to: formatIsoDate(b), templateIds: g.ids });
          }
        } else {
          const need = open.filter((d) => !stateOf(d, ALL_SCOPE)?.final);
          for (const [a, b] of spansOf(need)) plan.tasks.push({ waba, kind, from: formatIsoDate(a), to: formatIsoDate(b) });
          if (kind === 'messaging' && caps.filters.includes('phoneNumbers')) {
            // Messaging per phone number: one query per number (the API does not break messaging down by number).
            let phones: string[];
            try {
              report.requests++;
              phones = [...new Set((await provider.listPhoneNumbers(waba, signal)).map((p) => p.displayPhoneNumber.replace(/\D/g, '')).filter((d) => /^\d{4,20}$/.test(d)))];
            } catch (e) {
              if (signal?.aborted) throw cancelled();
              kr.error = { message: `The phone numbers could not be listed: ${describeError(e)}`, kind: e instanceof WabaError ? e.kind : 'network' };
              continue;
            }
            const phoneBlocked = await readMonths('messaging_phone', plan.phoneMonths);
            const phoneState = (d: number, phone: string): DayState | undefined => plan.phoneMonths.get(monthOf(d))?.meta.days[formatIsoDate(d)]?.[phone];
            for (const phone of phones) {
              const needPhone = wanted.filter((d) => !phoneBlocked.has(monthOf(d)) && !phoneState(d, phone)?.final);
              for (const [a, b] of spansOf(needPhone)) plan.tasks.push({ waba, kind, from: formatIsoDate(a), to: formatIsoDate(b), phone });
            }
          }
        }
      }
    }

    const total = plans.reduce((n, p) => n + p.tasks.length, 0);
    let done = 0;
    for (const plan of plans) {
      const kr = plan.report;
      for (const task of plan.tasks) {
        if (signal?.aborted) throw cancelled();
        report.tasks.push(task);
        const progress = { total, waba: task.waba, kind: task.kind, from: task.from, to: task.to, ...(task.templateIds ? { templates: task.templateIds.length } : {}), ...(task.phone ? { phone: task.phone } : {}) };
        options.onProgress?.({ phase: 'start', done, ...progress });
        try {
          const waba = wabaInfo.get(plan.waba);
          const run = await runQuery(
            provider,
            {
              kind: task.kind,
              provider: provider.id,
              wabaId: task.waba,
              from: task.from,
              to: task.to,
              granularity: 'DAILY',
              ...finestQuery(provider, task.kind),
              ...(task.templateIds ? { templateIds: task.templateIds } : {}),
              ...(task.phone ? { phoneNumbers: [task.phone] } : {}),
            },
            { now, signal, ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(waba ? { waba } : { resolveCurrency: false }) },
          );
          kr.queries++;
          kr.requests += run.requests;
          report.requests += run.requests;
          await writeTask(options, plan, task, run.result, now, settle, kr);
        } catch (e) {
          if (signal?.aborted || (e instanceof WabaError && e.kind === 'cancelled')) throw e instanceof WabaError && e.kind === 'cancelled' ? e : cancelled();
          if (e instanceof WabaError && e.reason === 'insights-disabled') {
            skipInsightsOff(kr);
            break;
          }
          kr.error = { message: describeError(e), kind: e instanceof ArchiveError ? e.code : e instanceof WabaError ? e.kind : 'network' };
          if (e instanceof ArchiveError && e.file) report.problems.push(problemOf(e, e.file));
          break; // the kind's later ranges wait for the next sync
        } finally {
          done++;
        }
        options.onProgress?.({ phase: 'done', done, ...progress });
      }
    }
    return report;
  } finally {
    await lock.release();
  }
}

/** Write what one query brought into the month files of its archive kinds. */
async function writeTask(
  options: SyncOptions,
  plan: KindPlan,
  task: SyncTask,
  result: Parameters<typeof resultToRows>[0],
  now: number,
  settle: (k: ArchiveKind) => number,
  kr: SyncKindReport,
): Promise<void> {
  const rowsByKind = resultToRows(result);
  if (task.phone) rowsByKind.messaging_phone = (rowsByKind.messaging ?? []).map((r) => ({ ...r, dims: { ...r.dims, phone_number: task.phone! } }));
  const scopes = task.templateIds ?? (task.phone ? [task.phone] : [ALL_SCOPE]);
  const fetched = days(parseIsoDate(task.from)!, parseIsoDate(task.to)!);
  const fetchedAt = new Date(now).toISOString();
  const archiveKinds: ArchiveKind[] = task.phone ? ['messaging_phone'] : archiveKindsOf(task.kind);
  const cache = task.phone ? plan.phoneMonths : plan.months;
  for (const month of new Set(fetched.map(monthOf))) {
    const monthDays = fetched.filter((d) => monthOf(d) === month);
    for (const ak of archiveKinds) {
      const p: Partition = { provider: options.provider.id, waba: task.waba, kind: ak, month };
      const settleDays = settle(ak);
      const dayStates: Record<string, Record<string, DayState>> = {};
      for (const d of monthDays) {
        const state: DayState = { fetchedAt, final: isFinal(d, now, settleDays) };
        dayStates[formatIsoDate(d)] = Object.fromEntries(scopes.map((s) => [s, state]));
      }
      const base = ak === archiveKinds[0] ? cache.get(month) : await readMonthFile(options.root, p);
      const rows = (rowsByKind[ak] ?? []).filter((r) => monthOf(r.day) === month);
      const merged = mergeMonth(base, p, { days: dayStates, rows, scopeOf: scopeOfRow(ak) }, settleDays, now);
      await writeMonthFile(options.root, merged, options.write);
      if (ak === archiveKinds[0]) cache.set(month, merged);
      const rel = monthFileRel(p);
      if (!kr.files.includes(rel)) kr.files.push(rel);
    }
    kr.daysFetched += monthDays.length * scopes.length;
    kr.daysFinal += monthDays.filter((d) => isFinal(d, now, settle(archiveKinds[0]!))).length * scopes.length;
  }
}
