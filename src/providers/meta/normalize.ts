/**
 * Graph API analytics bodies -> the normalized model: times as ISO UTC, dims in snake_case API
 * names, metrics by API name (absent when Meta did not return them, never 0), granularity in the
 * user vocabulary, and the warnings a user needs (unknown enum values, missing cost, legacy
 * conversation analytics, reads and clicks still counting).
 */
import { DAY, toIsoUtc } from '../../core/dates';
import { leftOutWarning, parseBody, shapeError, Warnings } from '../../core/normalize';
import type { BodyNormalizer, NormalizeContext, NormalizedPage } from '../../core/provider';
import type { ButtonClicks, Granularity, Kind, NormalizedResult, Point } from '../../core/types';
import type { Warning } from '../../core/warnings';
import { warning } from '../../core/warnings';
import { POINT_DIMENSIONS } from '../../core/vocabulary';
import { parseApiTime } from '../../core/dates';
import { META_ENGAGEMENT_DAYS, userGranularity } from './capabilities';
import { metaErrorFromGraph } from './errors';
import type { z } from 'zod';
import type { CallPoint, FieldPoint, GroupPointSchema, Paging, TemplateGroupPoint, TemplatePoint } from './schemas';
import { CallsEnvelopeSchema, GroupBodySchema, TemplateGroupBodySchema } from './schemas';
import { ConversationEnvelopeSchema, FieldPointSchema, GraphErrorSchema, MessagingEnvelopeSchema, PricingEnvelopeSchema, TemplateBodySchema, TemplateFieldBodySchema } from './schemas';
import { EDGE_NAMES, FIELD_NAMES, isEdgeKind } from './urls';

export const PARTNER_COST_WARNING: Warning = warning(
  'cost.unavailable',
  'Cost is not available: this WhatsApp Business Account is billed through a Solution Partner; ask your partner for charges.',
);
export const CONVERSATION_LEGACY_WARNING: Warning = warning(
  'conversation.legacy',
  'No conversation data: conversation analytics is legacy since per-message pricing (1 July 2025); an account billed per message has none here: use pricing analytics.',
);
export const ENGAGEMENT_WARNING: Warning = warning(
  'engagement.still-counting',
  `Reads and clicks stop counting ${META_ENGAGEMENT_DAYS} days after a send: figures for the last ${META_ENGAGEMENT_DAYS} days may still grow.`,
);
export const FREE_ENTRY_NOTE: Warning = warning(
  'value.alias',
  'Conversation type FREE_ENTRY_POINT (free entry point conversations) is what the conversationTypes filter calls FREE_ENTRY.',
);

/** What the caller knows beyond the body: the query's granularity, metric types, range. */
export interface MetaNormalizeContext extends NormalizeContext {
  granularity?: Granularity;
  /** The metric types asked for (empty or absent: all, which implies COST). */
  metricTypes?: readonly string[];
  /** [startMs, endMs) asked for; used for the "still counting" template warning. */
  rangeEndMs?: number;
  now?: number;
  /** Template query with use_waba_timezone. */
  useWabaTimezone?: boolean;
}

/** One page, before the warnings that need every page (cost, still counting). */
export interface MetaPage {
  points: Point[];
  warnings: Warning[];
  wabaId: string | null;
  /** The granularity the body names, if it does. */
  granularity?: Granularity;
  /** `waba_timezone` of a template answer with use_waba_timezone. */
  wabaTimezone?: string;
  /** The WABA's `currency`, when the request asked for it next to the analytics field. */
  currency?: string;
  next?: string;
  /** Non-finite values left out, by name: the caller reports them once for all pages (leftOutWarning). */
  leftOut?: ReadonlyMap<string, number>;
}

const FIELD_DIMS = POINT_DIMENSIONS;
const FIELD_METRICS = ['sent', 'delivered', 'read', 'volume', 'cost', 'conversation'] as const;

/**
 * API times as ISO strings, and dimension values, each made once and shared: a HALF_HOUR answer
 * repeats every start for every combination of dimensions, so this saves the formatting and the
 * memory of a string per point. Bounded; cleared when full.
 */
const isoCache = new Map<string | number, string>();
const CACHE_MAX = 50_000;

