/**
 * Listings (WABAs, phone numbers, templates): the bounds every chain of listing pages is held to,
 * and de-duplication by id. A server that repeats a cursor, pages without end or sends an absurd
 * number of items ends in one clear WabaError (see PageGuard); an id listed twice is shown once,
 * with a `listing.duplicate-id` warning for whoever can show it.
 */
import { PageGuard } from './pageGuard';
import type { Provider } from './provider';
import type { ProviderId, TemplateInfo } from './types';
import type { Warning, WarningCode, WarningSink } from './warnings';
import { providerName } from './errors';

export type { WarningSink } from './warnings';

/**
 * Fixed ceilings, far above any real account (Meta allows 250 templates per WABA, 6,000 for a
 * verified business; a business reaches a few hundred WABAs at most), far below what would put
 * memory at risk.
 */
export const LISTING_BOUNDS = {
  wabas: { maxPages: 1000, maxItems: 10_000 },
  phones: { maxPages: 1000, maxItems: 10_000 },
  templates: { maxPages: 2000, maxItems: 50_000 },
} as const;
export type ListingKind = keyof typeof LISTING_BOUNDS;

/** The endpoint name of each provider's template listing (for errors). */
export const TEMPLATE_ENDPOINT: Record<ProviderId, string> = { meta: 'message_templates', vonage: 'templates' };

/** The guard of one chain of listing pages. */
export function listingGuard(kind: ListingKind, provider: ProviderId, endpoint: string, first?: string): PageGuard {
  return new PageGuard({
    provider,
    endpoint,
    ...LISTING_BOUNDS[kind],
    first,
    hint: 'The server misbehaved; try again later. If it persists, report it.',
  });
}

/**
 * Keeps the first item of each id across the pages of one listing; the repeats are dropped and
 * reported once, by `report`.
 */
export class IdDeduper {
  private readonly seen = new Set<string>();
  private readonly repeated = new Set<string>();

  constructor(
    private readonly what: string,
    private readonly provider: ProviderId,
    private readonly endpoint: string,
  ) {}

  keep<T extends { id: string }>(items: Iterable<T>): T[] {
    const out: T[] = [];
    for (const item of items) {
      if (this.seen.has(item.id)) {
        this.repeated.add(item.id);
        continue;
      }
      this.seen.add(item.id);
      out.push(item);
    }
    return out;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** The warning for the repeats dropped so far, if any. */
  warning(): Warning | undefined {
    if (!this.repeated.size) return undefined;
    const ids = [...this.repeated];
    const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, … (${ids.length} in all)` : '');
    const code: WarningCode = 'listing.duplicate-id';
    return {
      code,
      message: `${providerName(this.provider)} ${this.endpoint} listed the same ${this.what} id more than once (${shown}); each is shown once.`,
    };
  }

  /** Send the warning (if any) to a sink. */
  report(sink: WarningSink | undefined): void {
    const w = this.warning();
    if (w && sink) sink(w);
  }
}

/**
 * Every template of a WABA: all pages, under the listing bounds, de-duplicated by id.
 * Throws the provider's error, or the guard's when the server pages without end.
 */
export async function collectTemplates(
  provider: Pick<Provider, 'id' | 'listTemplates'>,
  wabaId: string,
  options: { signal?: AbortSignal; onWarning?: WarningSink; limit?: number } = {},
): Promise<TemplateInfo[]> {
  const endpoint = TEMPLATE_ENDPOINT[provider.id];
  const guard = listingGuard('templates', provider.id, endpoint);
  const ids = new IdDeduper('template', provider.id, endpoint);
  const out: TemplateInfo[] = [];
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await provider.listTemplates(wabaId, { cursor, signal: options.signal, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
    count += page.items.length;
    out.push(...ids.keep(page.items));
    guard.next(page.next, count);
    if (!page.next) break;
    cursor = page.next;
  }
  ids.report(options.onWarning);
  return out;
}
