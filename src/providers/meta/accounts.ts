/**
 * Everything around the analytics: discovering WABAs (debug_token, businesses, ids given by hand),
 * one WABA's details, phone numbers, templates, enabling insights and the click-tracking opt-out.
 */
import { mapLimit } from '../../core/concurrency';
import { WabaError, describeError, inputError } from '../../core/errors';
import type { HttpClient } from '../../core/http';
import { parseBody } from '../../core/normalize';
import type { Logger, Page, PhoneNumberInfo, TemplateInfo, WabaInfo } from '../../core/types';
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
import { metaTimezoneName } from './timezones';
import { checkId } from './urls';

/** Follow at most this many pages of one edge (a loop guard, far above any real account). */
export const MAX_PAGES = 200;

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

type Schema = z.ZodType<{ paging?: Paging | null }>;

/** GET every page of an edge (following `paging.next`, same origin only), validated. */
export async function getAllPages<S extends Schema>(
  http: HttpClient,
  path: string,
  query: Record<string, string> | undefined,
  endpoint: string,
  schema: S,
  signal?: AbortSignal,
): Promise<Array<z.infer<S>>> {
  const out: Array<z.infer<S>> = [];
  const seen = new Set<string>();
  let url = path;
  let q: Record<string, string> | undefined = query;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { body } = await http.json({ url, query: q, endpoint, signal });
    const parsed = parseBody(schema, body, 'meta', endpoint) as z.infer<S>;
    out.push(parsed);
    const next = parsed.paging?.next;
    if (!next) return out;
    if (seen.has(next)) throw loopError(endpoint);
    seen.add(next);
    url = next;
    q = undefined;
  }
  throw loopError(endpoint);
}

function loopError(endpoint: string): WabaError {
  return new WabaError('response', `Meta ${endpoint} kept answering another page (more than ${MAX_PAGES}, or the same one twice)`, {
    provider: 'meta',
    endpoint,
    hint: 'Try again later; if it persists, report it.',
  });
}

function isFatal(e: unknown): boolean {
  return e instanceof WabaError && (e.kind === 'cancelled' || e.kind === 'security' || e.kind === 'config' || e.graphCode === 190);
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

interface Found {
  info: WabaInfo;
}

/**
 * WABAs reachable with the token: the `whatsapp_business_management` target ids of debug_token;
 * with `business_management`, every business's owned and client WABAs; then the ids given by
 * hand. De-duplicated (first source wins); each then gets its details from its node, with bounded
 * concurrency; a WABA whose details fail still appears with its id.
 */
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
  if (debug?.is_valid === false) {
    throw new WabaError('api', 'Meta says the access token is not valid', { provider: 'meta', endpoint: 'debug_token', hint: TOKEN_HINT });
  }
  const wabas = new Set((debug?.granular_scopes ?? []).filter((g) => g.scope === 'whatsapp_business_management').flatMap((g) => g.target_ids ?? []));
  const business = (debug?.scopes ?? []).includes('business_management') || (debug?.granular_scopes ?? []).some((g) => g.scope === 'business_management');
  return `the token is valid; it is granted ${wabas.size} WhatsApp Business Account${wabas.size === 1 ? '' : 's'}${business ? ' and business management' : ''}`;
}

export async function listWabas(ctx: AccountsContext, signal?: AbortSignal): Promise<WabaInfo[]> {
  const found = new Map<string, Found>();
  const add = (id: string, source: WabaInfo['source'], extra: Partial<WabaInfo> = {}) => {
    if (!found.has(id)) found.set(id, { info: { provider: 'meta', id, source, ...extra } });
  };

  let debug: z.infer<typeof DebugTokenSchema>['data'] | undefined;
  try {
    debug = await debugToken(ctx, signal);
  } catch (e) {
    if (isFatal(e)) throw e;
    ctx.logger.warn(`Meta debug_token failed; continuing without it: ${describeError(e)}`);
  }
  if (debug?.is_valid === false) {
    throw new WabaError('api', 'Meta says the access token is not valid', { provider: 'meta', endpoint: 'debug_token', hint: TOKEN_HINT });
  }
  let businessScope = Boolean(debug?.scopes?.includes('business_management'));
  const businessIds = new Set<string>();
  for (const g of debug?.granular_scopes ?? []) {
    if (g.scope === 'whatsapp_business_management') for (const t of g.target_ids ?? []) add(t, 'token');
    if (g.scope === 'business_management') {
      businessScope = true;
      for (const t of g.target_ids ?? []) businessIds.add(t);
    }
  }

  if (businessScope) {
    try {
      const pages = await getAllPages(ctx.http, '/me/businesses', undefined, 'businesses', BusinessesSchema, signal);
      for (const p of pages) for (const b of p.data ?? []) businessIds.add(b.id);
    } catch (e) {
      if (isFatal(e)) throw e;
      ctx.logger.warn(`Meta /me/businesses failed: ${describeError(e)}`);
    }
    for (const biz of businessIds) {
      for (const edge of ['owned_whatsapp_business_accounts', 'client_whatsapp_business_accounts']) {
        try {
          const bizId = checkId(biz, 'business id');
          const pages = await getAllPages(ctx.http, `/${bizId}/${edge}`, undefined, edge, WabaEdgeSchema, signal);
          for (const p of pages) {
            for (const w of p.data ?? []) {
              const extra: Partial<WabaInfo> = {};
              if (w.name) extra.name = w.name;
              if (w.currency) extra.currency = w.currency;
              const tz = metaTimezoneName(w.timezone_id);
              if (tz) extra.timezone = tz;
              add(w.id, 'business', extra);
            }
          }
        } catch (e) {
          if (isFatal(e)) throw e;
          ctx.logger.warn(`Meta ${edge} of business ${biz} failed: ${describeError(e)}`);
        }
      }
    }
  }

  for (const m of ctx.manualWabaIds) {
    const v = String(m).trim();
    if (v) add(v, 'manual');
  }

  const entries = [...found.values()];
  return mapLimit(
    entries,
    ctx.concurrency,
    async (f, _i, s) => {
      try {
        const details = await getWaba(ctx, f.info.id, s);
        return { ...f.info, ...details, source: f.info.source };
      } catch (e) {
        if (signal?.aborted || isFatal(e)) throw e;
        ctx.logger.warn(`Meta WABA ${f.info.id}: details could not be read: ${describeError(e)}`);
        return f.info;
      }
    },
    signal,
  );
}

export async function listPhoneNumbers(ctx: AccountsContext, wabaId: string, signal?: AbortSignal): Promise<PhoneNumberInfo[]> {
  const idv = checkId(wabaId, 'WhatsApp Business Account id');
  const pages = await getAllPages(ctx.http, `/${idv}/phone_numbers`, { fields: PHONE_FIELDS }, 'phone_numbers', PhoneNumbersSchema, signal);
  const out: PhoneNumberInfo[] = [];
  for (const p of pages) {
    for (const n of p.data ?? []) {
      const info: PhoneNumberInfo = { id: n.id, displayPhoneNumber: n.display_phone_number };
      if (n.verified_name) info.verifiedName = n.verified_name;
      if (n.quality_rating) info.qualityRating = n.quality_rating;
      out.push(info);
    }
  }
  return out;
}

/** One page of templates; `next` is the `after` cursor when Meta says there is a next page. */
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
  const items: TemplateInfo[] = (b.data ?? []).map((t) => {
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
  const after = b.paging?.cursors?.after;
  return b.paging?.next && after ? { items, next: after } : { items };
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
