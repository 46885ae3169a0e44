/**
 * The query models (one per kind) in the user's vocabulary, and their validation against a
 * provider's capabilities. Nothing is sent before a query passes `resolveQuery`.
 */
import { z } from 'zod';
import { DAY, formatIsoDate, parseIsoDate, startOfDayUtc } from './dates';
import { inputError } from './errors';
import type { Granularity, Kind } from './types';
import { GRANULARITIES, PROVIDERS } from './types';

export const CONVERSATION_CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'SERVICE', 'UTILITY', 'MARKETING_LITE', 'AUTHENTICATION_INTERNATIONAL', 'REFERRAL_CONVERSION'] as const;
export const CONVERSATION_TYPES = ['FREE_ENTRY', 'FREE_TIER', 'REGULAR'] as const;
export const CONVERSATION_DIRECTIONS = ['BUSINESS_INITIATED', 'USER_INITIATED'] as const;
export const CONVERSATION_DIMENSIONS = ['CONVERSATION_CATEGORY', 'CONVERSATION_DIRECTION', 'CONVERSATION_TYPE', 'COUNTRY', 'PHONE'] as const;
export const CONVERSATION_METRICS = ['COST', 'CONVERSATION'] as const;
export const PRICING_CATEGORIES = ['AUTHENTICATION', 'AUTHENTICATION_INTERNATIONAL', 'MARKETING', 'MARKETING_LITE', 'SERVICE', 'UTILITY', 'REFERRAL_CONVERSION'] as const;
export const PRICING_TYPES = ['FREE_CUSTOMER_SERVICE', 'FREE_ENTRY_POINT', 'REGULAR'] as const;
export const PRICING_DIMENSIONS = ['PRICING_CATEGORY', 'PRICING_TYPE', 'COUNTRY', 'PHONE', 'TIER'] as const;
export const PRICING_METRICS = ['COST', 'VOLUME'] as const;
export const TEMPLATE_METRICS = ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST'] as const;
export const TEMPLATE_PRODUCT_TYPES = ['CLOUD_API', 'MARKETING_MESSAGES_API_FOR_WHATSAPP', 'MARKETING_MESSAGES_LITE_API'] as const;
/** 0 template (notification) messages, 2 non-template (customer support), 100 incoming. */
export const PRODUCT_TYPES = [0, 2, 100] as const;

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

const base = {
  provider: z.enum(PROVIDERS),
  wabaId: idString,
  /** First day, UTC, inclusive. */
  from: isoDate,
  /** Last day, UTC, inclusive (clamped to now). */
  to: isoDate,
  granularity: z.enum(GRANULARITIES).default('DAILY'),
};

export const MessagingQuerySchema = z.object({
  ...base,
  kind: z.literal('messaging'),
  phoneNumbers: z.array(digits).optional(),
  productTypes: z.array(z.union([z.literal(0), z.literal(2), z.literal(100)])).optional(),
  countryCodes: countryList.optional(),
});

export const ConversationQuerySchema = z.object({
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

export const PricingQuerySchema = z.object({
  ...base,
  kind: z.literal('pricing'),
  phoneNumbers: z.array(digits).optional(),
  countryCodes: countryList.optional(),
  metricTypes: upperList(PRICING_METRICS).optional(),
  pricingTypes: upperList(PRICING_TYPES).optional(),
  pricingCategories: upperList(PRICING_CATEGORIES).optional(),
  dimensions: upperList(PRICING_DIMENSIONS).optional(),
  /** Tier filter, e.g. `0:100000` or `0:MAX`. */
  tiers: z.array(z.string().regex(/^\d+:(\d+|MAX)$/, 'must look like 0:100000 or 0:MAX')).optional(),
});

export const TemplateQuerySchema = z.object({
  ...base,
  kind: z.literal('template'),
  templateIds: z.array(idString).min(1, 'at least one template id is needed'),
  metricTypes: upperList(TEMPLATE_METRICS).optional(),
  productType: z.enum(TEMPLATE_PRODUCT_TYPES).optional(),
  useWabaTimezone: z.boolean().optional(),
});

export const QuerySchema = z.discriminatedUnion('kind', [MessagingQuerySchema, ConversationQuerySchema, PricingQuerySchema, TemplateQuerySchema]);

export type MessagingQuery = z.infer<typeof MessagingQuerySchema>;
export type ConversationQuery = z.infer<typeof ConversationQuerySchema>;
export type PricingQuery = z.infer<typeof PricingQuerySchema>;
export type TemplateQuery = z.infer<typeof TemplateQuerySchema>;
export type Query = z.infer<typeof QuerySchema>;
/** What a caller may write (defaults not yet applied). */
export type QueryInput = z.input<typeof QuerySchema>;

/** The optional filter keys of each kind (everything but the base fields). */
export type FilterKey<K extends Kind> = Exclude<keyof Extract<Query, { kind: K }>, keyof typeof base | 'kind'>;

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
}

export type ProviderCapabilities = Partial<Record<Kind, KindCapabilities>>;

/** A query checked against a provider, with its instants: [startMs, endMs), end clamped to now. */
export interface ResolvedQuery {
  query: Query;
  startMs: number;
  endMs: number;
  warnings: string[];
}

const KIND_LABEL: Record<Kind, string> = {
  messaging: 'Messaging analytics',
  conversation: 'Conversation analytics',
  pricing: 'Pricing analytics',
  template: 'Template analytics',
};
export function kindLabel(kind: Kind): string {
  return KIND_LABEL[kind];
}

function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.length ? i.path.join('.') : 'query';
      return `${path} ${i.message.replace(/^Invalid input: /, '').replace(/^expected/, 'expected')}`;
    })
    .join('; ');
}

/** Parse anything into a Query, or throw an input error that names each wrong field. */
export function parseQuery(input: unknown): Query {
  const r = QuerySchema.safeParse(input);
  if (!r.success) throw inputError(`Invalid query: ${formatZodError(r.error)}`, 'Fix the fields named and run the query again.');
  return r.data;
}

/**
 * Check a query against a provider's capabilities and the clock, and compute its instants.
 * Throws an input error naming what is wrong and what would be accepted.
 */
export function resolveQuery(input: unknown, caps: ProviderCapabilities, now: number = Date.now()): ResolvedQuery {
  const query = parseQuery(input);
  const label = KIND_LABEL[query.kind];
  const providerLabel = query.provider === 'meta' ? 'Meta' : 'Vonage';
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
  const warnings: string[] = [];
  const from = parseIsoDate(query.from)!;
  const to = parseIsoDate(query.to)!;
  if (to < from) throw inputError(`The end date ${query.to} is before the start date ${query.from}.`, 'Swap them or pick another range.');
  if (from > now) throw inputError(`The start date ${query.from} is in the future.`, 'Pick a start date up to today (UTC).');
  let endMs = to + DAY;
  if (endMs > now) {
    endMs = now;
    if (to > startOfDayUtc(now)) warnings.push(`The end date ${query.to} is in the future; the range ends now (${new Date(now).toISOString()}).`);
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
    if (unique.length !== query.templateIds.length) warnings.push('Repeated template ids were asked for once.');
    query.templateIds = unique;
  }
  return { query, startMs: from, endMs, warnings };
}
