/**
 * Answering a query from the history archive: the days the archive holds (final, or beyond the
 * API's lookback) are read from it — filtered, grouped by the asked dimensions, summed — and only
 * the other days are fetched with the core's runQuery, one query per run of consecutive days.
 * The answer equals the API's for the same days, point for point (test/unit/archive/answer.test.ts
 * checks it against the sandbox); a range beyond the lookback is answered where the archive has
 * the days, with an `archive.beyond-lookback` warning, instead of an error. `sources` says which
 * days came from where.
 *
 * Answered from the archive: DAILY and MONTHLY queries of pricing and conversation (any
 * dimensions, any filters), of messaging (the WABA's totals, or some phone numbers: summed from
 * `messaging_phone`), and of templates (any ids and metrics; not with productType or
 * useWabaTimezone). Anything else (HALF_HOUR, messaging by product type or country...) goes to the
 * API as before, with `sources` saying so.
 */
import { DAY, formatIsoDate, startOfDayUtc } from '../core/dates';
import { WabaError, describeError } from '../core/errors';
import type { Provider } from '../core/provider';
import type { ProviderCapabilities, Query } from '../core/query';
import { previousPeriod, resolveQuery } from '../core/query';
import type { RunOptions } from '../core/run';
import { bothPeriodsProgress, runQuery, withPreviousPeriod } from '../core/run';
import type { SettleDays } from './reuse';
import { PiecedRun, runReusing } from './reuse';
import type { ButtonClicks, DaySource, Kind, Point, QueryRun } from '../core/types';
import { CONVERSATION_TYPES, CONVERSATION_TYPE_ANSWERS, DIMENSIONS, providerLabel } from '../core/vocabulary';
import type { Partition } from './layout';
import { monthFileRel, monthOf } from './layout';
import type { DayState, MonthFile } from './parquet';
import { ALL_SCOPE } from './parquet';
import { archiveKindsOf, rowsToPoints, runsOf } from './rows';
import type { ArchiveKind, ArchiveRow } from './schema';
import { readMonthFile, scopeOfRow } from './store';

export interface ArchiveAnswerOptions extends RunOptions {
  /** The archive folder. */
  root: string;
  /**
   * Keep the final days of what is fetched in the archive folder and read them back next time
   * (src/archive/reuse.ts; default true): final days are never fetched twice.
   */
  reuse?: boolean;
  /** Settle windows of the reused days (default: the archive's). */
  settleDays?: SettleDays;
  /** Write the reused days after answering (src/archive/reuse.ts `writeBehind`). */
  writeBehind?: boolean;
}

/** A query filter and the answer dimension it selects on (values as the answer writes them). */
const FILTER_DIMS: Record<string, { dim: string; value?: (v: string) => string }> = {
  phoneNumbers: { dim: 'phone_number' },
  countryCodes: { dim: 'country' },
  pricingTypes: { dim: 'pricing_type' },
  pricingCategories: { dim: 'pricing_category' },
  tiers: { dim: 'tier' },
  conversationCategories: { dim: 'conversation_category' },
  // The filter says FREE_ENTRY, the answer FREE_ENTRY_POINT (vocabulary.ts).
  conversationTypes: { dim: 'conversation_type', value: (v) => CONVERSATION_TYPE_ANSWERS[(CONVERSATION_TYPES as readonly string[]).indexOf(v)] ?? v },
  conversationDirections: { dim: 'conversation_direction' },
  templateIds: { dim: 'template_id' },
};

/** The metric type (query's `metricTypes`) of each answer metric; others are their own name in capitals. */
const METRIC_TYPE: Record<string, string> = { amount_spent: 'COST', cost_per_delivered: 'COST', cost_per_url_button_click: 'COST' };

