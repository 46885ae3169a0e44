/**
 * Messages between the extension host and the panel webview, in both directions. Both bundles
 * import this file; every message is validated with these schemas on arrival, and anything that
 * does not fit is dropped (and logged by the host).
 */
import { z } from 'zod';

const numberColumn = z.union([z.instanceof(Float64Array), z.array(z.number().or(z.null()))]);
const codeColumn = z.union([z.instanceof(Int32Array), z.array(z.number().int())]);

export const ColumnarResultSchema = z.object({
  provider: z.enum(['meta', 'vonage']),
  kind: z.enum(['messaging', 'conversation', 'pricing', 'template']),
  wabaId: z.string().nullable(),
  granularity: z.enum(['HALF_HOUR', 'DAILY', 'MONTHLY']),
  timezone: z.string(),
  currency: z.string().optional(),
  warnings: z.array(z.string()),
  length: z.number().int().nonnegative(),
  /** Epoch ms per point. */
  starts: numberColumn,
  ends: numberColumn,
  /** Per dimension: the distinct values, and per point the index of its value (-1: none). */
  dims: z.record(z.string(), z.object({ values: z.array(z.string()), codes: codeColumn })),
  /** Per metric: one number per point, NaN (or null after JSON) where the API gave none. */
  metrics: z.record(z.string(), numberColumn),
  clicks: z.array(z.object({ point: z.number().int(), type: z.string(), button_content: z.string(), count: z.number() })).optional(),
});
export type ColumnarResult = z.infer<typeof ColumnarResultSchema>;

/** The query shown (and edited) in the panel: the core's query input, loosely typed here. */
export const PanelQuerySchema = z
  .object({
    kind: z.enum(['messaging', 'conversation', 'pricing', 'template']),
    provider: z.enum(['meta', 'vonage']),
    wabaId: z.string(),
    from: z.string(),
    to: z.string(),
    granularity: z.enum(['HALF_HOUR', 'DAILY', 'MONTHLY']).optional(),
  })
  .catchall(z.union([z.array(z.union([z.string(), z.number()])), z.string(), z.boolean(), z.number()]));
export type PanelQuery = z.infer<typeof PanelQuerySchema>;

export const PanelContextSchema = z.object({
  /** Connection label, WABA name, for the header. */
  connectionLabel: z.string().optional(),
  wabaName: z.string().optional(),
  /** Template id -> name, so ids are always shown with names. */
  templateNames: z.record(z.string(), z.string()).default({}),
  /** Insights state of the WABA, when known. */
  insightsEnabled: z.boolean().optional(),
  /** Filters/dimensions/granularities this provider accepts for this kind (for the editable parameters). */
  accepts: z
    .object({
      granularities: z.array(z.string()),
      filters: z.array(z.string()),
    })
    .optional(),
  fetchedAt: z.string().optional(),
  requests: z.number().optional(),
  partial: z.boolean().optional(),
});
export type PanelContext = z.infer<typeof PanelContextSchema>;

// ---- host -> webview -------------------------------------------------------------------------
export const HostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), query: PanelQuerySchema, result: ColumnarResultSchema, context: PanelContextSchema }),
  z.object({ type: z.literal('loading'), query: PanelQuerySchema, message: z.string() }),
  z.object({
    type: z.literal('error'),
    query: PanelQuerySchema.optional(),
    message: z.string(),
    /** Offer the insights enablement call to action (template analytics on a WABA without insights). */
    needsInsights: z.boolean().optional(),
    context: PanelContextSchema.optional(),
  }),
  z.object({ type: z.literal('reply'), requestId: z.number().int(), ok: z.boolean(), message: z.string().optional() }),
  z.object({ type: z.literal('insights'), enabled: z.boolean() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

// ---- webview -> host -------------------------------------------------------------------------
export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('run'), requestId: z.number().int(), query: PanelQuerySchema }),
  z.object({ type: z.literal('export'), requestId: z.number().int(), format: z.enum(['json', 'csv']), includeRaw: z.boolean().optional() }),
  z.object({ type: z.literal('saveQuery'), requestId: z.number().int() }),
  z.object({ type: z.literal('enableInsights'), requestId: z.number().int() }),
  z.object({ type: z.literal('openSettings'), requestId: z.number().int() }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

/** What the webview keeps with setState so a reloaded window restores the panel. */
export const PanelStateSchema = z.object({
  query: PanelQuerySchema,
  title: z.string().optional(),
  chartType: z.enum(['line', 'bar']).optional(),
  breakdown: z.string().optional(),
  metric: z.string().optional(),
});
export type PanelState = z.infer<typeof PanelStateSchema>;
