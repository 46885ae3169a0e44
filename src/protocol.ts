/**
 * Messages between the extension host and the panel webview, in both directions. Both bundles
 * import this file; every message is validated with these schemas on arrival, and anything that
 * does not fit is dropped (and logged by the host).
 *
 * Written with zod/mini (functions instead of methods), which the webview bundle can tree-shake:
 * the whole of zod would be more than half of it.
 */
import * as z from 'zod/mini';
import { WARNING_CODE_LIST } from './core/warnings';
import type { WarningCode } from './core/warnings';
import { KINDS, PROVIDERS } from './core/types';

/** A warning: a code from the one closed list, and a message for people. */
export const WarningSchema = z.object({ code: z.enum(WARNING_CODE_LIST as [WarningCode, ...WarningCode[]]), message: z.string() });

const numberColumn = z.union([z.instanceof(Float64Array), z.array(z.union([z.number(), z.null()]))]);
const codeColumn = z.union([z.instanceof(Int32Array), z.array(z.int())]);

export const ColumnarResultSchema = z.object({
  provider: z.enum(PROVIDERS),
  kind: z.enum(KINDS),
  wabaId: z.nullable(z.string()),
  granularity: z.enum(['HALF_HOUR', 'DAILY', 'MONTHLY']),
  timezone: z.string(),
  currency: z.optional(z.string()),
  /** Each warning's code is one of the closed list (src/core/warnings.ts): anything else is refused. */
  warnings: z.array(WarningSchema),
  length: z.int().check(z.nonnegative()),
  /** Epoch ms per point. */
  starts: numberColumn,
  ends: numberColumn,
  /** Per dimension: the distinct values, and per point the index of its value (-1: none). */
  dims: z.record(z.string(), z.object({ values: z.array(z.string()), codes: codeColumn })),
  /** Per metric: one number per point, NaN (or null after JSON) where the API gave none. */
  metrics: z.record(z.string(), numberColumn),
  clicks: z.optional(z.array(z.object({ point: z.int(), type: z.string(), button_content: z.string(), count: z.number() }))),
});
export type ColumnarResult = z.infer<typeof ColumnarResultSchema>;

/** The query shown (and edited) in the panel: the core's query input, loosely typed here. */
export const PanelQuerySchema = z.catchall(
  z.object({
    kind: z.enum(KINDS),
    provider: z.enum(PROVIDERS),
    wabaId: z.string(),
    from: z.string(),
    to: z.string(),
    granularity: z.optional(z.enum(['HALF_HOUR', 'DAILY', 'MONTHLY'])),
  }),
  z.union([z.array(z.union([z.string(), z.number()])), z.string(), z.boolean(), z.number()]),
);
export type PanelQuery = z.infer<typeof PanelQuerySchema>;

export const PanelContextSchema = z.object({
  /** Connection label, WABA name, for the header. */
  connectionLabel: z.optional(z.string()),
  wabaName: z.optional(z.string()),
  /** Template id -> name, so ids are always shown with names. */
  templateNames: z._default(z.record(z.string(), z.string()), {}),
  /** The WABA's templates, when listed: names for the form's picker, and click tracking turned off (why clicks are missing). */
  templates: z.optional(z.array(z.object({ id: z.string(), name: z.optional(z.string()), clickTrackingOptedOut: z.optional(z.boolean()) }))),
  /** The WABA's phone numbers, when listed: the filter's value (digits), the number as shown and its verified name. */
  phones: z.optional(z.array(z.object({ value: z.string(), display: z.string(), name: z.optional(z.string()) }))),
  /** Insights state of the WABA, when known. */
  insightsEnabled: z.optional(z.boolean()),
  /** Filters/dimensions/granularities this provider accepts for this kind (for the editable parameters). */
  accepts: z.optional(
    z.object({
      granularities: z.array(z.string()),
      filters: z.array(z.string()),
    }),
  ),
  fetchedAt: z.optional(z.string()),
  requests: z.optional(z.number()),
  partial: z.optional(z.boolean()),
  /** Where each run of days (UTC, inclusive) came from: the history archive or the API (src/archive/answer.ts). */
  sources: z.optional(z.array(z.object({ from: z.string(), to: z.string(), source: z.enum(['archive', 'api']) }))),
});
export type PanelContext = z.infer<typeof PanelContextSchema>;

// ---- host -> webview -------------------------------------------------------------------------
export const HostMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('result'),
    query: PanelQuerySchema,
    result: ColumnarResultSchema,
    context: PanelContextSchema,
    /** The previous period of the same length (same filters), for the comparison: its result and its days (UTC, inclusive). */
    previous: z.optional(z.object({ result: ColumnarResultSchema, from: z.string(), to: z.string() })),
  }),
  z.object({ type: z.literal('loading'), query: PanelQuerySchema, message: z.string() }),
  z.object({
    type: z.literal('error'),
    query: z.optional(PanelQuerySchema),
    message: z.string(),
    /** Offer the insights enablement call to action (template analytics on a WABA without insights). */
    needsInsights: z.optional(z.boolean()),
    context: z.optional(PanelContextSchema),
  }),
  z.object({ type: z.literal('reply'), requestId: z.int(), ok: z.boolean(), message: z.optional(z.string()) }),
  z.object({ type: z.literal('insights'), enabled: z.boolean() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

// ---- webview -> host -------------------------------------------------------------------------
export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('run'), requestId: z.int(), query: PanelQuerySchema }),
  z.object({ type: z.literal('export'), requestId: z.int(), format: z.enum(['json', 'csv']), includeRaw: z.optional(z.boolean()) }),
  z.object({ type: z.literal('saveQuery'), requestId: z.int() }),
  z.object({ type: z.literal('enableInsights'), requestId: z.int() }),
  z.object({ type: z.literal('openSettings'), requestId: z.int() }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

/** What the webview keeps with setState so a reloaded window restores the panel. */
export const PanelStateSchema = z.object({
  query: PanelQuerySchema,
  title: z.optional(z.string()),
  chartType: z.optional(z.enum(['line', 'bar'])),
  breakdown: z.optional(z.string()),
  metric: z.optional(z.string()),
});
export type PanelState = z.infer<typeof PanelStateSchema>;
