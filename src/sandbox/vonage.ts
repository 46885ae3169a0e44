/**
 * The Vonage dialect of the sandbox (docs/dialects.md, "Vonage"): Channel Manager WABAs, numbers,
 * messaging/template/pricing analytics and enable_insights, and the v2 template list (JWT only),
 * with RFC 7807 problem+json errors.
 */
import { randomUUID, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SandboxFilters, SandboxWaba } from './data';
import { clicksShown, filterCombos } from './data';
import { parseListParam } from './fields';
import type { DialectContext, Reply, SandboxRequest } from './respond';
import { RawJson, allParams, cursorOffset, encodeCursor, headerValue, jsonReply, linkWith } from './respond';
import type { SandboxGranularity } from './values';
import { DAY_MS, SLOT_MS, Series, calendarOf, makeBuckets, templateAccSize, templateSlot } from './values';
import { pageBounds, writeSeriesArray } from './writer';

// ---------------------------------------------------------------------------------------------
// Errors

export interface InvalidParameter {
  name: string;
  reason: string;
}

const PROBLEM_SLUG: Record<number, string> = {
  400: 'invalid-param',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  429: 'throttled',
};

export function vonageProblem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Reply {
  const id = randomUUID();
  const slug = PROBLEM_SLUG[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
  return jsonReply(
    status,
    { type: `https://developer.vonage.com/api-errors#${slug}`, title, detail, instance: id, ...extra },
    { 'x-request-id': id, ...headers },
    'application/problem+json',
  );
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const unauthorized = () => new Problem(401, 'Unauthorized', 'You did not provide correct credentials.');
const invalid = (params: InvalidParameter[]) =>
  new Problem(400, 'Invalid parameters', `The request failed due to validation errors: ${params.map((p) => `${p.name}: ${p.reason}`).join('; ')}`, { invalid_parameters: params });

// ---------------------------------------------------------------------------------------------
// Auth

/** Verify an RS256 JWT made by @vonage/jwt for the demo application. */
export function verifyVonageJwt(token: string, publicKey: KeyObject, applicationId: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
    if (header.alg !== 'RS256') return false;
    const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return false;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { application_id?: string; exp?: number; nbf?: number };
    if (claims.application_id !== applicationId) return false;
    const nowSec = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp < nowSec) return false;
    if (typeof claims.nbf === 'number' && claims.nbf > nowSec + 60) return false;
    return true;
  } catch {
    return false;
  }
}

function authenticate(req: SandboxRequest, ctx: DialectContext, jwtOnly: boolean): void {
  for (const secretParam of ['api_secret', 'api_key', 'jwt', 'token']) {
    if (req.query.has(secretParam)) {
      throw new Problem(400, 'Credentials in the URL', `The ${secretParam} query parameter is refused: send credentials in the Authorization header.`);
    }
  }
  const auth = headerValue(req.headers, 'authorization') ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
  if (basic && !jwtOnly) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    if (decoded === `${ctx.vonageApiKey}:${ctx.vonageApiSecret}`) return;
    throw unauthorized();
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (bearer && verifyVonageJwt(bearer[1]!, ctx.vonagePublicKey, ctx.vonageApplicationId)) return;
  if (jwtOnly && basic) throw new Problem(401, 'Unauthorized', 'This API accepts only a JWT (Authorization: Bearer <jwt>) made with your application id and private key.');
  throw unauthorized();
}

// ---------------------------------------------------------------------------------------------
// Routing

const CM = '/v1/channel-manager/whatsapp/wabas';
const TM = '/v2/whatsapp-manager/wabas';

function parsePath(path: string): { api: 'cm' | 'tm'; wabaId?: string; sub?: string; extra?: string } | undefined {
  const clean = path.replace(/\/+$/, '');
  for (const [prefix, api] of [
    [CM, 'cm'],
    [TM, 'tm'],
  ] as const) {
    if (clean === prefix) return { api };
    if (clean.startsWith(`${prefix}/`)) {
      const [wabaId, sub, ...rest] = clean.slice(prefix.length + 1).split('/').map(decodeURIComponent);
      return { api, wabaId, sub, extra: rest.length ? rest.join('/') : undefined };
    }
  }
  return undefined;
}

