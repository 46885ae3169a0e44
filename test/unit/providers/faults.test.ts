/**
 * Faults, through real sockets on 127.0.0.1 against the sandbox's fault switches: each ends in a
 * retry that then succeeds with exactly the clean result, or in one clear error naming the
 * provider, the endpoint and what to do. A query that fails part-way never passes for complete.
 */
import type { SandboxKind } from '../../../src/sandbox/data';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { toColumns } from '../../../src/core/columns';
import { DAY } from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import { PARTIAL_CSV_LINE, exportContent } from '../../../src/core/exportFile';
import { parseJsonBody, parseRetryAfter } from '../../../src/core/http';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { parseQuery } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { QueryRun } from '../../../src/core/types';
import { createMetaProvider } from '../../../src/providers/meta';
import type { MetaProviderConfig } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import type { VonageProviderConfig } from '../../../src/providers/vonage';
import type { Fault, Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import { captureCli, rejection, sandboxHttpClient, settled as settledOn } from '../helpers';

// The sandbox clock stands still at the start of the file (the CLI, on the real clock, is seconds later).
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const TIMEOUT_MS = 300;
const MAX_RETRIES = 2;

let sb: Sandbox;

const metaProvider = (extra: MetaProviderConfig = {}) =>
  createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 2, maxRetries: MAX_RETRIES, timeoutMs: TIMEOUT_MS, ...extra });
const vonageProvider = (extra: VonageProviderConfig = {}) =>
  createVonageProvider(
    { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret },
    { baseUrl: sb.vonageBaseUrl, now: () => NOW, retryBaseMs: 2, maxRetries: MAX_RETRIES, timeoutMs: TIMEOUT_MS, ...extra },
  );

interface Case {
  name: 'Meta' | 'Vonage';
  provider: (extra?: MetaProviderConfig & VonageProviderConfig) => Provider;
  query: () => QueryInput;
  /** The endpoint label errors carry, and the fault match of its requests. */
  endpoint: string;
  clean?: QueryRun;
}

const cases: Case[] = [
  {
    name: 'Meta',
    provider: metaProvider,
    query: () => ({ provider: 'meta', kind: 'pricing', wabaId: sb.data.wabas.meta[0]!.id, from: day(TODAY - 10 * DAY), to: day(TODAY - DAY), dimensions: ['COUNTRY'] }),
    endpoint: 'pricing_analytics',
  },
  {
    name: 'Vonage',
    provider: vonageProvider,
    query: () => ({ provider: 'vonage', kind: 'messaging', wabaId: sb.data.wabas.vonage[0]!.id, from: day(TODAY - 10 * DAY), to: day(TODAY - DAY) }),
    endpoint: 'messaging-analytics',
  },
];

before(async () => {
  // Template answers page at 25 points whatever limit is asked (the part-way failures need pages).
  sb = await startSandbox({ now: () => NOW, metaTemplateLimitMax: 25 });
  for (const c of cases) {
    // The clean result, and the oracle agrees with it.
    c.clean = await runQuery(c.provider(), c.query(), { now: NOW, resolveCurrency: false });
    assert.ok(c.clean.result.points.length > 0);
    const q = parseQuery(c.query());
    const kind = q.kind === 'pricing' ? 'volume' : 'sent';
    const totals = sb.data.totals({ provider: q.provider, wabaId: q.wabaId, kind: q.kind as SandboxKind, startMs: TODAY - 10 * DAY, endMs: TODAY });
    assert.equal(
      c.clean.result.points.reduce((n, p) => n + (p.metrics[kind] ?? 0), 0),
      totals[kind],
    );
  }
});
after(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.faults.clear();
  sb.stats.reset();
});

const settled = () => settledOn(sb);

/** One clear error: typed, names the provider and the endpoint, says what to do, one line, no stack. */
function assertClear(e: WabaError, c: Case, kind: WabaError['kind']): void {
  assert.equal(e.kind, kind, e.message);
  assert.equal(e.provider, c.name.toLowerCase());
  assert.equal(e.endpoint, c.endpoint);
  assert.ok(e.message.startsWith(`${c.name} ${c.endpoint} `), e.message);
  assert.ok(e.hint && e.hint.length > 10, `a hint: ${e.message}`);
  assert.ok(e.message.endsWith(e.hint), 'the message ends with what to do');
  assert.ok(!/\n|\bat \S+:\d+/.test(e.message), 'one line, no stack');
  assert.deepEqual(Object.keys(e.toJSON()).includes('stack'), false);
}

