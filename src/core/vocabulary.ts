/**
 * The one table of the values the APIs document: the filter enums of the query model
 * (src/core/query.ts), the values an answer's dimensions are known to take (src/core/normalize.ts,
 * where anything else is kept and warned about), and the lists the sandbox accepts and produces
 * (src/sandbox). Change a list here and every one of them follows.
 *
 * Sources (docs/dialects.md, "Known values", names each):
 * - META_PAGE: Meta's WhatsApp analytics page,
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/analytics/ (2026).
 * - META_SDK: Meta's Python Business SDK, facebook/facebook-python-business-sdk,
 *   facebook_business/adobjects/whatsappbusinessaccount.py (get_pricing_analytics,
 *   get_template_analytics enums).
 * - SEED: ../shared/seeds/meta-whatsapp-analytics.txt (conversation_direction "UNKNOWN" in its answers).
 * Vonage's Channel Manager passes Meta's values through (its seed shows pricing_type REGULAR,
 * pricing_category AUTHENTICATION, tier "75000:150000").
 */
import type { Granularity, Kind } from './types';

/** Pricing categories: META_PAGE lists the first seven; META_SDK adds the rest. */
export const PRICING_CATEGORIES = [
  'AUTHENTICATION',
  'AUTHENTICATION_INTERNATIONAL',
  'MARKETING',
  'MARKETING_LITE',
  'SERVICE',
  'UTILITY',
  'REFERRAL_CONVERSION',
  // META_SDK (pricing_categories_enum)
  'AI_BOT',
  'GROUP_MARKETING',
  'GROUP_MARKETING_LITE',
  'GROUP_SERVICE',
  'GROUP_UTILITY',
  'MARKETING_LITE_DYNAMIC',
] as const;

/** Pricing types: META_PAGE's three; META_SDK adds FREE_GROUP_CUSTOMER_SERVICE. */
export const PRICING_TYPES = ['FREE_CUSTOMER_SERVICE', 'FREE_ENTRY_POINT', 'REGULAR', 'FREE_GROUP_CUSTOMER_SERVICE'] as const;
export const PRICING_DIMENSIONS = ['PRICING_CATEGORY', 'PRICING_TYPE', 'COUNTRY', 'PHONE', 'TIER'] as const;
export const PRICING_METRICS = ['COST', 'VOLUME'] as const;
/** A tier: the lower and upper bound of a volume tier, `0:750000`, `75000:150000`, `0:MAX` (free messages have none). */
export const TIER_PATTERN = /^\d+:(\d+|MAX)$/;

/** Conversation categories (filter and answer). */
export const CONVERSATION_CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'SERVICE', 'UTILITY', 'MARKETING_LITE', 'AUTHENTICATION_INTERNATIONAL', 'REFERRAL_CONVERSION'] as const;
/** Conversation types as the filter names them (FREE_ENTRY)... */
export const CONVERSATION_TYPES = ['FREE_ENTRY', 'FREE_TIER', 'REGULAR'] as const;
/** ...and as answers name them (FREE_ENTRY_POINT). */
export const CONVERSATION_TYPE_ANSWERS = ['FREE_ENTRY_POINT', 'FREE_TIER', 'REGULAR'] as const;
/** UNKNOWN when the system cannot determine the direction (META_PAGE, SEED): a filter value as well as an answer value. */
export const CONVERSATION_DIRECTIONS = ['BUSINESS_INITIATED', 'USER_INITIATED', 'UNKNOWN'] as const;
export const CONVERSATION_DIMENSIONS = ['CONVERSATION_CATEGORY', 'CONVERSATION_DIRECTION', 'CONVERSATION_TYPE', 'COUNTRY', 'PHONE'] as const;
export const CONVERSATION_METRICS = ['COST', 'CONVERSATION'] as const;