/** ISO of an API time; undefined when it is not one. */
function isoOf(value: unknown): string | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  let out = isoCache.get(value);
  if (out === undefined) {
    const ms = parseApiTime(value);
    if (ms === undefined) return undefined;
    if (isoCache.size >= CACHE_MAX) isoCache.clear();
    out = toIsoUtc(ms);
    isoCache.set(value, out);
  }
  return out;
}

function iso(value: string | number): string {
  // The schemas already refused anything parseApiTime cannot read.
  return isoOf(value)!;
}

type FieldDim = (typeof FIELD_DIMS)[number];

/**
 * The dimension values of points, shared: one (frozen) `dims` object per combination of values,
 * with the warnings its values bring (an unknown value, FREE_ENTRY). A HALF_HOUR answer repeats
 * each combination once per half-hour, so this saves an object and its strings per point. A tree
 * with one level per FIELD_DIMS entry, keyed by the value as the API wrote it; bounded.
 */
interface DimsNode {
  dims: Readonly<Record<string, string>>;
  warnings: readonly Warning[];
  values: Map<string, DimsNode>;
  absent?: DimsNode;
}
const newRoot = (): DimsNode => ({ dims: Object.freeze({}), warnings: [], values: new Map() });
let dimsRoot = newRoot();
let dimsNodes = 0;

function dimsChild(node: DimsNode, d: FieldDim, v: string): DimsNode {
  let child = node.values.get(v);
  if (child === undefined) {
    const found = new Warnings();
    found.addAll(node.warnings);
    found.dim(d, v);
    if (d === 'conversation_type' && v === 'FREE_ENTRY_POINT') found.addWarning(FREE_ENTRY_NOTE);
    child = { dims: Object.freeze({ ...node.dims, [d]: v }), warnings: found.list(), values: new Map() };
    node.values.set(v, child);
    dimsNodes++;
  }
  return child;
}

/** The node of a point whose dimension `FIELD_DIMS[i]` is `values[i]` (a string, a number, or absent); null for another type. */
function dimsNode(values: readonly unknown[]): DimsNode | null {
  if (dimsNodes > CACHE_MAX) {
    dimsRoot = newRoot();
    dimsNodes = 0;
  }
  let node = dimsRoot;
  for (let i = 0; i < FIELD_DIMS.length; i++) {
    const v = values[i];
    if (v === undefined || v === null || v === '') {
      if (!node.absent) {
        node.absent = { dims: node.dims, warnings: node.warnings, values: new Map() };
        dimsNodes++;
      }
      node = node.absent;
    } else if (typeof v === 'string') {
      node = dimsChild(node, FIELD_DIMS[i]!, v);
    } else if (typeof v === 'number') {
      node = dimsChild(node, FIELD_DIMS[i]!, String(v));
    } else {
      return null;
    }
  }
  return node;
}

function addWarnings(node: DimsNode, w: Warnings): void {
  for (let i = 0; i < node.warnings.length; i++) w.addWarning(node.warnings[i]!);
}

function fieldPoint(p: FieldPoint, w: Warnings): Point {
  const node = dimsNode(FIELD_DIMS.map((d) => p[d]))!;
  addWarnings(node, w);
  const dims = node.dims;
  const metrics: Record<string, number> = {};
  for (const m of FIELD_METRICS) {
    const v = p[m];
    if (v !== undefined) finite(metrics, m, v, w);
  }
  return { start: iso(p.start), end: iso(p.end), dims: dims as Record<string, string>, metrics };
}

/** Set a metric; a negative or non-finite value ("1e999" parses to Infinity) is left out and counted, never silently. */
function finite(metrics: Record<string, number>, name: string, v: number, w: Warnings): void {
  w.value(metrics, name, v);
}

/** A raw metric: undefined when absent, null when not a number (a string goes through the schema). */
function rawMetric(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') return null;
  return v;
}

interface RawFieldPoint {
  start?: unknown;
  end?: unknown;
  phone_number?: unknown;
  country?: unknown;
  tier?: unknown;
  pricing_category?: unknown;
  pricing_type?: unknown;
  conversation_category?: unknown;
  conversation_type?: unknown;
  conversation_direction?: unknown;
  sent?: unknown;
  delivered?: unknown;
  read?: unknown;
  volume?: unknown;
  cost?: unknown;
  conversation?: unknown;
}

const scratch: unknown[] = new Array(FIELD_DIMS.length);

