/**
 * Everything around the analytics: discovering WABAs (debug_token, businesses, ids given by hand),
 * one WABA's details, phone numbers, templates, enabling insights and the click-tracking opt-out.
 */
import { mapLimit } from '../../core/concurrency';
import { WabaError, describeError, inputError } from '../../core/errors';
import type { HttpClient } from '../../core/http';
import { parseBody } from '../../core/normalize';
import type { Logger, Page, PhoneNumberInfo, TemplateGroupInfo, TemplateInfo, WabaInfo } from '../../core/types';
import { TemplateGroupsListSchema } from './schemas';
import type { z } from 'zod';
import type { Paging } from './schemas';
import {
  BusinessesSchema,
  DebugTokenSchema,
  InsightsAnswerSchema,
  PhoneNumbersSchema,
  SuccessSchema,
  TemplatesSchema,
  WabaEdgeSchema,
  WabaNodeSchema,
} from './schemas';
import { TOKEN_HINT } from './errors';
import type { ListingKind, WarningSink } from '../../core/listing';
import { IdDeduper, LISTING_BOUNDS, listingGuard } from '../../core/listing';
import { metaTimezoneName } from './timezones';
import { checkId } from './urls';

export const WABA_FIELDS = 'id,name,currency,timezone_id,is_enabled_for_insights';
export const PHONE_FIELDS = 'id,display_phone_number,verified_name,quality_rating';
export const TEMPLATE_FIELDS = 'id,name,status,category,language,quality_score,components';

export interface AccountsContext {
  http: HttpClient;
  accessToken: string;
  manualWabaIds: readonly string[];
  logger: Logger;
  /** WABA detail requests at once. */
  concurrency: number;
}

type Schema = z.ZodType<{ data: unknown[]; paging?: Paging | null }>;

/**
 * GET every page of a listing edge (following `paging.next`, same origin only), validated, under
 * the listing bounds: a repeated `next`, too many pages or too many items end in one error.
 */
export async function getAllPages<S extends Schema>(
  http: HttpClient,
  path: string,
  query: Record<string, string> | undefined,
  endpoint: string,
  schema: S,
  signal?: AbortSignal,
  kind: ListingKind = 'wabas',
): Promise<Array<z.infer<S>>> {
  const out: Array<z.infer<S>> = [];
  const guard = listingGuard(kind, 'meta', endpoint);
  let items = 0;
  let url = path;
  let q: Record<string, string> | undefined = query;
  for (;;) {
    const { body } = await http.json({ url, query: q, endpoint, signal });
    const parsed = parseBody(schema, body, 'meta', endpoint) as z.infer<S>;
    out.push(parsed);
    items += parsed.data.length;
    const next = parsed.paging?.next;
    guard.next(next, items);
    if (!next) return out;
    url = next;
    q = undefined;
  }
}

function isFatal(e: unknown): boolean {
  return e instanceof WabaError && (e.kind === 'cancelled' || e.kind === 'security' || e.kind === 'config' || e.graphCode === 190);
}

/**
 * Graph's "this token may not read that": permission codes 10 and 200–299, HTTP 403, and code 100
 * subcode 33 ("does not exist, cannot be loaded due to missing permissions"). On a discovery route
 * it means "this route finds nothing for this token", so the other route is tried; anything else
 * (no answer, 5xx, 429 after retries, a timeout, a body that does not fit, code 190) is an error.
 */
export function isRefusal(e: unknown): e is WabaError {
  if (!(e instanceof WabaError) || e.kind !== 'api' || e.graphCode === 190) return false;
  const c = e.graphCode;
  return c === 10 || (c !== undefined && c >= 200 && c <= 299) || (c === 100 && e.graphSubcode === 33) || (c === undefined && e.status === 403);
}