/** Ratios: recomputed from the summed metrics when points are combined, never averaged. */
const RATIOS: Record<string, (m: Record<string, number>, clicks: ButtonClicks[] | undefined) => number | undefined> = {
  cost_per_delivered: (m) => (m.amount_spent !== undefined && m.delivered ? m.amount_spent / m.delivered : undefined),
  cost_per_url_button_click: (m, clicks) => {
    const url = (clicks ?? []).filter((c) => c.type === 'url_button').reduce((n, c) => n + c.count, 0);
    return m.amount_spent !== undefined && url ? m.amount_spent / url : undefined;
  },
};

/** What the archive can answer of a query: the dimensions to group by and the filters; undefined: the API only. */
interface ArchivePlan {
  archiveKinds: ArchiveKind[];
  /** Answer dimension names to group by (templates: every dimension of the point). */
  groupBy: string[] | 'all';
  filters: Array<{ dim: string; values: Set<string> }>;
  metricTypes?: Set<string>;
  /** Template ids: every one must be held for a day to come from the archive. */
  scopes: string[];
}

function planOf(q: Query): ArchivePlan | undefined {
  if (q.granularity !== 'DAILY' && q.granularity !== 'MONTHLY') return undefined;
  if (!/^\d{1,32}$/.test(q.wabaId)) return undefined;
  const filters: ArchivePlan['filters'] = [];
  let metricTypes: Set<string> | undefined;
  let groupBy: ArchivePlan['groupBy'] = [];
  for (const [key, value] of Object.entries(q)) {
    if (['provider', 'wabaId', 'from', 'to', 'granularity', 'kind'].includes(key)) continue;
    const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
    if (empty) continue;
    if (key === 'dimensions') {
      groupBy = (value as string[]).map((d) => DIMENSIONS[d]?.answer ?? d.toLowerCase());
    } else if (key === 'metricTypes') {
      metricTypes = new Set(value as string[]);
    } else if (FILTER_DIMS[key] && (q.kind !== 'messaging' || key === 'phoneNumbers')) {
      const f = FILTER_DIMS[key]!;
      filters.push({ dim: f.dim, values: new Set((value as Array<string | number>).map((v) => (f.value ? f.value(String(v)) : String(v)))) });
    } else {
      // A filter the archive cannot apply (messaging per product type or country, template product type or timezone).
      return undefined;
    }
  }
  if (q.kind === 'template') groupBy = 'all';
  // Messaging of some numbers: the archive's per-number kind, each number a scope (their sum is the answer).
  const phones = q.kind === 'messaging' && q.phoneNumbers?.length ? [...new Set(q.phoneNumbers)] : undefined;
  return {
    archiveKinds: phones ? ['messaging_phone'] : archiveKindsOf(q.kind),
    groupBy,
    filters,
    ...(metricTypes ? { metricTypes } : {}),
    scopes: q.kind === 'template' ? q.templateIds : (phones ?? [ALL_SCOPE]),
  };
}

/** Capabilities without a lookback: the query is checked for everything else. */
function withoutLookback(caps: ProviderCapabilities): ProviderCapabilities {
  const out: ProviderCapabilities = {};
  for (const [k, c] of Object.entries(caps)) if (c) out[k as Kind] = { ...c, lookbackDays: 1_000_000 };
  return out;
}

/** A key of dimension values (names sorted; separators no value holds). */
const dimsKey = (dims: Record<string, string>) =>
  Object.keys(dims)
    .sort()
    .map((d) => `${d}\u0001${dims[d]}`)
    .join('\u0002');

/** Decimals of a number as written (so a sum of 4-decimal costs is rounded back to 4 decimals). */
function decimals(x: number): number {
  const s = String(x);
  const e = s.match(/e-(\d+)$/);
  if (e) return Math.min(15, Number(e[1]) + (s.split('e')[0]!.split('.')[1]?.length ?? 0));
  return s.split('.')[1]?.length ?? 0;
}

