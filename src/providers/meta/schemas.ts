/**
 * zod schemas of every Graph API body this provider reads. Lenient where the API is (unknown
 * fields are dropped, optional fields optional, numbers given as strings accepted, null taken as
 * absent); strict where it matters (a data point needs its start and end, a template point its id).
 */
import * as z from 'zod';
import { parseApiTime } from '../../core/dates';

const required = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'missing (required)' : `expected ${what}`);

/** A number, or a string holding one (`"12"`, `"0.0232"`). */
export const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/).transform(Number)], {
  error: required('a number'),
});

/** Epoch seconds (number or string) or an ISO time. */
export const time = z.union([z.number(), z.string()], { error: required('a time') }).refine((v) => parseApiTime(v) !== undefined, {
  message: 'expected a time (epoch seconds or ISO 8601)',
});

/** Ids come as strings, sometimes as numbers. */
export const id = z.union([z.string().min(1), z.number()], { error: required('an id') }).transform((v) => String(v));

/** A string that may be null or absent (null becomes undefined). */
const optString = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));
const optNum = num.nullish().transform((v) => (v === null ? undefined : v));

export const PagingSchema = z
  .object({
    cursors: z.object({ before: optString, after: optString }).partial().nullish(),
    next: optString,
    previous: optString,
  })
  .partial();
export type Paging = z.infer<typeof PagingSchema>;

/** A point of `analytics`, `conversation_analytics` or `pricing_analytics`: dims and metrics all optional. */
export const FieldPointSchema = z.object({
  start: time,
  end: time,
  phone_number: optString,
  country: optString,
  tier: optString,
  pricing_category: optString,
  pricing_type: optString,
  conversation_category: optString,
  conversation_type: optString,
  conversation_direction: optString,
  sent: optNum,
  delivered: optNum,
  read: optNum,
  volume: optNum,
  cost: optNum,
  conversation: optNum,
});
export type FieldPoint = z.infer<typeof FieldPointSchema>;

/**
 * The analytics bodies, with the data points left unchecked here: the normalizer checks each point itself
 * (with FieldPointSchema when it is unusual), which is several times faster on large answers.
 * `currency` comes when the request asks for it next to the analytics field.
 */
const PointListSchema = z.array(z.unknown());
const EnvelopeFieldSchema = z.object({
  data: z.array(z.object({ data_points: PointListSchema.nullish() })).nullish(),
  paging: PagingSchema.nullish(),
});
export const MessagingEnvelopeSchema = z.object({
  id: id.optional(),
  analytics: z
    .object({
      granularity: optString,
      phone_numbers: z.array(z.union([z.string(), z.number()])).nullish(),
      country_codes: z.array(z.string()).nullish(),
      data_points: PointListSchema.nullish(),
      paging: PagingSchema.nullish(),
    })
    .nullish(),
  paging: PagingSchema.nullish(),
});
export const ConversationEnvelopeSchema = z.object({
  id: id.optional(),
  currency: optString,
  conversation_analytics: EnvelopeFieldSchema.nullish(),
  data: z.array(z.object({ data_points: PointListSchema.nullish() })).nullish(),
  paging: PagingSchema.nullish(),
});
export const PricingEnvelopeSchema = z.object({
  id: id.optional(),
  currency: optString,
  pricing_analytics: EnvelopeFieldSchema.nullish(),
  paging: PagingSchema.nullish(),
});

export const ClickSchema = z.object({
  type: z.string({ error: required('a string') }),
  button_content: optString,
  count: num,
});
export const CostSchema = z.object({
  type: z.string({ error: required('a string') }),
  value: num,
});

/** The fields of a template point and of a template-group point (both loose), but their id. */
function templatePointFields() {
  return {
    start: time,
    end: time,
    sent: optNum,
    delivered: optNum,
    read: optNum,
    /** An array of button clicks; a plain number is taken as a total. */
    clicked: z.union([z.array(ClickSchema), num]).nullish(),
    cost: z.array(CostSchema).nullish(),
  };
}

/**
 * A template_analytics point. Loose: a numeric field no schema names (the Marketing Messages API's
 * metrics, whose shape is undocumented) is kept by the normalizer as a metric under its own name.
 */
export const TemplatePointSchema = z.looseObject({ template_id: id, ...templatePointFields() });
export type TemplatePoint = z.infer<typeof TemplatePointSchema>;

/**
 * A template_analytics answer: `{data, paging}` from the edge (`/<WABA>/template_analytics`), or
 * the same object under `template_analytics` when asked as a field of the WABA node
 * (`/<WABA>?fields=template_analytics...`, answered `{template_analytics: {data, paging}, id}`).
 * `data` is required: a body with neither form is a shape error, never an empty answer.
 */
export const TemplateBodySchema = z.object({
  data: z.array(
    z.object({
      granularity: optString,
      product_type: optString,
      waba_timezone: optString,
      data_points: z.array(TemplatePointSchema).nullish(),
    }),
    { error: (iss) => (iss.input === undefined ? 'missing (required): a template_analytics answer holds data[] (or template_analytics.data[])' : 'expected a list') },
  ),
  paging: PagingSchema.nullish(),
});
export const TemplateFieldBodySchema = z.object({
  id: id.optional(),
  template_analytics: TemplateBodySchema,
});

/** A point of `call_analytics` (Business Calling): dims and metrics all optional. */
export const CallPointSchema = z.object({
  start: time,
  end: time,
  direction: optString,
  country: optString,
  phone_number: optString,
  tier: optString,
  count: optNum,
  cost: optNum,
  average_duration: optNum,
});
export type CallPoint = z.infer<typeof CallPointSchema>;

