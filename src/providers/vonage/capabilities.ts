/**
 * What Vonage's Channel Manager accepts, per kind, in the user's vocabulary, and the checks the
 * capability lists cannot express (a metric value Vonage lacks). No conversation kind.
 */
import { inputError } from '../../core/errors';
import type { ProviderCapabilities, Query } from '../../core/query';

export const VONAGE_DEFAULT_BASE_URL = 'https://api.nexmo.com';
export const CHANNEL_MANAGER_PREFIX = '/v1/channel-manager';
export const WHATSAPP_MANAGER_PREFIX = '/v2/whatsapp-manager';

/** Template metric types Vonage accepts (no COST: cost lives in pricing analytics). */
export const VONAGE_TEMPLATE_METRICS = ['SENT', 'DELIVERED', 'READ', 'CLICKED'] as const;
export const VONAGE_MAX_TEMPLATE_IDS = 10;

export const VONAGE_CAPABILITIES: ProviderCapabilities = {
  messaging: {
    granularities: ['HALF_HOUR', 'DAILY', 'MONTHLY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    filters: ['phoneNumbers', 'productTypes', 'countryCodes'],
  },
  template: {
    granularities: ['DAILY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    // metricTypes values are checked by validateVonageQuery (COST is refused there).
    filters: ['templateIds', 'metricTypes'],
    maxTemplateIds: VONAGE_MAX_TEMPLATE_IDS,
  },
  pricing: {
    granularities: ['HALF_HOUR', 'DAILY', 'MONTHLY'],
    lookbackDays: 90,
    maxSpanDays: 90,
    halfHourWindowDays: 30,
    filters: ['phoneNumbers', 'countryCodes', 'dimensions', 'tiers'],
  },
};

/**
 * The provider-side checks beyond the capability lists. Throws an input error (nothing is sent)
 * naming what is wrong and what would be accepted. `templateIds` is one request's batch: a query
 * may name any number of templates (planQuery splits them into batches of
 * VONAGE_MAX_TEMPLATE_IDS), but one request never carries more than that.
 */
export function validateVonageQuery(query: Query, templateIds?: readonly string[]): void {
  if (query.kind === 'conversation') {
    throw inputError('Conversation analytics is not offered by Vonage.', 'Use pricing analytics instead.');
  }
  if (query.kind === 'template') {
    const refused = (query.metricTypes ?? []).filter((m) => !(VONAGE_TEMPLATE_METRICS as readonly string[]).includes(m));
    if (refused.length) {
      throw inputError(
        `Template analytics from Vonage have no ${refused.join(', ')} metric.`,
        `Use ${VONAGE_TEMPLATE_METRICS.join(', ')}; costs are in pricing analytics.`,
      );
    }
    const ids = templateIds ?? query.templateIds;
    if (ids.length === 0) throw inputError('Template analytics need at least one template id.', 'Pick one or more templates.');
    if (templateIds && ids.length > VONAGE_MAX_TEMPLATE_IDS) {
      throw inputError(
        `Template analytics from Vonage take at most ${VONAGE_MAX_TEMPLATE_IDS} template ids per request; this batch has ${ids.length}.`,
        'Let the query plan split the templates into batches of 10 (runQuery does).',
      );
    }
  }
}
