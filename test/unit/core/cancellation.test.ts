/**
 * Cancellation at any point of a query leaves no request running and no socket open: the sandbox
 * counts requests in flight, client aborts and open sockets. Each case starts its own sandbox so
 * that every socket it sees belongs to the case.
 */
import '../fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Semaphore } from '../../../src/core/concurrency';
import { DAY } from '../../../src/core/dates';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import { createMetaProvider } from '../../../src/providers/meta';
import type { MetaProviderConfig } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import { VONAGE_MAX_TEMPLATE_IDS } from '../../../src/providers/vonage/capabilities';
import type { Fault, Sandbox, SandboxOptions } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import { rejection, sandboxQueryService, sleep, waitFor } from '../helpers';
import { cancelProgress, recorded } from '../fakeVscode';

const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const meta = (sb: Sandbox, extra: MetaProviderConfig = {}) =>
  createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 5, maxRetries: 2, timeoutMs: 10_000, ...extra });
const vonageJwt = (sb: Sandbox) =>
  createVonageProvider(
    { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret, applicationId: sb.credentials.vonageApplicationId, privateKey: sb.credentials.vonagePrivateKey },
    { baseUrl: sb.vonageBaseUrl, now: () => NOW, retryBaseMs: 5, maxRetries: 2, timeoutMs: 10_000 },
  );
const vonageTemplateWaba = (sb: Sandbox) => sb.data.wabas.vonage.find((x) => x.insightsEnabled)!;
const pricing = (sb: Sandbox, days = 10): QueryInput => ({
  provider: 'meta',
  kind: 'pricing',
  wabaId: sb.data.wabas.meta[0]!.id,
  from: day(TODAY - days * DAY),
  to: day(TODAY - DAY),
  dimensions: ['COUNTRY'],
});

interface CancelCase {
  what: string;
  sandbox?: SandboxOptions;
  faults: Fault[];
  provider: (sb: Sandbox) => Provider;
  start: (p: Provider, sb: Sandbox, signal: AbortSignal) => Promise<unknown>;
  /** The moment to cancel at. */
  when: (sb: Sandbox) => boolean;
  /** Extra wait after `when` (to be inside a body, say). */
  thenMs?: number;
  /** The query again, uncancelled, on the same provider (it must still work). */
  again?: (p: Provider, sb: Sandbox) => Promise<unknown>;
}

const cases: CancelCase[] = [
  {
    what: 'waiting for the answer (no header yet)',
    faults: [{ kind: 'latency', ms: 5_000, match: 'pricing_analytics' }],
    provider: (sb) => meta(sb),
    start: (p, sb, signal) => runQuery(p, pricing(sb), { signal, now: NOW }),
    when: (sb) => sb.stats.inFlight === 1,
    again: (p, sb) => runQuery(p, pricing(sb), { now: NOW }),
  },
  {
    what: 'in the middle of a body (a server dripping bytes)',
    faults: [{ kind: 'drip', ms: 40, match: 'pricing_analytics' }],
    provider: (sb) => meta(sb),
    start: (p, sb, signal) => runQuery(p, pricing(sb, 60), { signal, now: NOW }),
    when: (sb) => sb.stats.inFlight === 1,
    thenMs: 120,
  },
  {
    what: 'waiting before a retry (backoff after a 503)',
    faults: [{ kind: 'server-error', match: 'pricing_analytics' }],
    provider: (sb) => meta(sb, { retryBaseMs: 20_000 }),
    start: (p, sb, signal) => runQuery(p, pricing(sb), { signal, now: NOW }),
    when: (sb) => sb.stats.requests === 1 && sb.stats.inFlight === 0,
    thenMs: 30,
  },
  {
    what: 'waiting for a Retry-After',
    faults: [{ kind: 'rate-limit', retryAfterSeconds: 30, match: 'pricing_analytics' }],
    provider: (sb) => meta(sb),
    start: (p, sb, signal) => runQuery(p, pricing(sb), { signal, now: NOW }),
    when: (sb) => sb.stats.requests === 1 && sb.stats.inFlight === 0,
    thenMs: 30,
  },
  {
    what: 'between pages (page 2 on the wire)',
    sandbox: { metaFieldPageSize: 20 },
    faults: [{ kind: 'latency', ms: 5_000, match: 'after=', count: Infinity }],
    provider: (sb) => meta(sb),
    // One at a time: one cursor chain (with more, the pages after the first are fetched as windows).
    start: (p, sb, signal) => runQuery(p, pricing(sb), { signal, now: NOW, concurrency: 1 }),
    when: (sb) => sb.stats.requests === 2 && sb.stats.inFlight === 1,
  },
  {
    what: 'queued behind the request limit (one running, the other windows waiting)',
    faults: [{ kind: 'latency', ms: 5_000, match: 'pricing_analytics', count: Infinity }],
    provider: (sb) => meta(sb, { concurrency: new Semaphore(1) }),
    // HALF_HOUR over 40 days: two windows.
    start: (p, sb, signal) => runQuery(p, { ...pricing(sb, 40), granularity: 'HALF_HOUR' } as QueryInput, { signal, now: NOW }),
    when: (sb) => sb.stats.inFlight === 1,
    thenMs: 50,
  },
  {
    // Field analytics ask for the currency in the same request; template analytics read it after the data.
    what: "reading the WABA's currency after the data",
    faults: [{ kind: 'latency', ms: 5_000, match: 'currency' }],
    provider: (sb) => meta(sb),
    start: (p, sb, signal) => {
      const w = sb.data.wabas.meta[0]!;
      return runQuery(p, { provider: 'meta', kind: 'template', wabaId: w.id, from: day(TODAY - 5 * DAY), to: day(TODAY - DAY), templateIds: [w.templates[0]!.id] }, { signal, now: NOW });
    },
    when: (sb) => (sb.stats.byEndpoint['meta waba'] ?? 0) === 1 && sb.stats.inFlight === 1,
  },
  {
    what: 'discovering accounts (several requests at once)',
    faults: [{ kind: 'latency', ms: 5_000, match: /businesses|phone_numbers|fields=/, count: Infinity }],
    provider: (sb) => meta(sb),
    start: (p, _sb, signal) => p.listWabas(signal),
    when: (sb) => sb.stats.inFlight >= 1,
    thenMs: 50,
  },
  {
    // More templates than one request takes: batches, all on the wire at once, each in the middle
    // of its body (every batch drips). The sandbox runs in this process, so it counts a request
    // only once it has read it: cancelling with one batch dripping and the others answered quickly
    // left their next pages written to the socket but not yet counted, and the count at the
    // cancellation was not what the client had sent. With every batch dripping nothing else can be
    // sent before the cancellation: the requests counted are all there are.
    what: 'Vonage template analytics (JWT) in the middle of a body (every batch on the wire)',
    faults: [{ kind: 'drip', ms: 40, match: 'template-analytics', count: Infinity }],
    provider: (sb) => vonageJwt(sb),
    start: (p, sb, signal) => {
      const w = vonageTemplateWaba(sb);
      assert.ok(w.templates.length > VONAGE_MAX_TEMPLATE_IDS, 'the demo WABA has more templates than one request takes');
      return runQuery(p, { provider: 'vonage', kind: 'template', wabaId: w.id, from: day(TODAY - 30 * DAY), to: day(TODAY - DAY), templateIds: w.templates.map((t) => t.id) }, { signal, now: NOW });
    },
    when: (sb) => sb.stats.inFlight === Math.ceil(vonageTemplateWaba(sb).templates.length / VONAGE_MAX_TEMPLATE_IDS),
    thenMs: 120,
  },
];