/**
 * `?fields=call_analytics…`: Meta's analytics guide answers `call_analytics.data_points[]`; an older
 * calling-pricing page `call_analytics.data[].data_points[]`. Both are read.
 */
export const CallsEnvelopeSchema = z.object({
  id: id.optional(),
  currency: optString,
  call_analytics: z
    .object({
      granularity: optString,
      data_points: z.array(CallPointSchema).nullish(),
      data: z.array(z.object({ granularity: optString, data_points: z.array(CallPointSchema).nullish() })).nullish(),
      paging: PagingSchema.nullish(),
    })
    .nullish(),
  paging: PagingSchema.nullish(),
});

const edgeData = <T extends z.ZodType>(point: T, edge: string) =>
  z.object({
    data: z.array(z.object({ granularity: optString, data_points: z.array(point).nullish() }), {
      error: (iss) => (iss.input === undefined ? `missing (required): a ${edge} answer holds data[]` : 'expected a list'),
    }),
    paging: PagingSchema.nullish(),
  });

/** A template_group_analytics point: like a template point, per group (loose, as TemplatePointSchema). */
export const TemplateGroupPointSchema = z.looseObject({ template_group_id: id, ...templatePointFields() });
export type TemplateGroupPoint = z.infer<typeof TemplateGroupPointSchema>;
export const TemplateGroupBodySchema = edgeData(TemplateGroupPointSchema, 'template_group_analytics');

/** A group_analytics point (WhatsApp Groups): PARTICIPANTS_JOINED answers as `joined`, PARTICIPANTS_LEFT as `left`. */
export const GroupPointSchema = z.object({
  group_id: id,
  start: time,
  end: time,
  sent: optNum,
  delivered: optNum,
  read: optNum,
  joined: optNum,
  left: optNum,
});
export const GroupBodySchema = edgeData(GroupPointSchema, 'group_analytics');

/** `GET /<WABA>/template_groups` (Meta's Python SDK; fields unconfirmed): id, name, the templates. */
export const TemplateGroupsListSchema = z.object({
  data: z.array(
    z.object({
      id,
      name: optString,
      description: optString,
      whatsapp_business_templates: z
        .union([z.array(z.object({ id, name: optString }).loose()), z.object({ data: z.array(z.object({ id, name: optString }).loose()) }).loose()])
        .nullish(),
    }),
    { error: required('a list') },
  ),
  paging: PagingSchema.nullish(),
});

/** The WABA node: `?fields=id,name,currency,timezone_id,is_enabled_for_insights`. */
export const WabaNodeSchema = z.object({
  id,
  name: optString,
  currency: optString,
  timezone_id: optString,
  is_enabled_for_insights: z.boolean().nullish(),
});

// Listing edges: `data` is required (Graph always sends it, `[]` when empty), so that a body of
// another shape is an error rather than an empty listing.
export const WabaEdgeSchema = z.object({
  data: z.array(z.object({ id, name: optString, currency: optString, timezone_id: optString }), { error: required('a list') }),
  paging: PagingSchema.nullish(),
});

export const BusinessesSchema = z.object({
  data: z.array(z.object({ id, name: optString }), { error: required('a list') }),
  paging: PagingSchema.nullish(),
});

export const PhoneNumbersSchema = z.object({
  data: z
    .array(
      z.object({
        id,
        display_phone_number: z.union([z.string(), z.number()], { error: required('a string') }).transform(String),
        verified_name: optString,
        quality_rating: optString,
      }),
      { error: required('a list') },
    ),
  paging: PagingSchema.nullish(),
});

const ButtonSchema = z.object({ type: optString });
const ComponentSchema = z.object({ type: optString, buttons: z.array(ButtonSchema).nullish() });

export const TemplatesSchema = z.object({
  data: z
    .array(
      z.object({
        id,
        name: z.string({ error: required('a string') }),
        status: optString,
        category: optString,
        language: optString,
        quality_score: z.union([z.object({ score: optString }), z.string()]).nullish(),
        components: z.array(ComponentSchema).nullish(),
        cta_url_link_tracking_opted_out: z.boolean().nullish(),
      }),
      { error: required('a list') },
    ),
  paging: PagingSchema.nullish(),
});

export const DebugTokenSchema = z.object({
  data: z.object({
    app_id: optString,
    type: optString,
    // Required: without it the answer cannot say whether the token grants anything.
    is_valid: z.boolean({ error: required('a boolean') }),
    scopes: z.array(z.string()).nullish(),
    granular_scopes: z
      .array(
        z.object({
          scope: z.string({ error: required('a string') }),
          target_ids: z.array(z.union([z.string(), z.number()]).transform(String)).nullish(),
        }),
      )
      .nullish(),
  }),
});

/** `POST /<WABA>?is_enabled_for_insights=true` answers the WABA id, as a number or a string. */
export const InsightsAnswerSchema = z.object({ id });

export const SuccessSchema = z.object({ success: z.boolean({ error: required('a boolean') }) });

export const GraphErrorSchema = z.object({
  error: z.object({
    message: optString,
    type: optString,
    code: optNum,
    error_subcode: optNum,
    error_user_title: optString,
    error_user_msg: optString,
    fbtrace_id: optString,
  }),
});
export type GraphError = z.infer<typeof GraphErrorSchema>['error'];

/** One entry of `X-Business-Use-Case-Usage`. */
export const UsageEntrySchema = z.object({
  type: optString,
  call_count: optNum,
  total_cputime: optNum,
  total_time: optNum,
  estimated_time_to_regain_access: optNum,
});
