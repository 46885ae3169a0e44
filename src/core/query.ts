/**
 * The query models (one per kind) in the user's vocabulary, and their validation against a
 * provider's capabilities. Nothing is sent before a query passes `resolveQuery`.
 */
import * as z from 'zod';
import { DAY, formatIsoDate, parseIsoDate, resolveRelativeRange, startOfDayUtc } from './dates';
import { inputError } from './errors';
import type { Granularity, Kind } from './types';
import { GRANULARITIES, PROVIDERS } from './types';
import type { Warning } from './warnings';
import { warning } from './warnings';

import {
  CALL_DIMENSIONS,
  CALL_DIRECTIONS,
  CALL_METRICS,
  GROUP_METRICS,
  TEMPLATE_GROUP_METRICS,
  CONVERSATION_CATEGORIES,
  CONVERSATION_DIMENSIONS,
  CONVERSATION_DIRECTIONS,
  CONVERSATION_METRICS,
  CONVERSATION_TYPES,
  PRICING_CATEGORIES,
  PRICING_DIMENSIONS,
  PRICING_METRICS,
  PRICING_TYPES,
  RELATIVE_RANGES,
  TEMPLATE_METRICS,
  TEMPLATE_PRODUCT_TYPES,
  TIER_PATTERN,
  BILLING_CHANGE_2026_10,
} from './vocabulary';
import type { RelativeRange } from './vocabulary';
import { KIND_LABELS, PROVIDER_LABELS, kindLabel } from './vocabulary';

// The filter vocabularies live in ./vocabulary (one table with the known answer values); re-exported for callers.
export {
  CONVERSATION_CATEGORIES,
  CONVERSATION_DIMENSIONS,
  CONVERSATION_DIRECTIONS,
  CONVERSATION_METRICS,
  CONVERSATION_TYPES,
  PRICING_CATEGORIES,
  PRICING_DIMENSIONS,
  PRICING_METRICS,
  PRICING_TYPES,
  PRODUCT_TYPES,
  TEMPLATE_METRICS,
  TEMPLATE_PRODUCT_TYPES,
} from './vocabulary';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a real date written YYYY-MM-DD')
  .refine((s) => parseIsoDate(s) !== undefined, { message: 'must be a real date written YYYY-MM-DD' });
const upperList = <T extends readonly [string, ...string[]]>(values: T) =>
  z.array(z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), z.enum(values)));
const digits = z.preprocess(
  (v) => (typeof v === 'string' || typeof v === 'number' ? String(v).replace(/[\s+()-]/g, '') : v),
  z.string().regex(/^\d{4,20}$/, 'must be digits'),
);
const idString = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : v),
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id made of digits or letters'),
);
const countryList = z.array(
  z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code')),
);
/** Tier filter, e.g. `0:100000` or `0:MAX`. */
const tierList = z.array(z.string().regex(TIER_PATTERN, 'must look like 0:100000 or 0:MAX'));

const base = {
  provider: z.enum(PROVIDERS),
  wabaId: idString,
  /** First day, UTC, inclusive. */
  from: isoDate,
  /** Last day, UTC, inclusive (clamped to now). */
  to: isoDate,
  granularity: z.enum(GRANULARITIES).default('DAILY'),
};

export const MessagingQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('messaging'),
  phoneNumbers: z.array(digits).optional(),
  productTypes: z.array(z.union([z.literal(0), z.literal(2), z.literal(100)])).optional(),
  countryCodes: countryList.optional(),
});

export const ConversationQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('conversation'),
  phoneNumbers: z.array(digits).optional(),
  countryCodes: countryList.optional(),
  metricTypes: upperList(CONVERSATION_METRICS).optional(),
  conversationCategories: upperList(CONVERSATION_CATEGORIES).optional(),
  conversationTypes: z
    .array(z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase().replace(/^FREE_ENTRY_POINT$/, 'FREE_ENTRY') : v), z.enum(CONVERSATION_TYPES)))
    .optional(),
  conversationDirections: upperList(CONVERSATION_DIRECTIONS).optional(),
  dimensions: upperList(CONVERSATION_DIMENSIONS).optional(),
});

export const PricingQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('pricing'),
  phoneNumbers: z.array(digits).optional(),
  countryCodes: countryList.optional(),
  metricTypes: upperList(PRICING_METRICS).optional(),
  pricingTypes: upperList(PRICING_TYPES).optional(),
  pricingCategories: upperList(PRICING_CATEGORIES).optional(),
  dimensions: upperList(PRICING_DIMENSIONS).optional(),
  tiers: tierList.optional(),
});

