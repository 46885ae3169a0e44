/**
 * Vonage analytics bodies to the normalized model. Times become ISO 8601 UTC (`…Z`), messaging's
 * epoch-second strings included; dimensions keep the API's snake_case names; metrics keep the API's
 * names (`clicked` is a plain number here, no `clicks` array); an absent metric stays absent.
 *
 * A point whose `end` is missing, or equal to its `start` (the seed's template example has
 * start == end), gets end = the end of its bucket (start + one day for DAILY). This is silent: it
 * is how Vonage writes daily points, not something the user can act on. An `end` before the
 * `start` is impossible: it is kept, and the answer checks drop the point with a warning.
 */
import type { z } from 'zod';
import { DAY, nextBucket, parseApiTime, toIsoUtc } from '../../core/dates';
import { WabaError, inputError } from '../../core/errors';
import { Warnings, leftOutWarning, parseBody } from '../../core/normalize';
import type { BodyNormalizer, NormalizeContext, NormalizedPage } from '../../core/provider';
import type { Granularity, Point } from '../../core/types';
import type { Warning } from '../../core/warnings';
import { warning } from '../../core/warnings';
import { GRANULARITIES } from '../../core/types';
import { isVonageProblem, vonageProblemError } from './errors';
import { messagingBodySchema, pricingBodySchema, templateBodySchema } from './schemas';
import type { AnalyticsPoint } from './schemas';
import { ANALYTICS_ENDPOINTS } from './urls';
import type { VonageKind } from './urls';
import { kindLabel } from '../../core/query';

/** What fetchUnit knows beyond the core context. */
export interface VonageNormalizeContext extends NormalizeContext {
  /** The granularity asked for; used when the body does not say (or says something unknown). */
  granularity?: Granularity;
  /** Clock in ms, for the 7-day reads/clicks warning. */
  now?: number;
}

export const DIM_KEYS = ['phone_number', 'country', 'tier', 'pricing_type', 'pricing_category', 'template_id'] as const;
export const METRIC_KEYS = ['sent', 'delivered', 'read', 'clicked', 'volume', 'cost'] as const;

export const COST_UNAVAILABLE_WARNING: Warning = warning(
  'cost.unavailable',
  'Vonage pricing analytics returned volumes but no cost: cost is not available here (see your Vonage invoice or pricing page).',
);
export const LATE_READS_WARNING: Warning = warning(
  'engagement.still-counting',
  'Reads and clicks keep counting for 7 days after a message is sent: figures for the last 7 days may still grow.',
);

const GRANULARITY_ALIASES: Record<string, Granularity> = {
  HALF_HOUR: 'HALF_HOUR',
  HALFHOUR: 'HALF_HOUR',
  DAILY: 'DAILY',
  DAY: 'DAILY',
  MONTHLY: 'MONTHLY',
  MONTH: 'MONTHLY',
};

function bodySchema(kind: VonageKind): z.ZodType {
  return kind === 'messaging' ? messagingBodySchema : kind === 'template' ? templateBodySchema : pricingBodySchema;
}

function granularityOf(value: string | undefined, fallback: Granularity | undefined, warnings: Warnings): Granularity {
  if (value !== undefined) {
    const known = GRANULARITY_ALIASES[value.trim().toUpperCase()];
    if (known) return known;
    warnings.add('answer.unknown-granularity', `Unknown granularity "${value}" in the answer; ${fallback ?? 'DAILY'} assumed.`);
  }
  return fallback && (GRANULARITIES as readonly string[]).includes(fallback) ? fallback : 'DAILY';
}

/** The `next` link of a page: `paging.next`, or `_links.next.href`. */
export function nextLink(body: { paging?: { next?: string | null } | undefined; _links?: { next?: { href?: string } } | undefined }): string | undefined {
  const n = body.paging?.next ?? body._links?.next?.href;
  return typeof n === 'string' && n.trim() !== '' ? n.trim() : undefined;
}

interface ParsedBody {
  id?: string;
  granularity?: string;
  currency?: string;
  paging?: { next?: string | null };
  _links?: { next?: { href?: string } };
  _embedded?: Record<string, AnalyticsPoint[]>;
}

