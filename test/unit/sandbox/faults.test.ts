/** The sandbox's fault switches and request statistics, through real sockets. */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox } from '../../../src/sandbox';
import { META_AUTH, VONAGE_BASIC } from '../helpers';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 10, 17);
const TODAY = Date.UTC(2026, 5, 15);
const sec = (ms: number) => Math.floor(ms / 1000);

let sb: Sandbox;
let wabaUrl: string;
let pricingUrl: string;
let templatesUrl: string;
let vonageUrl: string;

before(async () => {
  sb = await startSandbox({ now: () => NOW });
  const w = sb.data.wabas.meta[0]!;
  wabaUrl = `${sb.metaBaseUrl}/v25.0/${w.id}?fields=id,name,currency`;
  pricingUrl = `${sb.metaBaseUrl}/v25.0/${w.id}?fields=${encodeURIComponent(`pricing_analytics.start(${sec(TODAY - 2 * DAY)}).end(${sec(TODAY)}).granularity(DAILY).dimensions(["COUNTRY"])`)}`;
  templatesUrl = `${sb.metaBaseUrl}/v25.0/${w.id}/message_templates?limit=5`;
  vonageUrl = `${sb.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas`;
});
after(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.faults.clear();
  sb.stats.reset();
});

const metaGet = (url: string, init: RequestInit = {}) => fetch(url, { headers: META_AUTH, ...init });

describe('fault switches', () => {
  it('status: answers the status with a Graph error, for `count` matching requests only', async () => {
    sb.faults.add({ kind: 'status', status: 503, count: 2, match: 'message_templates' });
    assert.equal(sb.faults.pending.length, 1);
    const plain = await metaGet(wabaUrl);
    assert.equal(plain.status, 200, 'a request that does not match is served');
    await plain.arrayBuffer();
    for (let i = 0; i < 2; i++) {
      const r = await metaGet(templatesUrl);
      assert.equal(r.status, 503);
      const body = (await r.json()) as { error: { code: number; fbtrace_id: string } };
      assert.equal(body.error.code, 80007);
      assert.ok(body.error.fbtrace_id);
      if (i === 0) assert.equal(sb.faults.pending[0]!.count, 1);
    }
    assert.deepEqual(sb.faults.pending, []);
    const ok = await metaGet(templatesUrl);
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
  });

  it('rate-limit (Meta): 429 with code, X-Business-Use-Case-Usage and Retry-After only when asked', async () => {
    sb.faults.add({ kind: 'rate-limit', regainMinutes: 3, graphCode: 4 });
    const r = await metaGet(wabaUrl);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), null);
    const usage = JSON.parse(r.headers.get('x-business-use-case-usage')!) as Record<string, Array<{ estimated_time_to_regain_access: number; type: string }>>;
    assert.equal(usage[sb.data.business.id]![0]!.estimated_time_to_regain_access, 3);
    assert.equal(((await r.json()) as { error: { code: number } }).error.code, 4);
    sb.faults.add({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const r2 = await metaGet(wabaUrl);
    assert.equal(r2.headers.get('retry-after'), '7');
    assert.equal(((await r2.json()) as { error: { code: number } }).error.code, 80007);
  });

  it('rate-limit and server-error (Vonage): problem+json, Retry-After', async () => {
    sb.faults.add({ kind: 'rate-limit', retryAfterSeconds: 2, match: /\/vonage\// });
    const r = await fetch(vonageUrl, { headers: VONAGE_BASIC });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.match(r.headers.get('content-type')!, /application\/problem\+json/);
    const body = (await r.json()) as { title: string; instance: string };
    assert.equal(body.title, 'Too Many Requests');
    assert.equal(r.headers.get('x-request-id'), body.instance);
    sb.faults.add({ kind: 'server-error', status: 502 });
    const e = await fetch(vonageUrl, { headers: VONAGE_BASIC });
    assert.equal(e.status, 502);
    assert.match(((await e.json()) as { type: string }).type, /internal-error/);
  });

  it('server-error (Meta): 5xx with a Graph error body', async () => {
    sb.faults.add({ kind: 'server-error' });
    const r = await metaGet(wabaUrl);
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as { error: { code: number } }).error.code, 2);
  });

  it('malformed-json and html-200 answer 200 with a body that is not JSON', async () => {
    sb.faults.add({ kind: 'malformed-json' });
    const r = await metaGet(pricingUrl);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /json/);
    const text = await r.text();
    assert.throws(() => JSON.parse(text));
    sb.faults.add({ kind: 'html-200' });
    const h = await metaGet(pricingUrl);
    assert.equal(h.status, 200);
    assert.match(h.headers.get('content-type')!, /text\/html/);
    assert.match(await h.text(), /^<!DOCTYPE html>/);
  });

  it('truncated and reset bodies fail while reading', async () => {
    sb.faults.add({ kind: 'truncated' });
    const t = await metaGet(pricingUrl);
    assert.equal(t.status, 200);
    assert.ok(Number(t.headers.get('content-length')) > 0);
    await assert.rejects(t.text());
    sb.faults.add({ kind: 'reset' });
    await assert.rejects(async () => {
      const r = await metaGet(pricingUrl);
      await r.text();
    });
    // The next request is served normally on a new connection.
    const ok = await metaGet(pricingUrl);
    assert.equal(ok.status, 200);
    JSON.parse(await ok.text());
    assert.equal(sb.stats.aborted, 0, 'faults that cut the connection on purpose are not client aborts');
  });

  it('drip sends the same body slowly; latency delays the answer', async () => {
    const normal = await (await metaGet(pricingUrl)).text();
    sb.faults.add({ kind: 'drip', ms: 15 });
    const t0 = performance.now();
    const dripped = await (await metaGet(pricingUrl)).text();
    const dripMs = performance.now() - t0;
    assert.equal(dripped, normal);
    assert.ok(dripMs >= 15 * Math.min(5, Math.floor(normal.length / 64)), `dripped in ${dripMs} ms`);
    sb.faults.add({ kind: 'latency', ms: 120 });
    const t1 = performance.now();
    const late = await metaGet(wabaUrl);
    assert.equal(late.status, 200);
    await late.arrayBuffer();
    assert.ok(performance.now() - t1 >= 110);
  });

  it('huge pads a valid page to about the size asked', async () => {
    const normal = (await (await metaGet(pricingUrl)).json()) as Record<string, unknown>;
    sb.faults.add({ kind: 'huge', bytes: 300_000 });
    const r = await metaGet(pricingUrl);
    const text = await r.text();
    assert.ok(text.length >= 290_000 && text.length <= 310_000, String(text.length));
    const body = JSON.parse(text) as Record<string, unknown>;
    delete body.sandbox_padding;
    assert.deepEqual(body, normal);
  });

  it('unexpected-shape answers valid JSON of the wrong shape', async () => {
    sb.faults.add({ kind: 'unexpected-shape', count: 3 });
    const a = (await (await metaGet(pricingUrl)).json()) as { pricing_analytics: { data: unknown } };
    assert.equal(typeof a.pricing_analytics.data, 'string');
    const t = (await (await metaGet(templatesUrl)).json()) as { data: unknown };
    assert.equal(typeof t.data, 'string');
    const n = (await (await metaGet(wabaUrl)).json()) as unknown;
    assert.ok(Array.isArray(n), 'a body without arrays comes wrapped in one');
  });

  it('Infinity counts stay until cleared; unknown kinds are refused', async () => {
    sb.faults.add({ kind: 'status', status: 500, count: Infinity, match: /currency/ });
    for (let i = 0; i < 3; i++) {
      const r = await metaGet(wabaUrl);
      assert.equal(r.status, 500);
      await r.arrayBuffer();
    }
    assert.equal(sb.faults.pending[0]!.count, Infinity);
    sb.faults.clear();
    const r = await metaGet(wabaUrl);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    assert.throws(() => sb.faults.add({ kind: 'explode' as never }));
  });
});

