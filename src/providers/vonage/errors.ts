/**
 * Vonage error responses (RFC 7807 `application/problem+json`) as typed WabaErrors, and which of
 * them are worth a retry (429 and 5xx; the HttpClient honours Retry-After).
 */
import { WabaError } from '../../core/errors';
import type { HttpResponse, RetryDecision } from '../../core/http';
import { problemSchema } from './schemas';
import type { Problem } from './schemas';

export const HINT_UNAUTHORIZED =
  'The API key and secret (or application id and private key) were refused: check them in the connection settings.';

export function notLinkedHint(wabaId: string): string {
  return `This API key is not linked to WABA ${wabaId}; link it in the Vonage dashboard or use the key that owns it.`;
}

export function unknownWabaHint(wabaId: string): string {
  return `Vonage does not know WABA ${wabaId}; check the id (as shown in the Vonage dashboard).`;
}

export function classifyVonage(res: HttpResponse): RetryDecision {
  if (res.status === 429) return { retry: true };
  if (res.status >= 500 && res.status !== 501 && res.status !== 505) return { retry: true };
  return { retry: false };
}

/** The WABA id of a Vonage URL (`…/wabas/<id>/…`), when there is one. */
export function wabaIdOfUrl(url: string): string | undefined {
  const m = /\/wabas\/([^/?#]+)/.exec(url);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1];
  }
}

function parseProblem(text: string): Problem | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const r = problemSchema.safeParse(JSON.parse(trimmed));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function describeParameters(problem: Problem | undefined): string {
  const list = problem?.invalid_parameters ?? [];
  const parts = list
    .map((p) => {
      const name = typeof p.name === 'string' ? p.name : undefined;
      const reason = typeof p.reason === 'string' ? p.reason : undefined;
      return name && reason ? `${name}: ${reason}` : (name ?? reason);
    })
    .filter((s): s is string => !!s);
  return parts.length ? ` Invalid parameters: ${parts.join('; ')}.` : '';
}

/**
 * Template analytics refused because insights are off: HTTP 403 whose problem report says so.
 * Vonage gives no code for it, only the problem's title ("Insights not enabled", docs/dialects.md):
 * this is the one place that reads it; everything else reads the error's `reason`.
 */
function isInsightsOff(status: number, endpoint: string, problem: Problem | undefined): boolean {
  if (status !== 403) return false;
  const title = (problem?.title ?? '').toLowerCase();
  return /insights/.test(title) || (endpoint === 'template-analytics' && /not enabled/.test(`${title} ${problem?.detail ?? ''}`.toLowerCase()));
}

function hintFor(status: number, endpoint: string, wabaId: string | undefined, problem: Problem | undefined): string | undefined {
  const waba = wabaId ?? 'this WABA';
  if (status === 401) return HINT_UNAUTHORIZED;
  if (status === 403) {
    if (isInsightsOff(status, endpoint, problem)) {
      return `Enable insights for WABA ${waba} first (it cannot be undone), allow a few minutes, then try again.`;
    }
    if (endpoint === 'templates') {
      return 'The template API needs a JWT of an application linked to this WABA: check the application id and private key.';
    }
    return notLinkedHint(waba);
  }
  if (status === 404) return wabaId ? unknownWabaHint(wabaId) : 'Vonage does not know this resource; check the ids and the base URL.';
  if (status === 400 || status === 422) return 'Fix the parameters named and run the query again.';
  if (status === 429) return 'Vonage is limiting the request rate; wait a moment and try again.';
  if (status >= 500) return 'Vonage had a server error; try again later.';
  return undefined;
}

/**
 * Whether a body is an RFC 7807 problem report rather than a page of data: a `title` with a
 * `type` or `detail`, and no `_embedded` (the members Vonage's problem reports carry; docs/dialects.md).
 */
export function isVonageProblem(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return b._embedded === undefined && typeof b.title === 'string' && (typeof b.type === 'string' || typeof b.detail === 'string');
}

/**
 * The provider error a problem report given as a body reports (e.g. one saved from a failed call
 * and passed to `waba-analytics normalize`): its title, detail and type, as vonageError words an
 * HTTP answer; the status when the report carries one.
 */
export function vonageProblemError(body: unknown, endpoint: string): WabaError {
  const problem = problemSchema.parse(body);
  const status = problem.status;
  const head = status !== undefined ? `HTTP ${status}${problem.title ? ` ${problem.title}` : ''}` : (problem.title ?? 'a problem report');
  const what = `Vonage ${endpoint} failed (${head}${problem.type ? `; type ${problem.type}` : ''})${problem.detail ? `: ${problem.detail.trim()}` : ''}`;
  const params = describeParameters(problem);
  const message = `${what}${params && !/[.!?]$/.test(what) ? '.' : ''}${params}`;
  return new WabaError('api', message, {
    provider: 'vonage',
    endpoint,
    status,
    problemTitle: problem.title,
    problemType: problem.type,
    traceId: problem.instance,
    hint:
      (status !== undefined ? hintFor(status, endpoint, undefined, problem) : undefined) ??
      'This body is an error report from Vonage, not analytics data: fix what it names and fetch the data again.',
  });
}

/** The typed error for a non-2xx Vonage response. */
export function vonageError(res: HttpResponse, endpoint: string): WabaError {
  const problem = parseProblem(res.text);
  const wabaId = wabaIdOfUrl(res.url);
  const traceId = res.headers['x-request-id'] || undefined;
  let what: string;
  if (problem && (problem.title || problem.detail)) {
    const title = problem.title ? ` ${problem.title}` : '';
    const detail = problem.detail ? `: ${problem.detail.trim()}` : '';
    what = `Vonage ${endpoint} failed (HTTP ${res.status}${title})${detail}`;
  } else {
    const ct = res.headers['content-type'] ?? '';
    const trimmed = res.text.trimStart();
    const kindOfBody = trimmed === '' ? 'an empty body' : /html/i.test(ct) || trimmed.startsWith('<') ? 'an HTML page' : 'a body that is not a problem report';
    what = `Vonage ${endpoint} failed with HTTP ${res.status} (${kindOfBody})`;
  }
  const params = describeParameters(problem);
  const message = `${what}${params && !/[.!?]$/.test(what) ? '.' : ''}${params}${traceId ? ` (request id ${traceId})` : ''}`;
  return new WabaError('api', message, {
    provider: 'vonage',
    endpoint,
    status: res.status,
    problemTitle: problem?.title,
    problemType: problem?.type,
    traceId,
    hint: hintFor(res.status, endpoint, wabaId, problem),
    ...(isInsightsOff(res.status, endpoint, problem) ? { reason: 'insights-disabled' as const } : {}),
  });
}