/** Points of the same bucket and dimensions as one: counts and money summed, ratios recomputed, clicks summed by button. */
function combine(points: Point[], start: string, end: string, dims: Record<string, string>): Point {
  if (points.length === 1 && points[0]!.start === start && points[0]!.end === end) return { ...points[0]!, dims };
  const metrics: Record<string, number> = {};
  const places: Record<string, number> = {};
  let clicks: ButtonClicks[] | undefined;
  const clickIndex = new Map<string, ButtonClicks>();
  for (const p of points) {
    for (const [m, v] of Object.entries(p.metrics)) {
      if (RATIOS[m]) continue;
      metrics[m] = (metrics[m] ?? 0) + v;
      places[m] = Math.max(places[m] ?? 0, decimals(v));
    }
    if (p.clicks) {
      clicks ??= [];
      for (const c of p.clicks) {
        const k = `${c.type}\u0000${c.button_content}`;
        const have = clickIndex.get(k);
        if (have) have.count += c.count;
        else {
          const copy = { ...c };
          clickIndex.set(k, copy);
          clicks.push(copy);
        }
      }
    }
  }
  // Float noise of the sum removed: a sum has no more decimals than its addends.
  for (const m of Object.keys(metrics)) if (places[m]! > 0) metrics[m] = Number(metrics[m]!.toFixed(places[m]));
  for (const [m, ratio] of Object.entries(RATIOS)) {
    if (!points.some((p) => p.metrics[m] !== undefined)) continue;
    const v = ratio(metrics, clicks);
    if (v !== undefined) metrics[m] = v;
  }
  return { start, end, dims, metrics, ...(clicks ? { clicks } : {}) };
}

/** Points of `kind` grouped into buckets: by `bucketOf(start)` and the kept dimensions. */
function group(points: Point[], bucketOf: (p: Point) => { start: string; end: string }, keep: (dims: Record<string, string>) => Record<string, string>): Point[] {
  const groups = new Map<string, { start: string; end: string; dims: Record<string, string>; points: Point[] }>();
  for (const p of points) {
    const b = bucketOf(p);
    const dims = keep(p.dims);
    const key = `${b.start}\u0000${dimsKey(dims)}`;
    const g = groups.get(key) ?? { ...b, dims, points: [] };
    g.points.push(p);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => combine(g.points, g.start, g.end, g.dims));
}