describe('stats', () => {
  it('counts requests by endpoint and resets', async () => {
    for (const u of [wabaUrl, pricingUrl, pricingUrl, templatesUrl]) await (await metaGet(u)).arrayBuffer();
    await (await fetch(`${vonageUrl}/${sb.data.wabas.vonage[0]!.id}/messaging-analytics?start=2026-06-01&end=2026-06-02&granularity=DAILY`, { headers: VONAGE_BASIC })).arrayBuffer();
    assert.equal(sb.stats.requests, 5);
    assert.deepEqual(
      { ...sb.stats.byEndpoint },
      { 'meta waba': 1, 'meta pricing_analytics': 2, 'meta message_templates': 1, 'vonage messaging-analytics': 1 },
    );
    assert.ok(sb.stats.openConnections >= 1, 'keep-alive sockets stay open');
    sb.stats.reset();
    assert.deepEqual([sb.stats.requests, sb.stats.maxInFlight, Object.keys(sb.stats.byEndpoint).length], [0, 0, 0]);
  });

  it('tracks requests in flight and client aborts', async () => {
    sb.faults.add({ kind: 'latency', ms: 150, count: Infinity });
    const responses = await Promise.all(Array.from({ length: 5 }, () => metaGet(wabaUrl)));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    assert.ok(sb.stats.maxInFlight >= 5, `maxInFlight ${sb.stats.maxInFlight}`);
    assert.equal(sb.stats.inFlight, 0);
    const ac = new AbortController();
    const pending = metaGet(wabaUrl, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sb.stats.inFlight, 1);
    ac.abort();
    await assert.rejects(pending);
    for (let i = 0; i < 50 && sb.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sb.stats.aborted, 1);
    assert.equal(sb.stats.inFlight, 0);
  });
});