export const TemplateQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('template'),
  templateIds: z.array(idString).min(1, 'at least one template id is needed'),
  metricTypes: upperList(TEMPLATE_METRICS).optional(),
  productType: z.enum(TEMPLATE_PRODUCT_TYPES).optional(),
  useWabaTimezone: z.boolean().optional(),
});

/** Business Calling (`call_analytics`, a WABA field like pricing). */
export const CallsQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('calls'),
  phoneNumbers: z.array(digits).optional(),
  countryCodes: countryList.optional(),
  metricTypes: upperList(CALL_METRICS).optional(),
  directions: upperList(CALL_DIRECTIONS).optional(),
  dimensions: upperList(CALL_DIMENSIONS).optional(),
  tiers: tierList.optional(),
});

/** Template groups (`template_group_analytics`, an edge like template analytics). */
export const TemplateGroupsQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('template-groups'),
  templateGroupIds: z.array(idString).min(1, 'at least one template group id is needed'),
  metricTypes: upperList(TEMPLATE_GROUP_METRICS).optional(),
  useWabaTimezone: z.boolean().optional(),
});

/** WhatsApp Groups (`group_analytics`, an edge; one group per request). */
export const GroupsQuerySchema = z.strictObject({
  ...base,
  kind: z.literal('groups'),
  groupIds: z.array(idString).min(1, 'at least one WhatsApp group id is needed'),
  metricTypes: upperList(GROUP_METRICS).optional(),
});

export const QuerySchema = z.discriminatedUnion('kind', [
  MessagingQuerySchema,
  ConversationQuerySchema,
  PricingQuerySchema,
  TemplateQuerySchema,
  CallsQuerySchema,
  TemplateGroupsQuerySchema,
  GroupsQuerySchema,
]);

export type MessagingQuery = z.infer<typeof MessagingQuerySchema>;
export type ConversationQuery = z.infer<typeof ConversationQuerySchema>;
export type PricingQuery = z.infer<typeof PricingQuerySchema>;
export type TemplateQuery = z.infer<typeof TemplateQuerySchema>;
export type CallsQuery = z.infer<typeof CallsQuerySchema>;
export type TemplateGroupsQuery = z.infer<typeof TemplateGroupsQuerySchema>;
export type GroupsQuery = z.infer<typeof GroupsQuerySchema>;
export type Query = z.infer<typeof QuerySchema>;
/** What a caller may write (defaults not yet applied). */
export type QueryInput = z.input<typeof QuerySchema>;

/** What one provider accepts for one kind. */
export interface KindCapabilities {
  granularities: readonly Granularity[];
  /** How far back `from` may reach, in days before today (UTC). */
  lookbackDays: number;
  /** The longest range one request may cover, in days (the API's own limit). */
  maxSpanDays: number;
  /** Our own window size for HALF_HOUR queries, in days, so large ranges are fetched concurrently. */
  halfHourWindowDays: number;
  /** Filter keys this provider sends for this kind; any other non-empty filter is refused. */
  filters: readonly string[];
  /** Template ids per request. */
  maxTemplateIds?: number;
  /** Ids per request of the kinds asked by id (template groups: 10, WhatsApp groups: 1). */
  maxIds?: number;
}

export type ProviderCapabilities = Partial<Record<Kind, KindCapabilities>>;

/** A query checked against a provider, with its instants: [startMs, endMs), end clamped to now. */
export interface ResolvedQuery {
  query: Query;
  startMs: number;
  endMs: number;
  warnings: Warning[];
}

export { kindLabel };

function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.length ? i.path.join('.') : 'query';
      if (i.code === 'unrecognized_keys') return `${path} has an unknown key ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${path} ${i.message.replace(/^Invalid input: /, '').replace(/^expected/, 'expected')}`;
    })
    .join('; ');
}

/** The keys a query of each kind takes (a strict object: any other key is refused by name). */
export const QUERY_KEYS: Record<Kind, readonly string[]> = {
  messaging: Object.keys(MessagingQuerySchema.shape),
  conversation: Object.keys(ConversationQuerySchema.shape),
  pricing: Object.keys(PricingQuerySchema.shape),
  template: Object.keys(TemplateQuerySchema.shape),
  calls: Object.keys(CallsQuerySchema.shape),
  'template-groups': Object.keys(TemplateGroupsQuerySchema.shape),
  groups: Object.keys(GroupsQuerySchema.shape),
};

