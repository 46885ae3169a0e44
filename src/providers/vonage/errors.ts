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

function hintFor(status: number, endpoint: string, wabaId: string | undefined, problem: Problem | undefined): string | undefined {
  const title = (problem?.title ?? '').toLowerCase();
  const waba = wabaId ?? 'this WABA';
  if (status === 401) return HINT_UNAUTHORIZED;
  if (status === 403) {
    if (/insights/.test(title) || (endpoint === 'template-analytics' && /not enabled/.test(`${title} ${problem?.detail ?? ''}`.toLowerCase()))) {
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
  });
}
