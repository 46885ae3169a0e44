/** Shared set-up for the unit tests: the sandbox, the CLI run in-process, hostile servers, temp folders, sentinel credentials, typed rejections. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { WabaError } from '../../src/core/errors';
import { parseQuery } from '../../src/core/query';
import type { RunEntry } from '../../src/extension/queryService';
import type { Sandbox } from '../../src/sandbox';
import { DEMO_CREDENTIALS } from '../../src/sandbox';
import type { Provider } from '../../src/core/provider';
import { createMetaProvider } from '../../src/providers/meta';
import { createVonageProvider } from '../../src/providers/vonage';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Authorization headers with the sandbox's demo credentials, for raw requests to it. */
export const META_AUTH = { authorization: `Bearer ${DEMO_CREDENTIALS.metaToken}` };
export const VONAGE_BASIC = { authorization: `Basic ${Buffer.from(`${DEMO_CREDENTIALS.vonageApiKey}:${DEMO_CREDENTIALS.vonageApiSecret}`).toString('base64')}` };


/** Poll until `ok()` or the time is up; returns the last answer. */
export async function waitFor(ok: () => boolean, ms = 1000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!ok() && performance.now() < end) await sleep(5);
  return ok();
}

/** The sandbox sees no request in flight (a request the client abandoned ends there too). */
export async function settled(sb: Sandbox): Promise<void> {
  await waitFor(() => sb.stats.inFlight === 0);
  assert.equal(sb.stats.inFlight, 0, 'no request left running');
}

