/**
 * Request building for each kind from one planned unit. Analytics are fields of the WABA node with
 * dot-chained filters (`pricing_analytics.start(S).end(E).granularity(DAILY).dimensions([...])`);
 * template analytics are an edge with query parameters. Paths are relative to the versioned base
 * URL; the HTTP client URL-encodes the query. No credential ever goes into a URL.
 */
import { formatIsoDate, toUnixSeconds } from '../../core/dates';
import { inputError } from '../../core/errors';
import type { QueryUnit } from '../../core/provider';
import type { GroupsQuery, TemplateGroupsQuery, TemplateQuery } from '../../core/query';
import { GROUP_METRICS, apiName, filterDescriptors } from '../../core/vocabulary';
import type { Kind } from '../../core/types';
import { META_MAX_GROUP_IDS, META_MAX_TEMPLATE_GROUP_IDS, META_MAX_TEMPLATE_IDS, wireGranularity } from './capabilities';

export interface MetaRequest {
  /** Path below the versioned base URL, e.g. `/102290129340398` or `/102290129340398/template_analytics`. */
  path: string;
  query: Record<string, string>;
  /** Endpoint label for errors and logs. */
  endpoint: string;
}

/** The kinds asked as an edge of the WABA with query parameters; the others are fields of the WABA node. */
export type EdgeKind = 'template' | 'template-groups' | 'groups';
export type FieldKind = Exclude<Kind, EdgeKind>;
export const EDGE_NAMES: Record<EdgeKind, string> = {
  template: 'template_analytics',
  'template-groups': 'template_group_analytics',
  groups: 'group_analytics',
};
export function isEdgeKind(kind: Kind): kind is EdgeKind {
  return kind in EDGE_NAMES;
}

export const FIELD_NAMES: Record<FieldKind, string> = {
  messaging: 'analytics',
  conversation: 'conversation_analytics',
  pricing: 'pricing_analytics',
  calls: 'call_analytics',
};

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Data points asked per template_analytics page: 91 days of 10 templates fit in one. */
export const META_TEMPLATE_PAGE_LIMIT = 1000;

/** An id safe to put in a path (Graph ids are digits; the sandbox may use letters). */
export function checkId(value: string, what: string): string {
  const v = String(value ?? '').trim();
  if (!ID.test(v)) throw inputError(`The ${what} "${v.slice(0, 40)}" is not an id.`, 'Use the id as Meta shows it (digits only).');
  return v;
}

/** A JSON array of strings: `["US","BR"]`. */
function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

/** A dot-chained filter, only when there is something to filter on. */
function chain(name: string, values: readonly (string | number)[] | undefined): string {
  return values && values.length ? `.${name}(${jsonList(values)})` : '';
}

function baseChain(field: string, unit: QueryUnit): string {
  const kind = unit.query.kind;
  return `${field}.start(${toUnixSeconds(unit.startMs)}).end(${toUnixSeconds(unit.endMs)}).granularity(${wireGranularity(kind, unit.query.granularity)})`;
}

/** The `fields` value of a field analytics request (not yet URL-encoded). */
export function analyticsFields(unit: QueryUnit): string {
  const q = unit.query;
  if (isEdgeKind(q.kind)) throw new Error(`${EDGE_NAMES[q.kind]} is an edge, not a field`);
  if (q.kind === 'pricing' && q.tiers?.length) throw inputError('Pricing analytics from Meta have no tier filter.', 'Remove it; break down by TIER with the dimensions instead.');
  // Each filter under its Meta name, in the table's order (src/core/vocabulary.ts). The filter says
  // FREE_ENTRY where responses say FREE_ENTRY_POINT; the query model already maps it.
  const values = q as unknown as Record<string, readonly (string | number)[] | undefined>;
  let fields = baseChain(FIELD_NAMES[q.kind as FieldKind], unit);
  for (const f of filterDescriptors(q.kind)) {
    const name = apiName(f.key, 'meta', q.kind);
    if (name) fields += chain(name, values[f.key]);
  }
  return fields;
}

/** `[1,2]` for numeric ids (as Meta's own examples write them), a JSON string array otherwise. */
function idList(ids: readonly string[]): string {
  return ids.every((i) => /^\d+$/.test(i)) ? `[${ids.join(',')}]` : JSON.stringify(ids);
}

