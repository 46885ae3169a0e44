/**
 * Running a query: validate -> plan -> fetch units concurrently (bounded) -> merge into one
 * NormalizedResult. Points are attributed to the window holding their start, so nothing is
 * doubled or dropped at window edges.
 */
import { checkAnswer, redactRaw } from './answerChecks';
import { mapLimit } from './concurrency';
import { WabaError, describeError } from './errors';
import { DAY, HALF_HOUR } from './dates';
import { planQuery, splitByPages } from './plan';
import type { FetchOptions, Provider, QueryUnit, UnitResult } from './provider';
import type { ResolvedQuery } from './query';
import { previousPeriod, resolveQuery } from './query';
import type { Granularity, Point, QueryRun, WabaInfo } from './types';
import { WarningSet } from './warnings';

export interface RunOptions {
  signal?: AbortSignal;
  /** Keep the raw response bodies (for export). */
  keepRaw?: boolean;
  /** Units fetched at once (default 4). The HTTP client's own limit still applies. */
  concurrency?: number;
  now?: number;
  /** Known WABA details (currency, timezone); fetched when needed and not given. */
  waba?: WabaInfo;
  /** Fetch the WABA's currency when the result has costs and `waba` was not given (default true). */
  resolveCurrency?: boolean;
  /**
   * Keep what was fetched when some units fail: the run resolves with `partial: true` and a warning
   * naming the failure, instead of rejecting. Cancellation always rejects.
   */
  allowPartial?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Also fetch the previous period of the same length (same filters), in the same run: it rides
   * along as `previous` / `previousRange`, its requests counted in `requests`. A previous period
   * that cannot be fetched (beyond the lookback, failed) leaves a `comparison.unavailable` warning.
   */
  compare?: boolean;
}

const COST_KINDS = new Set(['pricing', 'conversation', 'template', 'calls', 'template-groups']);

/** Start instants, parsed once per distinct string (a HALF_HOUR answer repeats each start per combination). */
function startParser(): (p: Point) => number {
  const cache = new Map<string, number>();
  return (p) => {
    let t = cache.get(p.start);
    if (t === undefined) {
      t = Date.parse(p.start);
      cache.set(p.start, t);
    }
    return t;
  };
}

/** Whether the query can return costs, which need the currency: every metric, or COST among them. */
function costAsked(query: ResolvedQuery['query']): boolean {
  if (!COST_KINDS.has(query.kind)) return false;
  const asked = 'metricTypes' in query ? query.metricTypes : undefined;
  return !asked || asked.length === 0 || asked.includes('COST' as never);
}

const BUCKET_MS: Partial<Record<Granularity, number>> = { HALF_HOUR: HALF_HOUR, DAILY: DAY };

/**
 * One unit, every page. A field answer of several pages is fetched by several cursor chains at
 * once when its first page allows windows sized to whole pages (plan.ts `splitByPages`): the
 * same number of requests as one chain, in a fraction of the time when each page takes a round
 * trip. Otherwise the one chain is followed from where the first page left it.
 */
async function fetchPaged(provider: Provider, unit: QueryUnit, options: FetchOptions, concurrency: number, asked: Asked): Promise<UnitResult> {
  const q = unit.query;
  const bucketMs = BUCKET_MS[q.granularity];
  if (q.kind === 'template' || q.kind === 'template-groups' || q.kind === 'groups' || !bucketMs || concurrency < 2) return provider.fetchUnit(unit, options);
  const first = await provider.fetchUnit(unit, { ...options, maxPages: 1 });
  if (!first.next) return first;
  const parse = startParser();
  const split = splitByPages(unit, first.points.map(parse), {
    bucketMs,
    dimensions: 'dimensions' in q && !!q.dimensions?.length,
    maxWindows: concurrency,
  });
  if (!split) {
    const rest = await provider.fetchUnit(unit, { ...options, from: first.next });
    return combine([first, rest], [{ startMs: unit.startMs, endMs: unit.endMs }], parse, asked);
  }
  const windows = split.windows.map((w) => ({ ...unit, startMs: w.startMs, endMs: w.endMs }));
  const parts = await mapLimit(windows, concurrency, (w, _i, signal) => provider.fetchUnit(w, { ...options, signal }), options.signal);
  return combine([first, ...parts], [{ startMs: unit.startMs, endMs: split.keepBeforeMs }, ...split.windows], parse, asked);
}

