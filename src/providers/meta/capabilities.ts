/**
 * What Meta's Graph API accepts, per kind, in the user's vocabulary, and the translation of the
 * one granularity vocabulary to each endpoint's words (and back).
 */
import { WabaError } from '../../core/errors';
import type { ProviderCapabilities } from '../../core/query';
import type { Granularity, Kind } from '../../core/types';

export const META_DEFAULT_BASE_URL = 'https://graph.facebook.com';
export const META_DEFAULT_API_VERSION = 'v25.0';
export const META_MAX_TEMPLATE_IDS = 10;
/** template_group_analytics: at most 10 group ids per request (Meta's template-groups guide). */
export const META_MAX_TEMPLATE_GROUP_IDS = 10;
/** group_analytics: one WhatsApp group id per request (api-notes, "Meta: newer analytics"). */
export const META_MAX_GROUP_IDS = 1;
/** Reads and clicks of a template send keep counting for this many days. */
export const META_ENGAGEMENT_DAYS = 7;

const ALL_GRANULARITIES: readonly Granularity[] = ['HALF_HOUR', 'DAILY', 'MONTHLY'];

/**
 * HALF_HOUR ranges are not cut into windows of our own (halfHourWindowDays = maxSpanDays): a field
 * answer is paged anyway, and each window would end on a partly empty page, one request more per
 * window than the pages alone need. The pages of one request are pipelined instead (fetchUnit).
 */
export const META_CAPABILITIES: ProviderCapabilities = {
  messaging: {
    granularities: ALL_GRANULARITIES,
    lookbackDays: 365,
    maxSpanDays: 365,
    halfHourWindowDays: 365,
    filters: ['phoneNumbers', 'productTypes', 'countryCodes'],
  },
  conversation: {
    granularities: ALL_GRANULARITIES,
    lookbackDays: 365,
    maxSpanDays: 365,
    halfHourWindowDays: 365,
    filters: ['phoneNumbers', 'countryCodes', 'metricTypes', 'conversationCategories', 'conversationTypes', 'conversationDirections', 'dimensions'],
  },
  pricing: {
    granularities: ALL_GRANULARITIES,
    lookbackDays: 365,
    maxSpanDays: 365,
    halfHourWindowDays: 365,
    // Meta has a TIER dimension but no tier filter.
    filters: ['phoneNumbers', 'countryCodes', 'metricTypes', 'pricingTypes', 'pricingCategories', 'dimensions'],
  },
  template: {
    granularities: ['DAILY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    filters: ['templateIds', 'metricTypes', 'productType', 'useWabaTimezone'],
    maxTemplateIds: META_MAX_TEMPLATE_IDS,
  },
  // Business Calling: a WABA field like pricing. Its lookback is not documented: the year of the
  // other fields is assumed (docs/dialects.md), and a refusal beyond it is Meta's to say.
  calls: {
    granularities: ALL_GRANULARITIES,
    lookbackDays: 365,
    maxSpanDays: 365,
    halfHourWindowDays: 365,
    filters: ['phoneNumbers', 'countryCodes', 'metricTypes', 'directions', 'dimensions', 'tiers'],
  },
  'template-groups': {
    granularities: ['DAILY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    filters: ['templateGroupIds', 'metricTypes', 'useWabaTimezone'],
    maxIds: META_MAX_TEMPLATE_GROUP_IDS,
  },
  groups: {
    granularities: ['DAILY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    filters: ['groupIds', 'metricTypes'],
    maxIds: META_MAX_GROUP_IDS,
  },
};

/** The granularity word each endpoint expects: `analytics` says DAY/MONTH, the others DAILY/MONTHLY. */
export function wireGranularity(kind: Kind, g: Granularity): string {
  if (kind === 'messaging') return g === 'DAILY' ? 'DAY' : g === 'MONTHLY' ? 'MONTH' : 'HALF_HOUR';
  // The template-groups guide's example writes it in lower case (`granularity=daily`).
  if (kind === 'template-groups') return g.toLowerCase();
  return g;
}

/** An endpoint's granularity word back in the user vocabulary; undefined when it is none we know. */
export function userGranularity(word: unknown): Granularity | undefined {
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toUpperCase()) {
    case 'HALF_HOUR':
    case 'HALFHOUR':
      return 'HALF_HOUR';
    case 'DAY':
    case 'DAILY':
      return 'DAILY';
    case 'MONTH':
    case 'MONTHLY':
      return 'MONTHLY';
    default:
      return undefined;
  }
}

/** The Graph API version setting: `vNN.N`. */
export function checkApiVersion(version: string | undefined): string {
  const v = (version ?? '').trim() || META_DEFAULT_API_VERSION;
  if (!/^v\d{1,2}\.\d$/.test(v)) {
    throw new WabaError('config', `The Meta Graph API version "${v.slice(0, 20)}" is not a version.`, {
      provider: 'meta',
      hint: `Write it like ${META_DEFAULT_API_VERSION} (the letter v, then major.minor).`,
    });
  }
  return v;
}
