/**
 * Shared pieces of normalization: zod failures as typed errors naming the field path, API times
 * as ISO UTC, and known enum values (an unknown one is kept and reported once as a warning).
 */
import type { z } from 'zod';
import { parseApiTime, toIsoUtc } from './dates';
import { WabaError, providerName } from './errors';
import type { ProviderId } from './types';

/** Values each dimension is known to take; anything else is kept and warned about. */
export const KNOWN_DIMENSION_VALUES: Record<string, readonly string[]> = {
  pricing_category: ['AUTHENTICATION', 'AUTHENTICATION_INTERNATIONAL', 'MARKETING', 'SERVICE', 'UTILITY'],
  pricing_type: ['FREE_CUSTOMER_SERVICE', 'FREE_ENTRY_POINT', 'REGULAR'],
  conversation_category: ['AUTHENTICATION', 'MARKETING', 'SERVICE', 'UTILITY'],
  conversation_type: ['FREE_ENTRY_POINT', 'FREE_TIER', 'REGULAR'],
  conversation_direction: ['BUSINESS_INITIATED', 'USER_INITIATED'],
};

export const KNOWN_CLICK_TYPES = ['url_button', 'unique_url_button', 'quick_reply_button'];
export const KNOWN_COST_TYPES = ['amount_spent', 'cost_per_delivered', 'cost_per_url_button_click'];

/** Format a zod issue path the way users read it: `data[0].data_points[3].start`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** The typed error for a body that does not fit its schema. */
export function shapeError(provider: ProviderId, endpoint: string, error: z.ZodError, root = ''): WabaError {
  const issue = error.issues[0];
  const path = issue ? formatPath(issue.path, root) : root || '(body)';
  const what = issue ? issue.message.replace(/^Invalid input: /, '') : 'unexpected shape';
  return new WabaError('response', `${providerName(provider)} ${endpoint} answered a body that does not fit at ${path}: ${what}`, {
    provider,
    endpoint,
    path,
    hint: 'The API may have changed; update the extension, or report the field named.',
  });
}

/** Parse with a zod schema or throw the typed shape error. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, provider: ProviderId, endpoint: string, root = ''): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw shapeError(provider, endpoint, r.error, root);
  return r.data;
}

/** An API time (epoch seconds, numeric string, ISO) as ISO 8601 UTC, or a typed error naming the path. */
export function isoTime(value: unknown, provider: ProviderId, endpoint: string, path: string): string {
  const ms = parseApiTime(value);
  if (ms === undefined) {
    throw new WabaError('response', `${providerName(provider)} ${endpoint} answered a body that does not fit at ${path}: not a time (${JSON.stringify(value)?.slice(0, 40)})`, {
      provider,
      endpoint,
      path,
      hint: 'The API may have changed; update the extension, or report the field named.',
    });
  }
  return toIsoUtc(ms);
}

/** Collects warnings once each, and checks dimension values against the known ones. */
export class Warnings {
  private readonly set = new Set<string>();
  add(message: string): void {
    this.set.add(message);
  }
  /** Keep `value` as is; warn once if the dimension does not know it. */
  dim(name: string, value: string): string {
    const known = KNOWN_DIMENSION_VALUES[name];
    if (known && !known.includes(value)) this.add(`Unknown ${name} value "${value}" (kept as is).`);
    return value;
  }
  clickType(value: string): string {
    if (!KNOWN_CLICK_TYPES.includes(value)) this.add(`Unknown button click type "${value}" (kept as is).`);
    return value;
  }
  costType(value: string): string {
    if (!KNOWN_COST_TYPES.includes(value)) this.add(`Unknown cost type "${value}" (kept as is).`);
    return value;
  }
  list(): string[] {
    return [...this.set];
  }
}