/** The dims node of a raw point (null when a dimension has a type the schema refuses). */
function rawDimsNode(p: RawFieldPoint): DimsNode | null {
  scratch[0] = p.phone_number;
  scratch[1] = p.country;
  scratch[2] = p.tier;
  scratch[3] = p.pricing_category;
  scratch[4] = p.pricing_type;
  scratch[5] = p.conversation_category;
  scratch[6] = p.conversation_type;
  scratch[7] = p.conversation_direction;
  return dimsNode(scratch);
}

/** Whether two raw points have the same dimension values. */
function sameDims(a: RawFieldPoint, b: RawFieldPoint): boolean {
  return (
    a.phone_number === b.phone_number &&
    a.country === b.country &&
    a.tier === b.tier &&
    a.pricing_category === b.pricing_category &&
    a.pricing_type === b.pricing_type &&
    a.conversation_category === b.conversation_category &&
    a.conversation_type === b.conversation_type &&
    a.conversation_direction === b.conversation_direction
  );
}

/**
 * The same as `fieldPoint(FieldPointSchema.parse(raw))` for the usual point (times, string or
 * number dimensions, number metrics) whose dims node is known, without building the intermediate
 * object; undefined for anything else, which then goes through the schema (numbers as strings, or
 * an error naming the path). Written out field by field: this runs once per point of answers of
 * hundreds of thousands.
 */
function fastFieldPoint(p: RawFieldPoint, node: DimsNode, w: Warnings): Point | undefined {
  const start = isoOf(p.start);
  const end = isoOf(p.end);
  if (start === undefined || end === undefined) return undefined;
  const sent = rawMetric(p.sent);
  const delivered = rawMetric(p.delivered);
  const read = rawMetric(p.read);
  const volume = rawMetric(p.volume);
  const cost = rawMetric(p.cost);
  const conversation = rawMetric(p.conversation);
  if (sent === null || delivered === null || read === null || volume === null || cost === null || conversation === null) return undefined;
  // Keys in FIELD_METRICS order, as fieldPoint writes them.
  const metrics: Record<string, number> = {};
  if (sent !== undefined) finite(metrics, 'sent', sent, w);
  if (delivered !== undefined) finite(metrics, 'delivered', delivered, w);
  if (read !== undefined) finite(metrics, 'read', read, w);
  if (volume !== undefined) finite(metrics, 'volume', volume, w);
  if (cost !== undefined) finite(metrics, 'cost', cost, w);
  if (conversation !== undefined) finite(metrics, 'conversation', conversation, w);
  addWarnings(node, w);
  return { start, end, dims: node.dims as Record<string, string>, metrics };
}

/** A point's raw object and dims node, by its position in its bucket. */
interface Row {
  raw: RawFieldPoint;
  node: DimsNode;
}

/**
 * Every point of a `data_points` array, `path` naming it from the body's root (for errors). The
 * k-th point of a bucket mostly has the dimension values of the k-th point of the bucket before:
 * compared first, they need no lookup.
 */
function fieldPoints(list: readonly unknown[] | null | undefined, w: Warnings, endpoint: string, path: PropertyKey[], out: Point[]): void {
  if (!list) return;
  const rows: Row[] = [];
  let bucket: unknown;
  let k = 0;
  for (let j = 0; j < list.length; j++) {
    const raw = list[j];
    let point: Point | undefined;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const p = raw as RawFieldPoint;
      if (p.start !== bucket) {
        bucket = p.start;
        k = 0;
      }
      const row = rows[k];
      let node: DimsNode | null;
      if (row !== undefined && sameDims(p, row.raw)) {
        node = row.node;
      } else {
        node = rawDimsNode(p);
        if (node) rows[k] = { raw: p, node };
      }
      k++;
      if (node) point = fastFieldPoint(p, node, w);
    }
    if (!point) {
      const r = FieldPointSchema.safeParse(raw);
      if (!r.success) {
        const issues = r.error.issues.map((i) => ({ ...i, path: [...path, j, ...i.path] }));
        throw shapeError('meta', endpoint, { issues } as unknown as typeof r.error);
      }
      point = fieldPoint(r.data, w);
    }
    out.push(point);
  }
}

/** The fields of a template (or template group) point this normalizer reads by name. */
const TEMPLATE_POINT_KEYS = new Set(['template_id', 'template_group_id', 'start', 'end', 'sent', 'delivered', 'read', 'clicked', 'cost']);
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Numeric fields of a point that no schema names (the Marketing Messages API's metrics, e.g.
 * `website_purchases_conversion_value`): kept as metrics under their own names, never dropped,
 * each named once in an `answer.unknown-metric` warning.
 */
