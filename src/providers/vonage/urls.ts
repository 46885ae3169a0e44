/**
 * Request paths of the Vonage dialect (see docs/dialects.md). Paths are relative to the configured
 * base URL (`https://api.nexmo.com`, or the sandbox's `…/vonage`). `template_ids` travels as one
 * parameter holding a JSON array, `template_ids=[id,id]`, as Vonage's own curl snippets and the
 * `_links.self.href` of its documented answer send it; the other arrays as repeated parameters
 * (ours). Dates are `YYYY-MM-DD` in UTC with an inclusive `end`, so the window [startMs, endMs)
 * asks for start = date(startMs), end = date(endMs − 1 ms).
 */
import { formatIsoDate } from '../../core/dates';
import { inputError } from '../../core/errors';
import type { QueryUnit } from '../../core/provider';
import type { Kind } from '../../core/types';
import { apiName, filterDescriptors } from '../../core/vocabulary';
import { kindLabel } from '../../core/query';
import { CHANNEL_MANAGER_PREFIX, WHATSAPP_MANAGER_PREFIX } from './capabilities';

/** Vonage's Channel Manager has no conversation, call, template-group or WhatsApp-group analytics. */
export type VonageKind = Exclude<Kind, 'conversation' | 'calls' | 'template-groups' | 'groups'>;

/** The path segment and the `_embedded` key of each analytics kind. */
export const ANALYTICS_ENDPOINTS: Record<VonageKind, { segment: string; embedded: string }> = {
  messaging: { segment: 'messaging-analytics', embedded: 'messaging_analytics' },
  template: { segment: 'template-analytics', embedded: 'template_analytics' },
  pricing: { segment: 'pricing-analytics', embedded: 'pricing_analytics' },
};

export const DEFAULT_PAGE_SIZE = 100;

/** A WABA id as a path segment; anything but letters, digits, `_` and `-` is refused before sending. */
export function wabaSegment(wabaId: string): string {
  const id = String(wabaId).trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw inputError(`"${id.slice(0, 70)}" is not a WABA id.`, 'A WABA id is made of digits (as shown in the Vonage dashboard).');
  }
  return encodeURIComponent(id);
}

export function wabaPath(wabaId: string): string {
  return `${CHANNEL_MANAGER_PREFIX}/whatsapp/wabas/${wabaSegment(wabaId)}`;
}

export function wabasListPath(page: number, pageSize: number): string {
  return `${CHANNEL_MANAGER_PREFIX}/whatsapp/wabas?page=${page}&page_size=${pageSize}`;
}

export function numbersPath(wabaId: string): string {
  return `${wabaPath(wabaId)}/numbers`;
}

export function enableInsightsPath(wabaId: string): string {
  return `${wabaPath(wabaId)}/enable_insights`;
}

export function templatesPath(wabaId: string, options: { limit?: number; after?: string } = {}): string {
  const params = new URLSearchParams();
  if (options.limit !== undefined) params.set('limit', String(options.limit));
  if (options.after) params.set('after', options.after);
  const search = params.toString();
  return `${WHATSAPP_MANAGER_PREFIX}/wabas/${wabaSegment(wabaId)}/templates${search ? `?${search}` : ''}`;
}

/**
 * `template_ids` as Vonage's snippets send it: one JSON array, `[458951126288937,458951126288942]`
 * (ids of digits bare, as in the documented `_links.self.href`; any other id as a JSON string).
 */
export function templateIdsParam(ids: readonly string[]): string {
  return `[${ids.map((id) => (/^\d+$/.test(id) ? id : JSON.stringify(id))).join(',')}]`;
}

/** The request of one analytics unit: path with query string, and the endpoint label for errors. */
export function buildAnalyticsUrl(unit: QueryUnit, pageSize: number = DEFAULT_PAGE_SIZE): { url: string; endpoint: string } {
  const q = unit.query;
  if (q.kind === 'conversation') throw inputError('Conversation analytics is not offered by Vonage.', 'Use pricing analytics instead.');
  if (q.kind === 'calls' || q.kind === 'template-groups' || q.kind === 'groups') throw inputError(`${kindLabel(q.kind)} is not offered by Vonage.`, 'Use a Meta connection for this kind.');
  if (!(unit.endMs > unit.startMs)) throw inputError('The query window is empty.', 'Pick an end date on or after the start date.');
  const { segment } = ANALYTICS_ENDPOINTS[q.kind];
  const params = new URLSearchParams();
  params.set('start', formatIsoDate(unit.startMs));
  params.set('end', formatIsoDate(unit.endMs - 1));
  params.set('granularity', q.granularity);
  // Each filter under its Vonage name, in the table's order (src/core/vocabulary.ts): repeated parameters,
  // but template_ids, which travels as one JSON array.
  const values = q as unknown as Record<string, ReadonlyArray<string | number> | undefined>;
  for (const f of filterDescriptors(q.kind)) {
    const name = apiName(f.key, 'vonage', q.kind);
    if (!name) continue;
    if (f.key === 'templateIds') params.set(name, templateIdsParam(unit.templateIds ?? (values[f.key] ?? []).map(String)));
    else for (const v of values[f.key] ?? []) params.append(name, String(v));
  }
  params.set('page_size', String(pageSize));
  return { url: `${wabaPath(q.wabaId)}/${segment}?${params.toString()}`, endpoint: segment };
}
