/**
 * The one interface every provider implements. Adding a provider means one new folder under
 * src/providers and one line in src/providers/registry.ts.
 */
import type { Semaphore } from './concurrency';
import type { KeyFileWords } from './credentials';
import type { HttpClient } from './http';
import type { ProviderCapabilities, Query } from './query';
import type { Kind, Logger, NormalizedResult, Page, PhoneNumberInfo, Point, ProviderId, TemplateGroupInfo, TemplateInfo, WabaInfo } from './types';
import type { Warning, WarningSink } from './warnings';

/** One request unit of a plan: a window of the range, and for templates one batch of ids. */
export interface QueryUnit {
  query: Query;
  /** [startMs, endMs) of this window, UTC. */
  startMs: number;
  endMs: number;
  /** For template queries: the ids of this batch (at most the provider's maxTemplateIds). */
  templateIds?: string[];
  /** For template-group and WhatsApp-group queries: the ids of this batch (at most maxIds). */
  ids?: string[];
  /** Position in the plan. */
  index: number;
}

/** What fetching one unit yields (all its pages followed). */
export interface UnitResult {
  points: Point[];
  warnings: Warning[];
  currency?: string;
  timezone?: string;
  /** The raw bodies of every page, when asked for. */
  raw?: unknown[];
  /** Requests this unit sent (pages). */
  requests: number;
  /** When `maxPages` stopped the unit early: the link of the next page (pass it as `from` to go on). */
  next?: string;
}

/** Options of a normalize call on one body. */
export interface NormalizeContext {
  kind: Kind;
  /** Endpoint label for errors. */
  endpoint?: string;
  wabaId?: string | null;
}

/** One page of a body, normalized, plus where the next page is. */
export interface NormalizedPage {
  result: NormalizedResult;
  /** The `next` link (absolute URL) when the body has one. */
  next?: string;
  /**
   * Negative or non-finite values left out of this page's points, by name (their warning is in
   * `result.warnings`; a caller of several pages sums these and warns once, see leftOutWarning).
   */
  leftOut?: ReadonlyMap<string, number>;
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Keep raw bodies (for export). */
  keepRaw?: boolean;
  /**
   * Optional for providers: stop after this many pages and return the next page's link in
   * `next`. A provider that ignores it returns every page (and no `next`).
   */
  maxPages?: number;
  /** Optional for providers: start at this `next` link (from a result stopped by `maxPages`). */
  from?: string;
}

export interface Provider {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  /** The HTTP client (its base URL, request counter). */
  readonly http: HttpClient;

  /**
   * One cheap call that proves the credentials work (used when a connection is added); resolves
   * with a short description of what they reach, or throws the provider's error.
   */
  checkCredentials(signal?: AbortSignal): Promise<string>;
  /**
   * WABAs reachable with the credentials, plus those given by hand, each once. Resolves with `[]`
   * only when the provider said the credentials grant no WABA; any other failure throws (see
   * docs/dialects.md, "What means no WABA"). Repeated ids and parts that could not be read are
   * reported to `onWarning`.
   */
  listWabas(signal?: AbortSignal, onWarning?: WarningSink): Promise<WabaInfo[]>;
  /** One WABA's name, currency, timezone and insights state. */
  getWaba(wabaId: string, signal?: AbortSignal): Promise<WabaInfo>;
  /** Every phone number of a WABA (all pages, each id once; a failure throws, never `[]`). */
  listPhoneNumbers(wabaId: string, signal?: AbortSignal, onWarning?: WarningSink): Promise<PhoneNumberInfo[]>;
  /**
   * One page of templates; pass `cursor` (from `next`) for the following page. A `next` equal to
   * the cursor asked for is a paging loop and throws. `collectTemplates` (core/listing) reads them all.
   */
  listTemplates(wabaId: string, options?: { cursor?: string; limit?: number; signal?: AbortSignal }): Promise<Page<TemplateInfo>>;
  /**
   * Optional: provider-specific checks a capability list cannot express (e.g. a metric value the
   * provider lacks). Throws an input error; call it after resolveQuery, before sending anything.
   */
  validate?(query: Query): void;
  /** Fetch one planned unit, following every page. */
  fetchUnit(unit: QueryUnit, options?: FetchOptions): Promise<UnitResult>;
  /** Meta only: a WABA's template groups; a refusal throws (never `[]`). */
  listTemplateGroups?(wabaId: string, signal?: AbortSignal): Promise<TemplateGroupInfo[]>;
  /** Turn on insights for a WABA (irreversible). */
  enableInsights(wabaId: string, signal?: AbortSignal): Promise<void>;
  /** Meta only: opt a template out of (or back into) button click tracking. */
  setClickTracking?(templateId: string, optedOut: boolean, category: string, signal?: AbortSignal): Promise<void>;
}

