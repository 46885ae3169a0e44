/**
 * The Meta provider: WhatsApp Business Account analytics through the Graph API, behind the one
 * Provider interface. The token travels only in `Authorization: Bearer`.
 */
import type { Semaphore } from '../../core/concurrency';
import { WabaError, isWabaError } from '../../core/errors';
import { HttpClient } from '../../core/http';
import type { HttpClientOptions } from '../../core/http';
import type { FetchOptions, MetaCredentials, Provider, ProviderConfig, QueryUnit, UnitResult } from '../../core/provider';
import { registerSecret } from '../../core/redact';
import type { Point } from '../../core/types';
import { silentLogger } from '../../core/types';
import type { AccountsContext } from './accounts';
import { checkToken, enableInsights, getWaba, listPhoneNumbers, listTemplateGroups, listTemplates, listWabas, setClickTracking } from './accounts';
import { META_CAPABILITIES, META_DEFAULT_BASE_URL, checkApiVersion } from './capabilities';
import { CONVERSATION_UNAVAILABLE, classifyMetaResponse, isConversationUnavailable, metaErrorFromResponse } from './errors';
import type { MetaNormalizeContext } from './normalize';
import { metaNextLink, normalizeMetaPage, unitWarnings } from './normalize';
import { META_TEMPLATE_PAGE_LIMIT, buildUnitRequest } from './urls';
import { unitPageGuard } from '../../core/pageGuard';
import { WarningSet } from '../../core/warnings';
import { addLeftOut, leftOutWarning } from '../../core/normalize';

export { META_CAPABILITIES, META_DEFAULT_API_VERSION, META_DEFAULT_BASE_URL, wireGranularity, userGranularity } from './capabilities';
export { classifyMetaResponse, metaErrorFromResponse, usageWaitMs } from './errors';
export { normalizeMetaBody, normalizeMetaBodyWith } from './normalize';
export { analyticsFields, buildUnitRequest, templateQuery } from './urls';
export { metaTimezoneName } from './timezones';

export type MetaProviderConfig = Omit<ProviderConfig, 'concurrency'> & { concurrency?: number | Semaphore };