/** The asked range: a point outside it is left to the answer checks, which count and drop it. */
interface Asked {
  startMs: number;
  endMs: number;
}

/**
 * Results of consecutive parts as one: with `bounds`, each part keeps only the points whose start
 * lies inside its bounds (so nothing is doubled or dropped at window edges: a bucket another
 * window also answers is not a repeat); without, all points. A point whose start lies outside the
 * whole asked range is kept, for the answer checks to count and drop it (never silently).
 */
function combine(parts: UnitResult[], bounds: Array<{ startMs: number; endMs: number }> | undefined, start: (p: Point) => number, asked?: Asked): UnitResult {
  const points: Point[] = [];
  const warnings = new WarningSet();
  const raw: unknown[] = [];
  let requests = 0;
  parts.forEach((r, i) => {
    if (!bounds) {
      for (const p of r.points) points.push(p);
    } else {
      const { startMs, endMs } = bounds[Math.min(i, bounds.length - 1)]!;
      for (const p of r.points) {
        const t = start(p);
        if ((t >= startMs && t < endMs) || (asked && (t < asked.startMs || t >= asked.endMs))) points.push(p);
      }
    }
    warnings.addAll(r.warnings);
    if (r.raw) raw.push(...r.raw);
    requests += r.requests;
  });
  const out: UnitResult = { points, warnings: warnings.list(), requests };
  const timezone = parts.find((r) => r.timezone)?.timezone;
  const currency = parts.find((r) => r.currency)?.currency;
  if (timezone) out.timezone = timezone;
  if (currency) out.currency = currency;
  if (parts.some((r) => r.raw)) out.raw = raw;
  return out;
}

export async function runQuery(provider: Provider, input: unknown, options: RunOptions = {}): Promise<QueryRun> {
  if (!options.compare) return runOne(provider, input, options);
  const now = options.now ?? Date.now();
  const resolved = resolveQuery(input, provider.capabilities, now);
  const range = previousPeriod(resolved.query.from, resolved.query.to);
  const previousInput = { ...resolved.query, ...range };
  let unavailable: string | undefined;
  try {
    resolveQuery(previousInput, provider.capabilities, now);
  } catch (e) {
    unavailable = `The previous period (${range.from} to ${range.to}) cannot be asked for: ${describeError(e)}`;
  }
  // Both periods at once; progress counts the requests of both.
  const report = bothPeriodsProgress(options.onProgress);
  const [current, previous] = await Promise.all([
    runOne(provider, input, { ...options, now, onProgress: report(0) }),
    unavailable
      ? Promise.resolve(undefined)
      : runOne(provider, previousInput, { ...options, now, keepRaw: false, onProgress: report(1) }).catch((e: unknown) => {
          if (options.signal?.aborted || (e instanceof WabaError && e.kind === 'cancelled')) throw e;
          unavailable = `The previous period (${range.from} to ${range.to}) could not be fetched: ${describeError(e)}`;
          return undefined;
        }),
  ]);
  return withPreviousPeriod(current, previous, range, unavailable);
}

/** Progress of a run and its previous period at once: `report(i)` for run i (0 or 1) reports the sums of both. */
export function bothPeriodsProgress(onProgress: RunOptions['onProgress']): (i: number) => (done: number, total: number) => void {
  const progress = [0, 0];
  const totals = [0, 0];
  return (i) => (done, total) => {
    progress[i] = done;
    totals[i] = total;
    onProgress?.(progress[0]! + progress[1]!, totals[0]! + totals[1]!);
  };
}

/**
 * The run with its previous period attached (`previous`, `previousRange`, the requests of both); a
 * previous period missing (`unavailable` says why) or incomplete is a `comparison.unavailable` warning.
 */
