/**
 * Shared set-up for the unit tests: the sandbox, the CLI run in-process, hostile servers, temp
 * folders, sentinel credentials, typed rejections, HTTP clients for the sandbox, the extension's
 * services against the sandbox, package.json's tree menus. The `vscode` stand-in
 * (./fakeVscode.ts) is loaded only by the helpers that need it, on first call.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { WabaError } from '../../src/core/errors';
import { parseQuery } from '../../src/core/query';
import type * as Accounts from '../../src/extension/accountsService';
import type { AccountsService } from '../../src/extension/accountsService';
import type * as Tree from '../../src/extension/accountsTree';
import type { AccountsTree } from '../../src/extension/accountsTree';
import type { Services } from '../../src/extension/commands/services';
import type * as Connections from '../../src/extension/connections';
import type { ConnectionStore } from '../../src/extension/connections';
import type * as Queries from '../../src/extension/queryService';
import type { QueryService, RunEntry } from '../../src/extension/queryService';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Sandbox, SandboxOptions } from '../../src/sandbox';
import { DEMO_CREDENTIALS, startSandbox } from '../../src/sandbox';
import type { Provider } from '../../src/core/provider';
import type * as FakeVscode from './fakeVscode';
import type { fakeContext } from './fakeVscode';
import { HttpClient } from '../../src/core/http';
import type { HttpClientOptions } from '../../src/core/http';
import { classifyMetaResponse, createMetaProvider, metaErrorFromResponse } from '../../src/providers/meta';
import { basicHeader, classifyVonage, createVonageProvider, vonageError } from '../../src/providers/vonage';

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

/** Every page of a listing, `limit` items at a time, following `next` (50 pages at the most): the ids in order and how many pages. */
export async function pagedIds(list: (o: { cursor: string | undefined; limit: number }) => Promise<{ items: Array<{ id: string }>; next?: string | undefined }>, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ cursor, limit });
    assert.ok(page.items.length <= limit, `a page of ${page.items.length} items, more than ${limit}`);
    for (const t of page.items) ids.push(t.id);
    cursor = page.next;
    pages++;
  } while (cursor && pages < 50);
  return { ids, pages };
}

