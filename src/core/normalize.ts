/**
 * Shared pieces of normalization: zod failures as typed errors naming the field path, API times
 * as ISO UTC, and known enum values (an unknown one is kept and reported once as a warning).
 */
import type { z } from 'zod';
import { WabaError, providerName } from './errors';
import type { ProviderId } from './types';
import type { Warning, WarningCode } from './warnings';
import { WarningSet } from './warnings';
import { CLICK_TYPES, COST_TYPES, KNOWN_DIMENSION_VALUES, isKnownDimensionValue } from './vocabulary';

/** The known values live in ./vocabulary (one table with the query's filter enums); anything else is kept and warned about. */
export { KNOWN_DIMENSION_VALUES };
export const KNOWN_CLICK_TYPES: readonly string[] = CLICK_TYPES;
export const KNOWN_COST_TYPES: readonly string[] = COST_TYPES;

/** Format a zod issue path the way users read it: `data[0].data_points[3].start`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** The typed error for a body that does not fit its schema. */
export function shapeError(provider: ProviderId, endpoint: string, error: z.ZodError, root = ''): WabaError {
  const issue = error.issues[0];
  const path = issue ? formatPath(issue.path, root) : root || '(body)';
  const what = issue ? issue.message.replace(/^Invalid input: /, '') : 'unexpected shape';
  return new WabaError('response', `${providerName(provider)} ${endpoint} answered a body that does not fit at ${path}: ${what}`, {
    provider,
    endpoint,
    path,
    hint: 'The API may have changed; update the extension, or report the field named.',
  });
}

/** Parse with a zod schema or throw the typed shape error. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, provider: ProviderId, endpoint: string, root = ''): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw shapeError(provider, endpoint, r.error, root);
  return r.data;
}

/** Collects warnings once each (same code and message), and checks values against the known ones. */
export class Warnings {
  private readonly set = new WarningSet();
  private readonly seen = new Set<Warning>();
  /** Non-finite values left out, by metric name (see `leftOut`). */
  readonly leftOutCounts = new Map<string, number>();
  add(code: WarningCode, message: string): void {
    this.set.add(code, message);
  }
  addAll(list: Iterable<Warning>): void {
    for (const w of list) this.addWarning(w);
  }
  /** Add a warning object; the same object again costs one lookup (points share their warnings). */
  addWarning(w: Warning): void {
    if (this.seen.has(w)) return;
    this.seen.add(w);
    this.set.add(w.code, w.message);
  }
  /** Keep `value` as is; warn once (`value.unknown`) if the dimension does not know it. */
  dim(name: string, value: string): string {
    if (!isKnownDimensionValue(name, value)) this.add('value.unknown', `Unknown ${name} value "${value}" (kept as is).`);
    return value;
  }
  clickType(value: string): string {
    if (!KNOWN_CLICK_TYPES.includes(value)) this.add('value.unknown', `Unknown button click type "${value}" (kept as is).`);
    return value;
  }
  costType(value: string): string {
    if (!KNOWN_COST_TYPES.includes(value)) this.add('value.unknown', `Unknown cost type "${value}" (kept as is).`);
    return value;
  }
  /**
   * A count or amount as read: kept when it is a finite number not below 0; a negative or
   * non-finite one (1e999 parses to Infinity) is left out of its point (absent, never 0) and
   * counted, for the caller to report once (`leftOutWarning`) for all its pages.
   */
  value(metrics: Record<string, number>, name: string, v: number): void {
    if (v >= 0 && v !== Infinity) metrics[name] = v;
    else this.leftOut(name);
  }
  /** Count a value left out (see `value`). */
  leftOut(name: string): void {
    this.leftOutCounts.set(name, (this.leftOutCounts.get(name) ?? 0) + 1);
  }
  list(): Warning[] {
    return this.set.list();
  }
}

/** Add one page's counts of left-out values to a unit's. */
export function addLeftOut(into: Map<string, number>, from: ReadonlyMap<string, number> | undefined): void {
  if (from) for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
}

/** The one warning naming the non-finite values left out (none when there were none). */
export function leftOutWarning(counts: ReadonlyMap<string, number> | undefined): Warning | undefined {
  if (!counts || counts.size === 0) return undefined;
  let total = 0;
  for (const n of counts.values()) total += n;
  const what = [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
  return {
    code: 'answer.impossible-value',
    message: `${total} negative or non-finite value${total === 1 ? '' : 's'} (${what}) ${total === 1 ? 'was' : 'were'} left out of ${total === 1 ? 'its point' : 'their points'}; the other values were kept.`,
  };
}
