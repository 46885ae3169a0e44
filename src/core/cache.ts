/**
 * A small cache of query runs keyed on the connection and the query (its fields in a stable
 * order), with a lifetime. Refresh clears it.
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

export class QueryCache {
  private readonly entries = new Map<string, { at: number; run: QueryRun }>();
  constructor(
    private ttlMs: number,
    private readonly maxEntries = 20,
    private readonly now: () => number = Date.now,
  ) {}

  setTtl(ms: number): void {
    this.ttlMs = ms;
  }

  get(scope: string, query: unknown): QueryRun | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = `${scope}|${stableKey(query)}`;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.run;
  }

  set(scope: string, query: unknown, run: QueryRun): void {
    if (this.ttlMs <= 0 || run.partial) return;
    const key = `${scope}|${stableKey(query)}`;
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), run });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forget everything, or one scope's entries. */
  clear(scope?: string): void {
    if (!scope) return this.entries.clear();
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${scope}|`)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