function unknownMetrics(p: Record<string, unknown>, metrics: Record<string, number>, w: Warnings): void {
  for (const [k, v] of Object.entries(p)) {
    if (TEMPLATE_POINT_KEYS.has(k)) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : undefined;
    if (n === undefined) continue;
    finite(metrics, k, n, w);
    w.add('answer.unknown-metric', `The answer has a metric "${k}" that is not documented; it is kept under that name.`);
  }
}

function templatePoint(p: TemplatePoint | TemplateGroupPoint, w: Warnings): Point {
  const metrics: Record<string, number> = {};
  for (const m of ['sent', 'delivered', 'read'] as const) {
    const v = p[m];
    if (v !== undefined) finite(metrics, m, v, w);
  }
  const dims: Record<string, string> = 'template_group_id' in p ? { template_group_id: String(p.template_group_id) } : { template_id: (p as TemplatePoint).template_id };
  const point: Point = { start: iso(p.start), end: iso(p.end), dims, metrics };
  if (typeof p.clicked === 'number') {
    finite(metrics, 'clicked', p.clicked, w);
  } else if (Array.isArray(p.clicked)) {
    const clicks: ButtonClicks[] = [];
    let broken = false;
    for (const c of p.clicked) {
      const type = w.clickType(c.type);
      // A negative or non-finite click count is left out, and the total it would make too.
      if (c.count >= 0 && c.count !== Infinity) clicks.push({ type, button_content: c.button_content ?? '', count: c.count });
      else {
        w.leftOut(`${type} click count`);
        broken = true;
      }
    }
    const counted = clicks.filter((c) => !c.type.startsWith('unique_'));
    if (broken) w.leftOut('clicked');
    else if (clicks.length === 0 || counted.length > 0) metrics.clicked = counted.reduce((n, c) => n + c.count, 0);
    point.clicks = clicks;
  }
  for (const c of p.cost ?? []) finite(metrics, w.costType(c.type), c.value, w);
  unknownMetrics(p, metrics, w);
  return point;
}

function callPoint(p: CallPoint, w: Warnings): Point {
  const dims: Record<string, string> = {};
  for (const d of ['direction', 'country', 'phone_number', 'tier'] as const) {
    const v = p[d];
    if (v !== undefined && v !== '') dims[d] = w.dim(d, v);
  }
  const metrics: Record<string, number> = {};
  for (const m of ['count', 'cost', 'average_duration'] as const) {
    const v = p[m];
    if (v !== undefined) finite(metrics, m, v, w);
  }
  return { start: iso(p.start), end: iso(p.end), dims, metrics };
}

function groupPoint(p: z.infer<typeof GroupPointSchema>, w: Warnings): Point {
  const metrics: Record<string, number> = {};
  for (const m of ['sent', 'delivered', 'read', 'joined', 'left'] as const) {
    const v = p[m];
    if (v !== undefined) finite(metrics, m, v, w);
  }
  return { start: iso(p.start), end: iso(p.end), dims: { group_id: p.group_id }, metrics };
}

function nextOf(...pagings: Array<Paging | null | undefined>): string | undefined {
  for (const p of pagings) if (p?.next) return p.next;
  return undefined;
}

function bodyGranularity(word: string | undefined, w: Warnings): Granularity | undefined {
  if (word === undefined) return undefined;
  const g = userGranularity(word);
  if (!g) w.add('answer.unknown-granularity', `Unknown granularity "${word}" in the answer (ignored).`);
  return g;
}

/** Validate and map one body of one kind (no cross-page warnings). */
export function normalizeMetaPage(body: unknown, ctx: MetaNormalizeContext): MetaPage {
  const w = new Warnings();
  const page = readMetaPage(body, ctx, w);
  return w.leftOutCounts.size ? { ...page, leftOut: w.leftOutCounts } : page;
}

