/**
 * The embedded sandbox: an HTTP server on 127.0.0.1 that speaks the Meta Graph API and the Vonage
 * Channel Manager dialects (docs/dialects.md) with deterministic synthetic data, request stats and
 * fault switches. The extension's demo connection, the CLI's `sandbox` command and every test use it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createPublicKey, generateKeyPair } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxData } from './data';
import { SandboxDataImpl } from './data';
import { handleMeta, metaEndpoint, metaError } from './meta';
import type { DialectContext, Reply, SandboxRequest } from './respond';
import { jsonReply } from './respond';
import { SeriesCache, mix } from './values';
import { handleVonage, vonageEndpoint, vonageProblem } from './vonage';

export type { OraclePoint, PointsArgs, SandboxButton, SandboxData, SandboxFilters, SandboxKind, SandboxPhone, SandboxProvider, SandboxTemplate, SandboxWaba, TotalsArgs } from './data';
export { parseFields } from './fields';
export type { FieldSpec } from './fields';

export interface SandboxOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 1; same seed => same data. */
  seed?: number;
  /** Clock in epoch ms (default Date.now); data exists only before now. */
  now?: () => number;
  /** Data points per page of Meta field analytics (default 5000). */
  metaFieldPageSize?: number;
  /** Default page size of Meta edges: templates, phone numbers, template_analytics data points (default 25). */
  metaEdgePageSize?: number;
  /** Largest `limit` template_analytics honours (default 5000, as every Meta edge); smaller makes it page. */
  metaTemplateLimitMax?: number;
  /** Default page_size of Vonage lists and analytics (default 100). */
  vonagePageSize?: number;
}

export interface SandboxCredentials {
  metaToken: string;
  vonageApiKey: string;
  vonageApiSecret: string;
  vonageApplicationId: string;
  /** PEM (PKCS#8), generated when the first sandbox of the process starts; never stored anywhere. */
  vonagePrivateKey: string;
}

export interface SandboxStats {
  /** Requests served since start/reset. */
  requests: number;
  /** e.g. 'meta pricing_analytics', 'vonage messaging-analytics', 'meta message_templates'. */
  byEndpoint: Record<string, number>;
  /** Requests being handled now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  /** Sockets currently open. */
  openConnections: number;
  /** Requests whose client went away before the answer ended. */
  aborted: number;
  /** Zero the counters (maxInFlight too). */
  reset(): void;
}

export interface Fault {
  kind: 'status' | 'rate-limit' | 'server-error' | 'malformed-json' | 'html-200' | 'truncated' | 'reset' | 'drip' | 'huge' | 'unexpected-shape' | 'latency';
  /** How many matching requests it applies to (default 1; Infinity allowed). */
  count?: number;
  /** Only requests whose path+query matches (a string matches as a substring; raw or URL-decoded). */
  match?: RegExp | string;
  /** For 'status' / 'server-error' (default 503). */
  status?: number;
  /** For 'rate-limit': Retry-After header (omit => no header). */
  retryAfterSeconds?: number;
  /** For Meta 'rate-limit': X-Business-Use-Case-Usage estimated_time_to_regain_access (default 0). */
  regainMinutes?: number;
  /** For Meta 'rate-limit'/'status' (default 80007). */
  graphCode?: number;
  /** For 'latency' (default 200) / 'drip' (delay between small chunks, default 20). */
  ms?: number;
  /** For 'huge' (~ size of the padded but valid page; default 4 MB). */
  bytes?: number;
}

export interface FaultController {
  add(f: Fault): void;
  clear(): void;
  /** Faults still to apply, with their remaining counts. */
  readonly pending: Fault[];
}

/**
 * The sandbox's movable clock (tests: sync "in the past", move on 200 days, see what the API now
 * refuses). Over HTTP: `GET /_sandbox/clock` answers `{now}`; `POST /_sandbox/clock` with
 * `{"now": "<ISO time>"}` sets it, `{"advanceDays": N}` moves it, `{"reset": true}` follows the
 * `now` option (or the real clock) again.
 */
export interface SandboxClock {
  now(): number;
  /** Stop the clock at `ms` (epoch ms). */
  set(ms: number): void;
  /** Move it by `ms` (from where it stands). */
  advance(ms: number): void;
  /** Follow the `now` option (or the real clock) again. */
  reset(): void;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/meta' */
  metaBaseUrl: string;
  /** url + '/vonage' */
  vonageBaseUrl: string;
  credentials: SandboxCredentials;
  stats: SandboxStats;
  faults: FaultController;
  data: SandboxData;
  clock: SandboxClock;
  /** Closes the server and destroys open sockets. */
  close(): Promise<void>;
}