/** One WABA's name, currency, timezone (IANA when known) and insights state. */
export async function getWaba(ctx: AccountsContext, wabaId: string, signal?: AbortSignal): Promise<WabaInfo> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const { body } = await ctx.http.json({ url: `/${idv}`, query: { fields: WABA_FIELDS }, endpoint: 'whatsapp_business_account', signal });
  const b = parseBody(WabaNodeSchema, body, 'meta', 'whatsapp_business_account');
  const info: WabaInfo = { provider: 'meta', id: b.id, source: ctx.manualWabaIds.includes(b.id) ? 'manual' : 'token' };
  if (b.name) info.name = b.name;
  if (b.currency) info.currency = b.currency;
  const tz = metaTimezoneName(b.timezone_id);
  if (tz) info.timezone = tz;
  if (typeof b.is_enabled_for_insights === 'boolean') info.insightsEnabled = b.is_enabled_for_insights;
  return info;
}

/** debug_token: POST with a form body, so the token never sits in a URL. */
async function debugToken(ctx: AccountsContext, signal?: AbortSignal): Promise<z.infer<typeof DebugTokenSchema>['data']> {
  const form = new URLSearchParams({ method: 'GET', input_token: ctx.accessToken }).toString();
  const { body } = await ctx.http.json({
    method: 'POST',
    url: '/debug_token',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    endpoint: 'debug_token',
    signal,
  });
  return parseBody(DebugTokenSchema, body, 'meta', 'debug_token').data;
}

/** The one cheap check of a token: debug_token says whether it is valid and what it was granted. */
export async function checkToken(ctx: AccountsContext, signal?: AbortSignal): Promise<string> {
  const debug = await debugToken(ctx, signal);
  if (debug.is_valid === false) {
    throw new WabaError('api', 'Meta says the access token is not valid', { provider: 'meta', endpoint: 'debug_token', hint: TOKEN_HINT });
  }
  const wabas = new Set((debug.granular_scopes ?? []).filter((g) => g.scope === 'whatsapp_business_management').flatMap((g) => g.target_ids ?? []));
  const business = (debug.scopes ?? []).includes('business_management') || (debug.granular_scopes ?? []).some((g) => g.scope === 'business_management');
  return `the token is valid; it is granted ${wabas.size} WhatsApp Business Account${wabas.size === 1 ? '' : 's'}${business ? ' and business management' : ''}`;
}

const DISCOVERY_HINT =
  'Grant the token whatsapp_business_management (and business_management to find the WABAs of a business), or add WABA ids by hand.';

/**
 * WABAs reachable with the token, each once (the first route that names a WABA wins):
 * 1. debug_token: the `whatsapp_business_management` target ids.
 * 2. With `business_management` (or when debug_token was refused, or its WhatsApp scope names no
 *    target): `/me/businesses`, then each business's owned and client WABAs.
 * 3. The ids given by hand.
 * Then each WABA's details from its node, with bounded concurrency.
 *
 * What is an empty answer and what is an error (docs/dialects.md, "What means no WABA"): debug_token
 * valid with no WhatsApp scope and no business scope is "no WABA" (`[]`). A route *refused* for
 * lack of permission (see isRefusal) is a route that finds nothing: the other route is tried, and
 * when every route tried was refused and none found a WABA, that is an error naming each refusal
 * (with ids given by hand, those are listed, with a warning). Anything else that fails — no
 * answer, 5xx, 429 after the retries, a timeout, a body of another shape — is an error, never `[]`.
 */
