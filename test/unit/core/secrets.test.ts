/**
 * Secrets: with sentinel credentials, every command path, on success and on failure; the
 * sentinels never appear in logs (the output channel's lines), error messages, notifications,
 * exports, CLI output and files, webview HTML or messages, or stored state and settings. A `next`
 * link to another origin is refused with no request sent.
 *
 * Success needs credentials the sandbox accepts, so its demo credentials are the sentinels there;
 * failures use SENTINEL-… values (which no redaction pattern knows: only registration hides them).
 * The extension's command paths are covered at the layer below the extension host (the query
 * service, connections, panels and export with a stand-in `vscode`); test/extension covers the
 * rest in a real VS Code.
 */
import { FakeUri, fakeContext, recorded, settings } from '../fakeVscode';
import type { FakePanel } from '../fakeVscode';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { toColumns } from '../../../src/core/columns';
import { DAY } from '../../../src/core/dates';
import { WabaError, describeError } from '../../../src/core/errors';
import { exportContent } from '../../../src/core/exportFile';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { parseQuery } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { Logger, QueryRun } from '../../../src/core/types';
import { showError } from '../../../src/extension/commandRunner';
import { ConnectionStore } from '../../../src/extension/connections';
import type { PanelHost } from '../../../src/extension/panels';
import { AnalyticsPanel } from '../../../src/extension/panels';
import { QueryService } from '../../../src/extension/queryService';
import type { RunEntry } from '../../../src/extension/queryService';
import { createMetaProvider } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import type { HostMessage } from '../../../src/protocol';
import { HostMessageSchema } from '../../../src/protocol';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import { captureCli, rejection, sandboxHttpClient, waitFor } from '../helpers';

const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const BAD_META_TOKEN = 'SENTINEL-meta-token-9f8e7d6c5b';
const BAD_VONAGE_SECRET = 'SENTINEL-vonage-secret-1a2b3c4d';
const OTHER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

let sb: Sandbox;
/** Every string any surface produced in the current test. */
const seen: Array<[where: string, text: string]> = [];
const logger: Logger = {
  debug: (m) => seen.push(['log', m]),
  info: (m) => seen.push(['log', m]),
  warn: (m) => seen.push(['log', m]),
  error: (m) => seen.push(['log', m]),
};

/** The forms a secret could leak in: as is, URL-encoded, base64, and inside a Basic header. */
function forms(): string[] {
  const c = sb.credentials;
  const raw = [c.metaToken, c.vonageApiSecret, BAD_META_TOKEN, BAD_VONAGE_SECRET];
  const out = raw.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  for (const secret of [c.vonageApiSecret, BAD_VONAGE_SECRET]) out.push(Buffer.from(`${c.vonageApiKey}:${secret}`).toString('base64'));
  // Private keys: any line of the key body.
  for (const pem of [c.vonagePrivateKey, OTHER_KEY]) out.push(...pem.split('\n').filter((l) => l.length > 40));
  return out;
}

function saw(where: string, value: unknown): void {
  seen.push([where, typeof value === 'string' ? value : JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))]);
}

function sawError(where: string, e: unknown): void {
  assert.ok(e instanceof WabaError, `${where}: a typed error, got ${String(e)}`);
  saw(`${where} message`, e.message);
  saw(`${where} toJSON`, e.toJSON());
  saw(`${where} describeError`, describeError(e));
  saw(`${where} stack`, e.stack ?? '');
}