async function run(c: Case, extra: MetaProviderConfig & VonageProviderConfig = {}): Promise<QueryRun> {
  return runQuery(c.provider(extra), c.query(), { now: NOW, resolveCurrency: false });
}

for (const c of cases) {
  const fault = (f: Fault) => sb.faults.add({ match: c.endpoint, ...f });

  describe(`${c.name}: transient faults are retried, then the result is exactly the clean one`, () => {
    const transient: Array<[string, Fault, number, (MetaProviderConfig & VonageProviderConfig)?]> = [
      ['429 without Retry-After', { kind: 'rate-limit' }, 2],
      ['a burst of 5xx as long as the retries', { kind: 'server-error', status: 503, count: MAX_RETRIES }, MAX_RETRIES + 1],
      ['a 502 then a 504', { kind: 'server-error', status: 502 }, 2],
      ['a timeout (no answer in time)', { kind: 'latency', ms: TIMEOUT_MS * 3 }, 2],
      ['a connection reset mid-body', { kind: 'reset' }, 2],
      ['a truncated body', { kind: 'truncated' }, 2],
      ['an HTML error page with status 200', { kind: 'html-200' }, 2],
      ['malformed JSON', { kind: 'malformed-json' }, 2],
      ['a server dripping bytes slower than the timeout', { kind: 'drip', ms: 60 }, 2],
      // Slow but within the timeout: not retried. The sandbox drips a body in at most 40 chunks, so
      // the timeout is 40 pauses with a wide margin (a 1 ms pause takes tens of ms on a busy machine).
      ['a server dripping bytes, within the timeout', { kind: 'drip', ms: 1 }, 1, { timeoutMs: 40 * 1 * 250 }],
      // A 10 MB page takes longer than the short timeout of these tests, on a busy machine.
      ['a 10 MB page', { kind: 'huge', bytes: 10 * 1024 * 1024 }, 1, { timeoutMs: 10_000 }],
    ];
    for (const [what, f, requests, extra] of transient) {
      it(what, async () => {
        fault(f);
        if (what === 'a 502 then a 504') fault({ kind: 'server-error', status: 504 });
        const r = await run(c, extra);
        assert.deepEqual(r.result, c.clean!.result);
        assert.equal(r.partial, false);
        assert.equal(sb.stats.requests, what === 'a 502 then a 504' ? 3 : requests);
        assert.deepEqual(sb.faults.pending, []);
        await settled();
      });
    }

    // In real time once (Meta); the Vonage wait is checked with a recording sleep below.
    if (c.name === 'Meta') {
      it('429 with Retry-After: the wait asked for is honoured', async () => {
        fault({ kind: 'rate-limit', retryAfterSeconds: 1 });
        const t0 = performance.now();
        // The retry must not time out on a busy machine (a third request): the wait is what is checked here.
        const r = await run(c, { timeoutMs: 10_000 });
        assert.ok(performance.now() - t0 >= 950, `waited ${Math.round(performance.now() - t0)} ms`);
        assert.deepEqual(r.result, c.clean!.result);
        assert.equal(sb.stats.requests, 2);
      });
    }
  });

  describe(`${c.name}: persistent faults end in one clear error`, () => {
    it('429 without Retry-After, every time: retried, then the rate-limit error', async () => {
      fault({ kind: 'rate-limit', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'api');
      assert.equal(e.status, 429);
      assert.match(e.hint!, /wait/i);
      assert.equal(sb.stats.requests, MAX_RETRIES + 1);
    });

    it('429 asking for a longer wait than we accept: fails at once, saying how long', async () => {
      fault({ kind: 'rate-limit', retryAfterSeconds: 120, count: Infinity });
      const e = await rejection(run(c, { maxRetryWaitMs: 30_000 }));
      assertClear(e, c, 'api');
      assert.equal(e.retryAfterSeconds, 120);
      assert.match(e.message, new RegExp(`${c.name} asks to wait about 2 minutes; try again then\\.$`));
      assert.equal(sb.stats.requests, 1, 'no request is wasted');
    });

    it('5xx longer than the retries', async () => {
      fault({ kind: 'server-error', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'api');
      assert.equal(e.status, 503);
      assert.match(e.hint!, /try again/i);
      assert.equal(sb.stats.requests, MAX_RETRIES + 1);
    });

    it('no answer within the timeout, every time', async () => {
      fault({ kind: 'latency', ms: 5_000, count: Infinity });
      const t0 = performance.now();
      const e = await rejection(run(c, { maxRetries: 1 }));
      assertClear(e, c, 'timeout');
      assert.match(e.message, new RegExp(`did not answer within ${TIMEOUT_MS} ms`));
      assert.ok(performance.now() - t0 < 2 * TIMEOUT_MS + 1500, 'bounded by the timeouts');
      await settled();
      assert.equal(sb.stats.aborted, 2, 'each timed-out request was abandoned at the server too');
    });

    it('a drip slower than the timeout, every time: the timeout covers the whole body', async () => {
      fault({ kind: 'drip', ms: 60, count: Infinity });
      const t0 = performance.now();
      const e = await rejection(run(c, { maxRetries: 1 }));
      assertClear(e, c, 'timeout');
      assert.match(e.message, new RegExp(`did not finish answering within ${TIMEOUT_MS} ms`));
      assert.ok(performance.now() - t0 < 2 * TIMEOUT_MS + 1500, 'bounded by the timeouts');
      assert.equal(sb.stats.requests, 2);
      await settled();
    });

    it('connection reset mid-body, every time', async () => {
      fault({ kind: 'reset', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'network');
      assert.match(e.message, /lost the connection while answering/);
      assert.equal(sb.stats.requests, MAX_RETRIES + 1);
    });

    it('truncated body, every time', async () => {
      fault({ kind: 'truncated', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'network');
      assert.match(e.message, /lost the connection while answering/);
    });

    it('an HTML page with status 200, every time', async () => {
      fault({ kind: 'html-200', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'response');
      assert.match(e.message, /an HTML page instead of JSON \(HTTP 200\)/);
    });

    it('malformed JSON, every time', async () => {
      fault({ kind: 'malformed-json', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'response');
      assert.match(e.message, /malformed or truncated JSON/);
    });

    it('a valid body of an unexpected shape: not retried, the field named', async () => {
      fault({ kind: 'unexpected-shape', count: Infinity });
      const e = await rejection(run(c));
      assertClear(e, c, 'response');
      assert.ok(e.path, 'the path of the field');
      assert.ok(e.message.includes(e.path!));
      assert.equal(sb.stats.requests, 1);
    });
  });

  describe(`${c.name}: limits of the client`, () => {
    it('a page over the size limit is one clear error, not retried', async () => {
      fault({ kind: 'huge', bytes: 3 * 1024 * 1024, count: Infinity });
      const client = sandboxHttpClient(sb, c.provider().id, { maxBodyBytes: 1024 * 1024, retryBaseMs: 1 });
      const q = parseQuery(c.query());
      const url =
        c.name === 'Meta'
          ? `/${q.wabaId}?fields=${encodeURIComponent(`pricing_analytics.start(${(TODAY - 2 * DAY) / 1000}).end(${TODAY / 1000}).granularity(DAILY)`)}`
          : `/v1/channel-manager/whatsapp/wabas/${q.wabaId}/messaging-analytics?start=${day(TODAY - 2 * DAY)}&end=${day(TODAY - DAY)}&granularity=DAILY`;
      const e = await rejection(client.json({ url, endpoint: c.endpoint }));
      assertClear(e, c, 'response');
      assert.match(e.message, /answered more than 1 MB/);
      assert.equal(sb.stats.requests, 1, 'a body too large would be as large again');
      await settled();
    });

    it('an empty result is a result: no points, not partial, no error', async () => {
      const q = { ...c.query(), countryCodes: ['ZZ'] } as QueryInput;
      const r = await runQuery(c.provider(), q, { now: NOW });
      assert.deepEqual(r.result.points, []);
      assert.equal(r.partial, false);
      assert.ok(!r.result.warnings.some((w) => w.code === 'result.partial'));
      assert.equal(exportContent(parseQuery(q), r, 'csv'), 'start,end\r\n');
    });
  });
}

describe('Meta throttling codes with X-Business-Use-Case-Usage', () => {
  const c = cases[0]!;
  for (const code of [4, 17, 613, 80007, 80008]) {
    it(`code ${code}, access regained at once: retried, then the clean result`, async () => {
      sb.faults.add({ kind: 'rate-limit', graphCode: code, regainMinutes: 0, match: c.endpoint });
      const r = await run(c);
      assert.deepEqual(r.result, c.clean!.result);
      assert.equal(sb.stats.requests, 2);
    });
  }

  it('the wait the header asks for is the wait before the retry', async () => {
    const waits: number[] = [];
    const w = sb.data.wabas.meta[0]!;
    const client = sandboxHttpClient(sb, 'meta', {
      retryBaseMs: 1,
      maxRetryWaitMs: 120_000,
      sleep: async (ms) => void waits.push(ms),
    });
    sb.faults.add({ kind: 'rate-limit', graphCode: 17, regainMinutes: 1, match: 'currency' });
    sb.faults.add({ kind: 'rate-limit', graphCode: 80007, retryAfterSeconds: 7, match: 'currency' });
    const { body } = await client.json({ url: `/${w.id}`, query: { fields: 'id,currency' }, endpoint: 'waba' });
    assert.deepEqual(body, { id: w.id, currency: w.currency });
    assert.deepEqual(waits, [60_000, 7_000]);
  });

  it('a regain time longer than we accept: fails at once with the wait, code and status', async () => {
    const c0 = cases[0]!;
    sb.faults.add({ kind: 'rate-limit', graphCode: 4, regainMinutes: 1, match: c0.endpoint, count: Infinity });
    const e = await rejection(run(c0, { maxRetryWaitMs: 30_000 }));
    assertClear(e, c0, 'api');
    assert.equal(e.graphCode, 4);
    assert.equal(e.retryAfterSeconds, 60);
    assert.match(e.message, /Meta rate limit reached/);
    assert.match(e.message, /Meta asks to wait about 60 seconds; try again then\.$/);
    assert.equal(sb.stats.requests, 1);
  });
});

describe('Vonage Retry-After', () => {
  it('is the wait before the retry', async () => {
    const waits: number[] = [];
    const client = sandboxHttpClient(sb, 'vonage', {
      retryBaseMs: 1,
      sleep: async (ms) => void waits.push(ms),
    });
    sb.faults.add({ kind: 'rate-limit', retryAfterSeconds: 9, match: '/wabas' });
    sb.faults.add({ kind: 'rate-limit', match: '/wabas' });
    const { response } = await client.json({ url: '/v1/channel-manager/whatsapp/wabas', endpoint: 'wabas' });
    assert.equal(response.status, 200);
    assert.equal(waits[0], 9_000);
    assert.ok(waits[1]! > 0 && waits[1]! <= 2, 'no Retry-After: the backoff (base 1 ms, jittered)');
  });

  it('Retry-After as seconds or as an HTTP date; nonsense is ignored', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('1.5'), 1500);
    const at = Math.floor(NOW / 1000) * 1000;
    assert.equal(parseRetryAfter(new Date(at + 30_000).toUTCString(), at), 30_000);
    assert.equal(parseRetryAfter(new Date(at - 30_000).toUTCString(), at), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});

describe('bodies that are not JSON', () => {
  it('an empty body (HTTP 200) is a clear error, like HTML and truncated JSON', () => {
    const res = (text: string, ct = 'application/json') => ({ status: 200, headers: { 'content-type': ct }, text, url: 'x', durationMs: 1 });
    for (const [text, re] of [
      ['', /answered with an empty body \(HTTP 200\)\. Try again later\.$/],
      ['  \n', /empty body/],
      ['{"data": [1, 2', /malformed or truncated JSON/],
      ['<html><body>Oops</body></html>', /an HTML page instead of JSON/],
    ] as const) {
      assert.throws(
        () => parseJsonBody(res(text), 'vonage', 'pricing-analytics'),
        (e: unknown) => e instanceof WabaError && e.kind === 'response' && e.message.startsWith('Vonage pricing-analytics answered') && re.test(e.message),
      );
    }
  });
});

describe('a query that fails part-way', () => {
  // Twelve templates: two batches (10 + 2), each paged (25 data points a page).
  const c = cases[0]!;
  const w = () => sb.data.wabas.meta[0]!;
  const ids = () => w().templates.slice(0, 12).map((t) => t.id);
  const query = (): QueryInput => ({ provider: 'meta', kind: 'template', wabaId: w().id, from: day(TODAY - 30 * DAY), to: day(TODAY - 10 * DAY), templateIds: ids() });
  // Page 2 of the second batch (the only one asking for template 11).
  const secondBatchPage2 = () => new RegExp(`template_ids=\\[[^\\]]*${ids()[10]}[^&]*&.*after=|after=.*template_ids=\\[[^\\]]*${ids()[10]}`);

  it('by default: the query fails with the error, nothing partial is returned', async () => {
    sb.faults.add({ kind: 'status', status: 400, graphCode: 100, match: secondBatchPage2(), count: Infinity });
    const e = await rejection(runQuery(c.provider(), query(), { now: NOW, resolveCurrency: false }));
    assert.equal(e.endpoint, 'template_analytics');
    assert.equal(e.graphCode, 100);
    assert.ok(sb.stats.requests > 2, 'page 1 of the batch was fetched before page 2 failed');
  });

  it('with allowPartial: marked partial, says so, and holds no half of the failed batch', async () => {
    const full = await runQuery(c.provider(), query(), { now: NOW, resolveCurrency: false });
    assert.ok(full.requests > 2, 'the batches are paged');
    assert.deepEqual(new Set(full.result.points.map((p) => p.dims.template_id)), new Set(ids()));
    sb.faults.add({ kind: 'status', status: 400, graphCode: 100, match: secondBatchPage2(), count: Infinity });
    const r = await runQuery(c.provider(), query(), { now: NOW, resolveCurrency: false, allowPartial: true });
    assert.equal(r.partial, true);
    const warning = r.result.warnings.find((x) => x.code === 'result.partial');
    assert.ok(warning, JSON.stringify(r.result.warnings));
    assert.match(warning.message, /^Partial result: 1 of 2 requests failed/);
    assert.match(warning.message, /Meta template_analytics failed \(HTTP 400, code 100\)/);
    assert.match(warning.message, /incomplete; run the query again/);
    const kept = new Set(r.result.points.map((p) => p.dims.template_id));
    assert.deepEqual(kept, new Set(ids().slice(0, 10)), 'the failed batch is absent, not half there');
    assert.deepEqual(
      r.result.points,
      full.result.points.filter((p) => kept.has(p.dims.template_id!)),
    );

    // Kept partial data stays marked wherever it goes: the panel's columns, exports.
    assert.ok(toColumns(r.result).warnings.some((w) => w.code === 'result.partial' && w.message === warning.message));
    const q = parseQuery(query());
    const doc = JSON.parse(exportContent(q, r, 'json'));
    assert.equal(doc.partial, true);
    assert.deepEqual(doc.result.warnings.filter((w: { code: string }) => w.code === 'result.partial'), [warning]);
    const csv = exportContent(q, r, 'csv');
    assert.equal(csv.split('\r\n')[0], PARTIAL_CSV_LINE);
    assert.ok(!exportContent(q, full, 'csv').includes('PARTIAL'));
  });

  it('every unit failing is the error itself, even with allowPartial', async () => {
    sb.faults.add({ kind: 'status', status: 400, graphCode: 100, match: 'template_analytics', count: Infinity });
    const e = await rejection(runQuery(c.provider(), query(), { now: NOW, resolveCurrency: false, allowPartial: true }));
    assert.equal(e.graphCode, 100);
  });

  it('the CLI prints nothing and writes no file when a query fails part-way', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'waba-hard-'));
    const out = path.join(dir, 'r.json');
    sb.faults.add({ kind: 'unexpected-shape', match: secondBatchPage2(), count: Infinity });
    const env = { WABA_META_TOKEN: sb.credentials.metaToken, WABA_META_BASE_URL: sb.metaBaseUrl };
    const q = query() as { wabaId: string; from: string; to: string; templateIds: string[] };
    const args = ['query', 'template', '--provider', 'meta', '--waba', q.wabaId, '--from', q.from, '--to', q.to, '--templates', q.templateIds.join(','), '--out', out];
    const { code, stdout, stderr } = await captureCli(args, env);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^waba-analytics: Meta template_analytics answered a body that does not fit at /);
    assert.equal(stderr.trim().split('\n').length, 1);
    await assert.rejects(stat(out), 'no file written');
    // And the same query without the fault writes the file.
    sb.faults.clear();
    const ok = await captureCli(args, env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(JSON.parse(await readFile(out, 'utf8')).points.length > 0);
  });
});
