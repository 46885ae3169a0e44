/**
 * zod schemas of every Vonage body this project reads. Lenient where the API is (extra fields,
 * numbers as strings, empty pages without `_embedded`), strict where it matters (every point has a
 * readable `start`; a template point names its template).
 */
import * as z from 'zod';
import { parseApiTime } from '../../core/dates';

/** A time as the API writes it: epoch seconds (number or string) or ISO 8601. */
export const apiTime = z
  .union([z.string(), z.number()], { error: 'expected a time (epoch seconds or ISO 8601)' })
  .refine((v) => parseApiTime(v) !== undefined, { message: 'not a time (epoch seconds or ISO 8601 expected)' });

/** A count or amount: a number, a numeric string, or null/absent (then left out). */
export const metricValue = z
  .union(
    [
      z.number().refine(Number.isFinite, { message: 'not a finite number' }),
      z
        .string()
        .regex(/^\s*-?\d+(\.\d+)?\s*$/, { message: 'not a number' })
        .transform(Number),
      z.null(),
    ],
    { error: 'expected a number' },
  )
  .optional();

/** A dimension value: a string (numbers kept as their digits), or null/absent. */
export const dimValue = z
  .union([z.string(), z.number().transform(String), z.null()], { error: 'expected a string' })
  .optional();

const idValue = z.union([z.string().min(1), z.number().transform(String)], { error: 'expected an id' });

const href = z.object({ href: z.string() }).partial();
export const linksSchema = z
  .object({ self: href.optional(), next: href.optional(), previous: href.optional(), prev: href.optional() })
  .optional();
export const pagingSchema = z
  .object({
    cursors: z.object({ before: z.string().nullish(), after: z.string().nullish() }).partial().nullish(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
  })
  .optional();

const pointBase = {
  start: apiTime,
  end: apiTime.optional(),
  phone_number: dimValue,
  country: dimValue,
  tier: dimValue,
  pricing_type: dimValue,
  pricing_category: dimValue,
  sent: metricValue,
  delivered: metricValue,
  read: metricValue,
  clicked: metricValue,
  volume: metricValue,
  cost: metricValue,
};

export const messagingPointSchema = z.object(pointBase);
export const templatePointSchema = z.object({ ...pointBase, template_id: idValue });
export const pricingPointSchema = z.object(pointBase);

const bodyBase = {
  id: idValue.optional(),
  granularity: z.string().optional(),
  currency: z.string().optional(),
  product_type: z.string().optional(),
  page_size: z.number().optional(),
  paging: pagingSchema,
  _links: linksSchema,
};

/** `_embedded` may be missing on an empty page, but then the body must still look like a Vonage page. */
function analyticsBody<P extends z.ZodType>(key: string, point: P) {
  return z
    .object({ ...bodyBase, _embedded: z.object({ [key]: z.array(point) }).optional() })
    .superRefine((body, ctx) => {
      const rec = body as Record<string, unknown>;
      if (rec._embedded === undefined && ['granularity', 'paging', '_links', 'page_size'].every((k) => rec[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['_embedded'], message: `expected an object holding ${key}[]` });
      }
    });
}

export const messagingBodySchema = analyticsBody('messaging_analytics', messagingPointSchema);
export const templateBodySchema = analyticsBody('template_analytics', templatePointSchema);
export const pricingBodySchema = analyticsBody('pricing_analytics', pricingPointSchema);

export type AnalyticsPoint = z.infer<typeof templatePointSchema> | z.infer<typeof messagingPointSchema>;

/** RFC 7807 problem details, as Vonage sends them (all fields optional: never fail on an error body). */
export const problemSchema = z.object({
  type: z.string().optional().catch(undefined),
  title: z.string().optional().catch(undefined),
  detail: z.string().optional().catch(undefined),
  instance: z.string().optional().catch(undefined),
  /** RFC 7807's optional copy of the HTTP status (a saved body has no other). */
  status: z.number().int().optional().catch(undefined),
  invalid_parameters: z
    .array(z.object({ name: z.unknown().optional(), reason: z.unknown().optional() }))
    .optional()
    .catch(undefined),
});
export type Problem = z.infer<typeof problemSchema>;

export const wabaSchema = z.object({
  waba_id: idValue.optional(),
  id: idValue.optional(),
  name: z.string().nullish(),
  currency: z.string().nullish(),
  timezone: z.string().nullish(),
  insights_enabled: z.boolean().nullish(),
});

export const wabasPageSchema = z.object({
  page: z.coerce.number().optional(),
  page_size: z.coerce.number().optional(),
  total_pages: z.coerce.number().optional(),
  total_items: z.coerce.number().optional(),
  _embedded: z.object({ wabas: z.array(wabaSchema) }),
  _links: linksSchema,
});

export const numberSchema = z.object({
  phone_number_id: idValue.optional(),
  id: idValue.optional(),
  display_phone_number: z.union([z.string(), z.number().transform(String)]).optional(),
  phone_number: z.union([z.string(), z.number().transform(String)]).optional(),
  verified_name: z.string().nullish(),
  quality_rating: z.string().nullish(),
  country: z.string().nullish(),
});

export const numbersPageSchema = z.object({
  _embedded: z.object({ numbers: z.array(numberSchema) }),
  paging: pagingSchema,
  _links: linksSchema,
});

const buttonSchema = z.object({ type: z.string().optional() });
const componentSchema = z.object({ type: z.string().optional(), buttons: z.array(buttonSchema).optional().catch(undefined) });

export const templateSchema = z.object({
  id: idValue,
  name: z.string().nullish(),
  language: z.string().nullish(),
  category: z.string().nullish(),
  status: z.string().nullish(),
  quality_score: z.union([z.string(), z.object({ score: z.string().optional() })]).nullish().catch(undefined),
  components: z.array(componentSchema).nullish().catch(undefined),
});

export const templatesPageSchema = z.object({
  templates: z.array(templateSchema),
  _links: linksSchema,
  cursors: z.object({ before: z.string().nullish(), after: z.string().nullish() }).partial().nullish(),
});