export const DEMO_CREDENTIALS: Omit<SandboxCredentials, 'vonagePrivateKey'> = Object.freeze({
  metaToken: 'demo-meta-token',
  vonageApiKey: 'demo-vonage-key',
  vonageApiSecret: 'demo-vonage-secret',
  vonageApplicationId: '3f2c9d1e-8b4a-4f6e-9c2d-7a1b5e0f4c83',
});

let keyPair: Promise<{ publicKey: string; privateKey: string }> | undefined;
/** One RSA key pair per process (generated off the event loop), shared by the sandboxes it starts. */
function demoKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  keyPair ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ publicKey, privateKey }),
    );
  });
  return keyPair;
}

// ---------------------------------------------------------------------------------------------
// Stats and faults

class Stats implements SandboxStats {
  requests = 0;
  byEndpoint: Record<string, number> = {};
  inFlight = 0;
  maxInFlight = 0;
  openConnections = 0;
  aborted = 0;
  reset(): void {
    this.requests = 0;
    for (const k of Object.keys(this.byEndpoint)) delete this.byEndpoint[k];
    this.maxInFlight = 0;
    this.aborted = 0;
  }
}

const FAULT_KINDS = new Set<Fault['kind']>(['status', 'rate-limit', 'server-error', 'malformed-json', 'html-200', 'truncated', 'reset', 'drip', 'huge', 'unexpected-shape', 'latency']);

class Faults implements FaultController {
  private entries: Array<{ fault: Fault; remaining: number }> = [];

  add(f: Fault): void {
    if (!FAULT_KINDS.has(f.kind)) throw new Error(`Unknown sandbox fault kind "${String(f.kind)}".`);
    const remaining = f.count ?? 1;
    if (!(remaining > 0)) return;
    this.entries.push({ fault: { ...f }, remaining });
  }

  clear(): void {
    this.entries = [];
  }

  get pending(): Fault[] {
    return this.entries.map((e) => ({ ...e.fault, count: e.remaining }));
  }

  /** Consume what applies to a request: every matching latency fault, and the first other matching fault. */
  take(targets: string[]): { latencyMs: number; fault?: Fault } {
    let latencyMs = 0;
    let fault: Fault | undefined;
    for (const e of this.entries) {
      if (fault && e.fault.kind !== 'latency') continue;
      if (!matches(e.fault.match, targets)) continue;
      e.remaining--;
      if (e.fault.kind === 'latency') latencyMs += e.fault.ms ?? 200;
      else fault = e.fault;
    }
    this.entries = this.entries.filter((e) => e.remaining > 0);
    return { latencyMs, fault };
  }
}

function matches(m: Fault['match'], targets: string[]): boolean {
  if (m === undefined) return true;
  return targets.some((t) => {
    if (typeof m === 'string') return t.includes(m);
    m.lastIndex = 0;
    return m.test(t);
  });
}

// ---------------------------------------------------------------------------------------------
// Fault replies

type ProviderOfPath = 'meta' | 'vonage' | undefined;

function errorFaultReply(provider: ProviderOfPath, fault: Fault, ctx: DialectContext, businessId: string): Reply {
  const trace = ctx.trace();
  if (fault.kind === 'rate-limit') {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    if (provider === 'vonage') return vonageProblem(429, 'Too Many Requests', 'You have exceeded the rate limit; slow down and try again.', {}, headers);
    headers['x-business-use-case-usage'] = JSON.stringify({
      [businessId]: [{ type: 'whatsapp', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: fault.regainMinutes ?? 0 }],
    });
    headers['x-app-usage'] = JSON.stringify({ call_count: 100, total_cputime: 1, total_time: 1 });
    return metaError(429, { message: '(#80007) There have been too many calls to this WhatsApp Business account. Wait a bit and try again.', code: fault.graphCode ?? 80007 }, trace, headers);
  }
  const status = fault.status ?? 503;
  if (fault.kind === 'server-error') {
    if (provider === 'vonage') return vonageProblem(status, status === 503 ? 'Service Unavailable' : 'Internal Error', 'The server could not complete the request; try again later.');
    return metaError(status, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, type: 'OAuthException' }, trace);
  }
  // 'status'
  if (provider === 'vonage') return vonageProblem(status, `HTTP ${status}`, `The sandbox answered ${status} as asked by a fault switch.`);
  const code = fault.graphCode ?? 80007;
  return metaError(status, { message: `(#${code}) The sandbox answered ${status} as asked by a fault switch.`, code }, trace);
}

/** Every array in the body replaced by a string; a body without arrays is wrapped in one. */
function unexpectedShape(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify({ unexpected: true });
  }
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      changed = true;
      return 'unexpected shape';
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const out = walk(parsed);
  return JSON.stringify(changed ? out : [parsed]);
}