export function createMetaProvider(credentials: MetaCredentials, config: MetaProviderConfig = {}): Provider {
  const token = (credentials?.accessToken ?? '').trim();
  if (!token) {
    throw new WabaError('config', 'No Meta access token.', { provider: 'meta', hint: 'Add a token (a system user token is best) in the connection settings.' });
  }
  registerSecret(token);
  const version = checkApiVersion(config.apiVersion);
  const base = (config.baseUrl?.trim() || META_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const logger = config.logger ?? silentLogger;
  const now = config.now ?? Date.now;

  const options: HttpClientOptions = {
    provider: 'meta',
    baseUrl: `${base}/${version}`,
    authorization: () => `Bearer ${token}`,
    classify: classifyMetaResponse,
    toError: metaErrorFromResponse,
    logger,
  };
  // Only settings given: an undefined value would override the client's defaults.
  if (config.timeoutMs !== undefined) options.timeoutMs = config.timeoutMs;
  if (config.maxRetries !== undefined) options.maxRetries = config.maxRetries;
  if (config.retryBaseMs !== undefined) options.retryBaseMs = config.retryBaseMs;
  if (config.maxRetryWaitMs !== undefined) options.maxRetryWaitMs = config.maxRetryWaitMs;
  if (config.concurrency !== undefined) options.concurrency = config.concurrency;
  const http = new HttpClient(options);

  const accounts: AccountsContext = {
    http,
    accessToken: token,
    manualWabaIds: (config.manualWabaIds ?? []).map((s) => String(s).trim()).filter(Boolean),
    logger,
    concurrency: typeof config.concurrency === 'number' && config.concurrency >= 1 ? Math.floor(config.concurrency) : 4,
  };

  async function fetchUnit(unit: QueryUnit, options: FetchOptions = {}): Promise<UnitResult> {
    const q = unit.query;
    const req = buildUnitRequest(unit, now());
    const ctx: MetaNormalizeContext = {
      kind: q.kind,
      endpoint: req.endpoint,
      wabaId: q.wabaId,
      granularity: q.granularity,
      metricTypes: 'metricTypes' in q ? q.metricTypes : undefined,
      rangeEndMs: Math.min(unit.endMs, now()),
      now: now(),
      useWabaTimezone: q.kind === 'template' ? Boolean(q.useWabaTimezone) : undefined,
    };
    const points: Point[] = [];
    const warnings = new WarningSet();
    const raw: unknown[] = [];
    /** Non-finite values left out, over all pages: one warning at the end. */
    const leftOut = new Map<string, number>();
    // A repeated link, more pages or more points than the unit's range can hold: one clear error.
    const guard = unitPageGuard('meta', req.endpoint, unit, q.kind === 'template' ? META_TEMPLATE_PAGE_LIMIT : undefined, options.from);
    let requests = 0;
    let timezone: string | undefined;
    let currency: string | undefined;
    // Pages are pipelined: the next one is asked for as soon as this one's link is read, and this
    // one is validated meanwhile. A failure cancels the page in flight.
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const get = async (url: string, query: Record<string, string> | undefined): Promise<unknown> => {
      try {
        return (await http.json({ url, query, endpoint: req.endpoint, signal })).body;
      } catch (e) {
        if (q.kind === 'conversation' && isWabaError(e) && isConversationUnavailable(e)) {
          throw new WabaError('api', `Conversation analytics failed: ${CONVERSATION_UNAVAILABLE} (Meta said: ${e.message})`, {
            provider: 'meta',
            endpoint: e.endpoint,
            status: e.status,
            graphCode: e.graphCode,
            graphSubcode: e.graphSubcode,
            traceId: e.traceId,
            cause: e,
          });
        }
        throw e;
      }
    };
    const maxPages = options.maxPages ?? Infinity;
    let stoppedAt: string | undefined;
    requests++;
    let pending: Promise<unknown> | undefined = options.from ? get(options.from, undefined) : get(req.path, req.query);
    try {
      while (pending) {
        const body = await pending;
        pending = undefined;
        const next = metaNextLink(body, q.kind);
        // Throws (before the next request) on a repeated link or a chain longer than the range can hold.
        guard.next(next, points.length);
        if (next !== undefined && requests >= maxPages) {
          stoppedAt = next;
        } else if (next !== undefined) {
          requests++;
          pending = get(next, undefined);
          // Awaited on the next turn; until then a failure must not count as unhandled.
          pending.catch(() => undefined);
        }
        if (options.keepRaw) raw.push(body);
        const page = normalizeMetaPage(body, ctx);
        for (const p of page.points) points.push(p);
        guard.checkItems(points.length);
        warnings.addAll(page.warnings);
        addLeftOut(leftOut, page.leftOut);
        timezone ??= page.wabaTimezone;
        currency ??= page.currency;
      }
    } catch (e) {
      stop.abort();
      throw e;
    }
    const leftOutNote = leftOutWarning(leftOut);
    if (leftOutNote) warnings.add(leftOutNote.code, leftOutNote.message);
    warnings.addAll(unitWarnings(q.kind, points, ctx));
    if (q.kind === 'template' && q.useWabaTimezone && !timezone) {
      warnings.add('timezone.missing', "The WABA's timezone was asked for, but Meta did not name it; times are shown in UTC.");
    }
    const result: UnitResult = { points, warnings: warnings.list(), requests, timezone: timezone ?? 'UTC' };
    if (currency) result.currency = currency;
    if (stoppedAt) result.next = stoppedAt;
    if (options.keepRaw) result.raw = raw;
    return result;
  }

  return {
    id: 'meta',
    capabilities: META_CAPABILITIES,
    http,
    checkCredentials: (signal) => checkToken(accounts, signal),
    listWabas: (signal, onWarning) => listWabas(accounts, signal, onWarning),
    getWaba: (wabaId, signal) => getWaba(accounts, wabaId, signal),
    listPhoneNumbers: (wabaId, signal, onWarning) => listPhoneNumbers(accounts, wabaId, signal, onWarning),
    listTemplates: (wabaId, options) => listTemplates(accounts, wabaId, options),
    listTemplateGroups: (wabaId, signal) => listTemplateGroups(accounts, wabaId, signal),
    fetchUnit,
    enableInsights: (wabaId, signal) => enableInsights(accounts, wabaId, signal),
    setClickTracking: (templateId, optedOut, category, signal) => setClickTracking(accounts, templateId, optedOut, category, signal),
  };
}