/** One raw Vonage analytics body (one page) → a NormalizedResult plus its `next` link. */
export function normalizeVonagePage(body: unknown, ctx: VonageNormalizeContext): NormalizedPage {
  const kind = ctx.kind;
  if (kind === 'conversation') throw inputError('Conversation analytics is not offered by Vonage.', 'Use pricing analytics instead.');
  if (kind === 'calls' || kind === 'template-groups' || kind === 'groups') throw inputError(`${kindLabel(kind)} is not offered by Vonage.`, 'Use a Meta connection for this kind.');
  const { segment, embedded } = ANALYTICS_ENDPOINTS[kind];
  const endpoint = ctx.endpoint ?? segment;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new WabaError('response', `Vonage ${endpoint} answered a body that does not fit at (body): expected an object`, {
      provider: 'vonage',
      endpoint,
      path: '(body)',
      hint: 'The API may have changed; update the extension, or report the field named.',
    });
  }
  // A problem report given as a body (e.g. saved from a failed call): say what Vonage said, as Meta's error envelope is.
  if (isVonageProblem(body)) throw vonageProblemError(body, endpoint);
  const parsed = parseBody(bodySchema(kind), body, 'vonage', endpoint) as ParsedBody;
  const warnings = new Warnings();
  const granularity = granularityOf(parsed.granularity, ctx.granularity, warnings);
  const rawPoints = parsed._embedded?.[embedded] ?? [];
  const now = ctx.now ?? Date.now();
  const points: Point[] = [];
  let anyCost = false;
  let lateReads = false;

  for (const p of rawPoints) {
    const startMs = parseApiTime(p.start)!;
    let endMs = p.end === undefined ? undefined : parseApiTime(p.end);
    // A missing end, or one equal to the start, is how Vonage writes a whole bucket. An end before
    // the start is kept as is: the answer checks (core/answerChecks) name it and drop the point.
    if (endMs === undefined || endMs === startMs) endMs = nextBucket(startMs, granularity);
    const dims: Record<string, string> = {};
    const rec = p as Record<string, unknown>;
    for (const key of DIM_KEYS) {
      const v = rec[key];
      if (typeof v === 'string' && v !== '') dims[key] = key === 'pricing_type' || key === 'pricing_category' || key === 'tier' ? warnings.dim(key, v) : v;
    }
    const metrics: Record<string, number> = {};
    for (const key of METRIC_KEYS) {
      const v = rec[key];
      // A negative or non-finite value is left out and counted (one warning; see leftOutWarning).
      if (typeof v === 'number') warnings.value(metrics, key, v);
    }
    if (metrics.cost !== undefined) anyCost = true;
    if (kind === 'template' && (metrics.read !== undefined || metrics.clicked !== undefined) && endMs > now - 7 * DAY) lateReads = true;
    points.push({ start: toIsoUtc(startMs), end: toIsoUtc(endMs), dims, metrics });
  }
  if (kind === 'pricing' && points.length > 0 && !anyCost) warnings.addWarning(COST_UNAVAILABLE_WARNING);
  if (lateReads) warnings.addWarning(LATE_READS_WARNING);
  const leftOut = leftOutWarning(warnings.leftOutCounts);
  if (leftOut) warnings.addWarning(leftOut);

  const wabaId = ctx.wabaId ?? parsed.id ?? null;
  return {
    result: {
      provider: 'vonage',
      kind,
      wabaId: wabaId === null ? null : String(wabaId),
      granularity,
      timezone: 'UTC',
      ...(parsed.currency ? { currency: parsed.currency } : {}),
      points,
      warnings: warnings.list(),
    },
    next: nextLink(parsed),
    ...(warnings.leftOutCounts.size ? { leftOut: warnings.leftOutCounts } : {}),
  };
}

/** The BodyNormalizer of the Vonage dialect (fetchUnit and `waba-analytics normalize` use it). */
export const normalizeVonageBody: BodyNormalizer = (body, ctx) => normalizeVonagePage(body, ctx);