function assertNoSecrets(): void {
  assert.ok(seen.length > 0, 'something was produced');
  const secrets = forms();
  for (const [where, text] of seen) {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret in ${where}: …${text.slice(Math.max(0, text.indexOf(s) - 60), text.indexOf(s) + s.length + 20)}…`);
  }
}

const meta = (token: string) => createMetaProvider({ accessToken: token }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 2, maxRetries: 1, logger });
const vonage = (secret: string, privateKey?: string) =>
  createVonageProvider(
    { apiKey: sb.credentials.vonageApiKey, apiSecret: secret, ...(privateKey ? { applicationId: sb.credentials.vonageApplicationId, privateKey } : {}) },
    { baseUrl: sb.vonageBaseUrl, now: () => NOW, retryBaseMs: 2, maxRetries: 1, logger },
  );

const metaWaba = () => sb.data.wabas.meta.find((w) => w.insightsEnabled && !w.partnerBilled)!;
const vonageWaba = () => sb.data.wabas.vonage.find((w) => w.insightsEnabled)!;

/** One query of every kind each provider offers. */
function queries(): QueryInput[] {
  const m = metaWaba();
  const v = vonageWaba();
  const range = { from: day(TODAY - 5 * DAY), to: day(TODAY - DAY) };
  return [
    { provider: 'meta', kind: 'messaging', wabaId: m.id, ...range },
    { provider: 'meta', kind: 'conversation', wabaId: m.id, ...range, dimensions: ['CONVERSATION_TYPE'] },
    { provider: 'meta', kind: 'pricing', wabaId: m.id, ...range, dimensions: ['COUNTRY', 'TIER'] },
    { provider: 'meta', kind: 'template', wabaId: m.id, ...range, templateIds: m.templates.slice(0, 3).map((t) => t.id) },
    { provider: 'vonage', kind: 'messaging', wabaId: v.id, ...range },
    { provider: 'vonage', kind: 'pricing', wabaId: v.id, ...range, dimensions: ['COUNTRY'] },
    { provider: 'vonage', kind: 'template', wabaId: v.id, ...range, templateIds: v.templates.slice(0, 3).map((t) => t.id) },
  ];
}

before(async () => {
  sb = await startSandbox({ now: () => NOW, metaEdgePageSize: 4, metaTemplateLimitMax: 4, vonagePageSize: 5 });
});
after(async () => {
  await sb.close();
});
beforeEach(() => {
  seen.length = 0;
  sb.faults.clear();
  recorded.reset();
});

describe('secrets: providers and queries', () => {
  it('success: every kind of both providers, accounts, templates, phones; results, raw bodies and exports', async () => {
    const m = meta(sb.credentials.metaToken);
    const v = vonage(sb.credentials.vonageApiSecret, sb.credentials.vonagePrivateKey);
    const providers: Record<string, Provider> = { meta: m, vonage: v };
    for (const q of queries()) {
      const r = await runQuery(providers[q.provider]!, q, { now: NOW, keepRaw: true });
      assert.ok(r.result.points.length > 0, `${q.provider} ${q.kind}`);
      saw(`${q.provider} ${q.kind} result`, r);
      const parsed = parseQuery(q);
      saw('export json', exportContent(parsed, r, 'json', { includeRaw: true }));
      saw('export csv', exportContent(parsed, r, 'csv'));
      saw('webview result message', { type: 'result', query: q, result: toColumns(r.result), context: { templateNames: {} } });
    }
    for (const p of [m, v]) {
      const wabas = await p.listWabas();
      saw('wabas', wabas);
      for (const w of wabas.slice(0, 2)) {
        saw('waba', await p.getWaba(w.id));
        saw('phones', await p.listPhoneNumbers(w.id));
        saw('templates', await p.listTemplates(w.id, { limit: 3 }));
      }
    }
    assertNoSecrets();
  });

  it('failure: refused credentials on every path, each a clear error that shows no secret', async () => {
    const m = meta(BAD_META_TOKEN);
    const vBasic = vonage(BAD_VONAGE_SECRET);
    const vJwt = vonage(sb.credentials.vonageApiSecret, OTHER_KEY);
    for (const q of queries()) {
      for (const p of q.provider === 'meta' ? [m] : q.kind === 'template' ? [vBasic, vJwt] : [vBasic]) {
        const e = await rejection(runQuery(p, q, { now: NOW }));
        assert.match(e.message, /token|credentials|key|refused|replace/i, e.message);
        sawError(`${q.provider} ${q.kind}`, e);
        const partial = await runQuery(p, q, { now: NOW, allowPartial: true }).catch((x: unknown) => x);
        sawError(`${q.provider} ${q.kind} (allowPartial)`, partial);
      }
    }
    for (const p of [m, vBasic]) {
      for (const call of [() => p.listWabas(), () => p.getWaba('123456'), () => p.listPhoneNumbers('123456'), () => p.listTemplates('123456'), () => p.enableInsights('123456')]) {
        const e = await call().then(
          (x) => x,
          (x: unknown) => x,
        );
        if (e instanceof Error) sawError('accounts', e);
        else saw('accounts (manual ids)', e);
      }
    }
    assertNoSecrets();
  });

  it('failure mid-query (faults, partial runs) logs and reports no secret', async () => {
    const m = meta(sb.credentials.metaToken);
    for (const kind of ['reset', 'truncated', 'html-200', 'malformed-json', 'unexpected-shape', 'server-error', 'rate-limit'] as const) {
      sb.faults.add({ kind, match: 'pricing_analytics', count: Infinity });
      const q = queries()[2]!;
      const e = await rejection(runQuery(m, q, { now: NOW }));
      sawError(kind, e);
      sb.faults.clear();
    }
    assertNoSecrets();
  });

  it('a token put in a URL is taken out before the request leaves', async () => {
    const client = sandboxHttpClient(sb, 'meta', { logger });
    const w = metaWaba();
    // The sandbox refuses any request with access_token in its URL: this one passes.
    const { body, response } = await client.json({ url: `${sb.metaBaseUrl}/v25.0/${w.id}?fields=id&access_token=${BAD_META_TOKEN}`, endpoint: 'waba' });
    assert.deepEqual(body, { id: w.id });
    saw('response url', response.url);
    assert.ok(!client.resolveUrl(`/x?access_token=${BAD_META_TOKEN}&a=1`).toString().includes('access_token'));
    assertNoSecrets();
  });

  it('raw bodies that echo a token (Graph paging.next) are redacted in exports', () => {
    const q = parseQuery(queries()[3]!);
    const run: QueryRun = {
      result: { provider: 'meta', kind: 'template', wabaId: q.wabaId, granularity: 'DAILY', timezone: 'UTC', points: [], warnings: [] },
      raw: [{ data: [], paging: { next: `https://graph.facebook.com/v25.0/${q.wabaId}/template_analytics?access_token=${BAD_META_TOKEN}&after=QVFI` }, note: `echo ${sb.credentials.metaToken}` }],
      requests: 1,
      partial: false,
    };
    const text = exportContent(q, run, 'json', { includeRaw: true });
    saw('export with raw', text);
    const doc = JSON.parse(text);
    assert.match(doc.raw[0].paging.next, /access_token=\[REDACTED\]&after=QVFI$/, 'the rest of the link is kept');
    assertNoSecrets();
  });
});

