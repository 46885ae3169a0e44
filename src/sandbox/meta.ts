/**
 * The Meta Graph API dialect of the sandbox (docs/dialects.md, "Meta"): WABA node fields and the
 * analytics fields, template_analytics, phone numbers, templates, insights, click tracking,
 * discovery, with Graph-style errors.
 */
import { FILTER_VALUES, TEMPLATE_METRICS as TEMPLATE_METRIC_VALUES, TEMPLATE_PRODUCT_TYPES } from '../core/vocabulary';
import type { SandboxTemplate, SandboxWaba } from './data';
import { clicksShown, filterCombos, isMarketingMessagesProduct } from './data';
import type { FieldSpec, ModifierValue } from './fields';
import { FieldsSyntaxError, parseFields, parseListParam } from './fields';
import type { DialectContext, Reply, SandboxRequest } from './respond';
import { RawJson, cursorOffset, encodeCursor, headerValue, jsonReply, linkWith } from './respond';
import type { SandboxGranularity, SeriesKind } from './values';
import { DAY_MS, SLOT_MS, Series, calendarOf, makeBuckets, money, templateAccSize, templateSlot, zonedMidnight } from './values';
import { pageBounds, writeSeriesArray } from './writer';
import { callAnalytics, groupAnalytics, templateGroupAnalytics, templateGroupsListing } from './metaNewer';

// ---------------------------------------------------------------------------------------------
// Errors

export interface GraphErrorSpec {
  message: string;
  type?: string;
  code: number;
  subcode?: number;
  userTitle?: string;
  userMsg?: string;
}

export function metaError(status: number, e: GraphErrorSpec, trace: string, headers: Record<string, string> = {}): Reply {
  const error: Record<string, unknown> = { message: e.message, type: e.type ?? 'OAuthException', code: e.code };
  if (e.subcode !== undefined) error.error_subcode = e.subcode;
  if (e.userTitle) error.error_user_title = e.userTitle;
  if (e.userMsg) error.error_user_msg = e.userMsg;
  error.fbtrace_id = trace;
  return jsonReply(status, { error }, { 'x-fb-trace-id': trace, ...headers });
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly spec: GraphErrorSpec,
  ) {
    super(spec.message);
  }
}

const badParam = (message: string, subcode?: number, userMsg?: string): GraphError =>
  new GraphError(400, { message: `(#100) ${message}`, code: 100, subcode, userTitle: userMsg ? 'Invalid parameter' : undefined, userMsg });

