import { redact } from './redact';
import { PROVIDER_LABELS } from './vocabulary';
import type { ProviderId } from './types';

/**
 * Every error the core raises is a WabaError. Its message is already redacted and ends with a
 * sentence the user can act on. `kind` tells the category; the optional fields carry what the
 * provider said.
 */
export type WabaErrorKind =
  | 'api' // the provider answered with an error
  | 'response' // the provider answered something that does not fit (bad JSON, unexpected shape)
  | 'input' // the query or an argument is wrong; nothing was sent
  | 'network' // no answer: connection refused/reset, DNS, TLS
  | 'timeout'
  | 'cancelled'
  | 'config' // missing credentials or settings
  | 'security'; // refused for safety (foreign-origin next link, ...)

/**
 * What a provider's error means, decided by the provider from its codes and statuses (Meta's code
 * and subcode, Vonage's status and problem report) where it reads the wire: everything else
 * (the panel's insights offer) reads this, never the message.
 */
export type WabaErrorReason =
  | 'insights-disabled'; // template analytics refused because insights are off on the WABA

export interface WabaErrorDetails {
  provider?: ProviderId;
  /** What the error means, when the provider could tell (see WabaErrorReason). */
  reason?: WabaErrorReason;
  endpoint?: string;
  status?: number;
  graphCode?: number;
  graphSubcode?: number;
  problemTitle?: string;
  problemType?: string;
  traceId?: string;
  /** Path of the field that failed validation, e.g. `pricing_analytics.data[0].data_points[3].start`. */
  path?: string;
  /** A sentence the user can act on. */
  hint?: string;
  /** Seconds to wait before trying again, when the provider said so. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class WabaError extends Error {
  readonly kind: WabaErrorKind;
  readonly reason?: WabaErrorReason;
  readonly provider?: ProviderId;
  readonly endpoint?: string;
  readonly status?: number;
  readonly graphCode?: number;
  readonly graphSubcode?: number;
  readonly problemTitle?: string;
  readonly problemType?: string;
  readonly traceId?: string;
  readonly path?: string;
  readonly hint?: string;
  readonly retryAfterSeconds?: number;

  constructor(kind: WabaErrorKind, message: string, details: WabaErrorDetails = {}) {
    const hint = details.hint ? redact(details.hint) : undefined;
    const body = redact(message);
    super(hint && !body.includes(hint) ? `${body}${/[.!?]$/.test(body) ? '' : '.'} ${hint}` : body, {
      cause: details.cause,
    });
    this.name = 'WabaError';
    this.kind = kind;
    if (details.reason !== undefined) this.reason = details.reason;
    this.provider = details.provider;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.graphCode = details.graphCode;
    this.graphSubcode = details.graphSubcode;
    this.problemTitle = details.problemTitle ? redact(details.problemTitle) : undefined;
    this.problemType = details.problemType;
    this.traceId = details.traceId;
    this.path = details.path;
    this.hint = hint;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** A plain object safe to log, export or post to a webview (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, kind: this.kind, message: this.message };
    for (const key of ['reason', 'provider', 'endpoint', 'status', 'graphCode', 'graphSubcode', 'problemTitle', 'traceId', 'path', 'hint', 'retryAfterSeconds'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

export function isWabaError(e: unknown): e is WabaError {
  return e instanceof WabaError;
}

export function inputError(message: string, hint?: string): WabaError {
  return new WabaError('input', message, { hint });
}

export function cancelledError(): WabaError {
  return new WabaError('cancelled', 'The request was cancelled.');
}

export function providerName(p: ProviderId | undefined): string {
  return p ? PROVIDER_LABELS[p] : 'The provider';
}

/** One line for a user: what failed, then why, then what to do. Redacted. */
export function describeError(e: unknown): string {
  if (e instanceof WabaError) return e.message;
  if (e instanceof Error) return redact(e.message || e.name);
  return redact(String(e));
}

/** Wrap anything thrown into a WabaError (keeping WabaErrors as they are). */
export function toWabaError(e: unknown, details: WabaErrorDetails = {}): WabaError {
  if (e instanceof WabaError) return e;
  if (e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR')) {
    return cancelledError();
  }
  return new WabaError('network', describeError(e), { ...details, cause: e });
}