describe('secrets: a next link to another origin', () => {
  // The sandbox writes its links on http://127.0.0.1:PORT; a provider configured with
  // http://localhost:PORT talks to the same server under another origin.
  const other = () => sb.url.replace('127.0.0.1', 'localhost');

  for (const which of ['meta', 'vonage'] as const) {
    it(`${which}: refused, no request sent, and the error says why`, async () => {
      const p =
        which === 'meta'
          ? createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: `${other()}/meta`, now: () => NOW, logger })
          : createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret }, { baseUrl: `${other()}/vonage`, now: () => NOW, logger, pageSize: 2 });
      const q = which === 'meta' ? queries()[3]! : queries()[4]!;
      sb.stats.reset();
      const e = await rejection(runQuery(p, q, { now: NOW, allowPartial: true }));
      assert.equal(e.kind, 'security');
      assert.match(e.message, /refused to follow a link to another origin \(http:\/\/127\.0\.0\.1:\d+\)/);
      assert.match(e.message, /Only http:\/\/localhost:\d+ is contacted with your credentials/);
      assert.equal(sb.stats.requests, 1, 'the first page only: the foreign link was never requested');
      sawError('foreign next', e);
      assertNoSecrets();
    });
  }
});

describe('secrets: the CLI', () => {
  const metaEnv = (token: string) => ({ WABA_META_TOKEN: token, WABA_META_BASE_URL: sb.metaBaseUrl });
  const vonageEnv = (secret: string, key?: string) => ({
    VONAGE_API_KEY: sb.credentials.vonageApiKey,
    VONAGE_API_SECRET: secret,
    VONAGE_BASE_URL: sb.vonageBaseUrl,
    ...(key ? { VONAGE_APPLICATION_ID: sb.credentials.vonageApplicationId, VONAGE_PRIVATE_KEY: key } : {}),
  });

  function commands(): string[][] {
    const out: string[][] = [];
    for (const q of queries() as Array<{ kind: string; provider: string; wabaId: string; from: string; to: string; templateIds?: string[]; dimensions?: string[] }>) {
      const args: string[] = ['query', q.kind, '--provider', q.provider, '--waba', q.wabaId, '--from', q.from, '--to', q.to, '--verbose'];
      if (q.templateIds) args.push('--templates', q.templateIds.join(','));
      if (q.dimensions) args.push('--dimensions', q.dimensions.join(','));
      out.push(args, [...args, '--format', 'csv']);
    }
    for (const provider of ['meta', 'vonage']) {
      const w = provider === 'meta' ? metaWaba() : vonageWaba();
      out.push(['wabas', '--provider', provider, '--verbose'], ['phones', '--provider', provider, '--waba', w.id, '--verbose'], ['templates', '--provider', provider, '--waba', w.id, '--format', 'csv', '--verbose']);
    }
    return out;
  }

  async function runAll(env: (provider: string) => Record<string, string>, expectCode: number): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'waba-hard-secrets-'));
    let n = 0;
    for (const args of commands()) {
      const provider = args[args.indexOf('--provider') + 1]!;
      const out = path.join(dir, `out-${n++}.txt`);
      const r = await captureCli([...args, '--out', out], env(provider));
      // Vonage templates without a private key list the ids given by hand: nothing is sent.
      const sendsNothing = args[0] === 'templates' && provider === 'vonage' && !env(provider).VONAGE_PRIVATE_KEY;
      assert.equal(r.code, sendsNothing ? 0 : expectCode, `${args.join(' ')}: ${r.stderr}`);
      saw(`cli ${args.slice(0, 2).join(' ')} stdout`, r.stdout);
      saw(`cli ${args.slice(0, 2).join(' ')} stderr`, r.stderr);
      if (r.code !== 0) assert.match(r.stderr.trim().split('\n').at(-1)!, /^waba-analytics: (Meta|Vonage) /);
    }
    for (const f of await readdir(dir)) saw(`cli file ${f}`, await readFile(path.join(dir, f), 'utf8'));
    if (expectCode === 0) assert.equal((await readdir(dir)).length, commands().length, 'every command wrote its file');
  }

  it('every command, succeeding (logs on), prints and writes no secret', async () => {
    const keyFile = path.join(await mkdtemp(path.join(tmpdir(), 'waba-hard-key-')), 'k.pem');
    await writeFile(keyFile, sb.credentials.vonagePrivateKey, { mode: 0o600 });
    await runAll((p) => (p === 'meta' ? metaEnv(sb.credentials.metaToken) : vonageEnv(sb.credentials.vonageApiSecret, keyFile)), 0);
    assertNoSecrets();
  });

  it('every command, failing on refused credentials (logs on), prints no secret', async () => {
    await runAll((p) => (p === 'meta' ? metaEnv(BAD_META_TOKEN) : vonageEnv(BAD_VONAGE_SECRET)), 1);
    // A private key given inline that the server refuses.
    const r = await captureCli(['templates', '--provider', 'vonage', '--waba', vonageWaba().id, '--verbose'], vonageEnv(sb.credentials.vonageApiSecret, OTHER_KEY.replace(/\n/g, '\\n')));
    assert.equal(r.code, 1);
    saw('cli bad key', r.stdout + r.stderr);
    assertNoSecrets();
  });

  it('normalize and usage errors, with secrets in the environment, print none', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'waba-hard-norm-'));
    const body = path.join(dir, 'b.json');
    await writeFile(body, readFileSync('test/fixtures/meta/pricing-analytics-constructed.json', 'utf8'));
    const env = { ...metaEnv(BAD_META_TOKEN), ...vonageEnv(BAD_VONAGE_SECRET) };
    for (const args of [
      ['normalize', '--provider', 'meta', '--kind', 'pricing', body],
      ['normalize', '--provider', 'vonage', '--kind', 'pricing', body],
      ['query', 'pricing', '--provider', 'meta'],
      ['nonsense'],
      ['--help'],
    ]) {
      const r = await captureCli(args, env);
      saw(`cli ${args[0]}`, r.stdout + r.stderr);
    }
    assertNoSecrets();
  });
});