async function expectClean(sb: Sandbox, onWire: number, requestsAtCancel: number): Promise<void> {
  assert.ok(await waitFor(() => sb.stats.inFlight === 0, 2000), `requests still running: ${sb.stats.inFlight}`);
  assert.ok(await waitFor(() => sb.stats.openConnections === 0, 2000), `sockets still open: ${sb.stats.openConnections}`);
  assert.ok(await waitFor(() => sb.stats.aborted === onWire, 1000), `the ${onWire} request(s) on the wire were abandoned (aborted: ${sb.stats.aborted})`);
  await sleep(100);
  assert.equal(sb.stats.requests, requestsAtCancel, 'nothing is sent after the cancellation');
}

describe('cancellation', () => {
  it('before anything is sent: nothing is sent', async () => {
    const sb = await startSandbox({ now: () => NOW });
    try {
      const ac = new AbortController();
      ac.abort();
      const e = await rejection(runQuery(meta(sb), pricing(sb), { signal: ac.signal, now: NOW }));
      assert.equal(e.kind, 'cancelled');
      await sleep(50);
      assert.equal(sb.stats.requests, 0);
      assert.equal(sb.stats.openConnections, 0);
    } finally {
      await sb.close();
    }
  });

  for (const c of cases) {
    it(c.what, async () => {
      const sb = await startSandbox({ now: () => NOW, ...c.sandbox });
      try {
        for (const f of c.faults) sb.faults.add(f);
        const p = c.provider(sb);
        const ac = new AbortController();
        const pending = c.start(p, sb, ac.signal);
        pending.catch(() => undefined);
        assert.ok(await waitFor(() => c.when(sb), 5000), 'the query reached the point to cancel at');
        if (c.thenMs) await sleep(c.thenMs);
        const onWire = sb.stats.inFlight;
        const requestsAtCancel = sb.stats.requests;
        const t0 = performance.now();
        ac.abort();
        const e = await rejection(pending);
        assert.equal(e.kind, 'cancelled', e.message);
        assert.equal(e.message, 'The request was cancelled.');
        assert.ok(performance.now() - t0 < 500, `cancelled in ${Math.round(performance.now() - t0)} ms`);
        await expectClean(sb, onWire, requestsAtCancel);
        if (c.again) {
          // The provider still works after a cancellation (on new sockets).
          sb.faults.clear();
          await c.again(p, sb);
        }
      } finally {
        await sb.close();
      }
    });
  }

  it("the extension's query service: Cancel on the progress notification", async () => {
    const sb = await startSandbox({ now: () => NOW });
    const { service, dispose } = await sandboxQueryService(sb);
    try {
      sb.faults.add({ kind: 'latency', ms: 5_000, match: 'pricing_analytics', count: Infinity });
      recorded.reset();
      // The service fetches the previous period too (the KPI comparison), at the same time: Cancel
      // once both periods are on the wire aborts both, and nothing else is sent.
      const pending = service.run('c1', pricing(sb));
      pending.catch(() => undefined);
      assert.ok(await waitFor(() => sb.stats.inFlight === 2, 5000), 'both periods on the wire');
      assert.equal(sb.stats.requests, 2);
      cancelProgress();
      const e = await rejection(pending);
      assert.equal(e.kind, 'cancelled');
      await expectClean(sb, 2, 2);
      assert.equal(service.last, undefined, 'a cancelled query leaves no result behind');
      assert.equal(service.cache.size, 0);
      // Run again: the result comes with its comparison, and is cached.
      sb.faults.clear();
      const entry = await service.run('c1', pricing(sb));
      assert.equal(entry.run.partial, false);
      assert.ok(entry.run.previous && entry.run.previousRange, 'the previous period rides along');
      assert.equal(service.cache.size, 1);
    } finally {
      dispose();
      await sb.close();
    }
  });
});
