/**
 * The Vonage provider: Channel Manager analytics (messaging, template, pricing), WABA discovery,
 * insights enablement, and templates from the v2 WhatsApp Manager API when a JWT is available.
 * Auth rule: a JWT when the application id and private key are set, otherwise Basic key:secret.
 */
import type { Semaphore } from '../../core/concurrency';
import { WabaError } from '../../core/errors';
import { HttpClient } from '../../core/http';
import { Warnings, addLeftOut, leftOutWarning, parseBody } from '../../core/normalize';
import type { FetchOptions, Provider, ProviderConfig, QueryUnit, UnitResult, VonageCredentials } from '../../core/provider';
import type { Query } from '../../core/query';
import type { Page, PhoneNumberInfo, Point, TemplateInfo, WabaInfo } from '../../core/types';
import { silentLogger } from '../../core/types';
import type { ListingKind, WarningSink } from '../../core/listing';
import { IdDeduper, LISTING_BOUNDS, listingGuard } from '../../core/listing';
import { createVonageAuth } from './auth';
import type { VonageAuth } from './auth';
import { VONAGE_CAPABILITIES, VONAGE_DEFAULT_BASE_URL, validateVonageQuery } from './capabilities';
import { afterCursorOf, toPhoneNumberInfo, toTemplateInfo, toWabaInfo } from './discovery';
import { classifyVonage, notLinkedHint, unknownWabaHint, vonageError } from './errors';
import { COST_UNAVAILABLE_WARNING, nextLink, normalizeVonagePage } from './normalize';
import { unitPageGuard } from '../../core/pageGuard';
import { numbersPageSchema, templatesPageSchema, wabaSchema, wabasPageSchema } from './schemas';
import { DEFAULT_PAGE_SIZE, buildAnalyticsUrl, enableInsightsPath, numbersPath, templatesPath, wabaPath, wabaSegment, wabasListPath } from './urls';

export { VONAGE_CAPABILITIES, VONAGE_DEFAULT_BASE_URL, VONAGE_TEMPLATE_METRICS, validateVonageQuery } from './capabilities';
export { normalizeVonageBody, normalizeVonagePage, COST_UNAVAILABLE_WARNING, LATE_READS_WARNING } from './normalize';
export type { VonageNormalizeContext } from './normalize';
export { buildAnalyticsUrl, DEFAULT_PAGE_SIZE } from './urls';
export { basicHeader, createVonageAuth, normalizePrivateKey } from './auth';
export type { VonageAuth, VonageAuthMode } from './auth';
export { classifyVonage, vonageError, HINT_UNAUTHORIZED } from './errors';

export type VonageProviderConfig = Omit<ProviderConfig, 'concurrency'> & {
  /** Requests in flight at most, or a Semaphore shared with other providers. */
  concurrency?: number | Semaphore;
  /** `page_size` of analytics requests (default 100). */
  pageSize?: number;
  /** `page_size` of the WABA list (default 50). */
  wabasPageSize?: number;
};

const DEFAULT_TEMPLATE_LIMIT = 100;
const MAX_TEMPLATE_LIMIT = 500;

function unique(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((s) => String(s).trim()).filter((s) => s !== ''))];
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A list page that claims more items or pages than a listing can hold is refused at once. */
function checkListClaims(page: { total_items?: number; total_pages?: number }, kind: ListingKind, what: string): void {
  const bounds = LISTING_BOUNDS[kind];
  const items = page.total_items ?? 0;
  const pages = page.total_pages ?? 0;
  if (items > bounds.maxItems || pages > bounds.maxPages) {
    throw new WabaError('response', `Vonage ${kind} claims ${items > bounds.maxItems ? `${items} ${what}` : `${pages} pages`}, more than a listing can hold (at most ${bounds.maxItems} items in ${bounds.maxPages} pages)`, {
      provider: 'vonage',
      endpoint: kind,
      hint: 'The server misbehaved; try again later. If it persists, report it.',
    });
  }
}

export interface VonageProvider extends Provider {
  readonly auth: VonageAuth;
}