/** The one typed error a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<WabaError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WabaError, `one typed error, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** The one typed error a synchronous call throws. */
export function thrownBy(fn: () => unknown): WabaError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WabaError, `a WabaError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

/** Run the CLI's main in-process with an environment (WABA_* and VONAGE_* replaced), capturing what it writes. */
export async function captureCli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  for (const k of Object.keys(process.env)) if (/^(WABA_|VONAGE_)/.test(k)) delete process.env[k];
  Object.assign(process.env, env);
  // Like a stream's write: the callback (given after the chunk, or after an encoding) runs once written.
  // The CLI writes strings; the test runner's own events (serialized Buffers on the stdout of a test
  // file's process) pass through, or the runner would lose the results of tests that run meanwhile.
  const capture = (into: string[], original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: string | Uint8Array, a?: unknown, b?: unknown) => {
      if (typeof chunk !== 'string') return (original as (...x: unknown[]) => boolean).call(stream, chunk, a, b);
      into.push(chunk);
      const done = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
      if (done) process.nextTick(done as () => void);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out, writeOut, process.stdout);
  process.stderr.write = capture(err, writeErr, process.stderr);
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** One request a hostile server received. */
export interface HostileRequest {
  method: string;
  url: URL;
  body: string;
  headers: IncomingHttpHeaders;
}
/** What a hostile server answers: a status, headers and a body (an object is sent as JSON), or it never answers. */
export type HostileReply = { status?: number; headers?: Record<string, string>; body?: string | object } | 'hang';
export interface HostileServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: HostileRequest[];
  /** Replace the answer (tests switch a server from failing to recovered). */
  handle: (req: HostileRequest) => HostileReply | Promise<HostileReply>;
  close(): Promise<void>;
}

/**
 * A small HTTP server of the test's own on 127.0.0.1, answering whatever `handle` says: a status,
 * a body of any shape, HTML, malformed JSON, or no answer at all. Close it after the test (open
 * sockets are destroyed, hanging requests included).
 */
export async function startHostileServer(handle: HostileServer['handle']): Promise<HostileServer> {
  const { createServer } = await import('node:http');
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: HostileRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      s.requests.push(r);
      void Promise.resolve(s.handle(r)).then((reply) => {
        if (reply === 'hang') return;
        const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
        const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
        res.end(body);
      });
    });
  });
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const s: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    handle,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => resolve());
      }),
  };
  return s;
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

// ---- files (cli-files, core-files, extension-export) ---------------------------------------------

/** A fresh folder under the system temp folder. */
export async function tempDir(prefix = 'waba-files-'): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtemp(join(tmpdir(), prefix));
}

/** A real FIFO (named pipe), made by mkfifo(1). */
export async function mkfifo(file: string): Promise<string> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, `mkfifo ${file}: ${r.stderr}`);
  return file;
}

/** Read a FIFO until its writer closes it (start before the writer opens it: a FIFO waits for both ends). */
export function readFifo(file: string): Promise<string> {
  return import('node:fs').then(
    ({ createReadStream }) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        createReadStream(file)
          .on('data', (c) => chunks.push(c as Buffer))
          .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
          .on('error', reject);
      }),
  );
}

/** A unix socket listening at `file`; close it after the test. */
export async function listenUnix(file: string): Promise<{ close(): Promise<void> }> {
  const { createServer } = await import('node:net');
  const srv = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => srv.listen(file, resolve));
  return { close: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}

/** A run entry with one point, as the extension's query service keeps it (for exports). */
export function sampleRunEntry(): RunEntry {
  const query = parseQuery({ kind: 'pricing', provider: 'meta', wabaId: '102290129340398', from: '2026-10-22', to: '2026-10-22' });
  return {
    connectionId: 'c',
    connectionLabel: 'C',
    query,
    run: {
      result: {
        provider: 'meta',
        kind: 'pricing',
        wabaId: '102290129340398',
        granularity: 'DAILY',
        timezone: 'UTC',
        points: [{ start: '2026-10-22T00:00:00Z', end: '2026-10-23T00:00:00Z', dims: {}, metrics: { volume: 1 } }],
        warnings: [],
      },
      requests: 1,
      partial: false,
    },
    fetchedAt: '2026-10-23T00:00:00Z',
    fromCache: false,
  };
}

/** The path of a fixture under test/fixtures/<dir>/ (from the source tree or a built out-test folder). */
export function fixturePath(dir: 'meta' | 'vonage', name: string): string {
  const candidates = [path.resolve(__dirname, '../../../test/fixtures', dir, name), path.resolve(process.cwd(), 'test/fixtures', dir, name)];
  const file = candidates.find((f) => existsSync(f));
  assert.ok(file, `fixture ${dir}/${name} not found`);
  return file;
}

/** A JSON fixture under test/fixtures/<dir>/ (see test/fixtures/SOURCES.md for where each comes from). */
export function readFixture(dir: 'meta' | 'vonage', name: string): unknown {
  return JSON.parse(readFileSync(fixturePath(dir, name), 'utf8'));
}

// ---- hostile analytics answers (core-answer-checks) ------------------------------------------------

/** Sentinel credentials a hostile server echoes back: they must never reach a result, an export or output. */
export const SENTINEL = {
  metaToken: 'SENTINEL-meta-token-4f1c9e7a2b',
  vonageApiKey: 'sentinelkey01',
  vonageApiSecret: 'SENTINEL-vonage-secret-8d2b6f',
} as const;

/** A Meta provider talking to a hostile server (sentinel token, no retries). */
export function hostileMeta(server: HostileServer, now: number, extra: Record<string, unknown> = {}): Provider {
  return createMetaProvider({ accessToken: SENTINEL.metaToken }, { baseUrl: server.url, now: () => now, maxRetries: 0, timeoutMs: 5000, ...extra });
}

/** A Vonage provider talking to a hostile server (sentinel key and secret, no retries). */
export function hostileVonage(server: HostileServer, now: number, extra: Record<string, unknown> = {}): Provider {
  return createVonageProvider(
    { apiKey: SENTINEL.vonageApiKey, apiSecret: SENTINEL.vonageApiSecret },
    { baseUrl: server.url, now: () => now, maxRetries: 0, timeoutMs: 5000, ...extra },
  );
}

/** The same request again with `after=<cursor>` (Meta) or `cursor=<cursor>` (Vonage): a same-origin next link. */
export function nextUrl(server: HostileServer, req: HostileRequest, cursor: string, param = 'after'): string {
  const u = new URL(req.url.pathname + req.url.search, server.url);
  u.searchParams.set(param, cursor);
  return u.toString();
}

/** A Meta field answer (`pricing_analytics`, `conversation_analytics`, `analytics`) holding `points`. */
export function metaFieldBody(field: 'pricing_analytics' | 'conversation_analytics' | 'analytics', points: unknown[], next?: string, extra: Record<string, unknown> = {}): object {
  const paging = next ? { paging: { cursors: { after: 'c' }, next } } : {};
  const inner = field === 'analytics' ? { granularity: 'DAY', data_points: points, ...paging } : { data: [{ data_points: points }], ...paging };
  return { id: '111', [field]: inner, ...extra };
}

/** A Meta `template_analytics` edge answer. */
export function metaTemplateBody(points: unknown[], next?: string, extra: Record<string, unknown> = {}): object {
  return { data: [{ granularity: 'DAILY', product_type: 'cloud_api', data_points: points, ...extra }], paging: { cursors: { after: 'c' }, ...(next ? { next } : {}) } };
}

/** A Vonage analytics answer (`pricing`, `messaging`, `template`) holding `points`. */
export function vonageBody(kind: 'pricing' | 'messaging' | 'template', points: unknown[], next?: string): object {
  const key = `${kind}_analytics`;
  if (kind === 'template') return { granularity: 'DAILY', _embedded: { [key]: points }, _links: { self: { href: 'x' }, ...(next ? { next: { href: next } } : {}) } };
  return { granularity: 'DAILY', _embedded: { [key]: points }, paging: { cursors: { after: 'c' }, ...(next ? { next } : {}) } };
}

/** A JSON answer written as text, so that it can hold what JSON.stringify cannot (a literal 1e999). */
export function jsonText(text: string): HostileReply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: text };
}