describe('secrets: the extension, below the extension host', () => {
  function panelHost(run: () => Promise<RunEntry>): PanelHost {
    return {
      extensionUri: FakeUri.file('/ext') as never,
      run,
      resolveConnection: async () => 'c1',
      context: () => ({ templateNames: {}, connectionLabel: 'Mine' }),
      exportEntry: async () => FakeUri.file('/x') as never,
      saveQuery: async () => FakeUri.file('/x') as never,
      enableInsights: async () => false,
    };
  }

  it('connections keep secrets in secret storage only; queries, panels, errors and logs show none', async () => {
    const { context, state, secrets } = fakeContext();
    const store = new ConnectionStore(context as never);
    const service = new QueryService(store);
    settings.set('meta.baseUrl', sb.metaBaseUrl);
    settings.set('vonage.baseUrl', sb.vonageBaseUrl);
    try {
      await store.add({ id: 'good', label: 'Good', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} }, { provider: 'meta', accessToken: sb.credentials.metaToken });
      await store.add({ id: 'bad', label: 'Bad', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} }, { provider: 'meta', accessToken: BAD_META_TOKEN });
      await store.add(
        { id: 'vbad', label: 'Vonage', provider: 'vonage', manualWabaIds: [], manualTemplateIds: {} },
        { provider: 'vonage', apiKey: sb.credentials.vonageApiKey, apiSecret: BAD_VONAGE_SECRET },
      );
      await store.setSecret('good', { provider: 'meta', accessToken: sb.credentials.metaToken });
      await store.update('good', { label: 'Good again', manualWabaIds: ['1'] });
      // State (what VS Code writes to disk as state) holds no secret; the secret store holds them all.
      saw('globalState', [...state]);
      assert.ok([...secrets.values()].some((s) => s.includes(BAD_META_TOKEN)) && [...secrets.values()].some((s) => s.includes(BAD_VONAGE_SECRET)));

      const q = queries()[2]!;
      const good = await service.run('good', q);
      saw('run entry', good);
      // A panel showing the result.
      const p = openPanel(panelHost(async () => good), good);
      for (const bad of ['bad', 'vbad']) {
        const query = bad === 'bad' ? q : queries()[4]!;
        const e = await rejection(service.run(bad, query, { force: true }));
        sawError(`query service ${bad}`, e);
        await showError('Pricing analytics', e);
        // A panel whose run fails shows the error.
        const failing = openPanel(panelHost(() => service.run(bad, query, { force: true })), good);
        failing.webview.receive({ type: 'run', requestId: 7, query: parseQuery(query) });
        assert.ok(await waitFor(() => failing.webview.posted.some((m) => (m as { type: string }).type === 'error'), 2000), 'the panel shows the error');
        const lw = await (await store.provider(bad)).listWabas().catch((x: unknown) => x);
        sawError(`listWabas ${bad}`, lw);
        await showError('Refresh', lw);
      }
      for (const m of p.webview.posted) {
        assert.ok(HostMessageSchema.safeParse(m).success);
        saw('host message', m as HostMessage);
      }
      for (const panelOpen of recorded.panels) {
        saw('panel html', panelOpen.webview.html);
        for (const m of panelOpen.webview.posted) saw('panel message', m);
      }
      assert.ok(recorded.panels.some((x) => x.webview.posted.some((m) => (m as { type: string }).type === 'error')), 'an error reached a panel');
      for (const line of recorded.log) saw('output channel', line);
      for (const n of recorded.notifications) saw('notification', n);
      assert.ok(recorded.notifications.some((n) => /^Pricing analytics failed: Meta /.test(n)));
      assert.ok(recorded.log.length > 0);
      // Removing a connection forgets its secret.
      await store.remove('bad');
      assert.ok(![...secrets.values()].some((s) => s.includes(BAD_META_TOKEN)));
      saw('globalState after remove', [...state]);
    } finally {
      settings.clear();
      service.dispose();
      store.dispose();
    }
    assertNoSecrets();
  });

  it('no credential setting exists, and the extension writes no setting', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, { type: string }> } } };
    const keys = Object.keys(pkg.contributes.configuration.properties);
    assert.ok(keys.length > 5);
    for (const k of keys) assert.doesNotMatch(k, /token|secret|password|private|credential|apikey|api_key|\.key$/i, k);
    const sources = readdirSyncTs('src/extension');
    for (const [file, text] of sources) {
      assert.doesNotMatch(text, /getConfiguration\([^)]*\)\s*\.update\(|\.update\(\s*['"]wabaAnalytics/, `${file} writes a setting`);
      assert.doesNotMatch(text, /globalState\.update\([^)]*(secret|token|apiSecret|privateKey)/i, `${file} stores a credential in state`);
    }
    // Every setting the extension reads is one of package.json's, none of them a credential.
    const read = sources.flatMap(([, text]) => [...text.matchAll(/(?:\.get<[^>]*>|\.inspect<[^>]*>|machineOnly)\(\s*'([^']+)'/g)].map((m) => m[1]!));
    assert.ok(read.length >= 8, read.join(', '));
    for (const k of read) {
      assert.ok(keys.includes(`wabaAnalytics.${k}`), `${k} is a declared setting`);
      assert.doesNotMatch(k, /token|secret|password|private|credential|apikey/i);
    }
  });
});

/** Open a panel (the real AnalyticsPanel) on a result, its app ready. */
function openPanel(host: PanelHost, entry: RunEntry): FakePanel {
  AnalyticsPanel.create(host, entry.connectionId, entry);
  const panel = recorded.panels.at(-1)!;
  panel.webview.receive({ type: 'ready' });
  return panel;
}

function readdirSyncTs(dir: string): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')]);
}
