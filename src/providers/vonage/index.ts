/**
 * The Vonage provider: Channel Manager analytics (messaging, template, pricing), WABA discovery,
 * insights enablement, and templates from the v2 WhatsApp Manager API when a JWT is available.
 * Auth rule: a JWT when the application id and private key are set, otherwise Basic key:secret.
 */
import type { Semaphore } from '../../core/concurrency';
import { WabaError } from '../../core/errors';
import { HttpClient } from '../../core/http';
import { parseBody } from '../../core/normalize';
import type { FetchOptions, Provider, ProviderConfig, QueryUnit, UnitResult, VonageCredentials } from '../../core/provider';
import type { Query } from '../../core/query';
import type { Page, PhoneNumberInfo, Point, TemplateInfo, WabaInfo } from '../../core/types';
import { silentLogger } from '../../core/types';
import { createVonageAuth } from './auth';
import type { VonageAuth } from './auth';
import { VONAGE_CAPABILITIES, VONAGE_DEFAULT_BASE_URL, validateVonageQuery } from './capabilities';
import { afterCursorOf, toPhoneNumberInfo, toTemplateInfo, toWabaInfo } from './discovery';
import { classifyVonage, notLinkedHint, unknownWabaHint, vonageError } from './errors';
import { COST_UNAVAILABLE_WARNING, nextLink, normalizeVonagePage } from './normalize';
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

/** Pages followed per unit at most: a guard against a server that never stops paging. */
const MAX_PAGES = 10_000;
const DEFAULT_TEMPLATE_LIMIT = 100;
const MAX_TEMPLATE_LIMIT = 500;

function unique(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((s) => String(s).trim()).filter((s) => s !== ''))];
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
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

    async listWabas(signal?: AbortSignal): Promise<WabaInfo[]> {
      const found: WabaInfo[] = [];
      try {
        for (let page = 1; page <= 1000; page++) {
          const { body } = await http.json({ url: wabasListPath(page, wabasPageSize), endpoint: 'wabas', signal });
          const parsed = parseBody(wabasPageSchema, body, 'vonage', 'wabas');
          for (const w of parsed._embedded.wabas) {
            const info = toWabaInfo(w, 'list');
            if (info) found.push(info);
          }
          const total = parsed.total_pages;
          const more = total !== undefined && Number.isFinite(total) ? page < total : !!parsed._links?.next?.href;
          if (!more || parsed._embedded.wabas.length === 0) break;
        }
      } catch (e) {
        // A key that may not list WABAs still reaches the ids typed by hand.
        if (e instanceof WabaError && (e.status === 403 || e.status === 404) && manualWabaIds.length) {
          logger.warn(`Vonage wabas: ${e.message} Showing the WABA ids given by hand.`);
        } else {
          throw e;
        }
      }
      const out: WabaInfo[] = [];
      const seen = new Set<string>();
      for (const w of found) {
        if (seen.has(w.id)) continue;
        seen.add(w.id);
        out.push(w);
      }
      for (const id of manualWabaIds) {
        if (seen.has(id)) continue;
        seen.add(id);
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

    async listPhoneNumbers(wabaId: string, signal?: AbortSignal): Promise<PhoneNumberInfo[]> {
      const out: PhoneNumberInfo[] = [];
      const seenUrls = new Set<string>();
      let url: string | undefined = numbersPath(wabaId);
      while (url && seenUrls.size < 1000) {
        seenUrls.add(url);
        const { body } = await http.json({ url, endpoint: 'numbers', signal });
        const parsed = parseBody(numbersPageSchema, body, 'vonage', 'numbers');
        for (const n of parsed._embedded.numbers) {
          const info = toPhoneNumberInfo(n);
          if (info) out.push(info);
        }
        const next = nextLink(parsed);
        url = next && !seenUrls.has(next) ? next : undefined;
      }
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
      if (nextHref) next = afterCursorOf(nextHref) ?? parsed.cursors?.after ?? undefined;
      else if (!parsed._links && parsed.cursors?.after && items.length >= limit) next = parsed.cursors.after;
      if (next !== undefined && next === options.cursor) next = undefined;
      return next ? { items, next } : { items };
    },

    async fetchUnit(unit: QueryUnit, options: FetchOptions = {}): Promise<UnitResult> {
      validateVonageQuery(unit.query, unit.templateIds);
      const { url: first, endpoint } = buildAnalyticsUrl(unit, pageSize);
      const kind = unit.query.kind;
      const points: Point[] = [];
      const warnings = new Set<string>();
      const raw: unknown[] = [];
      let currency: string | undefined;
      let requests = 0;
      const seen = new Set<string>();
      let url: string | undefined = first;
      while (url) {
        if (seen.size >= MAX_PAGES) {
          throw new WabaError('response', `Vonage ${endpoint} kept paging past ${MAX_PAGES} pages.`, { provider: 'vonage', endpoint, hint: 'Narrow the date range or the breakdowns.' });
        }
        seen.add(url);
        requests++;
        const { body } = await http.json({ url, endpoint, signal: options.signal });
        if (options.keepRaw) raw.push(body);
        const page = normalizeVonagePage(body, { kind, endpoint, wabaId: unit.query.wabaId, granularity: unit.query.granularity, now: now() });
        for (const p of page.result.points) {
          // Keep the points of this window only (adjacent windows must not count a bucket twice).
          const s = Date.parse(p.start);
          const e = Date.parse(p.end);
          if (s < unit.endMs && e > unit.startMs) points.push(p);
        }
        for (const w of page.result.warnings) if (w !== COST_UNAVAILABLE_WARNING) warnings.add(w);
        currency ??= page.result.currency;
        if (page.next && seen.has(page.next)) {
          throw new WabaError('response', `Vonage ${endpoint} answered a next link that was already followed (a paging loop).`, {
            provider: 'vonage',
            endpoint,
            hint: 'Try again; if it persists, report it.',
          });
        }
        url = page.next;
      }
      if (kind === 'pricing' && points.length > 0 && !points.some((p) => p.metrics.cost !== undefined)) warnings.add(COST_UNAVAILABLE_WARNING);
      const result: UnitResult = { points, warnings: [...warnings], requests, timezone: 'UTC' };
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