/** Normalizes a raw body of one kind from one provider (used by fetchUnit and by `waba-analytics normalize`). */
export type BodyNormalizer = (body: unknown, ctx: NormalizeContext) => NormalizedPage;

export interface ProviderConfig {
  /** Base URL: Meta `https://graph.facebook.com`, Vonage `https://api.nexmo.com`. */
  baseUrl?: string;
  /** Meta Graph API version, default v25.0. */
  apiVersion?: string;
  /** WABA ids given by hand. */
  manualWabaIds?: string[];
  /** Vonage: template ids given by hand when there is no JWT (per WABA). */
  manualTemplateIds?: Record<string, string[]>;
  /** Requests in flight at most, or a limiter shared between providers. */
  concurrency?: number | Semaphore;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  maxRetryWaitMs?: number;
  logger?: Logger;
  /** Injected clock, for tests. */
  now?: () => number;
}

/**
 * One credential of a provider, as the registry describes it (src/providers/registry.ts): how the
 * extension asks for it, where the CLI reads it, which sandbox credential the demo uses.
 */
export interface CredentialField {
  /** Its key in the provider's credentials (`accessToken`, `apiKey`). */
  key: string;
  /** What it is called in a sentence: "access token", "API key". */
  name: string;
  /** How a prompt's check names it ("The token"); defaults to "The <name>". */
  what?: string;
  /** The input box's prompt when a connection is added. */
  prompt: string;
  /** The prompt when the credentials of a connection are edited (default: `prompt`). */
  editPrompt?: string;
  /** When editing, the previous value is shown (a key is; a secret never). */
  keepOnEdit?: boolean;
  /** Typed in a password box and registered with the redactor. */
  secret: boolean;
  /** Part of the provider's optional credentials (asked together, after a yes). */
  optional?: boolean;
  /**
   * A key file (PEM text; travels in no header): picked in an open dialog and read through
   * readPrivateKeyFile, or in the CLI PEM text or the path of the file.
   */
  keyFile?: KeyFileWords;
  /** The environment variable the CLI reads it from. */
  env: string;
  /** The name of the demo sandbox's credential that stands for it (src/sandbox: SandboxCredentials). */
  sandbox: string;
}

/**
 * What the extension and the CLI know of a provider without loading it (no zod, no HTTP client):
 * one entry of src/providers/registry.ts. Nothing outside src/providers and src/sandbox compares
 * provider ids; it reads these.
 */
export interface ProviderDescriptor {
  id: ProviderId;
  /** What people read: "Meta" (src/core/vocabulary.ts, PROVIDER_LABELS). */
  label: string;
  /** The API's name, for a tooltip: "Meta Graph API". */
  apiLabel: string;
  /** The command that adds a connection (declared in package.json). */
  addCommand: string;
  capabilities: ProviderCapabilities;
  /**
   * The values of `metricTypes` it accepts, per kind, where narrower than the vocabulary's (the
   * provider's `validate` refuses the others).
   */
  metricTypes?: Partial<Record<Kind, readonly string[]>>;
  credentials: readonly CredentialField[];
  /** The question that asks for the optional credentials, and its two answers. */
  optionalCredentials?: { question: string; without: string; with: string };
  /** The add flow asks for WABA ids by hand (they are also found on their own). */
  manualWabaIds: boolean;
  /** Template ids are typed by hand when the credentials cannot list templates. */
  manualTemplateIds: boolean;
  /** Templates can be opted out of button click tracking. */
  clickTracking: boolean;
  /** Said after insights were enabled (e.g. how long they take to show). */
  insightsEnabledNote?: string;
  /** The default base URL, and API version when the provider has versions. */
  defaultBaseUrl: string;
  defaultApiVersion?: string;
  /** Environment variables of the CLI for the base URL and the API version. */
  env: { baseUrl: string; apiVersion?: string };
  /** The settings under `wabaAnalytics.` for the base URL and the API version (package.json). */
  settings: { baseUrl: string; apiVersion?: string };
  /** The demo sandbox's base URL for it (a key of src/sandbox's Sandbox). */
  sandboxBaseUrl: string;
}

/** Each provider's credentials. */
export interface CredentialsByProvider {
  meta: MetaCredentials;
  vonage: VonageCredentials;
}

/** What builds a provider (src/providers/registry.ts, createProvider): its id, its credentials, its settings. */
export type ConnectionSpec = { [P in ProviderId]: { provider: P; credentials: CredentialsByProvider[P]; config?: ProviderConfig } }[ProviderId];

export interface MetaCredentials {
  accessToken: string;
}

export interface VonageCredentials {
  apiKey: string;
  apiSecret: string;
  applicationId?: string;
  privateKey?: string;
}
