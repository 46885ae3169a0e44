/**
 * Running a query: validate -> plan -> fetch units concurrently (bounded) -> merge into one
 * NormalizedResult. Points are attributed to the window holding their start, so nothing is
 * doubled or dropped at window edges.
 */
import { mapLimit } from './concurrency';
import { WabaError, describeError } from './errors';
import { planQuery } from './plan';
import type { Provider, QueryUnit, UnitResult } from './provider';
import type { ResolvedQuery } from './query';
import { resolveQuery } from './query';
import type { Point, QueryRun, WabaInfo } from './types';

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

function pointStartMs(p: Point): number {
  return Date.parse(p.start);
}

export async function runQuery(provider: Provider, input: unknown, options: RunOptions = {}): Promise<QueryRun> {
  const resolved: ResolvedQuery = resolveQuery(input, provider.capabilities, options.now ?? Date.now());
  provider.validate?.(resolved.query);
  const caps = provider.capabilities[resolved.query.kind]!;
  const units = planQuery(resolved, caps);
  let done = 0;
  options.onProgress?.(0, units.length);
  const failures: Array<{ unit: QueryUnit; error: WabaError }> = [];
  const fetchOne = async (unit: QueryUnit, _i: number, signal: AbortSignal): Promise<UnitResult | undefined> => {
    try {
      return await provider.fetchUnit(unit, { signal, keepRaw: options.keepRaw });
    } catch (e) {
      const err = e instanceof WabaError ? e : new WabaError('network', describeError(e), { provider: provider.id, cause: e });
      if (!options.allowPartial || err.kind === 'cancelled' || options.signal?.aborted) throw err;
      failures.push({ unit, error: err });
      return undefined;
    } finally {
      options.onProgress?.(++done, units.length);
    }
  };
  const results = await mapLimit(units, options.concurrency ?? 4, fetchOne, options.signal);

  if (failures.length === units.length && failures[0]) throw failures[0].error;

  const multiWindow = new Set(units.map((u) => u.startMs)).size > 1;
  const points: Point[] = [];
  const warnings = new Set(resolved.warnings);
  const raw: unknown[] = [];
  let timezone: string | undefined;
  let currency: string | undefined;
  for (let i = 0; i < units.length; i++) {
    const r = results[i];
    if (!r) continue;
    const u = units[i]!;
    for (const w of r.warnings) warnings.add(w);
    if (r.raw) raw.push(...r.raw);
    timezone ??= r.timezone;
    currency ??= r.currency;
    if (multiWindow) {
      for (const p of r.points) {
        const t = pointStartMs(p);
        if (t >= u.startMs && t < u.endMs) points.push(p);
      }
    } else {
      for (const p of r.points) points.push(p);
    }
  }

  if (failures.length) {
    const first = failures[0]!;
    warnings.add(
      `Partial result: ${failures.length} of ${units.length} requests failed (first: ${first.error.message}). The data shown is incomplete; run the query again to fetch the rest.`,
    );
  }

  let requests = results.reduce((n, r) => n + (r?.requests ?? 0), 0);
  let waba = options.waba;
  if (!currency && !waba && options.resolveCurrency !== false && COST_KINDS.has(resolved.query.kind)) {
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