/** A plain object without its keys set to undefined (in-memory callers spread optional fields; JSON has none). */
function withoutUndefined(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** Parse anything into a Query, or throw an input error that names each wrong field. */
export function parseQuery(input: unknown): Query {
  const r = QuerySchema.safeParse(withoutUndefined(input));
  if (!r.success) {
    const kind = (input as { kind?: unknown } | null)?.kind;
    const unknownKey = r.error.issues.some((i) => i.code === 'unrecognized_keys');
    const hint = unknownKey && typeof kind === 'string' && kind in QUERY_KEYS ? `A ${kind} query takes: ${QUERY_KEYS[kind as Kind].join(', ')}.` : 'Fix the fields named and run the query again.';
    throw inputError(`Invalid query: ${formatZodError(r.error)}`, hint);
  }
  return r.data;
}

/** The keys of a saved query file (`*.waba-query.json`) around its query. */
export const SAVED_QUERY_FILE_KEYS = ['$schema', 'title', 'query'] as const;

export { resolveRelativeRange };

/** The period just before [from, to] of the same number of days (for comparisons). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const f = parseIsoDate(from)!;
  const t = parseIsoDate(to)!;
  const days = Math.round((t - f) / DAY) + 1;
  return { from: formatIsoDate(f - days * DAY), to: formatIsoDate(f - DAY) };
}

const rangeField = z
  .enum(RELATIVE_RANGES)
  .describe('A range relative to the day the query runs (UTC), instead of "from" and "to": last-7-days, last-30-days, last-90-days (each ending today), this-month, previous-month.');
/**
 * A schema built the first time it is used: building zod schemas is most of what loading the core
 * costs, and a query does not need these.
 */
function builtOnFirstUse<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = () => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    has: (_, key) => Reflect.has(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(schema(), key);
      return d && { ...d, configurable: true };
    },
  });
}

/** A saved query: a query whose dates may be a relative "range" instead of "from" and "to". */
const savedVariant = <T extends z.ZodObject>(schema: T) => schema.extend({ from: isoDate.optional(), to: isoDate.optional(), range: rangeField.optional() });
const buildSavedQuerySchema = () =>
  z.discriminatedUnion('kind', [
    savedVariant(MessagingQuerySchema),
    savedVariant(ConversationQuerySchema),
    savedVariant(PricingQuerySchema),
    savedVariant(TemplateQuerySchema),
    savedVariant(CallsQuerySchema),
    savedVariant(TemplateGroupsQuerySchema),
    savedVariant(GroupsQuerySchema),
  ]);
export const SavedQuerySchema = builtOnFirstUse(buildSavedQuerySchema);

/** The schema of a saved query file; the JSON schema of schemas/ is generated from it. */
export const SavedQueryFileSchema = builtOnFirstUse(() =>
  z.strictObject({
    $schema: z.string().optional().describe('The JSON schema of this file (optional; VS Code applies it to *.waba-query.json on its own).'),
    title: z.string().optional().describe('A name for this report.'),
    query: SavedQuerySchema.describe('The query, as the CLI and the extension take it. Dates are UTC days, both inclusive: "from" and "to", or a relative "range".'),
  }),
);

/**
 * The query of a saved query file's JSON, its keys checked (an unknown key, around the query or in
 * it, is refused by name), not yet validated (the CLI lays its flags over it; call parseQuery).
 * `name` names the file in messages. With `bare`, an object without "query" is the query itself.
 */
export function savedQueryOf(json: unknown, name: string, options: { bare?: boolean; now?: number } = {}): { query: Record<string, unknown>; title?: string; range?: RelativeRange } {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(json)) throw inputError(`${name} does not hold a JSON object.`, 'A saved query file looks like { "title": "…", "query": { "kind": "pricing", … } }.');
  let query: unknown = json;
  let title: string | undefined;
  if (!('query' in json) && !options.bare) throw inputError(`${name} has no "query" object.`, 'A saved query file looks like { "title": "…", "query": { "kind": "pricing", … } }.');
  if ('query' in json) {
    const extra = Object.keys(json).filter((k) => !(SAVED_QUERY_FILE_KEYS as readonly string[]).includes(k));
    if (extra.length) throw inputError(`${name} has an unknown key ${extra.map((k) => `"${k}"`).join(', ')}.`, `A saved query file holds ${SAVED_QUERY_FILE_KEYS.map((k) => `"${k}"`).join(', ')}.`);
    if (json.title !== undefined && typeof json.title !== 'string') throw inputError(`${name}: "title" must be a text.`);
    title = json.title as string | undefined;
    query = json.query;
  }
  if (!isObject(query)) throw inputError(`${name}: "query" must be an object.`, 'Give the kind, provider, wabaId, from and to of the query.');
  const kind = query.kind;
  if (typeof kind === 'string' && kind in QUERY_KEYS) {
    const allowed = [...QUERY_KEYS[kind as Kind], 'range'];
    const extra = Object.keys(query).filter((k) => !allowed.includes(k));
    if (extra.length) throw inputError(`${name}: the query has an unknown key ${extra.map((k) => `"${k}"`).join(', ')}.`, `A ${kind} query takes: ${allowed.join(', ')}.`);
  }
  // A relative range becomes from/to on the day it runs.
  const out: Record<string, unknown> = { ...query };
  let range: RelativeRange | undefined;
  if (out.range !== undefined) {
    if (typeof out.range !== 'string' || !(RELATIVE_RANGES as readonly string[]).includes(out.range)) {
      throw inputError(`${name}: "range" must be one of ${RELATIVE_RANGES.join(', ')}.`, 'Or give "from" and "to" (YYYY-MM-DD) instead.');
    }
    if (out.from !== undefined || out.to !== undefined) throw inputError(`${name}: the query has both "range" and "from"/"to".`, 'Keep one: a relative "range", or the dates "from" and "to".');
    range = out.range as RelativeRange;
    delete out.range;
    Object.assign(out, resolveRelativeRange(range, options.now));
  }
  return { query: out, ...(title !== undefined ? { title } : {}), ...(range ? { range } : {}) };
}