export async function listWabas(ctx: AccountsContext, signal?: AbortSignal, onWarning?: WarningSink): Promise<WabaInfo[]> {
  const found = new Map<string, WabaInfo>();
  const add = (id: string, source: WabaInfo['source'], extra: Partial<WabaInfo> = {}) => {
    if (!found.has(id)) found.set(id, { provider: 'meta', id, source, ...extra });
  };
  const refusals: Array<{ endpoint: string; error: WabaError }> = [];
  const refused = (endpoint: string, e: unknown): void => {
    if (!isRefusal(e)) throw e;
    ctx.logger.warn(`Meta ${endpoint} refused (${describeError(e)}); trying the other way of finding WABAs.`);
    refusals.push({ endpoint, error: e });
  };

  let debug: z.infer<typeof DebugTokenSchema>['data'] | undefined;
  try {
    debug = await debugToken(ctx, signal);
  } catch (e) {
    refused('debug_token', e);
  }
  if (debug?.is_valid === false) {
    throw new WabaError('api', 'Meta says the access token is not valid', { provider: 'meta', endpoint: 'debug_token', hint: TOKEN_HINT });
  }
  let businessRoute = debug === undefined || Boolean(debug.scopes?.includes('business_management'));
  const businessIds = new Set<string>();
  const debugIds = new IdDeduper('WABA', 'meta', 'debug_token');
  for (const g of debug?.granular_scopes ?? []) {
    if (g.scope === 'whatsapp_business_management') {
      // A scope without targets applies to every WABA the token may see: only the businesses list them.
      if (!g.target_ids?.length) businessRoute = true;
      for (const w of debugIds.keep((g.target_ids ?? []).map((id) => ({ id })))) add(w.id, 'token');
    }
    if (g.scope === 'business_management') {
      businessRoute = true;
      for (const t of g.target_ids ?? []) businessIds.add(t);
    }
  }
  debugIds.report(onWarning);

  if (businessRoute) {
    try {
      const pages = await getAllPages(ctx.http, '/me/businesses', undefined, 'businesses', BusinessesSchema, signal);
      for (const p of pages) for (const b of p.data) businessIds.add(b.id);
    } catch (e) {
      refused('businesses', e);
    }
    for (const biz of businessIds) {
      const bizId = checkId(biz, 'business id');
      for (const edge of ['owned_whatsapp_business_accounts', 'client_whatsapp_business_accounts']) {
        let pages: Array<z.infer<typeof WabaEdgeSchema>>;
        try {
          pages = await getAllPages(ctx.http, `/${bizId}/${edge}`, undefined, edge, WabaEdgeSchema, signal);
        } catch (e) {
          refused(`${edge} of business ${bizId}`, e);
          continue;
        }
        const ids = new IdDeduper('WABA', 'meta', edge);
        for (const p of pages) {
          for (const w of ids.keep(p.data)) {
            const extra: Partial<WabaInfo> = {};
            if (w.name) extra.name = w.name;
            if (w.currency) extra.currency = w.currency;
            const tz = metaTimezoneName(w.timezone_id);
            if (tz) extra.timezone = tz;
            add(w.id, 'business', extra);
          }
        }
        ids.report(onWarning);
      }
    }
  }

  if (refusals.length) {
    // Each refusal as Meta said it, without its own hint (one hint ends the whole message).
    const said = (e: WabaError) => (e.hint && e.message.endsWith(e.hint) ? e.message.slice(0, -e.hint.length) : e.message).trim().replace(/^Meta \S+ failed \(([^)]*)\): /, '$1, ').replace(/\.$/, '');
    const list = refusals.map((r) => `${r.endpoint}: ${said(r.error)}`).join('; ');
    const manual = ctx.manualWabaIds.some((m) => String(m).trim());
    if (found.size === 0 && !manual) {
      throw new WabaError('api', `Meta refused every way of finding WhatsApp Business Accounts (${list})`, {
        provider: 'meta',
        endpoint: refusals.map((r) => r.endpoint.split(' ')[0]).join(', '),
        status: refusals[0]!.error.status,
        graphCode: refusals[0]!.error.graphCode,
        hint: DISCOVERY_HINT,
      });
    }
    onWarning?.({
      code: 'listing.incomplete',
      message: `Meta refused part of the WABA discovery (${list}); ${found.size ? 'the WABAs found another way' : 'the WABA ids given by hand'} are shown.`,
    });
  }

  for (const m of ctx.manualWabaIds) {
    const v = String(m).trim();
    if (v) add(v, 'manual');
  }

  const entries = [...found.values()];
  if (entries.length > LISTING_BOUNDS.wabas.maxItems) {
    throw new WabaError('response', `Meta answered ${entries.length} WhatsApp Business Accounts, more than a listing can hold (at most ${LISTING_BOUNDS.wabas.maxItems})`, {
      provider: 'meta',
      endpoint: 'businesses',
      hint: 'The server misbehaved; try again later. If it persists, report it.',
    });
  }
  const withoutDetails: string[] = [];
  const out = await mapLimit(
    entries,
    ctx.concurrency,
    async (info, _i, s) => {
      try {
        const details = await getWaba(ctx, info.id, s);
        return { ...info, ...details, source: info.source };
      } catch (e) {
        // Meta refusing one WABA's node (unknown id, no permission on it) keeps the WABA with its
        // id, and says so; no answer, 5xx, 429 or a body of another shape fails the listing.
        if (signal?.aborted || isFatal(e) || !(e instanceof WabaError) || e.kind !== 'api' || e.status === 429 || (e.status ?? 0) >= 500) throw e;
        ctx.logger.warn(`Meta WABA ${info.id}: details could not be read: ${describeError(e)}`);
        withoutDetails.push(info.id);
        return info;
      }
    },
    signal,
  );
  if (withoutDetails.length) {
    onWarning?.({
      code: 'listing.incomplete',
      message: `Meta refused the details of WABA ${withoutDetails.slice(0, 5).join(', ')}${withoutDetails.length > 5 ? ', …' : ''}; shown with ${withoutDetails.length === 1 ? 'its id' : 'their ids'} only (no name, currency or timezone).`,
    });
  }
  return out;
}