/** A short label for stats: `vonage wabas`, `vonage pricing-analytics`, `vonage templates`... */
export function vonageEndpoint(req: SandboxRequest): string {
  const p = parsePath(req.path);
  if (!p) return 'vonage unknown';
  if (p.api === 'tm') return 'vonage templates';
  if (!p.wabaId) return 'vonage wabas';
  return p.sub ? `vonage ${p.sub}` : 'vonage waba';
}

export function handleVonage(req: SandboxRequest, ctx: DialectContext): Reply {
  try {
    return route(req, ctx);
  } catch (e) {
    if (e instanceof Problem) return vonageProblem(e.status, e.title, e.detail, e.extra);
    throw e;
  }
}

function route(req: SandboxRequest, ctx: DialectContext): Reply {
  const p = parsePath(req.path);
  if (!p || p.extra !== undefined || (p.api === 'tm' && p.sub !== 'templates')) {
    authenticate(req, ctx, false);
    throw new Problem(404, 'Not Found', `No such resource: ${req.url.pathname}`);
  }
  authenticate(req, ctx, p.api === 'tm');
  const method = req.method;
  const expect = (m: string) => {
    if (method !== m) throw new Problem(405, 'Method Not Allowed', `Use ${m} for ${req.url.pathname}.`);
  };
  if (!p.wabaId) {
    expect('GET');
    return listWabas(req, ctx);
  }
  const waba = findWaba(ctx, p.wabaId);
  if (p.api === 'tm') {
    expect('GET');
    return templates(req, ctx, waba);
  }
  switch (p.sub) {
    case undefined:
      expect('GET');
      return jsonReply(200, wabaJson(waba, ctx));
    case 'numbers':
      expect('GET');
      return jsonReply(200, {
        total_items: waba.phones.length,
        _embedded: {
          numbers: waba.phones.map((ph) => ({
            phone_number_id: ph.id,
            display_phone_number: ph.displayPhoneNumber,
            verified_name: ph.verifiedName,
            quality_rating: ph.qualityRating,
            country: ph.country,
          })),
        },
        _links: { self: { href: linkWith(req, ctx.origin, {}) } },
      });
    case 'enable_insights':
      expect('PATCH');
      waba.insightsEnabled = true;
      return jsonReply(200, {});
    case 'messaging-analytics':
      expect('GET');
      return messagingAnalytics(req, ctx, waba);
    case 'pricing-analytics':
      expect('GET');
      return pricingAnalytics(req, ctx, waba);
    case 'template-analytics':
      expect('GET');
      return templateAnalytics(req, ctx, waba);
    default:
      throw new Problem(404, 'Not Found', `No such resource: ${req.url.pathname}`);
  }
}

function findWaba(ctx: DialectContext, id: string): SandboxWaba {
  const waba = ctx.data.waba('vonage', id);
  if (!waba) throw new Problem(404, 'Not Found', `WABA ${id} was not found.`);
  if (!waba.linked) throw new Problem(403, 'Forbidden', `Your API key is not linked to WABA ${id}.`);
  return waba;
}

function wabaJson(w: SandboxWaba, ctx: DialectContext): Record<string, unknown> {
  return {
    waba_id: w.id,
    name: w.name,
    currency: w.currency,
    timezone: w.timezone,
    insights_enabled: w.insightsEnabled,
    _links: { self: { href: `${ctx.origin}/vonage${CM}/${w.id}` } },
  };
}

function intParam(req: SandboxRequest, name: string, def: number, max: number, bad: InvalidParameter[]): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    bad.push({ name, reason: 'must be a positive integer' });
    return def;
  }
  return Math.min(n, max);
}

function listWabas(req: SandboxRequest, ctx: DialectContext): Reply {
  const bad: InvalidParameter[] = [];
  const page = intParam(req, 'page', 1, 1_000_000, bad);
  const size = intParam(req, 'page_size', ctx.vonagePageSize, 1000, bad);
  if (bad.length) throw invalid(bad);
  const all = ctx.data.wabas.vonage;
  const totalPages = Math.max(1, Math.ceil(all.length / size));
  const items = all.slice((page - 1) * size, page * size);
  const links: Record<string, unknown> = { self: { href: linkWith(req, ctx.origin, {}) } };
  if (page < totalPages) links.next = { href: linkWith(req, ctx.origin, { page: String(page + 1), page_size: String(size) }) };
  if (page > 1) links.prev = { href: linkWith(req, ctx.origin, { page: String(page - 1), page_size: String(size) }) };
  return jsonReply(200, {
    page_size: size,
    page,
    total_pages: totalPages,
    total_items: all.length,
    _embedded: { wabas: items.map((w) => wabaJson(w, ctx)) },
    _links: links,
  });
}