/** The query of a template_analytics request. `now` clamps the end (Meta refuses an end in the future). */
export function templateQuery(unit: QueryUnit, now: number): Record<string, string> {
  const q = unit.query as TemplateQuery;
  const ids = unit.templateIds ?? q.templateIds;
  if (!ids.length) throw inputError('Template analytics need at least one template id.', 'Pick one or more templates.');
  if (ids.length > META_MAX_TEMPLATE_IDS) {
    throw inputError(
      `Template analytics from Meta take at most ${META_MAX_TEMPLATE_IDS} template ids per request; ${ids.length} were given.`,
      'Split the templates into batches of 10.',
    );
  }
  for (const i of ids) checkId(i, 'template id');
  const endMs = Math.min(unit.endMs, now);
  const out: Record<string, string> = {};
  if (q.useWabaTimezone) {
    // With use_waba_timezone Meta wants dates. `end` is inclusive (the last day asked for, as in
    // docs/dialects.md), so a range ending now asks through today and never for a future day.
    out.start = formatIsoDate(unit.startMs);
    out.end = formatIsoDate(Math.max(unit.startMs, endMs - 1));
  } else {
    out.start = String(toUnixSeconds(unit.startMs));
    out.end = String(toUnixSeconds(endMs));
  }
  out.granularity = 'DAILY';
  out[apiName('templateIds', 'meta', 'template')!] = idList(ids);
  // One page for a whole batch (at most 91 days x 10 templates); the edge's default page is 25 points.
  out.limit = String(META_TEMPLATE_PAGE_LIMIT);
  if (q.metricTypes?.length) out[apiName('metricTypes', 'meta', 'template')!] = `[${q.metricTypes.join(',')}]`;
  if (q.productType) out[apiName('productType', 'meta', 'template')!] = q.productType;
  if (q.useWabaTimezone) out[apiName('useWabaTimezone', 'meta', 'template')!] = 'true';
  return out;
}

/** Unix seconds, or with use_waba_timezone the days (end inclusive), of an edge request; the end clamped to now. */
function edgeTimes(unit: QueryUnit, now: number, useWabaTimezone: boolean): { start: string; end: string } {
  const endMs = Math.min(unit.endMs, now);
  if (useWabaTimezone) return { start: formatIsoDate(unit.startMs), end: formatIsoDate(Math.max(unit.startMs, endMs - 1)) };
  return { start: String(toUnixSeconds(unit.startMs)), end: String(toUnixSeconds(endMs)) };
}

/**
 * The query of a template_group_analytics request (Meta's template-groups guide:
 * `granularity=daily&start=…&end=…&metric_types=sent,delivered,read&template_group_ids=[id]`).
 */
export function templateGroupQuery(unit: QueryUnit, now: number): Record<string, string> {
  const q = unit.query as TemplateGroupsQuery;
  const ids = unit.ids ?? q.templateGroupIds;
  if (!ids.length) throw inputError('Template group analytics need at least one template group id.', 'Pick or type one or more template group ids.');
  if (ids.length > META_MAX_TEMPLATE_GROUP_IDS) {
    throw inputError(`Template group analytics from Meta take at most ${META_MAX_TEMPLATE_GROUP_IDS} group ids per request; ${ids.length} were given.`, 'Split the groups into batches of 10.');
  }
  for (const i of ids) checkId(i, 'template group id');
  const out: Record<string, string> = { ...edgeTimes(unit, now, Boolean(q.useWabaTimezone)), granularity: wireGranularity('template-groups', q.granularity) };
  out[apiName('templateGroupIds', 'meta', 'template-groups')!] = idList(ids);
  if (q.metricTypes?.length) out[apiName('metricTypes', 'meta', 'template-groups')!] = q.metricTypes.map((m) => m.toLowerCase()).join(',');
  if (q.useWabaTimezone) out[apiName('useWabaTimezone', 'meta', 'template-groups')!] = 'true';
  return out;
}

/**
 * The query of a group_analytics request: one WhatsApp group id, DAILY, metric_types required
 * (every one when none was chosen).
 */
export function groupQuery(unit: QueryUnit, now: number): Record<string, string> {
  const q = unit.query as GroupsQuery;
  const ids = unit.ids ?? q.groupIds;
  if (ids.length !== META_MAX_GROUP_IDS) {
    throw inputError(`WhatsApp group analytics from Meta take exactly one group id per request; ${ids.length} were given.`, 'Ask for one group at a time.');
  }
  for (const i of ids) checkId(i, 'WhatsApp group id');
  const metrics = q.metricTypes?.length ? q.metricTypes : GROUP_METRICS;
  return {
    ...edgeTimes(unit, now, false),
    granularity: 'DAILY',
    [apiName('groupIds', 'meta', 'groups')!]: JSON.stringify(ids),
    [apiName('metricTypes', 'meta', 'groups')!]: JSON.stringify(metrics),
  };
}

/** The request of one unit. */
export function buildUnitRequest(unit: QueryUnit, now: number): MetaRequest {
  const wabaId = checkId(unit.query.wabaId, 'WhatsApp Business Account id');
  if (unit.endMs <= unit.startMs) throw inputError('The range of this request is empty.', 'Pick an end date after the start date.');
  if (unit.query.kind === 'template') {
    return { path: `/${wabaId}/template_analytics`, query: templateQuery(unit, now), endpoint: 'template_analytics' };
  }
  if (unit.query.kind === 'template-groups') {
    return { path: `/${wabaId}/template_group_analytics`, query: templateGroupQuery(unit, now), endpoint: 'template_group_analytics' };
  }
  if (unit.query.kind === 'groups') {
    return { path: `/${wabaId}/group_analytics`, query: groupQuery(unit, now), endpoint: 'group_analytics' };
  }
  const field = FIELD_NAMES[unit.query.kind];
  // Costs need the WABA's currency: asked in the same request (a plain field of the same node),
  // so it costs no call of its own.
  const fields = unit.query.kind === 'messaging' ? analyticsFields(unit) : `${analyticsFields(unit)},currency`;
  return { path: `/${wabaId}`, query: { fields }, endpoint: field };
}