export function withPreviousPeriod(current: QueryRun, previous: QueryRun | undefined, range: { from: string; to: string }, unavailable: string | undefined): QueryRun {
  const out: QueryRun = { ...current, previousRange: range, requests: current.requests + (previous?.requests ?? 0) };
  if (previous) out.previous = { ...previous.result, ...(previous.result.currency || !current.result.currency ? {} : { currency: current.result.currency }) };
  if (previous?.partial) unavailable = `The previous period (${range.from} to ${range.to}) is incomplete: some of its requests failed.`;
  if (unavailable) out.result = { ...current.result, warnings: [...current.result.warnings, { code: 'comparison.unavailable', message: unavailable }] };
  return out;
}

async function runOne(provider: Provider, input: unknown, options: RunOptions): Promise<QueryRun> {
  const resolved: ResolvedQuery = resolveQuery(input, provider.capabilities, options.now ?? Date.now());
  provider.validate?.(resolved.query);
  const caps = provider.capabilities[resolved.query.kind]!;
  const units = planQuery(resolved, caps);
  let done = 0;
  options.onProgress?.(0, units.length);
  const failures: Array<{ unit: QueryUnit; error: WabaError }> = [];
  const asked: Asked = { startMs: resolved.startMs, endMs: resolved.endMs };
  const concurrency = options.concurrency ?? 4;
  const fetchOne = async (unit: QueryUnit, _i: number, signal: AbortSignal): Promise<UnitResult | undefined> => {
    try {
      return await fetchPaged(provider, unit, { signal, keepRaw: options.keepRaw }, concurrency, asked);
    } catch (e) {
      const err = e instanceof WabaError ? e : new WabaError('network', describeError(e), { provider: provider.id, cause: e });
      if (!options.allowPartial || err.kind === 'cancelled' || options.signal?.aborted) throw err;
      failures.push({ unit, error: err });
      return undefined;
    } finally {
      options.onProgress?.(++done, units.length);
    }
  };
  const results = await mapLimit(units, concurrency, fetchOne, options.signal);

  if (failures.length === units.length && failures[0]) throw failures[0].error;

  const multiWindow = new Set(units.map((u) => u.startMs)).size > 1;
  const fetched = units.flatMap((u, i) => (results[i] ? [{ unit: u, result: results[i]! }] : []));
  const merged = combine(
    fetched.map((f) => f.result),
    multiWindow ? fetched.map((f) => f.unit) : undefined,
    startParser(),
    asked,
  );
  const points = merged.points;
  const warnings = new WarningSet();
  warnings.addAll(resolved.warnings);
  warnings.addAll(merged.warnings);
  // Raw bodies kept for export: a credential echoed by the server is masked here already.
  const rawChecked = redactRaw(merged.raw ?? []);
  const raw = rawChecked.raw;
  if (rawChecked.changed) warnings.add('answer.redacted', 'A credential echoed in the raw response bodies was masked.');
  const timezone = merged.timezone;
  let currency = merged.currency;

  if (failures.length) {
    const first = failures[0]!;
    warnings.add(
      'result.partial',
      `Partial result: ${failures.length} of ${units.length} requests failed (first: ${first.error.message}). The data shown is incomplete; run the query again to fetch the rest.`,
    );
  }

  let requests = merged.requests;
  let waba = options.waba;
  if (!currency && !waba && options.resolveCurrency !== false && costAsked(resolved.query)) {
    try {
      requests++;
      waba = await provider.getWaba(resolved.query.wabaId, options.signal);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      warnings.add('cost.currency-unknown', `The currency of WABA ${resolved.query.wabaId} could not be read (${describeError(e)}); costs are shown without it.`);
    }
  }
  currency ??= waba?.currency;

  // The answer checked against the question, once: out of range, repeated, impossible, echoed credentials.
  const result = checkAnswer(
    {
      provider: provider.id,
      kind: resolved.query.kind,
      wabaId: resolved.query.wabaId,
      granularity: resolved.query.granularity,
      timezone: timezone ?? 'UTC',
      ...(currency ? { currency } : {}),
      points,
      warnings: warnings.list(),
    },
    { granularity: resolved.query.granularity, kind: resolved.query.kind, startMs: resolved.startMs, endMs: resolved.endMs },
  );
  return {
    result,
    ...(options.keepRaw ? { raw } : {}),
    requests,
    partial: failures.length > 0,
  };
}