function templates(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const bad: InvalidParameter[] = [];
  const allowed = new Set(['limit', 'after', 'before', 'category', 'language', 'name', 'status']);
  for (const k of req.query.keys()) if (!allowed.has(k)) bad.push({ name: k, reason: 'unknown parameter' });
  const limit = intParam(req, 'limit', ctx.vonagePageSize, 500, bad);
  let from = 0;
  const after = req.query.get('after');
  const before = req.query.get('before');
  if (after) {
    const o = cursorOffset(after, 'tm');
    if (o === undefined) bad.push({ name: 'after', reason: 'invalid cursor' });
    else from = o;
  } else if (before) {
    const o = cursorOffset(before, 'tm');
    if (o === undefined) bad.push({ name: 'before', reason: 'invalid cursor' });
    else from = Math.max(0, o - limit);
  }
  if (bad.length) throw invalid(bad);
  let items = waba.templates;
  for (const key of ['category', 'language', 'status'] as const) {
    const v = req.query.get(key);
    if (v) items = items.filter((t) => String(t[key]).toUpperCase() === v.toUpperCase());
  }
  const name = req.query.get('name');
  if (name) items = items.filter((t) => t.name.includes(name));
  const page = items.slice(from, from + limit);
  const to = from + page.length;
  const links: Record<string, unknown> = { self: { href: linkWith(req, ctx.origin, {}) } };
  if (to < items.length) links.next = { href: linkWith(req, ctx.origin, { after: encodeCursor(`tm:${to}`), before: undefined }) };
  if (from > 0) links.prev = { href: linkWith(req, ctx.origin, { before: encodeCursor(`tm:${from}`), after: undefined }) };
  return jsonReply(200, {
    templates: page.map((t) => ({ id: t.id, name: t.name, language: t.language, category: t.category, status: t.status, components: t.components })),
    _links: links,
    cursors: { before: encodeCursor(`tm:${from}`), after: encodeCursor(`tm:${to}`) },
  });
}

// ---------------------------------------------------------------------------------------------
// Analytics

interface Common {
  startMs: number;
  endMs: number;
  granularity: SandboxGranularity;
  pageSize: number;
  offset: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : undefined;
}

/** A list parameter: repeated, comma-separated or `[..]`; also under `name[]`. */
function listParam(req: SandboxRequest, name: string): string[] {
  return parseListParam(allParams(req.query, name));
}

/**
 * A single-valued parameter; one pair of double quotes around it is dropped: Vonage's own curl
 * snippet for messaging analytics sends `start="2024-11-10"` (docs/dialects.md).
 */