function selectMetrics(p: Point, plan: ArchivePlan): Point {
  if (!plan.metricTypes) return p;
  const metrics: Record<string, number> = {};
  for (const [m, v] of Object.entries(p.metrics)) if (plan.metricTypes.has(METRIC_TYPE[m] ?? m.toUpperCase())) metrics[m] = v;
  const out: Point = { start: p.start, end: p.end, dims: p.dims, metrics };
  if (p.clicks && plan.metricTypes.has('CLICKED')) out.clicks = p.clicks;
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function sortPoints(points: Point[]): Point[] {
  // Each point's key made once (the comparator runs n log n times).
  const keys = new Map<Point, string>();
  const k = (p: Point) => {
    let key = keys.get(p);
    if (key === undefined) keys.set(p, (key = dimsKey(p.dims)));
    return key;
  };
  return points.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

/**
 * Run a query with the archive at `options.root`: the days it holds come from it, the rest from
 * the API. Resolves like runQuery, with `sources`. Throws like runQuery when a day it needs is
 * neither in the archive nor within the API's lookback and the archive holds none of the range.
 */
export async function answerWithArchive(provider: Provider, input: unknown, options: ArchiveAnswerOptions): Promise<QueryRun> {
  if (!options.compare) return answerOne(provider, input, options);
  // With `compare`: the previous period of the same length, answered the same way (archive first).
  const now = options.now ?? Date.now();
  const q = resolveQuery(input, withoutLookback(provider.capabilities), now).query;
  const range = previousPeriod(q.from, q.to);
  // Both periods at once (as runQuery does); progress counts the requests of both.
  const report = bothPeriodsProgress(options.onProgress);
  let unavailable: string | undefined;
  const [current, previous] = await Promise.all([
    answerOne(provider, input, { ...options, now, onProgress: report(0) }),
    answerOne(provider, { ...q, ...range }, { ...options, now, keepRaw: false, onProgress: report(1) }).catch((e: unknown) => {
      if (options.signal?.aborted || (e instanceof WabaError && e.kind === 'cancelled')) throw e;
      unavailable = `The previous period (${range.from} to ${range.to}) could not be answered: ${describeError(e)}`;
      return undefined;
    }),
  ]);
  return withPreviousPeriod(current, previous, range, unavailable);
}

async function answerOne(provider: Provider, input: unknown, options: ArchiveAnswerOptions): Promise<QueryRun> {
  const { root, compare: _compare, reuse, settleDays, writeBehind, ...runOptions } = options;
  const now = options.now ?? Date.now();
  // The API's days: through the store of final days (keyed on the query without its range), unless turned off.
  const fetch = (q: unknown, o: RunOptions): Promise<QueryRun> => (reuse === false ? runQuery(provider, q, o) : runReusing(provider, q, { ...o, root, ...(settleDays !== undefined ? { settleDays } : {}), ...(writeBehind ? { writeBehind } : {}) }));
  const resolved = resolveQuery(input, withoutLookback(provider.capabilities), now);
  const q = resolved.query;
  const firstDay = resolved.startMs;
  const lastDay = startOfDayUtc(resolved.endMs - 1);
  const allDays: number[] = [];
  for (let d = firstDay; d <= lastDay; d += DAY) allDays.push(d);
  const apiOnly = async (): Promise<QueryRun> => {
    const run = await fetch(input, { ...runOptions, now });
    return { ...run, sources: [{ from: formatIsoDate(firstDay), to: formatIsoDate(lastDay), source: 'api' }] };
  };
  const plan = planOf(q);
  if (!plan) return apiOnly();

  const caps = provider.capabilities[q.kind]!;
  const today = startOfDayUtc(now);
  const earliest = today - caps.lookbackDays * DAY;
  const acc = new PiecedRun();
  const warnings = acc.warnings;
  warnings.addAll(resolved.warnings);

  // The month files of the range, per archive kind; a bad file leaves its days to the API.
  const months = new Map<string, Partial<Record<ArchiveKind, MonthFile>>>();
  const bad = new Set<string>();
  for (const month of new Set(allDays.filter((d) => d < today).map(monthOf))) {
    const held: Partial<Record<ArchiveKind, MonthFile>> = {};
    for (const ak of plan.archiveKinds) {
      const p: Partition = { provider: provider.id, waba: q.wabaId, kind: ak, month };
      try {
        const m = await readMonthFile(root, p);
        if (m) held[ak] = m;
      } catch (e) {
        bad.add(month);
        warnings.add('archive.unreadable', `${monthFileRel(p)} of the history archive could not be read (${e instanceof Error ? e.message : String(e)}); its days were asked from the API.`);
      }
    }
    if (!bad.has(month)) months.set(month, held);
  }
  const mainKind = plan.archiveKinds[0]!;
  const stateOf = (d: number, scope: string): DayState | undefined => months.get(monthOf(d))?.[mainKind]?.meta.days[formatIsoDate(d)]?.[scope];
  const sourceOf = (d: number): 'archive' | 'api' | 'missing' => {
    const held = d < today && plan.scopes.every((s) => {
      const st = stateOf(d, s);
      // A day not yet final is asked again while the API still has it.
      return st && (st.final || d < earliest);
    });
    if (held) return 'archive';
    return d >= earliest ? 'api' : 'missing';
  };
  const runs = runsOf(allDays, sourceOf);
  if (!runs.some((r) => r.value === 'archive')) return apiOnly();

  // The archive's days: rows of those days, as points, filtered and grouped per day.
  const archiveDays = new Set(runs.filter((r) => r.value === 'archive').flatMap((r) => allDays.filter((d) => d >= r.from && d <= r.to)));
  const rows: Partial<Record<ArchiveKind, ArchiveRow[]>> = {};
  const costAsked = q.kind !== 'messaging' && (!plan.metricTypes || plan.metricTypes.has('COST'));
  for (const held of months.values()) {
    for (const ak of plan.archiveKinds) {
      for (const r of held[ak]?.rows ?? []) {
        if (!archiveDays.has(r.day) || !plan.scopes.includes(scopeOfRow(ak)(r))) continue;
        // Per-number messaging rows are messaging points.
        (rows[ak === 'messaging_phone' ? 'messaging' : ak] ??= []).push(r);
        // As runQuery: a currency only with costs (the archive keeps it on every row).
        if (costAsked) acc.currency ??= r.currency ?? undefined;
      }
    }
  }
  const keep = (dims: Record<string, string>): Record<string, string> => {
    if (plan.groupBy === 'all') return dims;
    const out: Record<string, string> = {};
    for (const d of plan.groupBy) if (dims[d] !== undefined) out[d] = dims[d]!;
    return out;
  };
  const matching = rowsToPoints(q.kind, rows).filter((p) => plan.filters.every((f) => p.dims[f.dim] !== undefined && f.values.has(p.dims[f.dim]!)));
  const fromArchive = group(matching, (p) => ({ start: p.start, end: p.end }), keep).map((p) => selectMetrics(p, plan));

  // The other days from the API, one query per run (MONTHLY: as days, summed into months below).
  for (const p of fromArchive) acc.points.push(p);
  for (const r of runs) {
    if (r.value !== 'api') continue;
    const to = r.to === lastDay ? q.to : formatIsoDate(r.to);
    const run = await fetch({ ...q, from: formatIsoDate(r.from), to, granularity: q.granularity === 'MONTHLY' ? 'DAILY' : q.granularity }, { ...runOptions, now });
    acc.addRun(run, true);
  }
  const beyond = runs.filter((r) => r.value === 'archive' && r.from < earliest);
  if (beyond.length) {
    const last = Math.min(beyond[beyond.length - 1]!.to, earliest - DAY);
    warnings.add(
      'archive.beyond-lookback',
      `${formatIsoDate(beyond[0]!.from)} – ${formatIsoDate(last)} lie beyond the ${caps.lookbackDays} days ${providerLabel(provider.id)} keeps; they come from the history archive.`,
    );
  }
  const missing = runs.filter((r) => r.value === 'missing');
  if (missing.length) {
    warnings.add(
      'archive.days-missing',
      `${missing.map((r) => (r.from === r.to ? formatIsoDate(r.from) : `${formatIsoDate(r.from)} – ${formatIsoDate(r.to)}`)).join(', ')}: not in the history archive and beyond the ${caps.lookbackDays} days the API keeps; left out.`,
    );
  }

  const points = acc.points;
  let out = points;
  if (q.granularity === 'MONTHLY') {
    // Month buckets as the API makes them: cut to the asked range, the last one ending where the
    // API's last day ends (Meta: now; Vonage: the end of today).
    const monthOfPoint = (p: Point) => {
      const t = new Date(Date.parse(p.start));
      return [Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1), Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)] as const;
    };
    const lastEnd = new Map<number, number>();
    for (const p of points) {
      const [m, next] = monthOfPoint(p);
      lastEnd.set(m, Math.max(lastEnd.get(m) ?? 0, Math.min(Date.parse(p.end), next)));
    }
    const bucketOf = (p: Point) => {
      const [m, next] = monthOfPoint(p);
      return { start: iso(Math.max(m, resolved.startMs)), end: iso(Math.max(Math.min(next, resolved.endMs), lastEnd.get(m)!)) };
    };
    out = group(points, bucketOf, (d) => d);
  }
  const result = acc.result(provider.id, q, sortPoints(out));
  const sources: DaySource[] = runs.filter((r) => r.value !== 'missing').map((r) => ({ from: formatIsoDate(r.from), to: formatIsoDate(r.to), source: r.value as 'archive' | 'api' }));
  return { result, ...(options.keepRaw ? { raw: acc.raw } : {}), requests: acc.requests, partial: acc.partial, sources };
}

export { describeSources } from './sources';
