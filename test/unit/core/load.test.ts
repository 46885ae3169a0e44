/**
 * Load: 20 WABAs x 4 kinds of query at once, against four sandboxes (five WABAs each), through one
 * request limit shared by every provider (as the extension's connections share it). The limit is
 * never exceeded (the sandboxes count requests in flight), every result equals the sandbox's own
 * totals, and memory comes back to its baseline afterwards.
 *
 * Memory is measured after a full garbage collection: the file turns on `gc` itself
 * (v8.setFlagsFromString + vm), so it runs under plain `node --test`, no flag needed.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Semaphore } from '../../../src/core/concurrency';
import { DAY } from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import type { SandboxKind } from '../../../src/sandbox/data';
import { runQuery } from '../../../src/core/run';
import type { Kind, QueryRun } from '../../../src/core/types';
import { createMetaProvider } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import type { Sandbox, SandboxWaba } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CONCURRENCY = 4;
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const FROM = TODAY - 7 * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Target {
  sb: Sandbox;
  waba: SandboxWaba;
  provider: Provider;
}

const sandboxes: Sandbox[] = [];
const targets: Target[] = [];
const limiter = new Semaphore(CONCURRENCY);
/** Requests in flight across all sandboxes, now and at most (counted by the sandboxes themselves). */
const inFlight = { now: 0, max: 0 };

/** Sum the sandboxes' own in-flight counters: every change of one of them goes through here. */
function watch(sb: Sandbox): void {
  let value = sb.stats.inFlight;
  Object.defineProperty(sb.stats, 'inFlight', {
    get: () => value,
    set: (v: number) => {
      inFlight.now += v - value;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      value = v;
    },
  });
}

before(async () => {
  for (let seed = 1; seed <= 4; seed++) {
    const sb = await startSandbox({ seed, now: () => NOW });
    watch(sb);
    sandboxes.push(sb);
    const common = { now: () => NOW, concurrency: limiter, retryBaseMs: 5 };
    const meta = createMetaProvider({ accessToken: sb.credentials.metaToken }, { ...common, baseUrl: sb.metaBaseUrl });
    const vonage = createVonageProvider(
      { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret, applicationId: sb.credentials.vonageApplicationId, privateKey: sb.credentials.vonagePrivateKey },
      { ...common, baseUrl: sb.vonageBaseUrl },
    );
    for (const waba of sb.data.wabas.meta) targets.push({ sb, waba, provider: meta });
    for (const waba of sb.data.wabas.vonage) targets.push({ sb, waba, provider: vonage });
    // Template analytics need insights: turn them on where they are off.
    for (const t of targets.filter((x) => x.sb === sb && !x.waba.insightsEnabled)) await t.provider.enableInsights(t.waba.id);
  }
  assert.equal(new Set(targets.map((t) => t.waba.id)).size, 20, '20 distinct WABAs');
});

after(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
});

function queryOf(t: Target, kind: Kind): QueryInput {
  const base = { provider: t.waba.provider, kind, wabaId: t.waba.id, from: day(FROM), to: day(TODAY - DAY) } as const;
  if (kind === 'template') return { ...base, kind, templateIds: t.waba.templates.slice(0, 12).map((x) => x.id) };
  if (kind === 'pricing') return { ...base, kind, dimensions: ['COUNTRY'] };
  return { ...base, kind } as QueryInput;
}

/** The four kinds both providers' dashboards open together (the newer Meta kinds have their own tests). */
const LOAD_KINDS: readonly Kind[] = ['messaging', 'conversation', 'pricing', 'template'];

const METRICS: Partial<Record<Kind, string[]>> = { messaging: ['sent', 'delivered'], conversation: ['conversation'], pricing: ['volume'], template: ['sent', 'delivered'] };

