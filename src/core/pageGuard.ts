/**
 * One guard for every paged read (analytics units and the listings): a server that repeats a
 * cursor, pages on and on, or sends far more items than the question allows ends with ONE clear
 * `WabaError` (kind 'response') before memory is at risk.
 *
 * Use: create one guard per chain of pages, then after each page is read call
 * `guard.next(linkOrCursorToNextPage, itemsSoFar)`; it throws when the chain must stop, and
 * otherwise records the link so that a repeat is caught. Pass the first page's URL as `first`
 * when a server could answer it again as its own "next".
 *
 * Bounds are the caller's: analytics compute theirs from the unit's range (see
 * `analyticsPageBounds` and docs/dialects.md, "Paging bounds"); listings use a fixed ceiling.
 */
import { WabaError, providerName } from './errors';
import type { ProviderId } from './types';
import type { QueryUnit } from './provider';

export interface PageGuardOptions {
  provider: ProviderId;
  /** The endpoint named in the error (e.g. `pricing_analytics`, `message_templates`). */
  endpoint: string;
  /** Most pages one chain may have (the first page included). */
  maxPages: number;
  /** Most items (points, WABAs, templates, …) one chain may hold. */
  maxItems?: number;
  /** The URL or cursor of the first page, so that a "next" pointing back at it is a loop. */
  first?: string;
  /** What to do, when the default hint does not fit. */
  hint?: string;
}

export type PageGuardReason = 'repeat' | 'pages' | 'items';

export class PageGuard {
  private readonly seen = new Set<string>();
  private pageCount = 0;
  readonly maxPages: number;
  readonly maxItems: number;

  constructor(private readonly o: PageGuardOptions) {
    this.maxPages = Math.max(1, Math.floor(o.maxPages));
    this.maxItems = o.maxItems === undefined ? Infinity : Math.max(0, Math.floor(o.maxItems));
    if (o.first !== undefined) this.seen.add(o.first);
  }

  /** Pages read so far (calls to `next`). */
  get pages(): number {
    return this.pageCount;
  }

  /**
   * A page was read: `link` leads to the next one (undefined when this was the last) and
   * `itemsSoFar` counts every item read in this chain, this page included.
   * Throws a WabaError when the items exceed the bound, the link was already followed, or
   * following it would exceed the page bound.
   */
  next(link: string | undefined, itemsSoFar: number): void {
    this.pageCount++;
    if (itemsSoFar > this.maxItems) throw this.error('items', itemsSoFar);
    if (link === undefined || link === '') return;
    if (this.seen.has(link)) throw this.error('repeat', itemsSoFar);
    if (this.pageCount >= this.maxPages) throw this.error('pages', itemsSoFar);
    this.seen.add(link);
  }

  /** Items check alone, for callers that count items while reading one page. */
  checkItems(itemsSoFar: number): void {
    if (itemsSoFar > this.maxItems) throw this.error('items', itemsSoFar);
  }

  private error(reason: PageGuardReason, items: number): WabaError {
    const who = `${providerName(this.o.provider)} ${this.o.endpoint}`;
    const what =
      reason === 'repeat'
        ? `answered a next page that was already read (a paging loop, after ${this.pageCount} page${this.pageCount === 1 ? '' : 's'})`
        : reason === 'pages'
          ? `kept paging past ${this.maxPages} pages, more than the question can hold`
          : `answered ${items} items, more than the question can hold (at most ${this.maxItems})`;
    const err = new WabaError('response', `${who} ${what}`, {
      provider: this.o.provider,
      endpoint: this.o.endpoint,
      hint: this.o.hint ?? 'The server misbehaved; try again later, or narrow the range or the breakdowns. If it persists, report it.',
    });
    (err as WabaError & { pageGuard?: PageGuardReason }).pageGuard = reason;
    return err;
  }
}