function readMetaPage(body: unknown, ctx: MetaNormalizeContext, w: Warnings): MetaPage {
  const kind = ctx.kind;
  const endpoint = ctx.endpoint ?? (isEdgeKind(kind) ? EDGE_NAMES[kind] : FIELD_NAMES[kind]);
  if (body && typeof body === 'object' && 'error' in body) {
    // A Graph error body given to normalize (e.g. saved from a failed call): say what Meta said.
    const err = GraphErrorSchema.safeParse(body);
    if (err.success) throw metaErrorFromGraph(err.data.error, endpoint);
  }
  switch (kind) {
    case 'messaging': {
      const b = parseBody(MessagingEnvelopeSchema, body, 'meta', endpoint);
      const points: Point[] = [];
      fieldPoints(b.analytics?.data_points, w, endpoint, ['analytics', 'data_points'], points);
      return {
        points,
        warnings: w.list(),
        wabaId: b.id ?? ctx.wabaId ?? null,
        granularity: bodyGranularity(b.analytics?.granularity, w),
        next: nextOf(b.analytics?.paging, b.paging),
      };
    }
    case 'conversation': {
      const b = parseBody(ConversationEnvelopeSchema, body, 'meta', endpoint);
      const field = b.conversation_analytics;
      if (!field && !b.data) w.addWarning(CONVERSATION_LEGACY_WARNING);
      const groups = field ? (field.data ?? []) : (b.data ?? []);
      const root = field ? ['conversation_analytics', 'data'] : ['data'];
      const points: Point[] = [];
      groups.forEach((g, i) => fieldPoints(g.data_points, w, endpoint, [...root, i, 'data_points'], points));
      return { points, warnings: w.list(), wabaId: b.id ?? ctx.wabaId ?? null, currency: b.currency, next: nextOf(field?.paging, b.paging) };
    }
    case 'pricing': {
      const b = parseBody(PricingEnvelopeSchema, body, 'meta', endpoint);
      const field = b.pricing_analytics;
      const points: Point[] = [];
      (field?.data ?? []).forEach((g, i) => fieldPoints(g.data_points, w, endpoint, ['pricing_analytics', 'data', i, 'data_points'], points));
      return { points, warnings: w.list(), wabaId: b.id ?? ctx.wabaId ?? null, currency: b.currency, next: nextOf(field?.paging, b.paging) };
    }
    case 'template': {
      // The edge answers {data, paging}; the field form of the WABA node {template_analytics: {data, paging}, id}
      // (its paging.next leads to edge-form pages). A body with neither is a shape error (data is required).
      const field = isTemplateField(body) ? parseBody(TemplateFieldBodySchema, body, 'meta', endpoint) : undefined;
      const b = field ? field.template_analytics : parseBody(TemplateBodySchema, body, 'meta', endpoint);
      const groups = b.data;
      const points = groups.flatMap((g) => (g.data_points ?? []).map((p) => templatePoint(p, w)));
      const granularity = groups.map((g) => bodyGranularity(g.granularity, w)).find((g) => g !== undefined);
      const wabaTimezone = groups.map((g) => g.waba_timezone).find((t) => t);
      return { points, warnings: w.list(), wabaId: field?.id ?? ctx.wabaId ?? null, granularity, wabaTimezone, next: nextOf(b.paging) };
    }
    case 'calls': {
      // Both documented shapes: call_analytics.data_points[] (the analytics guide) and
      // call_analytics.data[].data_points[] (an older calling-pricing page).
      const b = parseBody(CallsEnvelopeSchema, body, 'meta', endpoint);
      const field = b.call_analytics;
      const lists = [field?.data_points ?? [], ...(field?.data ?? []).map((g) => g.data_points ?? [])];
      const points = lists.flatMap((list) => list.map((p) => callPoint(p, w)));
      const granularity = [field?.granularity, ...(field?.data ?? []).map((g) => g.granularity)].map((g) => bodyGranularity(g, w)).find((g) => g !== undefined);
      return { points, warnings: w.list(), wabaId: b.id ?? ctx.wabaId ?? null, granularity, currency: b.currency, next: nextOf(field?.paging, b.paging) };
    }
    case 'template-groups': {
      const b = parseBody(TemplateGroupBodySchema, body, 'meta', endpoint);
      const points = b.data.flatMap((g) => (g.data_points ?? []).map((p) => templatePoint(p, w)));
      const granularity = b.data.map((g) => bodyGranularity(g.granularity, w)).find((g) => g !== undefined);
      return { points, warnings: w.list(), wabaId: ctx.wabaId ?? null, granularity, next: nextOf(b.paging) };
    }
    case 'groups': {
      const b = parseBody(GroupBodySchema, body, 'meta', endpoint);
      const points = b.data.flatMap((g) => (g.data_points ?? []).map((p) => groupPoint(p, w)));
      const granularity = b.data.map((g) => bodyGranularity(g.granularity, w)).find((g) => g !== undefined);
      return { points, warnings: w.list(), wabaId: ctx.wabaId ?? null, granularity, next: nextOf(b.paging) };
    }
  }
}