/** Template analytics metric types this project asks for (META_SDK lists ~15 Marketing Messages ones too). */
export const TEMPLATE_METRICS = ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST'] as const;
/** `product_type` of template analytics (MARKETING_MESSAGES_LITE_API: META_SDK and Meta's 2026 answers). */
export const TEMPLATE_PRODUCT_TYPES = ['CLOUD_API', 'MARKETING_MESSAGES_API_FOR_WHATSAPP', 'MARKETING_MESSAGES_LITE_API'] as const;
/** 0 template (notification) messages, 2 non-template (customer support), 100 incoming. */
export const PRODUCT_TYPES = [0, 2, 100] as const;

/**
 * Business Calling, `call_analytics` (META_PAGE "Call analytics"; META_SDK get_call_analytics
 * enums add UNKNOWN, TIER and the `tiers` filter): directions, metric types, dimensions.
 */
export const CALL_DIRECTIONS = ['USER_INITIATED', 'BUSINESS_INITIATED', 'UNKNOWN'] as const;
export const CALL_METRICS = ['COUNT', 'COST', 'AVERAGE_DURATION'] as const;
export const CALL_DIMENSIONS = ['COUNTRY', 'DIRECTION', 'PHONE', 'TIER'] as const;
/** `template_group_analytics` metric types (Meta's template-groups guide writes them in lower case). */
export const TEMPLATE_GROUP_METRICS = ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST'] as const;
/** `group_analytics` (WhatsApp Groups) metric types; answers name the last two `joined` and `left`. */
export const GROUP_METRICS = ['SENT', 'DELIVERED', 'READ', 'PARTICIPANTS_JOINED', 'PARTICIPANTS_LEFT'] as const;
/** The first day service and in-window utility messages are charged (api-notes "Billing changes"). */
export const BILLING_CHANGE_2026_10 = '2026-10-01';

/** `clicked[].type` and `cost[].type` of template analytics answers. */
export const CLICK_TYPES = ['url_button', 'unique_url_button', 'quick_reply_button'] as const;
export const COST_TYPES = ['amount_spent', 'cost_per_delivered', 'cost_per_url_button_click'] as const;

/** Values each dimension of an answer is known to take (`tier` is checked against TIER_PATTERN instead). */
export const KNOWN_DIMENSION_VALUES: Readonly<Record<string, readonly string[]>> = {
  pricing_category: PRICING_CATEGORIES,
  pricing_type: PRICING_TYPES,
  conversation_category: CONVERSATION_CATEGORIES,
  conversation_type: CONVERSATION_TYPE_ANSWERS,
  conversation_direction: CONVERSATION_DIRECTIONS,
  direction: CALL_DIRECTIONS,
};

/** Whether an answer's dimension value is a known one (a dimension without a known list: always). */
export function isKnownDimensionValue(name: string, value: string): boolean {
  if (name === 'tier') return TIER_PATTERN.test(value);
  const known = KNOWN_DIMENSION_VALUES[name];
  return !known || known.includes(value);
}

/** The filter values of a Meta field modifier, as the sandbox accepts them (both FREE_ENTRY spellings). */
export const FILTER_VALUES: Readonly<Record<string, readonly string[]>> = {
  conversation_categories: CONVERSATION_CATEGORIES,
  conversation_types: [...CONVERSATION_TYPES, 'FREE_ENTRY_POINT'],
  conversation_directions: CONVERSATION_DIRECTIONS,
  pricing_categories: PRICING_CATEGORIES,
  pricing_types: PRICING_TYPES,
  product_types: PRODUCT_TYPES.map(String),
  directions: CALL_DIRECTIONS,
};

// ---- descriptors: labels, value types, API names ----------------------------------------------
// The one table every front reads: the pickers (src/extension/queryFlow.ts), the panel's form
// (webview), the CLI flags (src/cli.ts) and the URL builders (src/providers/*/urls.ts). Kept free
// of imports (but types) so the webview bundle can take it without zod.

type QueryKind = 'messaging' | 'conversation' | 'pricing' | 'template' | 'calls' | 'template-groups' | 'groups';
type ProviderName = 'meta' | 'vonage';