/** A child process writing `name` in `dir` (writeFileAtomic) whose data never ends: it stays in the middle of its write, `content` in its temp file. */
export async function stalledWriter(dir: string, name: string, content = 'half written'): Promise<{ child: ChildProcess; temp: string }> {
  const before = new Set(await readdir(dir));
  const files = path.resolve(__dirname, '../../src/core/files.js');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { writeFileAtomic } = require(${JSON.stringify(files)});
       async function* data() { yield Buffer.from(${JSON.stringify(content)}); await new Promise(() => setInterval(() => {}, 1000)); }
       writeFileAtomic(${JSON.stringify(path.join(dir, name))}, data(), { overwrite: true });`,
    ],
    { stdio: 'ignore' },
  );
  let temp: string | undefined;
  await waitFor(() => {
    void readdir(dir).then((names) => (temp = names.find((n) => !before.has(n) && n.endsWith('.tmp') && readFileSync(path.join(dir, n), 'utf8').length > 0)));
    return temp !== undefined;
  }, 10_000);
  assert.ok(temp, 'the child is in the middle of its write');
  return { child, temp };
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

/**
 * An HTTP client for the sandbox as the provider builds it: Meta (its `/v25.0` base, Bearer token,
 * Graph error classification) or Vonage (Basic key and secret); `extra` sets the rest (retries, sleep,
 * logger, limits).
 */
export function sandboxHttpClient(sb: Sandbox, provider: 'meta' | 'vonage', extra: Partial<HttpClientOptions> = {}): HttpClient {
  const c = sb.credentials;
  return new HttpClient(
    provider === 'meta'
      ? { provider, baseUrl: `${sb.metaBaseUrl}/v25.0`, authorization: () => `Bearer ${c.metaToken}`, classify: classifyMetaResponse, toError: metaErrorFromResponse, ...extra }
      : { provider, baseUrl: sb.vonageBaseUrl, authorization: () => basicHeader(c.vonageApiKey, c.vonageApiSecret), classify: classifyVonage, toError: vonageError, ...extra },
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

// ---- the extension's services against the sandbox ------------------------------------------------

/** The extension's services over a fresh fake context, as `activate()` wires them (no view, no query flow). */
export interface ExtensionServices {
  sb: Sandbox;
  context: ReturnType<typeof fakeContext>['context'];
  store: ConnectionStore;
  accounts: AccountsService;
  queries: QueryService;
  tree: AccountsTree;
  /** What the command modules take (`registerAccountCommands(x.services)`); `view` is undefined. */
  services: Services;
  /** Disposes the services and clears the settings. */
  dispose(): void;
}

/**
 * The `vscode` stand-in and the extension's modules, loaded on first use (the stand-in first, then
 * the modules that import `vscode`), not when this module loads: the many tests that never touch
 * the extension stay without them. (A test file that uses them imports ../fakeVscode first anyway,
 * for its recorders.)
 */
function extensionModules() {
  /* eslint-disable @typescript-eslint/no-require-imports -- see above */
  return {
    ...(require('./fakeVscode') as typeof FakeVscode),
    ...(require('../../src/extension/connections') as typeof Connections),
    ...(require('../../src/extension/accountsService') as typeof Accounts),
    ...(require('../../src/extension/queryService') as typeof Queries),
    ...(require('../../src/extension/accountsTree') as typeof Tree),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * The extension's query service alone (no accounts service) over a fresh fake context, with one Meta
 * connection "c1" to the sandbox. `dispose()` clears the settings and disposes both; closing the
 * sandbox is the caller's.
 */
export async function sandboxQueryService(sb: Sandbox): Promise<{ store: ConnectionStore; service: QueryService; dispose(): void }> {
  const { fakeContext, settings, ConnectionStore, QueryService } = extensionModules();
  const { context } = fakeContext();
  const store = new ConnectionStore(context as never);
  const service = new QueryService(store);
  settings.set('meta.baseUrl', sb.metaBaseUrl);
  await store.add({ id: 'c1', label: 'Test', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} }, { provider: 'meta', accessToken: sb.credentials.metaToken });
  return {
    store,
    service,
    dispose() {
      settings.clear();
      service.dispose();
      store.dispose();
    },
  };
}

/**
 * The connection store, accounts service, query service and Accounts tree over a fresh fake context,
 * with the settings pointed at the sandbox and its connections added: "meta" (with `manualWabaIds`)
 * and, unless `metaOnly`, "vonage".
 */
async function extensionServices(sb: Sandbox, opts: { metaOnly?: boolean; manualWabaIds?: string[] } = {}): Promise<ExtensionServices> {
  const { fakeContext, settings, ConnectionStore, AccountsService, QueryService, AccountsTree } = extensionModules();
  settings.set('meta.baseUrl', sb.metaBaseUrl);
  settings.set('vonage.baseUrl', sb.vonageBaseUrl);
  const { context } = fakeContext();
  const store = new ConnectionStore(context as never);
  const accounts = new AccountsService(store);
  const queries = new QueryService(store, accounts);
  const tree = new AccountsTree(accounts);
  const c = sb.credentials;
  await store.add({ id: 'meta', label: 'Meta', provider: 'meta', manualWabaIds: opts.manualWabaIds ?? [], manualTemplateIds: {} }, { provider: 'meta', accessToken: c.metaToken });
  if (!opts.metaOnly) {
    await store.add(
      { id: 'vonage', label: 'Vonage', provider: 'vonage', manualWabaIds: [], manualTemplateIds: {} },
      { provider: 'vonage', apiKey: c.vonageApiKey, apiSecret: c.vonageApiSecret, applicationId: c.vonageApplicationId, privateKey: c.vonagePrivateKey },
    );
  }
  return {
    sb,
    context,
    store,
    accounts,
    queries,
    tree,
    services: { context, store, accounts, queries, tree, view: undefined } as unknown as Services,
    dispose() {
      tree.dispose();
      accounts.dispose();
      queries.dispose();
      store.dispose();
      settings.clear();
    },
  };
}

/**
 * The extension's services for each test of the current suite (or file): a sandbox for the suite
 * (`sandbox` its options), fresh services before each test (see extensionServices) handed to
 * `each` (to keep them and register commands), and after each test the sandbox's faults cleared
 * and the services disposed.
 */
export function useExtensionServices(opts: { sandbox?: SandboxOptions; metaOnly?: boolean; manualWabaIds?: string[] }, each: (x: ExtensionServices) => void): void {
  let sb: Sandbox;
  let x: ExtensionServices;
  before(async () => {
    sb = await startSandbox(opts.sandbox);
  });
  after(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    x = await extensionServices(sb, opts);
    each(x);
  });
  afterEach(() => {
    sb.faults.clear();
    x.dispose();
  });
}

// ---- package.json's menus -----------------------------------------------------------------------

/** package.json as far as the tests read it: its commands and menus. */
export interface PackageManifest {
  contributes: { menus: Record<string, Array<{ command: string; when?: string }>>; commands: Array<{ command: string; title: string }> };
}
let manifest: PackageManifest | undefined;
/** The project's package.json (read once, from the working folder). */
export function packageManifest(): PackageManifest {
  return (manifest ??= JSON.parse(readFileSync('package.json', 'utf8')) as PackageManifest);
}

/** The commands (without `wabaAnalytics.`) of the Accounts tree's context menu for a contextValue, as VS Code evaluates the `when` clauses used there. */
export function treeMenuFor(contextValue: string): string[] {
  return packageManifest()
    .contributes.menus['view/item/context']!.filter((m) =>
      (m.when ?? 'true')
        .split('&&')
        .map((t) => t.trim())
        .every((term) => {
          if (term === 'view == wabaAnalytics.accounts') return true;
          const re = /^viewItem =~ \/(.*)\/$/.exec(term);
          if (re) return new RegExp(re[1]!).test(contextValue);
          const eq = /^viewItem == (.*)$/.exec(term);
          if (eq) return eq[1] === contextValue;
          throw new Error(`a when clause this test cannot read: ${term}`);
        }),
    )
    .map((m) => m.command.replace('wabaAnalytics.', ''));
}
