/**
 * Graph API errors: which are transient (retried by the HTTP client), how long Meta asks us to
 * wait (`X-Business-Use-Case-Usage`), and the typed WabaError a user can act on.
 */
import { WabaError } from '../../core/errors';
import { redact } from '../../core/redact';
import type { HttpResponse, RetryDecision } from '../../core/http';
import type { GraphError } from './schemas';
import { GraphErrorSchema, UsageEntrySchema } from './schemas';

/** Codes Meta documents as transient: unknown/service errors and the throttling family. */
const RETRY_CODES = new Set([1, 2, 4, 17, 80007, 80008, 613]);
const THROTTLE_CODES = new Set([4, 17, 80007, 80008, 613]);

export const TOKEN_HINT = 'The access token is invalid or expired: replace it in the connection settings.';
export const PERMISSION_HINT =
  'The token lacks a permission: grant whatsapp_business_management (and business_management to discover accounts) to the app or system user, for this WhatsApp Business Account, then try again.';
export const INSIGHTS_HINT = 'Enable insights for this WhatsApp Business Account first (it cannot be undone), then wait a few minutes.';
export const BLOCKED_HINT = 'Meta has temporarily blocked this action for policy reasons; wait, then try again, or check Business Support Home.';
export const RATE_HINT = 'Meta rate limit reached: wait a few minutes, then try again; fewer queries at once also help.';

function isPermissionCode(code: number | undefined): boolean {
  return code === 10 || (code !== undefined && code >= 200 && code <= 299);
}

/** Never retried whatever the HTTP status: bad parameter, bad token, permission, policy block. */
function isPermanentCode(code: number | undefined): boolean {
  return code === 100 || code === 190 || code === 368 || isPermissionCode(code);
}

/** The Graph error object of a body, if the body is one. */
export function parseGraphError(text: string): GraphError | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = GraphErrorSchema.safeParse(body);
  return r.success ? r.data.error : undefined;
}

/**
 * The wait, in ms, asked by `X-Business-Use-Case-Usage`: JSON keyed by business id, each an array
 * of `{type, call_count, total_cputime, total_time, estimated_time_to_regain_access}` (minutes).
 * The largest estimated time wins; undefined when there is none (or the header is not JSON).
 */
export function usageWaitMs(headers: Record<string, string>): number | undefined {
  const raw = headers['x-business-use-case-usage'];
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  let minutes: number | undefined;
  for (const value of Object.values(parsed as Record<string, unknown>)) {
    const entries = Array.isArray(value) ? value : [value];
    for (const entry of entries) {
      const r = UsageEntrySchema.safeParse(entry);
      const m = r.success ? r.data.estimated_time_to_regain_access : undefined;
      if (m !== undefined && Number.isFinite(m) && m > 0) minutes = Math.max(minutes ?? 0, m);
    }
  }
  return minutes === undefined ? undefined : Math.round(minutes * 60_000);
}

/** Transient or not, and the wait Meta asked for. */
export function classifyMetaResponse(res: HttpResponse): RetryDecision {
  const err = parseGraphError(res.text);
  const code = err?.code;
  const waitMs = usageWaitMs(res.headers);
  let retry: boolean;
  if (isPermanentCode(code)) retry = false;
  else if (code !== undefined && RETRY_CODES.has(code)) retry = true;
  else retry = res.status === 429 || res.status >= 500;
  return waitMs !== undefined ? { retry, waitMs } : { retry };
}

/** Template analytics refused because insights are off: code 200, subcode 2388096 (docs/dialects.md). */
function isInsightsOff(err: GraphError): boolean {
  return err.code === 200 && err.error_subcode === 2388096;
}