/** What people call each provider (src/providers/registry.ts carries it with the rest of a provider). */
/** Granularities in words ("Daily"), the API's word in a tooltip. */
export const GRANULARITY_LABELS: Readonly<Record<Granularity, string>> = { HALF_HOUR: 'Half-hourly', DAILY: 'Daily', MONTHLY: 'Monthly' };
export function granularityLabel(g: string): string {
  return (GRANULARITY_LABELS as Record<string, string>)[g] ?? g;
}

/** A message template's review status in words ("Approved"); the API's word stays in the tooltip. */
export const TEMPLATE_STATUS_LABELS: Readonly<Record<string, string>> = {
  APPROVED: 'Approved',
  PENDING: 'In review',
  REJECTED: 'Rejected',
  PAUSED: 'Paused',
  DISABLED: 'Disabled',
  IN_APPEAL: 'In appeal',
  PENDING_DELETION: 'Being deleted',
  DELETED: 'Deleted',
  LIMIT_EXCEEDED: 'Limit exceeded',
  ARCHIVED: 'Archived',
};
export function templateStatusLabel(status: string): string {
  const known = TEMPLATE_STATUS_LABELS[status.toUpperCase()];
  if (known) return known;
  const words = status.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const PROVIDER_LABELS: Readonly<Record<ProviderName, string>> = { meta: 'Meta', vonage: 'Vonage' };

/** A provider's label; an unknown id is shown as it is. */
export function providerLabel(provider: string): string {
  return (PROVIDER_LABELS as Record<string, string | undefined>)[provider] ?? provider;
}

/** One known value: what the API says, and what people read. */
export interface ValueDescriptor {
  value: string | number;
  label: string;
}

/**
 * How a filter's values are written: a list of known values (`enum`), one of them (`choice`), a
 * yes/no switch, or free values checked by their shape (phone digits, country codes, tiers, ids).
 */
export type FilterValueType = 'enum' | 'choice' | 'boolean' | 'phones' | 'countries' | 'tiers' | 'ids';

/** An API name: the same for every kind, or per kind. */
type ApiName = string | Partial<Record<QueryKind, string>>;

export interface FilterDescriptor {
  /** The query model's key (src/core/query.ts). */
  key: string;
  /** What people read: "Phone numbers", "Pricing categories". */
  label: string;
  valueType: FilterValueType;
  /** Whether the values are numbers (product types). */
  numeric?: boolean;
  /** The kinds whose query model has this key. */
  kinds: readonly QueryKind[];
  /** Each provider's API name (Meta: the field modifier or query parameter; Vonage: the query parameter). */
  api: Partial<Record<ProviderName, ApiName>>;
  /** The CLI flag, and any other spelling it takes. */
  flag: string;
  flagAliases?: readonly string[];
  /** An example value for help texts and placeholders. */
  example: string;
  /** Known values (enum and choice filters; per kind where they differ). */
  values?: readonly ValueDescriptor[] | Partial<Record<QueryKind, readonly ValueDescriptor[]>>;
  /** What "nothing chosen" means. */
  none: string;
}

/** Words for the known values, by value set. Every value of every list above has one (tested). */
const PRICING_CATEGORY_LABELS: Record<(typeof PRICING_CATEGORIES)[number], string> = {
  AUTHENTICATION: 'Authentication',
  AUTHENTICATION_INTERNATIONAL: 'Authentication (international)',
  MARKETING: 'Marketing',
  MARKETING_LITE: 'Marketing Lite',
  SERVICE: 'Service',
  UTILITY: 'Utility',
  REFERRAL_CONVERSION: 'Referral conversion',
  AI_BOT: 'AI bot',
  GROUP_MARKETING: 'Group marketing',
  GROUP_MARKETING_LITE: 'Group marketing Lite',
  GROUP_SERVICE: 'Group service',
  GROUP_UTILITY: 'Group utility',
  MARKETING_LITE_DYNAMIC: 'Marketing Lite (dynamic)',
};
const PRICING_TYPE_LABELS: Record<(typeof PRICING_TYPES)[number], string> = {
  FREE_CUSTOMER_SERVICE: 'Free customer service',
  FREE_ENTRY_POINT: 'Free entry point',
  REGULAR: 'Regular (paid)',
  FREE_GROUP_CUSTOMER_SERVICE: 'Free group customer service',
};
const CONVERSATION_TYPE_LABELS: Record<(typeof CONVERSATION_TYPES)[number] | (typeof CONVERSATION_TYPE_ANSWERS)[number], string> = {
  FREE_ENTRY: 'Free entry point',
  FREE_ENTRY_POINT: 'Free entry point',
  FREE_TIER: 'Free tier',
  REGULAR: 'Regular (paid)',
};
const CONVERSATION_DIRECTION_LABELS: Record<(typeof CONVERSATION_DIRECTIONS)[number], string> = {
  BUSINESS_INITIATED: 'Business-initiated',
  USER_INITIATED: 'User-initiated',
  UNKNOWN: 'Unknown direction',
};
const PRODUCT_TYPE_LABELS: Record<(typeof PRODUCT_TYPES)[number], string> = {
  0: 'Template messages',
  2: 'Non-template messages',
  100: 'Incoming messages',
};
const TEMPLATE_PRODUCT_TYPE_LABELS: Record<(typeof TEMPLATE_PRODUCT_TYPES)[number], string> = {
  CLOUD_API: 'Cloud API',
  MARKETING_MESSAGES_API_FOR_WHATSAPP: 'Marketing Messages API for WhatsApp',
  MARKETING_MESSAGES_LITE_API: 'Marketing Messages Lite API',
};
const CALL_DIRECTION_LABELS: Record<(typeof CALL_DIRECTIONS)[number], string> = {
  USER_INITIATED: 'User-initiated calls',
  BUSINESS_INITIATED: 'Business-initiated calls',
  UNKNOWN: 'Unknown direction',
};
const GROUP_METRIC_LABELS: Record<(typeof GROUP_METRICS)[number], string> = {
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  READ: 'Read',
  PARTICIPANTS_JOINED: 'Participants joined',
  PARTICIPANTS_LEFT: 'Participants left',
};
const CLICK_TYPE_LABELS: Record<(typeof CLICK_TYPES)[number], string> = {
  url_button: 'URL button',
  unique_url_button: 'Unique URL button',
  quick_reply_button: 'Quick reply button',
};

/**
 * The dimensions of the analytics fields' points, by their answer names: the order Meta's
 * normalizer reads them in (src/providers/meta/normalize.ts) and the archive's first columns
 * (src/archive/schema.ts).
 */
export const POINT_DIMENSIONS = ['phone_number', 'country', 'tier', 'pricing_category', 'pricing_type', 'conversation_category', 'conversation_type', 'conversation_direction'] as const;

/** The dimensions a query can break down by (query name -> the answer's dimension name), and their labels. */
export const DIMENSIONS: Readonly<Record<string, { answer: string; label: string }>> = {
  PRICING_CATEGORY: { answer: 'pricing_category', label: 'Pricing category' },
  PRICING_TYPE: { answer: 'pricing_type', label: 'Pricing type' },
  COUNTRY: { answer: 'country', label: 'Country' },
  PHONE: { answer: 'phone_number', label: 'Phone number' },
  TIER: { answer: 'tier', label: 'Tier' },
  CONVERSATION_CATEGORY: { answer: 'conversation_category', label: 'Conversation category' },
  CONVERSATION_DIRECTION: { answer: 'conversation_direction', label: 'Conversation direction' },
  CONVERSATION_TYPE: { answer: 'conversation_type', label: 'Conversation type' },
  DIRECTION: { answer: 'direction', label: 'Call direction' },
};
/** Answer dimensions no query dimension names (they come with the kind). */
const OTHER_DIMENSION_LABELS: Record<string, string> = {
  template_id: 'Template',
  product_type: 'Message type',
  click_type: 'Button',
  template_group_id: 'Template group',
  group_id: 'WhatsApp group',
};

/**
 * The measures, by the answer's metric name (the query's metric types are the same names in
 * capitals). One name each, everywhere: cards, chart, tables, CSV header. `money` ones are shown
 * with their currency.
 */
export const METRICS: Readonly<Record<string, { label: string; money?: boolean; ratio?: boolean }>> = {
  sent: { label: 'Sent' },
  delivered: { label: 'Delivered' },
  read: { label: 'Read' },
  clicked: { label: 'Clicked' },
  volume: { label: 'Messages' },
  conversation: { label: 'Conversations' },
  cost: { label: 'Cost', money: true },
  amount_spent: { label: 'Amount spent', money: true },
  cost_per_delivered: { label: 'Cost per delivered message', money: true, ratio: true },
  cost_per_url_button_click: { label: 'Cost per URL button click', money: true, ratio: true },
  count: { label: 'Calls' },
  average_duration: { label: 'Average call duration (s)' },
  joined: { label: 'Participants joined' },
  left: { label: 'Participants left' },
};

const labelled = <T extends string | number>(values: readonly T[], labels: Record<T, string>): ValueDescriptor[] => values.map((value) => ({ value, label: labels[value] }));
const dimensionValues = (dims: readonly string[]): ValueDescriptor[] => dims.map((d) => ({ value: d, label: DIMENSIONS[d]!.label }));
const metricValues = (metrics: readonly string[]): ValueDescriptor[] => metrics.map((m) => ({ value: m, label: METRICS[m.toLowerCase()]!.label }));

/** Every filter of the query model, in the order requests send them. */
export const FILTERS: readonly FilterDescriptor[] = [
  {
    key: 'templateIds',
    label: 'Templates',
    valueType: 'ids',
    kinds: ['template'],
    api: { meta: 'template_ids', vonage: 'template_ids' },
    flag: '--templates',
    example: '1234567890,2345678901',
    none: 'at least one is needed',
  },
  {
    key: 'templateGroupIds',
    label: 'Template groups',
    valueType: 'ids',
    kinds: ['template-groups'],
    api: { meta: 'template_group_ids' },
    flag: '--template-groups',
    example: '1234567890,2345678901',
    none: 'at least one is needed',
  },
  {
    key: 'groupIds',
    label: 'WhatsApp groups',
    valueType: 'ids',
    kinds: ['groups'],
    api: { meta: 'group_ids' },
    flag: '--groups',
    example: '120363000000000001',
    none: 'at least one is needed',
  },
  {
    key: 'phoneNumbers',
    label: 'Phone numbers',
    valueType: 'phones',
    kinds: ['messaging', 'conversation', 'pricing', 'calls'],
    api: { meta: 'phone_numbers', vonage: { messaging: 'phone_number', pricing: 'phone_numbers' } },
    flag: '--phone-numbers',
    example: '15550001111,15550002222',
    none: 'all numbers',
  },
  {
    key: 'productTypes',
    label: 'Message types',
    valueType: 'enum',
    numeric: true,
    kinds: ['messaging'],
    api: { meta: 'product_types', vonage: 'product_types' },
    flag: '--product-types',
    example: '0,2',
    values: labelled(PRODUCT_TYPES, PRODUCT_TYPE_LABELS),
    none: 'all message types',
  },
  {
    key: 'countryCodes',
    label: 'Countries',
    valueType: 'countries',
    kinds: ['messaging', 'conversation', 'pricing', 'calls'],
    api: { meta: 'country_codes', vonage: 'country_codes' },
    flag: '--countries',
    flagAliases: ['--country-codes'],
    example: 'US,BR',
    none: 'all countries',
  },
  {
    key: 'metricTypes',
    label: 'Metrics',
    valueType: 'enum',
    kinds: ['conversation', 'pricing', 'template', 'calls', 'template-groups', 'groups'],
    api: { meta: 'metric_types', vonage: 'metric_types' },
    flag: '--metrics',
    flagAliases: ['--metric-types'],
    example: 'COST,VOLUME',
    values: {
      conversation: metricValues(CONVERSATION_METRICS),
      pricing: metricValues(PRICING_METRICS),
      template: metricValues(TEMPLATE_METRICS),
      calls: metricValues(CALL_METRICS),
      'template-groups': metricValues(TEMPLATE_GROUP_METRICS),
      groups: labelled(GROUP_METRICS, GROUP_METRIC_LABELS),
    },
    none: 'every metric',
  },
  {
    key: 'pricingTypes',
    label: 'Pricing types',
    valueType: 'enum',
    kinds: ['pricing'],
    api: { meta: 'pricing_types' },
    flag: '--pricing-types',
    example: 'REGULAR,FREE_ENTRY_POINT',
    values: labelled(PRICING_TYPES, PRICING_TYPE_LABELS),
    none: 'all pricing types',
  },
  {
    key: 'pricingCategories',
    label: 'Pricing categories',
    valueType: 'enum',
    kinds: ['pricing'],
    api: { meta: 'pricing_categories' },
    flag: '--pricing-categories',
    example: 'MARKETING,UTILITY',
    values: labelled(PRICING_CATEGORIES, PRICING_CATEGORY_LABELS),
    none: 'all categories',
  },
  {
    key: 'conversationCategories',
    label: 'Conversation categories',
    valueType: 'enum',
    kinds: ['conversation'],
    api: { meta: 'conversation_categories' },
    flag: '--conversation-categories',
    example: 'MARKETING,SERVICE',
    values: labelled(CONVERSATION_CATEGORIES, PRICING_CATEGORY_LABELS),
    none: 'all categories',
  },
  {
    key: 'conversationTypes',
    label: 'Conversation types',
    valueType: 'enum',
    kinds: ['conversation'],
    api: { meta: 'conversation_types' },
    flag: '--conversation-types',
    example: 'REGULAR,FREE_ENTRY',
    values: labelled(CONVERSATION_TYPES, CONVERSATION_TYPE_LABELS),
    none: 'all conversation types',
  },
  {
    key: 'conversationDirections',
    label: 'Conversation directions',
    valueType: 'enum',
    kinds: ['conversation'],
    api: { meta: 'conversation_directions' },
    flag: '--conversation-directions',
    example: 'BUSINESS_INITIATED',
    values: labelled(CONVERSATION_DIRECTIONS, CONVERSATION_DIRECTION_LABELS),
    none: 'both directions',
  },
  {
    key: 'directions',
    label: 'Call directions',
    valueType: 'enum',
    kinds: ['calls'],
    api: { meta: 'directions' },
    flag: '--directions',
    example: 'USER_INITIATED,BUSINESS_INITIATED',
    values: labelled(CALL_DIRECTIONS, CALL_DIRECTION_LABELS),
    none: 'all directions',
  },
  {
    key: 'dimensions',
    label: 'Break down by',
    valueType: 'enum',
    kinds: ['conversation', 'pricing', 'calls'],
    api: { meta: 'dimensions', vonage: 'dimensions' },
    flag: '--dimensions',
    example: 'PRICING_CATEGORY,COUNTRY',
    values: { conversation: dimensionValues(CONVERSATION_DIMENSIONS), pricing: dimensionValues(PRICING_DIMENSIONS), calls: dimensionValues(CALL_DIMENSIONS) },
    none: 'totals only',
  },
  {
    key: 'tiers',
    label: 'Tiers',
    valueType: 'tiers',
    kinds: ['pricing', 'calls'],
    api: { meta: { calls: 'tiers' }, vonage: { pricing: 'tier' } },
    flag: '--tiers',
    example: '0:750000,750000:MAX',
    none: 'all tiers',
  },
  {
    key: 'productType',
    label: 'Product',
    valueType: 'choice',
    kinds: ['template'],
    api: { meta: 'product_type' },
    flag: '--product-type',
    example: 'CLOUD_API',
    values: labelled(TEMPLATE_PRODUCT_TYPES, TEMPLATE_PRODUCT_TYPE_LABELS),
    none: 'Cloud API',
  },
  {
    key: 'useWabaTimezone',
    label: "Days in the WABA's timezone",
    valueType: 'boolean',
    kinds: ['template', 'template-groups'],
    api: { meta: 'use_waba_timezone' },
    flag: '--waba-timezone',
    example: '',
    none: 'days in UTC',
  },
];

const FILTER_BY_KEY = new Map(FILTERS.map((f) => [f.key, f]));

/** The filter descriptors of one kind (every kind without one), in request order. */
export function filterDescriptors(kind?: QueryKind): FilterDescriptor[] {
  return FILTERS.filter((f) => !kind || f.kinds.includes(kind));
}

export function filterDescriptor(key: string): FilterDescriptor | undefined {
  return FILTER_BY_KEY.get(key);
}

/** A filter's label ("Phone numbers"); an unknown key is spelt out from its camelCase. */
export function filterLabel(key: string): string {
  return FILTER_BY_KEY.get(key)?.label ?? humanize(key.replace(/([A-Z])/g, ' $1'));
}

/** The known values of a filter for one kind (empty when its values are free). */
export function filterValues(key: string, kind?: QueryKind): readonly ValueDescriptor[] {
  const v = FILTER_BY_KEY.get(key)?.values;
  if (!v) return [];
  if (Array.isArray(v)) return v;
  const per = v as Partial<Record<QueryKind, readonly ValueDescriptor[]>>;
  if (kind) return per[kind] ?? [];
  const seen = new Map<string | number, ValueDescriptor>();
  for (const list of Object.values(per)) for (const d of list ?? []) seen.set(d.value, d);
  return [...seen.values()];
}

/** A filter's API name at one provider for one kind; undefined when that provider has no such filter. */
export function apiName(key: string, provider: ProviderName, kind: QueryKind): string | undefined {
  const name = FILTER_BY_KEY.get(key)?.api[provider];
  return typeof name === 'string' ? name : name?.[kind];
}

function humanize(name: string): string {
  const s = name.replace(/_/g, ' ').trim().toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Value labels by value set; each dimension, filter key and spelling points at one. */
const VALUE_SETS: Record<string, Readonly<Record<string, string>>> = {
  pricing_category: PRICING_CATEGORY_LABELS,
  conversation_category: PRICING_CATEGORY_LABELS,
  pricing_type: PRICING_TYPE_LABELS,
  conversation_type: CONVERSATION_TYPE_LABELS,
  conversation_direction: CONVERSATION_DIRECTION_LABELS,
  direction: CALL_DIRECTION_LABELS,
  product_type: { ...PRODUCT_TYPE_LABELS, ...TEMPLATE_PRODUCT_TYPE_LABELS },
  click_type: CLICK_TYPE_LABELS,
  dimension: Object.fromEntries(Object.entries(DIMENSIONS).map(([k, d]) => [k, d.label])),
  metric: { ...GROUP_METRIC_LABELS, ...Object.fromEntries(Object.entries(METRICS).flatMap(([k, m]) => [[k, m.label], [k.toUpperCase(), m.label]])) },
};
const VALUE_SET_OF: Record<string, string> = {
  pricingCategories: 'pricing_category',
  PRICING_CATEGORY: 'pricing_category',
  conversationCategories: 'conversation_category',
  CONVERSATION_CATEGORY: 'conversation_category',
  pricingTypes: 'pricing_type',
  PRICING_TYPE: 'pricing_type',
  conversationTypes: 'conversation_type',
  CONVERSATION_TYPE: 'conversation_type',
  conversationDirections: 'conversation_direction',
  CONVERSATION_DIRECTION: 'conversation_direction',
  directions: 'direction',
  DIRECTION: 'direction',
  productTypes: 'product_type',
  productType: 'product_type',
  product_types: 'product_type',
  clicked: 'click_type',
  type: 'click_type',
  dimensions: 'dimension',
  metricTypes: 'metric',
  tiers: 'tier',
  TIER: 'tier',
};

const thousands = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A tier as people read it: `0:750000` "0–750,000", `750000:MAX` "750,000+"; none: "Free". */
export function tierLabel(value: string | undefined): string {
  if (value === undefined || value === '') return 'Free';
  const m = /^(\d+):(\d+|MAX)$/.exec(value);
  if (!m) return value;
  return m[2] === 'MAX' ? `${thousands(m[1]!)}+` : `${thousands(m[1]!)}–${thousands(m[2]!)}`;
}

/**
 * The label of one value of a dimension or filter (`pricing_category`, `PRICING_CATEGORY` or
 * `pricingCategories` alike): "Marketing", "Free entry point", "Template messages", "0–750,000".
 * A value the table does not know is returned as it is.
 */
export function valueLabel(dimOrFilterKey: string, value: string | number | undefined): string {
  const set = VALUE_SET_OF[dimOrFilterKey] ?? dimOrFilterKey;
  if (set === 'tier') return tierLabel(value === undefined ? undefined : String(value));
  if (value === undefined) return '(none)';
  return VALUE_SETS[set]?.[String(value)] ?? String(value);
}

/** Whether a value of a dimension or filter has a label of its own in the table. */
export function hasValueLabel(dimOrFilterKey: string, value: string | number): boolean {
  const set = VALUE_SET_OF[dimOrFilterKey] ?? dimOrFilterKey;
  if (set === 'tier') return TIER_PATTERN.test(String(value));
  return VALUE_SETS[set]?.[String(value)] !== undefined;
}

/** A dimension's label, by its query name (`PRICING_CATEGORY`) or its answer name (`pricing_category`). */
export function dimensionLabel(dim: string): string {
  const byQuery = DIMENSIONS[dim];
  if (byQuery) return byQuery.label;
  const byAnswer = Object.values(DIMENSIONS).find((d) => d.answer === dim);
  return byAnswer?.label ?? OTHER_DIMENSION_LABELS[dim] ?? humanize(dim);
}

/** A metric's one name: "Cost (USD)" with a currency, "Cost per delivered message", "Sent". */
export function metricLabel(metric: string, currency?: string): string {
  const m = METRICS[metric.toLowerCase()];
  const label = m?.label ?? humanize(metric);
  return m?.money && currency ? `${label} (${currency})` : label;
}

/** Whether a metric is money (shown with the currency). */
export function isMoneyMetric(metric: string): boolean {
  return !!METRICS[metric.toLowerCase()]?.money;
}

/** The CSV header of a metric: its API name, with the currency when it is money (`cost (USD)`). */
export function csvMetricHeader(metric: string, currency?: string): string {
  return isMoneyMetric(metric) && currency ? `${metric} (${currency})` : metric;
}

/** Relative ranges a saved query may hold instead of from/to, resolved at run time (UTC days). */
export const RELATIVE_RANGES = ['last-7-days', 'last-30-days', 'last-90-days', 'this-month', 'previous-month'] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];
export const RELATIVE_RANGE_LABELS: Record<RelativeRange, string> = {
  'last-7-days': 'Last 7 days',
  'last-30-days': 'Last 30 days',
  'last-90-days': 'Last 90 days',
  'this-month': 'This month',
  'previous-month': 'Previous month',
};

/** What each kind of query is called, in titles, progress and panels. */
export const KIND_LABELS: Record<Kind, string> = {
  messaging: 'Messaging analytics',
  conversation: 'Conversation analytics',
  pricing: 'Pricing analytics',
  template: 'Template analytics',
  calls: 'Call analytics',
  'template-groups': 'Template group analytics',
  groups: 'WhatsApp group analytics',
};
export function kindLabel(kind: Kind): string {
  return KIND_LABELS[kind];
}