function scalarParam(req: SandboxRequest, name: string): string | null {
  const v = req.query.get(name);
  return v !== null && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function parseCommon(
  req: SandboxRequest,
  ctx: DialectContext,
  allowed: string[],
  granularities: SandboxGranularity[],
  cursorPrefix: string,
  bad: InvalidParameter[],
  /** The granularity when none is sent (template analytics: Vonage's curl snippet sends none). */
  defaultGranularity?: SandboxGranularity,
): Common {
  const known = new Set(['start', 'end', 'granularity', 'page_size', 'cursor', ...allowed]);
  for (const k of new Set(req.query.keys())) if (!known.has(k.replace(/\[\]$/, ''))) bad.push({ name: k, reason: `unknown parameter; accepted: ${[...known].join(', ')}` });
  const startRaw = scalarParam(req, 'start');
  const endRaw = scalarParam(req, 'end');
  const gRaw = scalarParam(req, 'granularity') || defaultGranularity || null;
  const startMs = startRaw ? parseDate(startRaw) : undefined;
  const endDay = endRaw ? parseDate(endRaw) : undefined;
  if (!startRaw) bad.push({ name: 'start', reason: 'is required (YYYY-MM-DD)' });
  else if (startMs === undefined) bad.push({ name: 'start', reason: 'must be a date written YYYY-MM-DD' });
  if (!endRaw) bad.push({ name: 'end', reason: 'is required (YYYY-MM-DD)' });
  else if (endDay === undefined) bad.push({ name: 'end', reason: 'must be a date written YYYY-MM-DD' });
  let granularity: SandboxGranularity = 'DAILY';
  if (!gRaw) bad.push({ name: 'granularity', reason: `is required (${granularities.join(', ')})` });
  else if (!(granularities as string[]).includes(gRaw.toUpperCase())) bad.push({ name: 'granularity', reason: `must be ${granularities.join(' or ')}` });
  else granularity = gRaw.toUpperCase() as SandboxGranularity;
  const today = Math.floor(req.now / DAY_MS) * DAY_MS;
  if (startMs !== undefined && endDay !== undefined) {
    if (endDay < startMs) bad.push({ name: 'end', reason: 'must not be before start' });
    else if ((endDay - startMs) / DAY_MS > 90) bad.push({ name: 'end', reason: 'must be at most 90 days after start' });
  }
  if (startMs !== undefined && startMs < today - 90 * DAY_MS) bad.push({ name: 'start', reason: 'must be within the last 90 days' });
  const pageSize = intParam(req, 'page_size', ctx.vonagePageSize, 10_000, bad);
  let offset = 0;
  const cursor = req.query.get('cursor');
  if (cursor) {
    const o = cursorOffset(cursor, cursorPrefix);
    if (o === undefined) bad.push({ name: 'cursor', reason: 'invalid cursor' });
    else offset = o;
  }
  return { startMs: startMs ?? 0, endMs: (endDay ?? 0) + DAY_MS, granularity, pageSize, offset };
}

function checkPhones(waba: SandboxWaba, name: string, phones: string[], bad: InvalidParameter[]): string[] {
  const digits = phones.map((p) => p.replace(/[\s+()-]/g, ''));
  const known = waba.phones.map((p) => p.digits);
  for (const d of digits) if (!known.includes(d)) bad.push({ name, reason: `${d} is not a phone number of this WABA (use display number digits, e.g. ${known[0]})` });
  return digits;
}

function checkCountries(countries: string[], bad: InvalidParameter[]): string[] {
  const up = countries.map((c) => c.toUpperCase());
  for (const c of up) if (!/^[A-Z]{2}$/.test(c)) bad.push({ name: 'country_codes', reason: `${c} is not a two-letter country code` });
  return up;
}

function pagingOf(req: SandboxRequest, ctx: DialectContext, prefix: string, from: number, to: number, total: number, size: number): Record<string, unknown> {
  const paging: Record<string, unknown> = { cursors: { before: encodeCursor(`${prefix}:${from}`), after: encodeCursor(`${prefix}:${to}`) } };
  if (to < total) paging.next = linkWith(req, ctx.origin, { cursor: encodeCursor(`${prefix}:${to}`) });
  if (from > 0) paging.previous = linkWith(req, ctx.origin, { cursor: from - size > 0 ? encodeCursor(`${prefix}:${from - size}`) : undefined });
  return paging;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The series a messaging or pricing request asks for (kept per filters, dimensions, range and time slot) and the page of it to answer. */
function seriesPage(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba, kind: 'messaging' | 'pricing', filters: SandboxFilters, dimKeys: string[], c: ReturnType<typeof parseCommon>) {
  const key = `vonage:${waba.id}|${kind}|${JSON.stringify(filters)}|${dimKeys.join(',')}|${c.startMs}|${c.endMs}|${c.granularity}|${Math.floor(req.now / SLOT_MS)}`;
  const series = ctx.series.get(key, () => new Series(kind, filterCombos(waba.combos[kind], filters), dimKeys, makeBuckets(c.startMs, c.endMs, req.now, calendarOf(c.granularity))));
  const total = series.length;
  return { series, total, ...pageBounds(c.offset, c.pageSize, total) };
}

function messagingAnalytics(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const bad: InvalidParameter[] = [];
  const c = parseCommon(req, ctx, ['phone_number', 'product_types', 'country_codes'], ['HALF_HOUR', 'DAILY', 'MONTHLY'], 'vm', bad);
  const phones = checkPhones(waba, 'phone_number', listParam(req, 'phone_number'), bad);
  const countries = checkCountries(listParam(req, 'country_codes'), bad);
  const productTypes = listParam(req, 'product_types');
  for (const pt of productTypes) if (!['0', '2', '100'].includes(pt)) bad.push({ name: 'product_types', reason: `${pt} is not one of 0, 2, 100` });
  if (bad.length) throw invalid(bad);
  const filters: SandboxFilters = { phoneNumbers: phones, countryCodes: countries, productTypes };
  const { series, from, to, total } = seriesPage(req, ctx, waba, 'messaging', filters, [], c);
  const page = writeSeriesArray(
    series,
    from,
    to,
    (bucket) => `{"start":"${Math.floor(bucket.startMs / 1000)}","end":"${Math.floor(bucket.endMs / 1000)}","sent":`,
    (w) => {
      w.uint(series.acc[0]!);
      w.ascii(',"delivered":');
      w.uint(series.acc[1]!);
    },
    80,
  );
  const raw = new RawJson();
  return jsonReply(
    200,
    raw.toBuffer({
      id: waba.id,
      granularity: c.granularity,
      phone_numbers: phones.length ? phones : waba.phones.map((p) => p.digits),
      country_codes: countries.length ? countries : waba.countries,
      page_size: c.pageSize,
      _embedded: { messaging_analytics: raw.slot(page) },
      paging: pagingOf(req, ctx, 'vm', from, to, total, c.pageSize),
    }),
  );
}

const PRICING_DIMENSIONS: Record<string, string> = { PRICING_CATEGORY: 'pricing_category', PRICING_TYPE: 'pricing_type', COUNTRY: 'country', PHONE: 'phone_number', TIER: 'tier' };

function pricingAnalytics(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const bad: InvalidParameter[] = [];
  const c = parseCommon(req, ctx, ['phone_numbers', 'country_codes', 'dimensions', 'tier'], ['HALF_HOUR', 'DAILY', 'MONTHLY'], 'vp', bad);
  const phones = checkPhones(waba, 'phone_numbers', listParam(req, 'phone_numbers'), bad);
  const countries = checkCountries(listParam(req, 'country_codes'), bad);
  const tiers = listParam(req, 'tier');
  for (const t of tiers) if (!/^\d+:(\d+|MAX)$/i.test(t)) bad.push({ name: 'tier', reason: `${t} does not look like 0:100000 or 0:MAX` });
  const dimKeys: string[] = [];
  for (const d of listParam(req, 'dimensions').map((x) => x.toUpperCase())) {
    const key = PRICING_DIMENSIONS[d];
    if (!key) bad.push({ name: 'dimensions', reason: `${d} is not one of ${Object.keys(PRICING_DIMENSIONS).join(', ')}` });
    else if (!dimKeys.includes(key)) dimKeys.push(key);
  }
  if (bad.length) throw invalid(bad);
  const filters: SandboxFilters = { phoneNumbers: phones, countryCodes: countries, tiers };
  const { series, from, to, total } = seriesPage(req, ctx, waba, 'pricing', filters, dimKeys, c);
  const page = writeSeriesArray(
    series,
    from,
    to,
    (bucket) => `{"start":"${iso(bucket.startMs)}","end":"${iso(bucket.endMs)}","volume":`,
    (w, group) => {
      w.uint(series.acc[0]!);
      w.bytes(group.jsonBytes);
    },
  );
  const raw = new RawJson();
  return jsonReply(
    200,
    raw.toBuffer({
      granularity: c.granularity,
      product_type: 'cloud_api',
      page_size: c.pageSize,
      _embedded: { pricing_analytics: raw.slot(page) },
      paging: pagingOf(req, ctx, 'vp', from, to, total, c.pageSize),
    }),
  );
}

const TEMPLATE_METRICS = ['SENT', 'DELIVERED', 'READ', 'CLICKED'];

/**
 * `template_ids` exactly as Vonage's curl snippets and the `_links.self.href` of its documented
 * answer send it: ONE parameter holding a JSON array, `template_ids=[1,2]` (ids bare or quoted).
 * Repeated parameters, `template_ids[]` or a bare list are refused (ours): how the real API reads
 * them is undocumented, and a server that kept only one of them would drop templates silently.
 */
function templateIdsParam(req: SandboxRequest, bad: InvalidParameter[]): string[] {
  const values = allParams(req.query, 'template_ids');
  const form = 'must be one parameter holding a JSON array, e.g. template_ids=[458951126288937,458951126288942]';
  if (values.length === 0) {
    bad.push({ name: 'template_ids', reason: `is required (up to 10 template ids); it ${form}` });
    return [];
  }
  const one = values[0]!.trim();
  if (values.length > 1 || req.query.has('template_ids[]') || !one.startsWith('[') || !one.endsWith(']')) {
    bad.push({ name: 'template_ids', reason: `${form}; got ${values.length} parameter${values.length === 1 ? '' : 's'}${values.length === 1 ? ` "${one.slice(0, 40)}"` : ''}` });
    return [];
  }
  const ids = parseListParam([one]);
  if (!ids.length) bad.push({ name: 'template_ids', reason: 'is required (up to 10 template ids); the array is empty' });
  return ids;
}

function templateAnalytics(req: SandboxRequest, ctx: DialectContext, waba: SandboxWaba): Reply {
  const bad: InvalidParameter[] = [];
  const c = parseCommon(req, ctx, ['template_ids', 'metric_types'], ['DAILY'], 'vt', bad, 'DAILY');
  const ids = [...new Set(templateIdsParam(req, bad))];
  if (ids.length > 10) bad.push({ name: 'template_ids', reason: `at most 10 template ids, got ${ids.length}` });
  const metrics = listParam(req, 'metric_types').map((m) => m.toUpperCase());
  for (const m of metrics) if (!TEMPLATE_METRICS.includes(m)) bad.push({ name: 'metric_types', reason: `${m} is not one of ${TEMPLATE_METRICS.join(', ')}` });
  const templates = ids.map((id) => waba.templates.find((t) => t.id === id));
  ids.forEach((id, i) => {
    if (!templates[i]) bad.push({ name: 'template_ids', reason: `${id} is not a template of this WABA` });
  });
  if (bad.length) throw invalid(bad);
  if (!waba.insightsEnabled) {
    throw new Problem(403, 'Insights not enabled', `Template analytics need insights: enable them first with PATCH /v1/channel-manager/whatsapp/wabas/${waba.id}/enable_insights.`);
  }
  const show = (m: string) => metrics.length === 0 || metrics.includes(m);
  const buckets = makeBuckets(c.startMs, c.endMs, req.now, calendarOf('DAILY'), false);
  const total = buckets.length * ids.length;
  const { from, to } = pageBounds(c.offset, c.pageSize, total);
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const t = templates[i % ids.length]!;
    const b = buckets[Math.floor(i / ids.length)]!;
    const tv = ctx.data.templateValues('vonage', t.id)!;
    const acc = new Float64Array(templateAccSize(tv));
    for (let s = b.slotFrom; s < b.slotTo; s++) templateSlot(tv, s, acc);
    const p: Record<string, unknown> = { template_id: t.id, start: iso(b.startMs), end: iso(b.endMs) };
    if (show('SENT')) p.sent = acc[0];
    if (show('DELIVERED')) p.delivered = acc[1];
    if (show('READ')) p.read = acc[2];
    if (show('CLICKED') && clicksShown(t)) p.clicked = tv.clickButtons.reduce((sum, _b, bi) => sum + acc[4 + bi]!, 0);
    parts.push(JSON.stringify(p));
  }
  const links: Record<string, unknown> = { self: { href: linkWith(req, ctx.origin, {}) } };
  if (to < total) links.next = { href: linkWith(req, ctx.origin, { cursor: encodeCursor(`vt:${to}`) }) };
  const raw = new RawJson();
  return jsonReply(
    200,
    raw.toBuffer({
      granularity: 'DAILY',
      product_type: 'cloud_api',
      page_size: c.pageSize,
      _embedded: { template_analytics: raw.slot(`[${parts.join(',')}]`) },
      _links: links,
    }),
  );
}