function hintFor(err: GraphError | undefined, status: number, endpoint: string): string {
  const code = err?.code;
  const sub = err?.error_subcode;
  if (code === 190 || (!err && status === 401)) return TOKEN_HINT;
  if (err && isInsightsOff(err)) return INSIGHTS_HINT;
  if (isPermissionCode(code) || (!err && status === 403)) return PERMISSION_HINT;
  if (code === 368) return BLOCKED_HINT;
  if ((code !== undefined && THROTTLE_CODES.has(code)) || (!err && status === 429)) return RATE_HINT;
  if (code === 100) {
    if (sub === 33) return 'Check the id: it does not exist, or this token cannot see it.';
    if (sub === 4182001) return 'Template analytics reach back 90 days and cannot end in the future: pick a range within the last 90 days.';
    return endpoint.includes('analytics')
      ? 'A parameter was refused: check the filters and the date range, then try again.'
      : 'A parameter was refused: check the request, then try again.';
  }
  if (code === 1 || code === 2 || status >= 500) return 'Meta had a temporary problem: try again in a few minutes.';
  if (!err && status === 404) return 'Check the base URL and the Graph API version setting.';
  return 'Check the request and the connection settings, then try again.';
}

/** The WabaError of a non-2xx Graph answer (JSON error body or not). */
export function metaErrorFromResponse(res: HttpResponse, endpoint: string): WabaError {
  const err = parseGraphError(res.text);
  const waitMs = usageWaitMs(res.headers);
  const retryAfterSeconds = waitMs !== undefined ? Math.ceil(waitMs / 1000) : undefined;
  const hint = hintFor(err, res.status, endpoint);
  if (!err) {
    const what = /^\s*</.test(res.text) ? 'an HTML page' : res.text.trim() === '' ? 'an empty body' : 'a body that is not a Graph error';
    return new WabaError('api', `Meta ${endpoint} failed with HTTP ${res.status} (${what})`, {
      provider: 'meta',
      endpoint,
      status: res.status,
      hint,
      retryAfterSeconds,
    });
  }
  return metaErrorFromGraph(err, endpoint, res.status, retryAfterSeconds);
}

/** A Graph API error, keeping Meta's own message (before our wording and hint) for decisions. */
export class MetaApiError extends WabaError {
  readonly graphMessage: string;
  constructor(message: string, graphMessage: string, details: ConstructorParameters<typeof WabaError>[2]) {
    super('api', message, details);
    this.graphMessage = redact(graphMessage);
  }
}

/** The WabaError of a Graph error object (`status` when it came over HTTP). */
export function metaErrorFromGraph(err: GraphError, endpoint: string, status?: number, retryAfterSeconds?: number): WabaError {
  const codes = [
    status !== undefined ? `HTTP ${status}` : '',
    err.code !== undefined ? `code ${err.code}` : '',
    err.error_subcode !== undefined ? `subcode ${err.error_subcode}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  let message = `Meta ${endpoint} failed${codes ? ` (${codes})` : ''}: ${err.message?.trim() || 'no message'}`;
  if (err.error_user_msg && !message.includes(err.error_user_msg)) {
    message += `${/[.!?]$/.test(message) ? '' : '.'} ${err.error_user_title ? `${err.error_user_title}: ` : ''}${err.error_user_msg}`;
  }
  return new MetaApiError(message, err.message ?? '', {
    provider: 'meta',
    endpoint,
    status,
    graphCode: err.code,
    graphSubcode: err.error_subcode,
    problemTitle: err.error_user_title,
    traceId: err.fbtrace_id,
    hint: hintFor(err, status ?? 0, endpoint),
    ...(isInsightsOff(err) ? { reason: 'insights-disabled' as const } : {}),
    retryAfterSeconds,
  });
}

/** True for an error on which `conversation_analytics` tells a per-message account it has no such data. */
export function isConversationUnavailable(e: WabaError): boolean {
  if (e.kind !== 'api' || e.provider !== 'meta') return false;
  const code = e.graphCode;
  if (code === 100 && e.graphSubcode === 33) return false; // unknown WABA: keep that error as it is
  if (code === 190 || isPermissionCode(code) || (code !== undefined && THROTTLE_CODES.has(code)) || code === 368) return false;
  if (code === 3 || code === 12) return true;
  const said = e instanceof MetaApiError ? e.graphMessage : '';
  // A refused filter names its parameter ("(#100) Param phone_numbers[0] ..."): keep that error as it is.
  if (code === 100) return /conversation_analytics|per[- ]message/i.test(said) || !/\bparam(eter)?s?\b/i.test(said);
  return /conversation_analytics|per[- ]message|deprecat/i.test(said);
}

export const CONVERSATION_UNAVAILABLE = 'no conversation data: this account is billed per message; use pricing analytics';