function nonexistingField(field: string, nodeType: string): GraphError {
  return new GraphError(400, { message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`, code: 100 });
}

function unknownObject(id: string): GraphError {
  return new GraphError(400, {
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: 'GraphMethodException',
    code: 100,
    subcode: 33,
  });
}

// ---------------------------------------------------------------------------------------------
// Stats label

const ANALYTICS_FIELDS = ['analytics', 'conversation_analytics', 'pricing_analytics'] as const;
/** Stats labels only (call_analytics is answered whole, without cursors). */
const LABELLED_FIELDS = [...ANALYTICS_FIELDS, 'call_analytics'] as const;
type AnalyticsField = (typeof ANALYTICS_FIELDS)[number];

function splitPath(path: string): { version?: string; segments: string[] } {
  const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const version = segments[0] && /^v\d+(\.\d+)?$/.test(segments[0]) ? segments.shift() : undefined;
  return { version, segments };
}

/** A short label for stats: `meta pricing_analytics`, `meta message_templates`, `meta waba`... */
export function metaEndpoint(req: SandboxRequest, ctx: DialectContext): string {
  const { segments } = splitPath(req.path);
  const [node, edge] = segments;
  if (!node) return 'meta root';
  if (edge) return `meta ${edge}`;
  if (node === 'debug_token' || node === 'me') return `meta ${node}`;
  if (ctx.data.waba('meta', node)) {
    if (req.method === 'POST') return 'meta insights';
    const fields = req.query.get('fields') ?? '';
    const found = LABELLED_FIELDS.filter((f) => new RegExp(`(^|[,\\s])${f}\\b`).test(fields));
    return found.length ? found.map((f) => `meta ${f}`).join(' ') : 'meta waba';
  }
  if (ctx.data.template('meta', node)) return req.method === 'POST' ? 'meta click_tracking' : 'meta template';
  if (node === ctx.data.business.id) return 'meta business';
  return 'meta node';
}

// ---------------------------------------------------------------------------------------------
// Entry

export function handleMeta(req: SandboxRequest, ctx: DialectContext): Reply {
  try {
    return route(req, ctx);
  } catch (e) {
    if (e instanceof GraphError) return metaError(e.status, e.spec, ctx.trace());
    if (e instanceof FieldsSyntaxError) return metaError(400, { message: `(#100) ${e.message}`, code: 100 }, ctx.trace());
    throw e;
  }
}

function route(req: SandboxRequest, ctx: DialectContext): Reply {
  if (req.query.has('access_token')) {
    throw new GraphError(400, {
      message: '(#100) The access_token query parameter is refused by this server: send the token in the Authorization header (Authorization: Bearer <token>).',
      code: 100,
      userTitle: 'Token in URL',
      userMsg: 'Send the token in the Authorization header.',
    });
  }
  const auth = headerValue(req.headers, 'authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m || m[1] !== ctx.metaToken) {
    throw new GraphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
  }
  const { segments } = splitPath(req.path);
  const [node, edge, extra] = segments;
  if (!node) throw new GraphError(400, { message: '(#100) Unknown path components: /', code: 100 });
  if (extra !== undefined) throw new GraphError(400, { message: `(#2500) Unknown path components: /${extra}`, code: 2500 });
  const method = req.method;
  if (method !== 'GET' && method !== 'POST') {
    throw new GraphError(400, { message: `(#100) Unsupported ${method} request.`, code: 100 });
  }
  const data = ctx.data;

  if (node === 'debug_token') return debugToken(req, ctx);
  if (node === 'me') {
    if (!edge) return jsonReply(200, { id: '100000000000999', name: 'WABA Analytics Demo System User' });
    if (edge === 'businesses') return edgePage(req, ctx, [data.business], (b) => ({ id: b.id, name: b.name }));
    throw nonexistingField(edge, 'User');
  }
  if (node === data.business.id) {
    if (!edge) return jsonReply(200, { id: data.business.id, name: data.business.name });
    const wabas = data.wabas.meta;
    const fields = req.query.get('fields') ?? 'id,name,currency,timezone_id';
    if (edge === 'owned_whatsapp_business_accounts') return edgePage(req, ctx, wabas.filter((w) => !w.partnerBilled), (w) => wabaFields(w, fields));
    if (edge === 'client_whatsapp_business_accounts') return edgePage(req, ctx, wabas.filter((w) => w.partnerBilled), (w) => wabaFields(w, fields));
    throw nonexistingField(edge, 'Business');
  }
  const waba = data.waba('meta', node);
  if (waba) {
    if (!edge) return method === 'POST' ? enableInsights(req, waba) : wabaNode(req, ctx, waba);
    if (method !== 'GET') throw new GraphError(400, { message: `(#100) Unsupported post request on edge ${edge}.`, code: 100 });
    if (edge === 'template_analytics') return templateAnalytics(req, ctx, waba);
    if (edge === 'template_group_analytics') return jsonReply(200, templateGroupAnalytics(req.query, waba, req.now, badParam));
    if (edge === 'group_analytics') return jsonReply(200, groupAnalytics(req.query, waba, req.now, badParam));
    if (edge === 'template_groups') {
      // The last Meta WABA refuses the listing (SDK-only edge), so a refusal can be told from "no groups".
      if (waba === data.wabas.meta[data.wabas.meta.length - 1]) throw new GraphError(403, { message: '(#10) Application does not have permission for this action', type: 'OAuthException', code: 10 });
      return jsonReply(200, templateGroupsListing(waba));
    }
    if (edge === 'message_templates') return messageTemplates(req, ctx, waba);
    if (edge === 'phone_numbers') return phoneNumbers(req, ctx, waba);
    throw nonexistingField(edge, 'WhatsAppBusinessAccount');
  }
  const tpl = data.template('meta', node);
  if (tpl) {
    if (edge) throw nonexistingField(edge, 'WhatsAppMessageTemplate');
    return method === 'POST' ? clickTracking(req, tpl.template) : jsonReply(200, templateFields(tpl.template, req.query.get('fields') ?? 'id,name,status,category,language'));
  }
  for (const w of data.wabas.meta) {
    const phone = w.phones.find((p) => p.id === node);
    if (phone) {
      if (edge) throw nonexistingField(edge, 'WhatsAppBusinessPhoneNumber');
      return jsonReply(200, phoneFields(phone, req.query.get('fields') ?? 'id,display_phone_number,verified_name,quality_rating'));
    }
  }
  throw unknownObject(node);
}

// ---------------------------------------------------------------------------------------------
// Discovery, edges

function debugToken(req: SandboxRequest, ctx: DialectContext): Reply {
  if (req.method !== 'POST' || req.query.has('input_token')) {
    throw badParam('debug_token: send input_token in a POST form body (method=GET&input_token=...), never in the URL.');
  }
  const input = req.form.get('input_token');
  if (!input) throw badParam('The parameter input_token is required');
  if (input !== ctx.metaToken) {
    return jsonReply(200, { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, scopes: [] } });
  }
  const wabaIds = ctx.data.wabas.meta.map((w) => w.id);
  return jsonReply(200, {
    data: {
      app_id: ctx.data.metaAppId,
      type: 'SYSTEM_USER',
      application: 'WABA Analytics Demo',
      data_access_expires_at: 0,
      expires_at: 0,
      is_valid: true,
      scopes: ['whatsapp_business_management', 'whatsapp_business_messaging', 'business_management'],
      granular_scopes: [
        { scope: 'whatsapp_business_management', target_ids: wabaIds },
        { scope: 'whatsapp_business_messaging', target_ids: wabaIds },
        { scope: 'business_management', target_ids: [ctx.data.business.id] },
      ],
      user_id: '100000000000999',
    },
  });
}

function parseLimit(req: SandboxRequest, def: number, max = 5000): number {
  const raw = req.query.get('limit');
  if (raw === null) return Math.min(def, max);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badParam(`Param limit must be a positive integer, got "${raw}"`);
  return Math.min(n, max);
}

/** A Graph edge page: `{data, paging:{cursors:{before,after}, next?, previous?}}` with `limit`, `after`, `before`. */
function edgePage<T>(req: SandboxRequest, ctx: DialectContext, items: readonly T[], render: (item: T) => unknown, prefix = 'e'): Reply {
  const limit = parseLimit(req, ctx.metaEdgePageSize);
  let from = 0;
  const after = req.query.get('after');
  const before = req.query.get('before');
  if (after) {
    const o = cursorOffset(after, prefix);
    if (o === undefined) throw badParam('Invalid after cursor', 1357053);
    from = o;
  } else if (before) {
    const o = cursorOffset(before, prefix);
    if (o === undefined) throw badParam('Invalid before cursor', 1357053);
    from = Math.max(0, o - limit);
  }
  const page = items.slice(from, from + limit);
  const body: Record<string, unknown> = { data: page.map(render) };
  if (page.length) {
    const paging: Record<string, unknown> = { cursors: { before: encodeCursor(`${prefix}:${from}`), after: encodeCursor(`${prefix}:${from + page.length}`) } };
    if (from + page.length < items.length) paging.next = linkWith(req, ctx.origin, { after: encodeCursor(`${prefix}:${from + page.length}`), before: undefined });
    if (from > 0) paging.previous = linkWith(req, ctx.origin, { before: encodeCursor(`${prefix}:${from}`), after: undefined });
    body.paging = paging;
  }
  return jsonReply(200, body);
}

const WABA_PLAIN_FIELDS = new Set([
  'id',
  'name',
  'currency',
  'timezone_id',
  'is_enabled_for_insights',
  'message_template_namespace',
  'account_review_status',
  'ownership_type',
  'business_verification_status',
  'owner_business_info',
]);

function wabaPlain(w: SandboxWaba, name: string): unknown {
  switch (name) {
    case 'id':
      return w.id;
    case 'name':
      return w.name;
    case 'currency':
      return w.currency;
    case 'timezone_id':
      return w.timezoneId;
    case 'is_enabled_for_insights':
      return w.insightsEnabled;
    case 'message_template_namespace':
      return `sandbox_${w.id.slice(-6)}`;
    case 'account_review_status':
      return 'APPROVED';
    case 'ownership_type':
      return w.partnerBilled ? 'CLIENT_OWNED' : 'SELF';
    case 'business_verification_status':
      return 'verified';
    case 'owner_business_info':
      return { id: w.businessId, name: 'Acme Outdoor Group' };
  }
  return undefined;
}

function wabaFields(w: SandboxWaba, fields: string): Record<string, unknown> {
  const out: Record<string, unknown> = { id: w.id };
  for (const f of parseFields(fields)) if (WABA_PLAIN_FIELDS.has(f.name)) out[f.name] = wabaPlain(w, f.name);
  return out;
}

function templateFields(t: SandboxTemplate, fields: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set(['id', ...parseFields(fields).map((f) => f.name)]);
  for (const name of names) {
    switch (name) {
      case 'id':
        out.id = t.id;
        break;
      case 'name':
      case 'status':
      case 'category':
      case 'language':
        out[name] = t[name];
        break;
      case 'quality_score':
        out.quality_score = { score: t.qualityScore, date: 0 };
        break;
      case 'components':
        out.components = t.components;
        break;
      case 'cta_url_link_tracking_opted_out':
        out.cta_url_link_tracking_opted_out = t.clickTrackingOptedOut;
        break;
      case 'parameter_format':
        out.parameter_format = 'POSITIONAL';
        break;
      case 'rejected_reason':
        out.rejected_reason = t.status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE';
        break;
      case 'previous_category':
        if (t.category !== t.initialCategory) out.previous_category = t.initialCategory;
        break;
    }
  }
  return out;
}

function phoneFields(p: SandboxWaba['phones'][number], fields: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set(['id', ...parseFields(fields).map((f) => f.name)]);
  for (const name of names) {
    switch (name) {
      case 'id':
        out.id = p.id;
        break;
      case 'display_phone_number':
        out.display_phone_number = p.displayPhoneNumber;
        break;
      case 'verified_name':
        out.verified_name = p.verifiedName;
        break;
      case 'quality_rating':
        out.quality_rating = p.qualityRating;
        break;
      case 'code_verification_status':
        out.code_verification_status = 'VERIFIED';
        break;
      case 'platform_type':
        out.platform_type = 'CLOUD_API';
        break;
      case 'name_status':
        out.name_status = 'APPROVED';
        break;
      case 'throughput':
        out.throughput = { level: 'STANDARD' };
        break;
    }
  }
  return out;
}

function phoneNumbers(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const fields = req.query.get('fields') ?? 'id,display_phone_number,verified_name,quality_rating';
  parseFields(fields);
  return edgePage(req, ctx, waba.phones, (p) => phoneFields(p, fields));
}

function messageTemplates(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const fields = req.query.get('fields') ?? 'id,name,status,category,language';
  parseFields(fields);
  let items = waba.templates;
  for (const key of ['status', 'category', 'language'] as const) {
    const wanted = parseListParam(req.query.getAll(key)).map((v) => v.toUpperCase());
    if (wanted.length) items = items.filter((t) => wanted.includes(String(t[key]).toUpperCase()));
  }
  const name = req.query.get('name');
  if (name) items = items.filter((t) => t.name.includes(name));
  return edgePage(req, ctx, items, (t) => templateFields(t, fields));
}

// ---------------------------------------------------------------------------------------------
// Writes

function param(req: SandboxRequest, name: string): string | null {
  return req.query.get(name) ?? req.form.get(name);
}

function enableInsights(req: SandboxRequest, waba: SandboxWaba): Reply {
  const v = param(req, 'is_enabled_for_insights');
  if (v === null) throw badParam('No valid parameters to update: send is_enabled_for_insights=true');
  if (v.toLowerCase() !== 'true') {
    throw badParam('is_enabled_for_insights cannot be turned off once enabled', undefined, 'Template analytics cannot be disabled once confirmed.');
  }
  waba.insightsEnabled = true;
  return jsonReply(200, { id: waba.id });
}

function clickTracking(req: SandboxRequest, t: SandboxTemplate): Reply {
  const opted = param(req, 'cta_url_link_tracking_opted_out');
  const category = param(req, 'category');
  if (opted === null || !/^(true|false)$/i.test(opted)) throw badParam('Param cta_url_link_tracking_opted_out must be true or false');
  if (!category) throw badParam('The parameter category is required (the template\'s current category)');
  const cat = category.trim().toUpperCase();
  if (!['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(cat)) throw badParam(`Param category must be one of {MARKETING, UTILITY, AUTHENTICATION} - got "${category}"`);
  t.clickTrackingOptedOut = opted.toLowerCase() === 'true';
  if (cat !== t.category) {
    // Another category sends the template back to review, as Meta does.
    t.category = cat;
    t.status = 'PENDING';
  }
  return jsonReply(200, { success: true });
}

// ---------------------------------------------------------------------------------------------
// The WABA node: plain fields and analytics fields

function wabaNode(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const specs = parseFields(req.query.get('fields') ?? 'id,name');
  let afterField: string | undefined;
  let afterOffset = 0;
  const after = req.query.get('after');
  if (after) {
    const m = /^(\w+):(\d+)$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
    if (!m || !(ANALYTICS_FIELDS as readonly string[]).includes(m[1]!)) throw badParam('Invalid after cursor', 1357053);
    afterField = m[1];
    afterOffset = Number(m[2]);
  }
  const raw = new RawJson();
  const body: Record<string, unknown> = {};
  for (const spec of specs) {
    if ((ANALYTICS_FIELDS as readonly string[]).includes(spec.name)) {
      const name = spec.name as AnalyticsField;
      if (afterField && afterField !== name) continue;
      body[name] = analyticsField(name, spec, req, ctx, waba, afterField === name ? afterOffset : 0, raw);
    } else if (spec.name === 'call_analytics') {
      // The older data[].data_points[] shape on the second Meta WABA (docs/dialects.md).
      body.call_analytics = callAnalytics(spec, waba, req.now, waba === ctx.data.wabas.meta[1], badParam);
    } else if (spec.name === 'template_analytics') {
      if (afterField) continue;
      body.template_analytics = raw.slot(templateAnalyticsField(spec, req, ctx, waba));
    } else if (WABA_PLAIN_FIELDS.has(spec.name)) {
      if (spec.modifiers.size) throw badParam(`Field ${spec.name} takes no modifiers`);
      body[spec.name] = wabaPlain(waba, spec.name);
    } else if (spec.name === 'phone_numbers' || spec.name === 'message_templates') {
      const sub = { ...req, query: new URLSearchParams(spec.subfields ? { fields: spec.subfields } : {}) } as SandboxRequest;
      sub.url = new URL(`${req.url.pathname.replace(/\/?$/, '')}/${spec.name}${spec.subfields ? `?fields=${encodeURIComponent(spec.subfields)}` : ''}`, ctx.origin);
      body[spec.name] = JSON.parse(String((spec.name === 'phone_numbers' ? phoneNumbers(sub, ctx, waba) : messageTemplates(sub, ctx, waba)).body));
    } else {
      throw nonexistingField(spec.name, 'WhatsAppBusinessAccount');
    }
  }
  body.id = waba.id;
  return jsonReply(200, raw.toBuffer(body));
}

interface FieldRules {
  granularities: readonly string[];
  modifiers: readonly string[];
  metricTypes?: readonly string[];
  dimensions?: Record<string, string>;
}

const FIELD_RULES: Record<AnalyticsField, FieldRules> = {
  analytics: {
    granularities: ['HALF_HOUR', 'DAY', 'MONTH'],
    modifiers: ['start', 'end', 'granularity', 'phone_numbers', 'product_types', 'country_codes'],
  },
  conversation_analytics: {
    granularities: ['HALF_HOUR', 'DAILY', 'MONTHLY'],
    modifiers: ['start', 'end', 'granularity', 'phone_numbers', 'country_codes', 'metric_types', 'conversation_categories', 'conversation_types', 'conversation_directions', 'dimensions'],
    metricTypes: ['COST', 'CONVERSATION'],
    dimensions: { CONVERSATION_CATEGORY: 'conversation_category', CONVERSATION_DIRECTION: 'conversation_direction', CONVERSATION_TYPE: 'conversation_type', COUNTRY: 'country', PHONE: 'phone_number' },
  },
  pricing_analytics: {
    granularities: ['HALF_HOUR', 'DAILY', 'MONTHLY'],
    modifiers: ['start', 'end', 'granularity', 'phone_numbers', 'country_codes', 'metric_types', 'pricing_types', 'pricing_categories', 'dimensions'],
    metricTypes: ['COST', 'VOLUME'],
    dimensions: { COUNTRY: 'country', PHONE: 'phone_number', PRICING_CATEGORY: 'pricing_category', PRICING_TYPE: 'pricing_type', TIER: 'tier' },
  },
};

/** Filter values of the field modifiers: the one table of src/core/vocabulary.ts. */
const ENUMS: Readonly<Record<string, readonly string[]>> = FILTER_VALUES;

const GRANULARITY_OF: Record<string, SandboxGranularity> = { HALF_HOUR: 'HALF_HOUR', DAY: 'DAILY', DAILY: 'DAILY', MONTH: 'MONTHLY', MONTHLY: 'MONTHLY' };

function asList(field: string, name: string, v: ModifierValue | undefined): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') {
    if (v === '') return [];
    throw badParam(`Param ${name} of ${field} must be an array, e.g. ${name}(["A","B"])`);
  }
  return v;
}

function unixSeconds(field: string, name: string, v: ModifierValue | undefined): number {
  if (v === undefined || v === '') throw badParam(`The parameter ${name} is required for ${field}`);
  if (typeof v !== 'string' || !/^\d{1,11}$/.test(v)) throw badParam(`Param ${name} of ${field} must be a UNIX timestamp in seconds, got "${String(v)}"`);
  return Number(v);
}

const SENT_KEY = Buffer.from(',"sent":');
const DELIVERED_KEY = Buffer.from(',"delivered":');
const COST_KEY = Buffer.from(',"cost":');

function analyticsField(name: AnalyticsField, spec: FieldSpec, req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba, offset: number, raw: RawJson): Record<string, unknown> {
  const rules = FIELD_RULES[name];
  for (const mod of spec.modifiers.keys()) {
    if (!rules.modifiers.includes(mod) && mod !== 'limit' && mod !== 'after') {
      throw badParam(`Unknown filtering parameter ${mod} for ${name}; accepted: ${rules.modifiers.join(', ')}`);
    }
  }
  const mods = spec.modifiers;
  const start = unixSeconds(name, 'start', mods.get('start'));
  const end = unixSeconds(name, 'end', mods.get('end'));
  const gRaw = mods.get('granularity');
  if (gRaw === undefined || gRaw === '') throw badParam(`The parameter granularity is required for ${name}`);
  const gWord = String(gRaw).toUpperCase();
  if (!rules.granularities.includes(gWord)) throw badParam(`Param granularity must be one of {${rules.granularities.join(', ')}} - got "${String(gRaw)}"`);
  const granularity = GRANULARITY_OF[gWord]!;
  if (end <= start) throw badParam(`The end (${end}) of ${name} must be after its start (${start})`);
  const now = req.now;
  const earliest = Math.floor(now / DAY_MS) * DAY_MS - 366 * DAY_MS;
  if (start * 1000 < earliest) throw badParam(`The start of ${name} is older than the 1-year lookback (earliest ${Math.floor(earliest / 1000)})`, 2593041);

  // Filters
  const upper = (list: string[]) => list.map((x) => x.trim().toUpperCase());
  const checkEnum = (mod: string, list: string[]) => {
    const allowed = ENUMS[mod]!;
    list.forEach((v, i) => {
      if (!allowed.includes(v)) throw badParam(`Param ${mod}[${i}] must be one of {${allowed.join(', ')}} - got "${v}"`);
    });
    return list;
  };
  const phones = asList(name, 'phone_numbers', mods.get('phone_numbers')).map((p) => p.replace(/[\s+()-]/g, ''));
  const wabaDigits = waba.phones.map((p) => p.digits);
  phones.forEach((p, i) => {
    if (!wabaDigits.includes(p)) {
      throw badParam(`Param phone_numbers[${i}] "${p}" is not a phone number of this WhatsApp Business Account (filter by display number digits, e.g. ${wabaDigits[0]})`);
    }
  });
  const countries = upper(asList(name, 'country_codes', mods.get('country_codes')));
  countries.forEach((c, i) => {
    if (!/^[A-Z]{2}$/.test(c)) throw badParam(`Param country_codes[${i}] must be a two-letter country code - got "${c}"`);
  });
  const metricTypes = upper(asList(name, 'metric_types', mods.get('metric_types')));
  metricTypes.forEach((m, i) => {
    if (!rules.metricTypes?.includes(m)) throw badParam(`Param metric_types[${i}] must be one of {${(rules.metricTypes ?? []).join(', ')}} - got "${m}"`);
  });
  const dimensions = upper(asList(name, 'dimensions', mods.get('dimensions')));
  const dimKeys: string[] = [];
  dimensions.forEach((d, i) => {
    const key = rules.dimensions?.[d];
    if (!key) throw badParam(`Param dimensions[${i}] must be one of {${Object.keys(rules.dimensions ?? {}).join(', ')}} - got "${d}"`);
    if (!dimKeys.includes(key)) dimKeys.push(key);
  });
  const listOf = (mod: string) => checkEnum(mod, upper(asList(name, mod, mods.get(mod))));
  const filters = {
    phoneNumbers: phones,
    countryCodes: countries,
    productTypes: name === 'analytics' ? listOf('product_types') : [],
    conversationCategories: name === 'conversation_analytics' ? listOf('conversation_categories') : [],
    conversationTypes: name === 'conversation_analytics' ? listOf('conversation_types') : [],
    conversationDirections: name === 'conversation_analytics' ? listOf('conversation_directions') : [],
    pricingCategories: name === 'pricing_analytics' ? listOf('pricing_categories') : [],
    pricingTypes: name === 'pricing_analytics' ? listOf('pricing_types') : [],
  };
  const limitRaw = mods.get('limit');
  let limit = ctx.metaFieldPageSize;
  if (limitRaw !== undefined) {
    limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1) throw badParam(`Param limit of ${name} must be a positive integer`);
  }

  const kind: SeriesKind = name === 'analytics' ? 'messaging' : name === 'conversation_analytics' ? 'conversation' : 'pricing';
  const seriesKey = `meta:${waba.id}|${kind}|${JSON.stringify(filters)}|${dimKeys.join(',')}|${start}|${end}|${granularity}|${Math.floor(now / SLOT_MS)}`;
  const series = ctx.series.get(seriesKey, () => new Series(kind, filterCombos(waba.combos[kind], filters), dimKeys, makeBuckets(start * 1000, end * 1000, now, calendarOf(granularity))));
  const total = series.length;
  const { from, to } = pageBounds(offset, limit, total);

  const showFirst = kind === 'messaging' || metricTypes.length === 0 || metricTypes.includes(kind === 'conversation' ? 'CONVERSATION' : 'VOLUME');
  const showCost = kind !== 'messaging' && !waba.partnerBilled && (metricTypes.length === 0 || metricTypes.includes('COST'));
  const first = kind === 'messaging' ? 'sent' : kind === 'conversation' ? 'conversation' : 'volume';
  const firstKey = Buffer.from(`,"${first}":`);
  const acc = series.acc;
  const page = writeSeriesArray(
    series,
    from,
    to,
    (bucket) => `{"start":${Math.floor(bucket.startMs / 1000)},"end":${Math.floor(bucket.endMs / 1000)}`,
    (w, group) => {
      if (kind === 'messaging') {
        w.bytes(SENT_KEY);
        w.uint(acc[0]!);
        w.bytes(DELIVERED_KEY);
        w.uint(acc[1]!);
        return;
      }
      w.bytes(group.jsonBytes);
      if (showFirst) {
        w.bytes(firstKey);
        w.uint(acc[0]!);
      }
      if (showCost) {
        w.bytes(COST_KEY);
        w.money4(acc[1]!);
      }
    },
  );
  const points = raw.slot(page);
  const out: Record<string, unknown> =
    kind === 'messaging'
      ? {
          phone_numbers: phones.length ? phones : wabaDigits,
          country_codes: countries.length ? countries : waba.countries,
          granularity: gWord,
          data_points: points,
        }
      : { data: [{ data_points: points }] };
  if (from > 0 || to < total) {
    const paging: Record<string, unknown> = { cursors: { before: encodeCursor(`${name}:${from}`), after: encodeCursor(`${name}:${to}`) } };
    if (to < total) paging.next = linkWith(req, ctx.origin, { after: encodeCursor(`${name}:${to}`) });
    if (from > 0) paging.previous = linkWith(req, ctx.origin, { after: from - limit > 0 ? encodeCursor(`${name}:${from - limit}`) : undefined });
    out.paging = paging;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// template_analytics edge

const TEMPLATE_PARAMS = new Set(['start', 'end', 'granularity', 'template_ids', 'metric_types', 'product_type', 'use_waba_timezone', 'limit', 'after', 'before', 'fields']);
const TEMPLATE_METRICS: readonly string[] = TEMPLATE_METRIC_VALUES;
const TEMPLATE_PRODUCTS: readonly string[] = TEMPLATE_PRODUCT_TYPES;

/**
 * The field form, `GET /<WABA>?fields=template_analytics.start(S).end(E).granularity(DAILY).template_ids([..])`:
 * the edge's answer `{data, paging}` under the field's name, its modifiers read as the edge's
 * parameters; its `paging.next` leads to the edge (whose pages are `{data, paging}`), as public
 * clients of the field form observe (docs/dialects.md).
 */
function templateAnalyticsField(spec: FieldSpec, req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Buffer | string {
  if (spec.subfields !== undefined) throw badParam('Field template_analytics takes no subfields');
  const query = new URLSearchParams();
  for (const [name, v] of spec.modifiers) query.set(name, typeof v === 'string' ? v : `[${v.join(',')}]`);
  const path = `${req.path.replace(/\/+$/, '')}/template_analytics`;
  const url = new URL(`${req.url.pathname.replace(/\/+$/, '')}/template_analytics?${query.toString()}`, ctx.origin);
  return templateAnalytics({ ...req, path, url, query }, ctx, waba).body;
}

function templateAnalytics(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const q = req.query;
  for (const key of q.keys()) if (!TEMPLATE_PARAMS.has(key)) throw badParam(`Unknown parameter ${key} for template_analytics; accepted: ${[...TEMPLATE_PARAMS].join(', ')}`);
  const startRaw = q.get('start');
  const endRaw = q.get('end');
  const gRaw = q.get('granularity');
  if (!startRaw) throw badParam('The parameter start is required');
  if (!endRaw) throw badParam('The parameter end is required');
  if (!gRaw) throw badParam('The parameter granularity is required');
  if (gRaw.toUpperCase() !== 'DAILY') throw badParam(`Param granularity must be DAILY - got "${gRaw}"`);
  const ids = parseListParam(q.getAll('template_ids'));
  if (!ids.length) throw badParam('The parameter template_ids is required (an array of up to 10 template ids)');
  const unique = [...new Set(ids)];
  if (unique.length > 10) throw badParam(`Param template_ids must have at most 10 elements - got ${unique.length}`);
  const metrics = parseListParam(q.getAll('metric_types')).map((m) => m.toUpperCase());
  metrics.forEach((m, i) => {
    if (!TEMPLATE_METRICS.includes(m)) throw badParam(`Param metric_types[${i}] must be one of {${TEMPLATE_METRICS.join(', ')}} - got "${m}"`);
  });
  const productType = (q.get('product_type') ?? 'CLOUD_API').toUpperCase();
  if (!TEMPLATE_PRODUCTS.includes(productType)) throw badParam(`Param product_type must be one of {${TEMPLATE_PRODUCTS.join(', ')}} - got "${q.get('product_type')}"`);
  const useTz = (q.get('use_waba_timezone') ?? 'false').toLowerCase() === 'true';

  if (!waba.insightsEnabled) {
    throw new GraphError(400, {
      message: '(#200) Template analytics are not enabled for this WhatsApp Business Account',
      type: 'OAuthException',
      code: 200,
      subcode: 2388096,
      userTitle: 'Insights not enabled',
      userMsg: 'Confirm template analytics first: POST /<WABA_ID>?is_enabled_for_insights=true',
    });
  }
  const templates = unique.map((id) => {
    const t = waba.templates.find((x) => x.id === id);
    if (!t) throw badParam(`Param template_ids contains ${id}, which is not a message template of this WhatsApp Business Account`, 33);
    return t;
  });

  // Times: UNIX seconds snapped to 00:00 UTC, or dates (inclusive) in the WABA time zone.
  const now = req.now;
  const tz = useTz ? waba.timezone : 'UTC';
  const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
  const toInstant = (raw: string, which: 'start' | 'end'): number => {
    const m = dateRe.exec(raw);
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const day = zonedMidnight(y, mo, d, tz);
      return which === 'start' ? day : calendarOf('DAILY', tz).next(day);
    }
    if (useTz) throw badParam(`With use_waba_timezone=true, ${which} must be a date written YYYY-MM-DD - got "${raw}"`);
    if (!/^\d{1,11}$/.test(raw)) throw badParam(`Param ${which} must be a UNIX timestamp in seconds - got "${raw}"`);
    return Number(raw) * 1000;
  };
  const startMs = toInstant(startRaw, 'start');
  const endMs = toInstant(endRaw, 'end');
  const futureEnd = dateRe.test(endRaw) ? zonedMidnight(...(endRaw.split('-').map(Number) as [number, number, number]), tz) > now : endMs > now;
  if (futureEnd) {
    throw badParam('End time must be within the query period of the last 90 days', 4182001, 'The end time cannot be in the future.');
  }
  const cal = calendarOf('DAILY', tz);
  const snappedStart = cal.floor(startMs);
  const snappedEnd = endMs === cal.floor(endMs) ? endMs : cal.next(cal.floor(endMs));
  if (snappedEnd <= snappedStart) throw badParam('The end must be after the start');
  const earliest = Math.floor(now / DAY_MS) * DAY_MS - 90 * DAY_MS - (useTz ? DAY_MS : 0);
  if (snappedStart < earliest) throw badParam('Start time must be within the query period of the last 90 days', 4182001, 'Template analytics reach back 90 days.');

  // Points: day-major, templates in the order asked.
  const buckets = makeBuckets(snappedStart, snappedEnd, now, cal, false);
  const total = buckets.length * templates.length;
  const limit = parseLimit(req, ctx.metaEdgePageSize, ctx.metaTemplateLimitMax);
  let from = 0;
  const after = q.get('after');
  if (after) {
    const o = cursorOffset(after, 'ta');
    if (o === undefined) throw badParam('Invalid after cursor', 1357053);
    from = Math.min(o, total);
  }
  const to = Math.min(total, from + limit);
  const show = (m: string) => metrics.length === 0 || metrics.includes(m);
  const values = templates.map((t) => ctx.data.templateValues('meta', t.id, productType)!);
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const ti = i % templates.length;
    const b = buckets[Math.floor(i / templates.length)]!;
    const t = templates[ti]!;
    const tv = values[ti]!;
    const acc = new Float64Array(templateAccSize(tv));
    for (let s = b.slotFrom; s < b.slotTo; s++) templateSlot(tv, s, acc);
    const p: Record<string, unknown> = { template_id: t.id, start: Math.floor(b.startMs / 1000), end: Math.floor(b.endMs / 1000) };
    if (show('SENT')) p.sent = acc[0];
    if (show('DELIVERED')) p.delivered = acc[1];
    if (show('READ')) p.read = acc[2];
    const n = tv.clickButtons.length;
    let urlClicks = 0;
    if (clicksShown(t)) {
      const clicked: Array<{ type: string; button_content: string; count: number }> = [];
      tv.clickButtons.forEach((btn, bi) => {
        if (btn.type === 'URL') {
          urlClicks += acc[4 + bi]!;
          clicked.push({ type: 'url_button', button_content: btn.text, count: acc[4 + bi]! });
          clicked.push({ type: 'unique_url_button', button_content: btn.text, count: acc[4 + n + bi]! });
        } else {
          clicked.push({ type: 'quick_reply_button', button_content: btn.text, count: acc[4 + bi]! });
        }
      });
      if (show('CLICKED')) p.clicked = clicked;
    }
    if (show('COST') && !waba.partnerBilled) {
      const amount = money(acc[3]!);
      const cost: Array<{ type: string; value: number }> = [{ type: 'amount_spent', value: amount }];
      if (acc[1]! > 0) cost.push({ type: 'cost_per_delivered', value: Math.round((amount / acc[1]!) * 10000) / 10000 });
      if (t.buttons.some((x) => x.type === 'URL') && urlClicks > 0) cost.push({ type: 'cost_per_url_button_click', value: Math.round((amount / urlClicks) * 10000) / 10000 });
      p.cost = cost;
    }
    parts.push(JSON.stringify(p));
  }
  const raw = new RawJson();
  const entry: Record<string, unknown> = { granularity: 'DAILY', product_type: isMarketingMessagesProduct(productType) ? productType.toLowerCase() : 'cloud_api' };
  if (useTz) entry.waba_timezone = waba.timezone;
  entry.data_points = raw.slot(`[${parts.join(',')}]`);
  const paging: Record<string, unknown> = { cursors: { before: encodeCursor(`ta:${from}`), after: encodeCursor(`ta:${to}`) } };
  if (to < total) paging.next = linkWith(req, ctx.origin, { after: encodeCursor(`ta:${to}`) });
  return jsonReply(200, raw.toBuffer({ data: [entry], paging }));
}

