/**
 * A small cache of query runs keyed on the connection and the query (its fields in a stable
 * order), with a lifetime, bounded in entries and in points (results can be large). Refresh
 * clears it.
 */
import type { QueryRun } from './types';

export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Entries kept at most, and points across them at most (a 90-day HALF_HOUR result holds 345,600). */
export const CACHE_MAX_ENTRIES = 20;
export const CACHE_MAX_POINTS = 1_000_000;

export class QueryCache {
  /** In use order: the least recently used first. */
  private readonly entries = new Map<string, { at: number; run: QueryRun }>();
  private points = 0;
  constructor(
    private ttlMs: number,
    private readonly maxEntries = CACHE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
    private readonly maxPoints = CACHE_MAX_POINTS,
  ) {}

  /** A new lifetime; 0 turns the cache off and forgets what it held. */
  setTtl(ms: number): void {
    this.ttlMs = ms;
    if (ms <= 0) this.clear();
  }

  /** The run of this query, if fresh; with `needRaw`, only a run that kept its raw bodies. */
  get(scope: string, query: unknown, options: { needRaw?: boolean } = {}): QueryRun | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = `${scope}|${stableKey(query)}`;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.delete(key);
      return undefined;
    }
    if (options.needRaw && !e.run.raw) return undefined;
    // Most recently used last: evicted last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.run;
  }

  set(scope: string, query: unknown, run: QueryRun): void {
    if (this.ttlMs <= 0 || run.partial) return;
    const key = `${scope}|${stableKey(query)}`;
    this.delete(key);
    this.entries.set(key, { at: this.now(), run });
    this.points += run.result.points.length;
    // The least recently used go first; the newest run stays even when it alone is over the budget.
    while (this.entries.size > 1 && (this.entries.size > this.maxEntries || this.points > this.maxPoints)) this.delete(this.entries.keys().next().value!);
  }

  /** Forget everything, or one scope's entries. */
  clear(scope?: string): void {
    for (const k of [...this.entries.keys()]) if (!scope || k.startsWith(`${scope}|`)) this.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.points -= e.run.result.points.length;
    this.entries.delete(key);
  }
}