/**
 * Check a query against a provider's capabilities and the clock, and compute its instants.
 * Throws an input error naming what is wrong and what would be accepted.
 */
export function resolveQuery(input: unknown, caps: ProviderCapabilities, now: number = Date.now()): ResolvedQuery {
  const query = parseQuery(input);
  const label = KIND_LABELS[query.kind];
  const providerLabel = PROVIDER_LABELS[query.provider];
  const kc = caps[query.kind];
  if (!kc) throw inputError(`${label} is not offered by ${providerLabel}.`, query.kind === 'conversation' ? 'Use pricing analytics instead.' : undefined);
  if (!kc.granularities.includes(query.granularity)) {
    throw inputError(
      `${label} from ${providerLabel} does not accept granularity ${query.granularity}.`,
      `Use ${kc.granularities.join(' or ')}.`,
    );
  }
  for (const [key, value] of Object.entries(query)) {
    if (key in base || key === 'kind') continue;
    const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
    if (!empty && !kc.filters.includes(key)) {
      throw inputError(`${label} from ${providerLabel} has no "${key}" filter.`, `Remove it; accepted here: ${kc.filters.join(', ') || 'none'}.`);
    }
  }
  const warnings: Warning[] = [];
  const from = parseIsoDate(query.from)!;
  const to = parseIsoDate(query.to)!;
  if (to < from) throw inputError(`The end date ${query.to} is before the start date ${query.from}.`, 'Swap them or pick another range.');
  if (from > now) throw inputError(`The start date ${query.from} is in the future.`, 'Pick a start date up to today (UTC).');
  let endMs = to + DAY;
  if (endMs > now) {
    endMs = now;
    if (to > startOfDayUtc(now)) warnings.push(warning('range.future-end', `The end date ${query.to} is in the future; the range ends now (${new Date(now).toISOString()}).`));
  }
  const earliest = startOfDayUtc(now) - kc.lookbackDays * DAY;
  if (from < earliest) {
    throw inputError(
      `${label} from ${providerLabel} reaches back ${kc.lookbackDays} days; ${query.from} is earlier than ${formatIsoDate(earliest)}.`,
      `Start on or after ${formatIsoDate(earliest)}.`,
    );
  }
  if (query.kind === 'template') {
    const unique = [...new Set(query.templateIds)];
    if (unique.length !== query.templateIds.length) warnings.push(warning('query.repeated-ids', 'Repeated template ids were asked for once.'));
    query.templateIds = unique;
  }
  if (query.kind === 'template-groups' || query.kind === 'groups') {
    const ids = query.kind === 'groups' ? query.groupIds : query.templateGroupIds;
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) warnings.push(warning('query.repeated-ids', `Repeated ${query.kind === 'groups' ? 'WhatsApp group' : 'template group'} ids were asked for once.`));
    if (query.kind === 'groups') query.groupIds = unique;
    else query.templateGroupIds = unique;
  }
  // Pricing whose range spans 1 Oct 2026: what the same values mean changes that day.
  const change = parseIsoDate(BILLING_CHANGE_2026_10)!;
  if (query.kind === 'pricing' && from < change && endMs > change) {
    warnings.push(
      warning(
        'pricing.billing-change-2026-10',
        'From 1 Oct 2026 Meta charges service messages (beyond a free tier) and utility messages sent inside an open customer-service window; before that day they were free (FREE_CUSTOMER_SERVICE). A jump in cost on that day comes from the new billing, not from more messages.',
      ),
    );
  }
  return { query, startMs: from, endMs, warnings };
}