const HTML_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Service Unavailable</title></head><body><h1>Sorry, something went wrong.</h1><p>We are working on it and will get it fixed as soon as we can.</p></body></html>';

// ---------------------------------------------------------------------------------------------
// The server

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
    req.on('aborted', () => resolve(''));
  });
}

function formOf(req: IncomingMessage, body: string): URLSearchParams {
  const ct = String(req.headers['content-type'] ?? '');
  if (!body) return new URLSearchParams();
  if (/json/i.test(ct)) {
    try {
      const o = JSON.parse(body) as Record<string, unknown>;
      const out = new URLSearchParams();
      if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) out.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      return out;
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(body);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 1;
  const base = options.now ?? Date.now;
  let offset = 0;
  const clock: SandboxClock = {
    now: () => base() + offset,
    set: (ms) => {
      if (!Number.isFinite(ms)) throw new Error('The sandbox clock takes a finite epoch ms.');
      offset = ms - base();
    },
    advance: (ms) => {
      if (!Number.isFinite(ms)) throw new Error('The sandbox clock moves by a finite number of ms.');
      offset += ms;
    },
    reset: () => {
      offset = 0;
    },
  };
  const now = clock.now;
  const keys = await demoKeyPair();
  const credentials: SandboxCredentials = { ...DEMO_CREDENTIALS, vonagePrivateKey: keys.privateKey };
  const data = new SandboxDataImpl(seed, now);
  const stats = new Stats();
  const faults = new Faults();
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  let traceCounter = 0;

  const ctx: DialectContext = {
    data,
    origin: '',
    metaFieldPageSize: options.metaFieldPageSize ?? 5000,
    metaEdgePageSize: options.metaEdgePageSize ?? 25,
    metaTemplateLimitMax: options.metaTemplateLimitMax ?? 5000,
    vonagePageSize: options.vonagePageSize ?? 100,
    metaToken: credentials.metaToken,
    vonageApiKey: credentials.vonageApiKey,
    vonageApiSecret: credentials.vonageApiSecret,
    vonageApplicationId: credentials.vonageApplicationId,
    vonagePublicKey: createPublicKey(keys.publicKey),
    series: new SeriesCache(),
    trace: () => `A${Buffer.from([mix(seed, ++traceCounter), mix(traceCounter, seed)].map((n) => n.toString(36)).join('')).toString('base64url').slice(0, 22)}`,
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    void serve(req, res);
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    stats.openConnections++;
    socket.on('close', () => {
      sockets.delete(socket);
      stats.openConnections--;
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    stats.inFlight++;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    let intentional = false;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      stats.inFlight--;
    };
    res.on('finish', settle);
    res.on('close', () => {
      if (!res.writableFinished && !intentional) stats.aborted++;
      settle();
    });
    try {
      const rawTarget = req.url ?? '/';
      const url = new URL(rawTarget, ctx.origin);
      const path = url.pathname;
      const provider: ProviderOfPath = path === '/meta' || path.startsWith('/meta/') ? 'meta' : path === '/vonage' || path.startsWith('/vonage/') ? 'vonage' : undefined;
      const body = (await readBody(req)) ?? '';
      const sreq: SandboxRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: provider ? path.slice(provider.length + 1) : path,
        url,
        query: url.searchParams,
        form: formOf(req, body),
        headers: req.headers,
        now: now(),
      };
      const labels = provider === 'meta' ? metaEndpoint(sreq, ctx).split(/ (?=meta )/) : provider === 'vonage' ? [vonageEndpoint(sreq)] : ['other'];
      for (const l of labels) stats.byEndpoint[l] = (stats.byEndpoint[l] ?? 0) + 1;

      let decoded = rawTarget;
      try {
        decoded = decodeURIComponent(rawTarget.replace(/\+/g, ' '));
      } catch {
        /* keep raw */
      }
      const { latencyMs, fault } = faults.take([rawTarget, decoded]);
      if (latencyMs > 0) {
        try {
          await sleep(latencyMs, undefined, { signal: closing.signal });
        } catch {
          return;
        }
      }
      if (res.destroyed) return;

      let reply: Reply;
      if (fault && (fault.kind === 'status' || fault.kind === 'rate-limit' || fault.kind === 'server-error')) {
        reply = errorFaultReply(provider, fault, ctx, data.business.id);
      } else {
        reply = dispatch(provider, sreq);
      }
      if (provider === 'meta') reply.headers['x-app-usage'] ??= JSON.stringify({ call_count: 1, total_cputime: 1, total_time: 1 });
      await deliver(res, reply, fault, () => {
        intentional = true;
      });
    } catch (e) {
      if (!res.headersSent && !res.destroyed) {
        const r = jsonReply(500, { error: { message: `Sandbox internal error: ${(e as Error).message}`, type: 'SandboxError', code: 1 } });
        res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
        res.end(r.body);
      } else {
        res.destroy();
      }
    }
  }

  function dispatch(provider: ProviderOfPath, sreq: SandboxRequest): Reply {
    if (provider === 'meta') return handleMeta(sreq, ctx);
    if (provider === 'vonage') return handleVonage(sreq, ctx);
    if (sreq.path === '/_sandbox/clock') return clockReply(sreq);
    if (sreq.path === '/' && sreq.method === 'GET') {
      return jsonReply(200, { name: 'WABA Analytics sandbox', metaBaseUrl: `${ctx.origin}/meta`, vonageBaseUrl: `${ctx.origin}/vonage` });
    }
    return jsonReply(404, { error: { message: `No such path: ${sreq.url.pathname}. Use ${ctx.origin}/meta or ${ctx.origin}/vonage.`, code: 404 } });
  }

  function clockReply(sreq: SandboxRequest): Reply {
    if (sreq.method === 'POST') {
      let body: Record<string, unknown> = {};
      const nowField = sreq.form.get('now');
      const advance = sreq.form.get('advanceDays');
      if (nowField !== null) body.now = nowField;
      if (advance !== null) body.advanceDays = Number(advance);
      if (sreq.form.get('reset') === 'true') body = { reset: true };
      const at = typeof body.now === 'string' ? Date.parse(body.now) : NaN;
      if (body.reset) clock.reset();
      else if (Number.isFinite(at)) clock.set(at);
      else if (typeof body.advanceDays === 'number' && Number.isFinite(body.advanceDays)) clock.advance(body.advanceDays * 86_400_000);
      else return jsonReply(400, { error: { message: 'Send {"now": "<ISO time>"}, {"advanceDays": N} or {"reset": true}.', code: 400 } });
    } else if (sreq.method !== 'GET') return jsonReply(405, { error: { message: 'GET or POST /_sandbox/clock.', code: 405 } });
    return jsonReply(200, { now: new Date(clock.now()).toISOString() });
  }

  async function deliver(res: ServerResponse, reply: Reply, fault: Fault | undefined, markIntentional: () => void): Promise<void> {
    let status = reply.status;
    let body: string | Buffer = reply.body;
    const headers = { ...reply.headers };
    if (fault && (fault.kind === 'malformed-json' || fault.kind === 'unexpected-shape' || fault.kind === 'huge') && typeof body !== 'string') body = body.toString('utf8');
    switch (fault?.kind) {
      case 'malformed-json':
        status = 200;
        headers['content-type'] = 'application/json; charset=UTF-8';
        body = `${String(body).slice(0, Math.max(1, Math.floor(body.length / 2)))} <malformed`;
        break;
      case 'html-200':
        status = 200;
        headers['content-type'] = 'text/html; charset=utf-8';
        body = HTML_PAGE;
        break;
      case 'unexpected-shape':
        body = unexpectedShape(String(body));
        break;
      case 'huge': {
        const target = fault.bytes ?? 4 * 1024 * 1024;
        const pad = target - Buffer.byteLength(body) - 32;
        const text = String(body);
        if (pad > 0 && text.startsWith('{')) body = `{"sandbox_padding":"${'x'.repeat(pad)}",${text.slice(1)}`;
        break;
      }
    }
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (fault?.kind === 'truncated') {
      res.writeHead(status, { ...headers, 'content-length': buf.length + 1024 });
      markIntentional();
      res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
      return;
    }
    if (fault?.kind === 'reset') {
      res.writeHead(status, headers);
      markIntentional();
      res.write(buf.subarray(0, Math.max(1, Math.floor(buf.length / 3))), () => {
        const s = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
        if (s?.resetAndDestroy) s.resetAndDestroy();
        else s?.destroy();
      });
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': buf.length });
    if (fault?.kind === 'drip') {
      const chunk = Math.max(64, Math.ceil(buf.length / 40));
      for (let i = 0; i < buf.length; i += chunk) {
        if (res.destroyed) return;
        res.write(buf.subarray(i, i + chunk));
        try {
          await sleep(fault.ms ?? 20, undefined, { signal: closing.signal });
        } catch {
          res.destroy();
          return;
        }
      }
      res.end();
      return;
    }
    res.end(buf);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 0);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  ctx.origin = url;

  let closed: Promise<void> | undefined;
  return {
    url,
    metaBaseUrl: `${url}/meta`,
    vonageBaseUrl: `${url}/vonage`,
    credentials,
    stats,
    faults,
    data,
    clock,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
      return closed;
    },
  };
}