export async function listPhoneNumbers(ctx: AccountsContext, wabaId: string, signal?: AbortSignal, onWarning?: WarningSink): Promise<PhoneNumberInfo[]> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const pages = await getAllPages(ctx.http, `/${idv}/phone_numbers`, { fields: PHONE_FIELDS }, 'phone_numbers', PhoneNumbersSchema, signal, 'phones');
  const ids = new IdDeduper('phone number', 'meta', 'phone_numbers');
  const out: PhoneNumberInfo[] = [];
  for (const p of pages) {
    for (const n of ids.keep(p.data)) {
      const info: PhoneNumberInfo = { id: n.id, displayPhoneNumber: n.display_phone_number };
      if (n.verified_name) info.verifiedName = n.verified_name;
      if (n.quality_rating) info.qualityRating = n.quality_rating;
      out.push(info);
    }
  }
  ids.report(onWarning);
  return out;
}

/**
 * A WABA's template groups, `GET /<WABA>/template_groups` (Meta's Python SDK; fields unconfirmed):
 * each group with its template ids. A refusal throws (the caller says so and lets ids be typed):
 * it is never an empty list.
 */
export async function listTemplateGroups(ctx: AccountsContext, wabaId: string, signal?: AbortSignal): Promise<TemplateGroupInfo[]> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const pages = await getAllPages(ctx.http, `/${idv}/template_groups`, { fields: 'id,name,description,whatsapp_business_templates' }, 'template_groups', TemplateGroupsListSchema, signal, 'templates');
  const out: TemplateGroupInfo[] = [];
  const seen = new Set<string>();
  for (const p of pages) {
    for (const g of p.data) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      const t = g.whatsapp_business_templates;
      const list = Array.isArray(t) ? t : (t?.data ?? []);
      out.push({ id: g.id, ...(g.name ? { name: g.name } : {}), templateIds: list.map((x) => x.id) });
    }
  }
  return out;
}

