/**
 * The one HTTP client of the core (undici): keep-alive per origin, per-attempt timeouts,
 * cancellation by AbortSignal, bounded concurrency, retries with exponential backoff and jitter
 * (honouring Retry-After and whatever wait the provider reads from its headers), same-origin
 * paging, and redacted logging. Credentials travel only in the Authorization header.
 */
import type { Agent, Dispatcher } from 'undici';
import type * as Undici from 'undici';
import { Semaphore, sleep as abortableSleep } from './concurrency';
import { credentialProblem } from './credentials';
import { WabaError, cancelledError, providerName, toWabaError } from './errors';
import { redact, redactUrl } from './redact';
import type { Logger, ProviderId } from './types';
import { silentLogger } from './types';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The URL asked for, redacted. */
  url: string;
  durationMs: number;
}

export interface RetryDecision {
  retry: boolean;
  /** Wait the server asked for, in ms (from Retry-After or provider headers). */
  waitMs?: number;
}

export interface HttpClientOptions {
  provider: ProviderId;
  /** Base URL (origin plus optional path prefix). Only this origin is ever contacted. */
  baseUrl: string;
  /** The Authorization header value; called for every attempt (a JWT may be renewed). */
  authorization: () => string | Promise<string>;
  /** Which error responses are transient, and how long the server asked us to wait. */
  classify: (res: HttpResponse) => RetryDecision;
  /** The typed error for a non-2xx response. */
  toError: (res: HttpResponse, endpoint: string) => WabaError;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  /** The longest wait we accept before a retry; a longer asked-for wait fails at once with retryAfterSeconds. */
  maxRetryWaitMs?: number;
  /** Requests in flight through this client at most (or share a Semaphore between clients). */
  concurrency?: number | Semaphore;
  /** Largest body accepted, in bytes. */
  maxBodyBytes?: number;
  logger?: Logger;
  dispatcher?: Dispatcher;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path below the base URL (`/123?fields=...`) or an absolute URL on the same origin. */
  url: string;
  /** Query parameters added to the URL (undefined values are skipped). */
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  headers?: Record<string, string>;
  /** A short name for errors and logs: `pricing_analytics`, `messaging-analytics`, `wabas`... */
  endpoint: string;
  signal?: AbortSignal;
}

let undiciModule: typeof Undici | undefined;
/**
 * undici, loaded with the first request rather than with the core: it is half of the core's code
 * (the extension's build puts it in dist/vendor/undici.js).
 */
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use on purpose (start-up time)
  return (undiciModule ??= require('undici') as typeof Undici);
}

/** A keep-alive agent (undici pools connections per origin); each client owns one unless given a dispatcher. */
function newAgent(): Agent {
  return new (undici().Agent)({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 16 });
}