/** Every result against the sandbox's totals; Vonage conversation is refused before sending. */
function check(t: Target, kind: Kind, outcome: PromiseSettledResult<QueryRun>): void {
  const label = `${t.waba.provider} ${t.waba.id} ${kind}`;
  if (t.waba.provider === 'vonage' && kind === 'conversation') {
    assert.equal(outcome.status, 'rejected', label);
    const e = (outcome as PromiseRejectedResult).reason;
    assert.ok(e instanceof WabaError && e.kind === 'input' && /not offered by Vonage/.test(e.message), label);
    return;
  }
  assert.equal(outcome.status, 'fulfilled', `${label}: ${outcome.status === 'rejected' ? String(outcome.reason) : ''}`);
  const run = (outcome as PromiseFulfilledResult<QueryRun>).value;
  assert.equal(run.partial, false, label);
  assert.equal(run.result.wabaId, t.waba.id);
  assert.ok(run.result.points.length > 0, label);
  const filters = kind === 'template' ? { templateIds: t.waba.templates.slice(0, 12).map((x) => x.id) } : undefined;
  const totals = t.sb.data.totals({ provider: t.waba.provider, wabaId: t.waba.id, kind: kind as SandboxKind, startMs: FROM, endMs: TODAY, filters });
  for (const m of METRICS[kind] ?? []) {
    const got = run.result.points.reduce((n, p) => n + (p.metrics[m] ?? 0), 0);
    assert.equal(got, totals[m], `${label} ${m}`);
  }
}

/** The 80 queries at once; resolves when all are settled, each checked. */
async function load(): Promise<number> {
  const jobs = targets.flatMap((t) => LOAD_KINDS.map((kind) => ({ t, kind })));
  assert.equal(jobs.length, 80);
  const outcomes = await Promise.allSettled(jobs.map(({ t, kind }) => runQuery(t.provider, queryOf(t, kind), { now: NOW, concurrency: CONCURRENCY })));
  jobs.forEach(({ t, kind }, i) => check(t, kind, outcomes[i]!));
  return outcomes.filter((o) => o.status === 'fulfilled').length;
}

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe('load: 20 WABAs x 4 kinds at once', () => {
  it('never more requests in flight than the setting, every result right, memory back to its baseline', async () => {
    for (const sb of sandboxes) sb.faults.add({ kind: 'latency', ms: 3, count: Infinity });
    // A first round warms everything up (code, the sandboxes' caches).
    inFlight.max = 0;
    assert.equal(await load(), 72);
    assert.equal(inFlight.now, 0);
    assert.equal(inFlight.max, CONCURRENCY, `the limit is reached and never exceeded (max ${inFlight.max})`);
    const baseline = heapAfterGc();

    for (const sb of sandboxes) sb.stats.reset();
    inFlight.max = 0;
    const t0 = performance.now();
    assert.equal(await load(), 72);
    const ms = performance.now() - t0;
    assert.equal(inFlight.max, CONCURRENCY, `max in flight ${inFlight.max}`);
    for (const sb of sandboxes) assert.ok(sb.stats.maxInFlight <= CONCURRENCY);
    const requests = sandboxes.reduce((n, sb) => n + sb.stats.requests, 0);
    assert.ok(requests >= 72, `${requests} requests in ${Math.round(ms)} ms`);
    assert.equal(limiter.inFlight, 0, 'the limiter is free again');

    // A third round: memory after each round stays at the baseline (within a tolerance for
    // what V8 keeps around), however many rounds run.
    const afterSecond = heapAfterGc();
    await load();
    const afterThird = heapAfterGc();
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    const tolerance = 3 * 1048576;
    assert.ok(afterSecond - baseline < tolerance, `after the load ${mb(afterSecond)} vs baseline ${mb(baseline)}`);
    assert.ok(afterThird - baseline < tolerance, `after another load ${mb(afterThird)} vs baseline ${mb(baseline)}`);
  });
});

describe('load: the request limit itself', () => {
  it('holds under any interleaving of starts, ends and cancellations (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ ms: fc.integer({ min: 0, max: 3 }), cancelAfter: fc.option(fc.integer({ min: 0, max: 4 })) }), { minLength: 1, maxLength: 30 }),
        async (limit, tasks) => {
          const s = new Semaphore(limit);
          let now = 0;
          let max = 0;
          let ran = 0;
          const outcomes = await Promise.allSettled(
            tasks.map(async ({ ms, cancelAfter }) => {
              const ac = new AbortController();
              if (cancelAfter !== null) setTimeout(() => ac.abort(), cancelAfter);
              return s.run(async () => {
                now++;
                max = Math.max(max, now);
                ran++;
                await new Promise((r) => setTimeout(r, ms));
                now--;
              }, ac.signal);
            }),
          );
          assert.ok(max <= limit, `${max} at once with a limit of ${limit}`);
          assert.equal(s.inFlight, 0);
          assert.equal(ran, outcomes.filter((o) => o.status === 'fulfilled').length);
          for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof WabaError && o.reason.kind === 'cancelled');
          assert.ok(tasks.some((t) => t.cancelAfter !== null) || ran === tasks.length, 'every task not cancelled ran');
        },
      ),
      { numRuns: 100 },
    );
  });
});