/** The `after` parameter of a next link, when it has one. */
function afterOf(next: string): string | undefined {
  try {
    return new URL(next, 'http://x.invalid').searchParams.get('after') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of templates; `next` is the `after` cursor when Meta says there is a next page. A next
 * page without a cursor, or a cursor equal to the one asked for, is an error (the listing would
 * otherwise end early, or loop).
 */
export async function listTemplates(
  ctx: AccountsContext,
  wabaId: string,
  options: { cursor?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<Page<TemplateInfo>> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const query: Record<string, string> = { fields: TEMPLATE_FIELDS };
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw inputError(`The page size ${options.limit} is not a positive whole number.`);
    query.limit = String(Math.min(options.limit, 1000));
  }
  if (options.cursor) query.after = options.cursor;
  const { body } = await ctx.http.json({ url: `/${idv}/message_templates`, query, endpoint: 'message_templates', signal: options.signal });
  const b = parseBody(TemplatesSchema, body, 'meta', 'message_templates');
  const items: TemplateInfo[] = b.data.map((t) => {
    const info: TemplateInfo = { id: t.id, name: t.name };
    if (t.language) info.language = t.language;
    if (t.category) info.category = t.category;
    if (t.status) info.status = t.status;
    const score = typeof t.quality_score === 'string' ? t.quality_score : t.quality_score?.score;
    if (score) info.qualityScore = score;
    const buttons = new Set<string>();
    for (const c of t.components ?? []) {
      if ((c.type ?? '').toUpperCase() !== 'BUTTONS') continue;
      for (const btn of c.buttons ?? []) if (btn.type) buttons.add(btn.type.toUpperCase());
    }
    if (t.components) info.buttons = [...buttons];
    if (typeof t.cta_url_link_tracking_opted_out === 'boolean') info.clickTrackingOptedOut = t.cta_url_link_tracking_opted_out;
    return info;
  });
  if (!b.paging?.next) return { items };
  const after = b.paging.cursors?.after ?? afterOf(b.paging.next);
  if (!after) {
    throw new WabaError('response', 'Meta message_templates announced a next page without a cursor to reach it', {
      provider: 'meta',
      endpoint: 'message_templates',
      hint: 'The server misbehaved; try again later. If it persists, report it.',
    });
  }
  // The same cursor again would be the same page again: a loop.
  listingGuard('templates', 'meta', 'message_templates', options.cursor).next(after, items.length);
  return { items, next: after };
}

/** `POST /<WABA>?is_enabled_for_insights=true`; Meta answers the WABA id (number or string). */
export async function enableInsights(ctx: AccountsContext, wabaId: string, signal?: AbortSignal): Promise<void> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const { body } = await ctx.http.json({ method: 'POST', url: `/${idv}`, query: { is_enabled_for_insights: 'true' }, endpoint: 'enable_insights', signal });
  parseBody(InsightsAnswerSchema, body, 'meta', 'enable_insights');
}

/**
 * `POST /<TEMPLATE>?cta_url_link_tracking_opted_out=true|false&category=<current category>`.
 * The category is sent as given (Meta's own example writes it lower-case); another category than
 * the template's current one would send the template back to review, so callers pass the current one.
 */
export async function setClickTracking(ctx: AccountsContext, templateId: string, optedOut: boolean, category: string, signal?: AbortSignal): Promise<void> {
  const idv = checkId(templateId, 'template id');
  const cat = String(category ?? '').trim();
  if (!/^[A-Za-z_]{1,40}$/.test(cat)) {
    throw inputError(`The template category "${cat.slice(0, 40)}" is not a category.`, "Pass the template's current category (MARKETING, UTILITY, ...).");
  }
  const { body } = await ctx.http.json({
    method: 'POST',
    url: `/${idv}`,
    query: { cta_url_link_tracking_opted_out: optedOut ? 'true' : 'false', category: cat },
    endpoint: 'click_tracking',
    signal,
  });
  const b = parseBody(SuccessSchema, body, 'meta', 'click_tracking');
  if (b.success !== true) {
    throw new WabaError('response', `Meta did not confirm the click-tracking change of template ${idv} (success: false)`, {
      provider: 'meta',
      endpoint: 'click_tracking',
      hint: 'Check the template in WhatsApp Manager, then try again.',
    });
  }
}
