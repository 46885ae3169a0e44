/**
 * Running a query: validate -> plan -> fetch units concurrently (bounded) -> merge into one
 * NormalizedResult. Points are attributed to the window holding their start, so nothing is
 * doubled or dropped at window edges.
 */
import { mapLimit } from './concurrency';
import { WabaError, describeError } from './errors';
import { DAY, HALF_HOUR } from './dates';
import { planQuery, splitByPages } from './plan';
import type { FetchOptions, Provider, QueryUnit, UnitResult } from './provider';
import type { ResolvedQuery } from './query';
import { resolveQuery } from './query';
import type { Granularity, Point, QueryRun, WabaInfo } from './types';

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
}

const COST_KINDS = new Set(['pricing', 'conversation', 'template']);

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
async function fetchPaged(provider: Provider, unit: QueryUnit, options: FetchOptions, concurrency: number): Promise<UnitResult> {
  const q = unit.query;
  const bucketMs = BUCKET_MS[q.granularity];
  if (q.kind === 'template' || !bucketMs || concurrency < 2) return provider.fetchUnit(unit, options);
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
    return combine([first, rest], [{ startMs: unit.startMs, endMs: unit.endMs }], parse);
  }
  const windows = split.windows.map((w) => ({ ...unit, startMs: w.startMs, endMs: w.endMs }));
  const parts = await mapLimit(windows, concurrency, (w, _i, signal) => provider.fetchUnit(w, { ...options, signal }), options.signal);
  return combine([first, ...parts], [{ startMs: unit.startMs, endMs: split.keepBeforeMs }, ...split.windows], parse);
}

/**
 * Results of consecutive parts as one: with `bounds`, each part keeps only the points whose start
 * lies inside its bounds (so nothing is doubled or dropped at window edges); without, all points.
 */
function combine(parts: UnitResult[], bounds: Array<{ startMs: number; endMs: number }> | undefined, start: (p: Point) => number): UnitResult {
  const points: Point[] = [];
  const warnings = new Set<string>();
  const raw: unknown[] = [];
  let requests = 0;
  parts.forEach((r, i) => {
    if (!bounds) {
      for (const p of r.points) points.push(p);
    } else {
      const { startMs, endMs } = bounds[Math.min(i, bounds.length - 1)]!;
      for (const p of r.points) {
        const t = start(p);
        if (t >= startMs && t < endMs) points.push(p);
      }
    }
    for (const w of r.warnings) warnings.add(w);
    if (r.raw) raw.push(...r.raw);
    requests += r.requests;
  });
  const out: UnitResult = { points, warnings: [...warnings], requests };
  const timezone = parts.find((r) => r.timezone)?.timezone;
  const currency = parts.find((r) => r.currency)?.currency;
  if (timezone) out.timezone = timezone;
  if (currency) out.currency = currency;
  if (parts.some((r) => r.raw)) out.raw = raw;
  return out;
}

export async function runQuery(provider: Provider, input: unknown, options: RunOptions = {}): Promise<QueryRun> {
  const resolved: ResolvedQuery = resolveQuery(input, provider.capabilities, options.now ?? Date.now());
  provider.validate?.(resolved.query);
  const caps = provider.capabilities[resolved.query.kind]!;
  const units = planQuery(resolved, caps);
  let done = 0;
  options.onProgress?.(0, units.length);
  const failures: Array<{ unit: QueryUnit; error: WabaError }> = [];
  const concurrency = options.concurrency ?? 4;
  const fetchOne = async (unit: QueryUnit, _i: number, signal: AbortSignal): Promise<UnitResult | undefined> => {
    try {
      return await fetchPaged(provider, unit, { signal, keepRaw: options.keepRaw }, concurrency);
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
  );
  const points = merged.points;
  const warnings = new Set([...resolved.warnings, ...merged.warnings]);
  const raw = merged.raw ?? [];
  const timezone = merged.timezone;
  let currency = merged.currency;

  if (failures.length) {
    const first = failures[0]!;
    warnings.add(
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
      warnings.add(`The currency of WABA ${resolved.query.wabaId} could not be read (${describeError(e)}); costs are shown without it.`);
    }
  }
  currency ??= waba?.currency;

  const result = {
    provider: provider.id,
    kind: resolved.query.kind,
    wabaId: resolved.query.wabaId,
    granularity: resolved.query.granularity,
    timezone: timezone ?? 'UTC',
    ...(currency ? { currency } : {}),
    points,
    warnings: [...warnings],
  };
  return {
    result,
    ...(options.keepRaw ? { raw } : {}),
    requests,
    partial: failures.length > 0,
  };
}