/** Buckets of a granularity that can meet [startMs, endMs) (at least 1; one more for an edge). */
export function bucketCount(startMs: number, endMs: number, granularity: string): number {
  const span = Math.max(0, endMs - startMs);
  const g = granularity.toUpperCase();
  if (g === 'HALF_HOUR') return Math.ceil(span / 1_800_000) + 1;
  // MONTHLY: months are at least 28 days.
  if (g === 'MONTHLY' || g === 'MONTH') return Math.ceil(span / (28 * 86_400_000)) + 1;
  // DAILY, DAY and anything unknown: one per day (plus one for a day cut by a WABA timezone).
  return Math.ceil(span / 86_400_000) + 1;
}

/**
 * How many values one breakdown can take, at most (generous: real answers stay far below).
 * ISO 3166 has 249 countries; a WABA has at most a few hundred phone numbers; the enum
 * dimensions have fewer than ten values today (room left for new ones).
 */
const DIMENSION_CEILING: Record<string, number> = {
  COUNTRY: 250,
  PHONE: 1000,
  PRICING_CATEGORY: 20,
  PRICING_TYPE: 10,
  TIER: 20,
  CONVERSATION_CATEGORY: 20,
  CONVERSATION_TYPE: 10,
  CONVERSATION_DIRECTION: 5,
};
/** Splits an API may make without being asked (e.g. per phone number, per product type). */
const IMPLICIT_SPLITS = 10;
/** Combinations of dimension values in one bucket, at most. */
export const MAX_COMBOS_PER_BUCKET = 100_000;
/** Points one unit may hold whatever its range (small ranges are never refused below this). */
export const MIN_UNIT_POINTS = 10_000;
/** Points one unit may hold at most: beyond this, memory is at risk (a point is ~150 bytes). */
export const MAX_UNIT_POINTS = 2_000_000;
/** When the server chooses its page size (Meta fields), pages are assumed to hold at least this many points. */
export const MIN_SERVER_PAGE = 25;

/**
 * Bounds of one analytics unit (docs/dialects.md, "Paging bounds"):
 *   combos    = IMPLICIT_SPLITS × Π DIMENSION_CEILING[d] for each asked dimension
 *               × the number of template ids, capped at MAX_COMBOS_PER_BUCKET;
 *   maxItems  = buckets(range, granularity) × combos, within [MIN_UNIT_POINTS, MAX_UNIT_POINTS];
 *   maxPages  = ceil(maxItems / pageSize) + 2 (pageSize: what we asked for, or MIN_SERVER_PAGE).
 */
export function analyticsPageBounds(o: {
  startMs: number;
  endMs: number;
  granularity: string;
  /** The breakdowns asked for (user vocabulary: COUNTRY, PHONE, …). */
  dimensions?: readonly string[];
  /** Template ids of the unit (template analytics). */
  templateIds?: number;
  /** The page size asked for; absent when the server chooses. */
  pageSize?: number;
}): { maxPages: number; maxItems: number } {
  let combos = IMPLICIT_SPLITS * Math.max(1, o.templateIds ?? 1);
  for (const d of o.dimensions ?? []) combos = Math.min(MAX_COMBOS_PER_BUCKET, combos * (DIMENSION_CEILING[d.toUpperCase()] ?? 1000));
  combos = Math.min(MAX_COMBOS_PER_BUCKET, combos);
  const buckets = bucketCount(o.startMs, o.endMs, o.granularity);
  const maxItems = Math.min(MAX_UNIT_POINTS, Math.max(MIN_UNIT_POINTS, buckets * combos));
  const perPage = Math.max(1, Math.floor(o.pageSize ?? MIN_SERVER_PAGE));
  return { maxItems, maxPages: Math.ceil(maxItems / perPage) + 2 };
}

/**
 * The guard of one planned unit's page chain: bounds from the unit's range, granularity,
 * breakdowns and template batch (`analyticsPageBounds`), for every provider alike.
 */
export function unitPageGuard(provider: ProviderId, endpoint: string, unit: QueryUnit, pageSize: number | undefined, first?: string): PageGuard {
  const q = unit.query;
  return new PageGuard({
    provider,
    endpoint,
    ...analyticsPageBounds({
      startMs: unit.startMs,
      endMs: unit.endMs,
      granularity: q.granularity,
      dimensions: 'dimensions' in q ? q.dimensions : undefined,
      templateIds: unit.templateIds?.length,
      pageSize,
    }),
    first,
  });
}
