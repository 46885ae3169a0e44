/** The shared vocabulary of the core: providers, kinds, granularities and the normalized result. */
import type { Warning } from './warnings';

export const PROVIDERS = ['meta', 'vonage'] as const;
export type ProviderId = (typeof PROVIDERS)[number];

export const KINDS = ['messaging', 'conversation', 'pricing', 'template', 'calls', 'template-groups', 'groups'] as const;
export type Kind = (typeof KINDS)[number];

/** The one granularity vocabulary users speak; providers translate it. */
export const GRANULARITIES = ['HALF_HOUR', 'DAILY', 'MONTHLY'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface ButtonClicks {
  type: string;
  button_content: string;
  count: number;
}

export interface Point {
  /** ISO 8601 UTC, ending in Z. */
  start: string;
  end: string;
  /** API names in snake_case: phone_number, country, tier, pricing_category, pricing_type, template_id, ... */
  dims: Record<string, string>;
  /** API names: sent, delivered, read, clicked, cost, volume, conversation, amount_spent, ... A metric the API did not return is absent. */
  metrics: Record<string, number>;
  clicks?: ButtonClicks[];
}

export interface NormalizedResult {
  provider: ProviderId;
  kind: Kind;
  wabaId: string | null;
  granularity: Granularity;
  timezone: string;
  currency?: string;
  points: Point[];
  /** Each a code from the closed list of src/core/warnings.ts and a message for people. */
  warnings: Warning[];
}

/** What a query run returns: the result plus what the run itself knows. */
export interface QueryRun {
  result: NormalizedResult;
  /** Raw response bodies, in request order, when asked for (export "include raw"). */
  raw?: unknown[];
  /** Requests sent (pages included). */
  requests: number;
  /** True when some windows/batches failed and the result holds only part of the data. */
  partial: boolean;
  /**
   * With `compare` (src/core/run.ts): the previous period of the same length, fetched in the same
   * run (its requests counted in `requests`). `previousRange` is set whenever a comparison was
   * asked; `previous` is absent when it could not be fetched (a `comparison.unavailable` warning says why).
   */
  previous?: NormalizedResult;
  previousRange?: { from: string; to: string };
  /**
   * Answers from the history archive (src/archive/answer.ts): where each run of days (UTC,
   * inclusive) came from, in order. Absent: every day came from the API.
   */
  sources?: DaySource[];
}

/** A run of days (YYYY-MM-DD, inclusive) and where they came from. */
export interface DaySource {
  from: string;
  to: string;
  source: 'archive' | 'api';
}

export interface WabaInfo {
  provider: ProviderId;
  id: string;
  name?: string;
  currency?: string;
  /** IANA name when known, otherwise the provider's own id. */
  timezone?: string;
  insightsEnabled?: boolean;
  /** How it was found. */
  source: 'token' | 'business' | 'list' | 'manual';
}

export interface PhoneNumberInfo {
  id: string;
  displayPhoneNumber: string;
  verifiedName?: string;
  qualityRating?: string;
}

export interface TemplateInfo {
  id: string;
  name: string;
  language?: string;
  category?: string;
  status?: string;
  qualityScore?: string;
  /** Button types present in the template (URL, QUICK_REPLY, ...), when known. */
  buttons?: string[];
  clickTrackingOptedOut?: boolean;
}

/** A template group (Meta): a campaign's templates as one unit. */
export interface TemplateGroupInfo {
  id: string;
  name?: string;
  templateIds: string[];
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