export function createVonageProvider(credentials: VonageCredentials, config: VonageProviderConfig = {}): VonageProvider {
  const logger = config.logger ?? silentLogger;
  const now = config.now ?? Date.now;
  const auth = createVonageAuth(credentials);
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  const wabasPageSize = config.wabasPageSize ?? 50;
  const manualWabaIds = unique(config.manualWabaIds);

  const http = new HttpClient({
    provider: 'vonage',
    baseUrl: config.baseUrl ?? VONAGE_DEFAULT_BASE_URL,
    authorization: () => auth.header(),
    classify: classifyVonage,
    toError: vonageError,
    // Only the options that are set: an undefined value would override the client's defaults.
    ...definedOnly({
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      retryBaseMs: config.retryBaseMs,
      maxRetryWaitMs: config.maxRetryWaitMs,
      concurrency: config.concurrency,
    }),
    logger,
  });

  let manualTemplatesNoted = false;

  const provider: VonageProvider = {
    id: 'vonage',
    capabilities: VONAGE_CAPABILITIES,
    http,
    auth,

    validate(query: Query): void {
      validateVonageQuery(query);
    },

    async checkCredentials(signal?: AbortSignal): Promise<string> {
      const { body } = await http.json({ url: wabasListPath(1, 1), endpoint: 'wabas', signal });
      const parsed = parseBody(wabasPageSchema, body, 'vonage', 'wabas');
      const n = parsed.total_items ?? parsed._embedded.wabas.length;
      return `the credentials are accepted; they reach ${n} WhatsApp Business Account${n === 1 ? '' : 's'}`;
    },

    async listWabas(signal?: AbortSignal, onWarning?: WarningSink): Promise<WabaInfo[]> {
      // An empty list from a 200 answer is "no WABA"; 403/404 with ids given by hand lists those
      // ids (with a warning); anything else that fails is an error (docs/dialects.md).
      const ids = new IdDeduper('WABA', 'vonage', 'wabas');
      const found: WabaInfo[] = [];
      try {
        const guard = listingGuard('wabas', 'vonage', 'wabas');
        let count = 0;
        let url: string | undefined = wabasListPath(1, wabasPageSize);
        for (let page = 1; url; page++) {
          const { body } = await http.json({ url, endpoint: 'wabas', signal });
          const parsed = parseBody(wabasPageSchema, body, 'vonage', 'wabas');
          checkListClaims(parsed, 'wabas', 'WhatsApp Business Accounts');
          const list = parsed._embedded.wabas;
          count += list.length;
          for (const w of ids.keep(list.map((x) => toWabaInfo(x, 'list')).filter((x): x is WabaInfo => x !== undefined))) found.push(w);
          const total = parsed.total_pages;
          const href = parsed._links?.next?.href;
          let next: string | undefined;
          // An empty page ends the list; so does the last page total_pages announces.
          if (list.length === 0 || (total !== undefined && Number.isFinite(total) && page >= total)) next = undefined;
          else if (href && /^https?:\/\//i.test(href)) next = href;
          else if (href || (total !== undefined && Number.isFinite(total))) next = wabasListPath(page + 1, wabasPageSize);
          guard.next(next, count);
          url = next;
        }
      } catch (e) {
        // A key that may not list WABAs still reaches the ids typed by hand.
        if (e instanceof WabaError && e.kind === 'api' && (e.status === 403 || e.status === 404) && manualWabaIds.length) {
          logger.warn(`Vonage wabas: ${e.message} Showing the WABA ids given by hand.`);
          onWarning?.({ code: 'listing.incomplete', message: `Vonage refused the WABA list (HTTP ${e.status}); the WABA ids given by hand are shown.` });
        } else {
          throw e;
        }
      }
      ids.report(onWarning);
      const out = [...found];
      for (const id of manualWabaIds) {
        if (out.some((w) => w.id === id)) continue;
        out.push({ provider: 'vonage', id, source: 'manual' });
      }
      return out;
    },

    async getWaba(wabaId: string, signal?: AbortSignal): Promise<WabaInfo> {
      const { body } = await http.json({ url: wabaPath(wabaId), endpoint: 'waba', signal });
      const parsed = parseBody(wabaSchema, body, 'vonage', 'waba');
      const source: WabaInfo['source'] = manualWabaIds.includes(String(wabaId).trim()) ? 'manual' : 'list';
      return toWabaInfo(parsed, source, String(wabaId).trim())!;
    },

    async listPhoneNumbers(wabaId: string, signal?: AbortSignal, onWarning?: WarningSink): Promise<PhoneNumberInfo[]> {
      const first = numbersPath(wabaId);
      const guard = listingGuard('phones', 'vonage', 'numbers', first);
      const ids = new IdDeduper('phone number', 'vonage', 'numbers');
      const out: PhoneNumberInfo[] = [];
      let count = 0;
      let url: string | undefined = first;
      while (url) {
        const { body } = await http.json({ url, endpoint: 'numbers', signal });
        const parsed = parseBody(numbersPageSchema, body, 'vonage', 'numbers');
        count += parsed._embedded.numbers.length;
        out.push(...ids.keep(parsed._embedded.numbers.map(toPhoneNumberInfo).filter((x): x is PhoneNumberInfo => x !== undefined)));
        const next = nextLink(parsed);
        guard.next(next, count);
        url = next;
      }
      ids.report(onWarning);
      return out;
    },

    async listTemplates(wabaId: string, options: { cursor?: string; limit?: number; signal?: AbortSignal } = {}): Promise<Page<TemplateInfo>> {
      const id = decodeURIComponent(wabaSegment(wabaId));
      if (!auth.hasJwt) {
        // Not an error: without a JWT the v2 template API is out of reach, so the list is the ids typed by hand.
        if (!manualTemplatesNoted) {
          manualTemplatesNoted = true;
          logger.info('Vonage templates: no application id and private key are set, so the template ids given by hand are listed.');
        }
        const ids = unique(config.manualTemplateIds?.[id]);
        return { items: ids.map((id) => ({ id, name: id })) };
      }
      const limit = Math.min(MAX_TEMPLATE_LIMIT, Math.max(1, Math.floor(options.limit ?? DEFAULT_TEMPLATE_LIMIT)));
      const { body } = await http.json({ url: templatesPath(id, { limit, after: options.cursor }), endpoint: 'templates', signal: options.signal });
      const parsed = parseBody(templatesPageSchema, body, 'vonage', 'templates');
      const items = parsed.templates.map(toTemplateInfo);
      let next: string | undefined;
      const nextHref = parsed._links?.next?.href;
      if (nextHref) {
        next = afterCursorOf(nextHref) ?? parsed.cursors?.after ?? undefined;
        if (!next) {
          throw new WabaError('response', 'Vonage templates announced a next page without a cursor to reach it', {
            provider: 'vonage',
            endpoint: 'templates',
            hint: 'The server misbehaved; try again later. If it persists, report it.',
          });
        }
      } else if (!parsed._links && parsed.cursors?.after && items.length >= limit) next = parsed.cursors.after;
      // The cursor asked for, again: the same page again, a paging loop.
      listingGuard('templates', 'vonage', 'templates', options.cursor).next(next, items.length);
      return next ? { items, next } : { items };
    },

    async fetchUnit(unit: QueryUnit, options: FetchOptions = {}): Promise<UnitResult> {
      // One request's batch: the unit's, or the whole list when the unit names none.
      validateVonageQuery(unit.query, unit.query.kind === 'template' ? (unit.templateIds ?? unit.query.templateIds) : undefined);
      const { url: first, endpoint } = buildAnalyticsUrl(unit, pageSize);
      const kind = unit.query.kind;
      const points: Point[] = [];
      const warnings = new Warnings();
      /** Negative or non-finite values left out, over all pages: one warning at the end. */
      const leftOut = new Map<string, number>();
      const raw: unknown[] = [];
      let currency: string | undefined;
      let requests = 0;
      // A repeated link, more pages or more points than the unit's range can hold: one clear error.
      const guard = unitPageGuard('vonage', endpoint, unit, pageSize, first);
      let url: string | undefined = first;
      while (url) {
        requests++;
        const { body } = await http.json({ url, endpoint, signal: options.signal });
        if (options.keepRaw) raw.push(body);
        const page = normalizeVonagePage(body, { kind, endpoint, wabaId: unit.query.wabaId, granularity: unit.query.granularity, now: now() });
        // Every point is kept: the run attributes points to windows (core/run.ts `combine`) and the
        // answer checks drop, and count, those outside the asked range.
        for (const p of page.result.points) points.push(p);
        // Page-level notes summed over the unit instead: cost (below) and the values left out.
        for (const w of page.result.warnings) if (w.code !== COST_UNAVAILABLE_WARNING.code && w.code !== 'answer.impossible-value') warnings.add(w.code, w.message);
        addLeftOut(leftOut, page.leftOut);
        currency ??= page.result.currency;
        // Throws on a repeated link, or more pages or points than the unit's range can hold.
        guard.next(page.next, points.length);
        url = page.next;
      }
      if (kind === 'pricing' && points.length > 0 && !points.some((p) => p.metrics.cost !== undefined)) warnings.addWarning(COST_UNAVAILABLE_WARNING);
      const leftOutNote = leftOutWarning(leftOut);
      if (leftOutNote) warnings.addWarning(leftOutNote);
      const result: UnitResult = { points, warnings: warnings.list(), requests, timezone: 'UTC' };
      if (currency) result.currency = currency;
      if (options.keepRaw) result.raw = raw;
      return result;
    },

    async enableInsights(wabaId: string, signal?: AbortSignal): Promise<void> {
      const id = String(wabaId).trim();
      try {
        await http.request({ method: 'PATCH', url: enableInsightsPath(id), endpoint: 'enable_insights', signal });
      } catch (e) {
        if (e instanceof WabaError && e.kind === 'api' && (e.status === 403 || e.status === 404)) {
          const hint = e.status === 403 ? notLinkedHint(id) : unknownWabaHint(id);
          throw new WabaError('api', `Insights could not be enabled for WABA ${id}: Vonage answered HTTP ${e.status}${e.problemTitle ? ` ${e.problemTitle}` : ''}`, {
            provider: 'vonage',
            endpoint: 'enable_insights',
            status: e.status,
            problemTitle: e.problemTitle,
            problemType: e.problemType,
            traceId: e.traceId,
            hint,
            cause: e,
          });
        }
        throw e;
      }
    },
  };
  return provider;
}