/** "400 ms", "30 s": a duration as a user reads it. */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Parse `Retry-After` (seconds or HTTP date) into ms. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export class HttpClient {
  readonly provider: ProviderId;
  readonly baseUrl: string;
  readonly origin: string;
  private readonly opts: Required<Pick<HttpClientOptions, 'timeoutMs' | 'maxRetries' | 'retryBaseMs' | 'maxRetryWaitMs' | 'maxBodyBytes'>> & HttpClientOptions;
  private readonly limiter: Semaphore;
  private readonly logger: Logger;
  /** Requests sent (attempts, retries included) since creation. */
  requestCount = 0;
  private agent?: Agent;

  constructor(options: HttpClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new WabaError('config', `The ${providerName(options.provider)} base URL "${redact(options.baseUrl)}" is not a URL.`, {
        provider: options.provider,
        hint: 'Set it to an https:// address such as the provider default.',
      });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new WabaError('config', `The ${providerName(options.provider)} base URL must be http(s).`, { provider: options.provider });
    }
    this.provider = options.provider;
    this.baseUrl = base.toString().replace(/\/+$/, '');
    this.origin = base.origin;
    this.opts = { timeoutMs: 30_000, maxRetries: 4, retryBaseMs: 500, maxRetryWaitMs: 60_000, maxBodyBytes: 64 * 1024 * 1024, ...options };
    this.limiter = options.concurrency instanceof Semaphore ? options.concurrency : new Semaphore(options.concurrency ?? 4);
    this.logger = options.logger ?? silentLogger;
  }

  /** Build the absolute URL of a request; refuse any other origin. */
  resolveUrl(url: string, query?: HttpRequest['query'], endpoint = 'request'): URL {
    const u = /^https?:\/\//i.test(url) ? new URL(url) : new URL(this.baseUrl + (url.startsWith('/') ? url : `/${url}`));
    if (u.origin !== this.origin) {
      throw new WabaError('security', `${providerName(this.provider)} ${endpoint}: refused to follow a link to another origin (${u.origin}).`, {
        provider: this.provider,
        endpoint,
        hint: `Only ${this.origin} is contacted with your credentials; check the base URL setting.`,
      });
    }
    // A token in the query string never travels: credentials go in the Authorization header only.
    u.searchParams.delete('access_token');
    if (query) {
      for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    }
    return u;
  }

  /** Send one request, with retries; resolves with a 2xx response or throws a WabaError. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.send(req);
    } catch (e) {
      if (e instanceof WabaError && e.kind === 'cancelled') this.retireConnections();
      throw e;
    }
  }

  /** The dispatcher of the next request: the one given, or this client's own keep-alive agent. */
  private dispatcher(): Dispatcher {
    return this.opts.dispatcher ?? (this.agent ??= newAgent());
  }

  /**
   * After a cancellation: requests still running (other queries) end normally, then every socket
   * of the agent closes, idle keep-alive ones included; the next request opens a new agent. The
   * aborted request's own socket was already destroyed by undici.
   */
  private retireConnections(): void {
    const old = this.agent;
    this.agent = undefined;
    void old?.close().catch(() => undefined);
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.resolveUrl(req.url, req.query, req.endpoint);
    const method = req.method ?? 'GET';
    const sleep = this.opts.sleep ?? abortableSleep;
    const random = this.opts.random ?? Math.random;
    let attempt = 0;
    for (;;) {
      if (req.signal?.aborted) throw cancelledError();
      let res: HttpResponse | undefined;
      let failure: WabaError | undefined;
      try {
        res = await this.limiter.run(() => this.once(method, url, req), req.signal);
      } catch (e) {
        failure = toWabaError(e, { provider: this.provider, endpoint: req.endpoint });
        if (failure.kind === 'cancelled' || failure.kind === 'security' || failure.kind === 'config') throw failure;
      }
      let decision: RetryDecision;
      if (res && res.status >= 200 && res.status < 300) return res;
      if (res) {
        decision = this.opts.classify(res);
        const asked = parseRetryAfter(res.headers['retry-after']);
        if (asked !== undefined) decision = { ...decision, waitMs: Math.max(decision.waitMs ?? 0, asked) };
        failure = this.opts.toError(res, req.endpoint);
      } else {
        // No answer (network, timeout, reset mid-body): safe to retry a GET. A body over the size
        // limit ('response') would be as large again: not retried.
        decision = { retry: failure!.kind !== 'response' && (method === 'GET' || failure!.kind === 'network') };
      }
      if (!decision.retry || attempt >= this.opts.maxRetries) throw failure!;
      const backoff = this.opts.retryBaseMs * 2 ** attempt;
      const jittered = backoff / 2 + random() * (backoff / 2);
      const wait = Math.max(jittered, decision.waitMs ?? 0);
      if (wait > this.opts.maxRetryWaitMs) {
        const seconds = Math.ceil(wait / 1000);
        throw new WabaError(failure!.kind, failure!.message, {
          provider: failure!.provider,
          endpoint: failure!.endpoint,
          status: failure!.status,
          graphCode: failure!.graphCode,
          graphSubcode: failure!.graphSubcode,
          problemTitle: failure!.problemTitle,
          traceId: failure!.traceId,
          retryAfterSeconds: seconds,
          hint: `${providerName(this.provider)} asks to wait about ${seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`}; try again then.`,
        });
      }
      attempt++;
      this.logger.warn(`${method} ${this.describe(url)} will be retried in ${Math.round(wait)} ms (attempt ${attempt + 1}): ${failure!.message}`);
      await sleep(wait, req.signal);
    }
  }

  /** GET (or other method) and parse JSON; a body that is not JSON is a typed 'response' error, retried for GETs. */
  async json(req: HttpRequest): Promise<{ body: unknown; response: HttpResponse }> {
    let attempt = 0;
    for (;;) {
      const response = await this.request(req);
      try {
        return { body: parseJsonBody(response, this.provider, req.endpoint), response };
      } catch (e) {
        if ((req.method ?? 'GET') !== 'GET' || attempt >= Math.min(2, this.opts.maxRetries)) throw e;
        attempt++;
        this.logger.warn(`${req.endpoint}: ${(e as Error).message} Retrying.`);
      }
    }
  }

  private describe(url: URL): string {
    return redactUrl(url.pathname + url.search).replace(/^https?:\/\/[^/]+/, '');
  }

  private async once(method: string, url: URL, req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'waba-analytics-vscode',
      ...req.headers,
      authorization: await this.opts.authorization(),
    };
    if (req.body !== undefined) headers['content-type'] ??= 'application/json';
    checkHeaders(headers, this.provider, req.endpoint);
    this.requestCount++;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const display = `${method} ${this.describe(url)}`;
    let answered = false;
    try {
      const r = await undici().request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: req.body,
        signal,
        dispatcher: this.dispatcher(),
      });
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of r.body) {
        size += chunk.length;
        if (size > this.opts.maxBodyBytes) {
          r.body.destroy();
          throw new WabaError('response', `${providerName(this.provider)} ${req.endpoint} answered more than ${Math.round(this.opts.maxBodyBytes / 1048576)} MB.`, {
            provider: this.provider,
            endpoint: req.endpoint,
            hint: 'Narrow the date range or the breakdowns.',
          });
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      const durationMs = Math.round(performance.now() - started);
      this.logger.info(`${display} ${r.statusCode} ${durationMs} ms`);
      return { status: r.statusCode, headers: flat, text, url: redactUrl(url.toString()), durationMs };
    } catch (e) {
      const durationMs = Math.round(performance.now() - started);
      if (req.signal?.aborted) {
        this.logger.info(`${display} cancelled after ${durationMs} ms`);
        throw cancelledError();
      }
      if (e instanceof WabaError) throw e;
      if (timeout.aborted) {
        this.logger.warn(`${display} timed out after ${durationMs} ms`);
        throw new WabaError('timeout', `${providerName(this.provider)} ${req.endpoint} did not ${answered ? 'finish answering' : 'answer'} within ${formatDuration(this.opts.timeoutMs)}`, {
          provider: this.provider,
          endpoint: req.endpoint,
          hint: 'Check your network, or try a smaller range.',
        });
      }
      const code = (e as { code?: string }).code;
      this.logger.warn(`${display} failed after ${durationMs} ms: ${code ?? (e as Error).message}`);
      const what = answered ? 'lost the connection while answering' : 'could not be reached';
      throw new WabaError('network', `${providerName(this.provider)} ${req.endpoint} ${what} (${code ?? redact((e as Error).message)})`, {
        provider: this.provider,
        endpoint: req.endpoint,
        hint: 'Check your network connection and the base URL, then try again.',
        cause: e,
      });
    }
  }
}

/**
 * Refuse, as a config error that is never retried, a header undici would refuse (a line break or
 * another control character) or a credential that is not plain ASCII: a token pasted with a line
 * break gets this message, not a transport error and retries. The value is never quoted.
 */
function checkHeaders(headers: Record<string, string>, provider: ProviderId, endpoint: string): void {
  for (const [name, value] of Object.entries(headers)) {
    const problem = name === 'authorization' ? credentialProblem(value) : /[^\t\x20-\x7e\x80-\xff]/.test(value) ? 'contains a line break or another control character' : undefined;
    if (!problem) continue;
    throw new WabaError('config', `${providerName(provider)} ${endpoint} was not sent: the ${name === 'authorization' ? 'credential' : `${name} header`} ${problem}.`, {
      provider,
      endpoint,
      hint: name === 'authorization' ? 'Enter the token (or the key and secret) again without it.' : undefined,
    });
  }
}

/** Parse a response body as JSON, with a clear error for HTML pages, empty or truncated bodies. */
export function parseJsonBody(res: HttpResponse, provider: ProviderId, endpoint: string): unknown {
  const text = res.text;
  const who = `${providerName(provider)} ${endpoint}`;
  const ct = res.headers['content-type'] ?? '';
  const trimmed = text.trimStart();
  if (/text\/html/i.test(ct) || /^<(!doctype|html|\?xml)/i.test(trimmed)) {
    throw new WabaError('response', `${who} answered with an HTML page instead of JSON (HTTP ${res.status})`, {
      provider,
      endpoint,
      status: res.status,
      hint: 'A proxy or an outage page may be in the way; check the base URL and try again later.',
    });
  }
  if (trimmed === '') {
    throw new WabaError('response', `${who} answered with an empty body (HTTP ${res.status})`, { provider, endpoint, status: res.status, hint: 'Try again later.' });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WabaError('response', `${who} answered with malformed or truncated JSON (${(e as Error).message})`, {
      provider,
      endpoint,
      status: res.status,
      hint: 'Try again; if it persists, the provider may be having an outage.',
    });
  }
}