/** A `next` link as the schemas read it: a non-empty string (or a number, as a string). */
function rawNext(o: unknown): string | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const paging = (o as { paging?: unknown }).paging;
  if (!paging || typeof paging !== 'object') return undefined;
  const n = (paging as { next?: unknown }).next;
  return typeof n === 'string' ? n || undefined : typeof n === 'number' ? String(n) : undefined;
}

/**
 * The `next` link of a body, read before the body is checked, so the next page can be asked for
 * while this one is validated. The same link `normalizeMetaPage` finds: the analytics field's
 * paging first, then the body's.
 */
export function metaNextLink(body: unknown, kind: Kind): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const field = (body as Record<string, unknown>)[isEdgeKind(kind) ? EDGE_NAMES[kind] : FIELD_NAMES[kind]];
  return rawNext(field) ?? rawNext(body);
}

/** A template_analytics answer in the field form of the WABA node (`{template_analytics: {...}, id}`). */
function isTemplateField(body: unknown): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && 'template_analytics' in body;
}

/** Which metric carries the volume of a point, to tell "no cost because nothing happened" apart. */
const VOLUME_METRICS = ['volume', 'conversation', 'delivered', 'sent', 'count'];

/** Warnings that need every page: cost missing on a partner-billed account, template figures still counting. */
export function unitWarnings(kind: Kind, points: readonly Point[], ctx: MetaNormalizeContext): Warning[] {
  const out: Warning[] = [];
  if (kind !== 'messaging' && kind !== 'groups') {
    const asked = ctx.metricTypes?.map((m) => m.toUpperCase());
    const costWanted = !asked || asked.length === 0 || asked.includes('COST');
    const byType = kind === 'template' || kind === 'template-groups';
    const costKey = byType ? 'amount_spent' : 'cost';
    const active = points.some((p) => VOLUME_METRICS.some((m) => (p.metrics[m] ?? 0) > 0));
    if (costWanted && active && !points.some((p) => costKey in p.metrics || (byType && 'cost_per_delivered' in p.metrics))) {
      out.push(PARTNER_COST_WARNING);
    }
  }
  if (kind === 'template' || kind === 'template-groups') {
    const now = ctx.now ?? Date.now();
    const lastEnd = ctx.rangeEndMs ?? points.reduce((m, p) => Math.max(m, Date.parse(p.end)), Number.NEGATIVE_INFINITY);
    if (Number.isFinite(lastEnd) && lastEnd > now - META_ENGAGEMENT_DAYS * DAY) out.push(ENGAGEMENT_WARNING);
  }
  return out;
}

/** The granularity of points when no one said it: from the longest span. */
export function inferGranularity(points: readonly Point[]): Granularity | undefined {
  let span = 0;
  for (const p of points) span = Math.max(span, Date.parse(p.end) - Date.parse(p.start));
  if (span <= 0) return undefined;
  if (span <= 30 * 60_000) return 'HALF_HOUR';
  if (span <= 25 * 3_600_000) return 'DAILY';
  return 'MONTHLY';
}

/** Validate and normalize one raw Graph body (what `waba-analytics normalize` and fetchUnit use). */
export function normalizeMetaBodyWith(body: unknown, ctx: MetaNormalizeContext): NormalizedPage {
  const page = normalizeMetaPage(body, ctx);
  const leftOut = leftOutWarning(page.leftOut);
  const warnings = [...page.warnings, ...(leftOut ? [leftOut] : []), ...unitWarnings(ctx.kind, page.points, ctx)];
  const result: NormalizedResult = {
    provider: 'meta',
    kind: ctx.kind,
    wabaId: page.wabaId,
    granularity: ctx.granularity ?? page.granularity ?? (isEdgeKind(ctx.kind) ? 'DAILY' : inferGranularity(page.points)) ?? 'DAILY',
    timezone: page.wabaTimezone ?? 'UTC',
    ...(page.currency ? { currency: page.currency } : {}),
    points: page.points,
    warnings,
  };
  return page.next ? { result, next: page.next } : { result };
}

export const normalizeMetaBody: BodyNormalizer = (body, ctx) => normalizeMetaBodyWith(body, ctx);
