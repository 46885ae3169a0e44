/**
 * The demo's first impression: the sandbox's data looks like a healthy account for every demo WABA
 * of both providers over the last 30 days (delivery rate in the 90s, reads well below deliveries,
 * clicks a small share of reads, unique URL clicks part of the URL clicks), as fetched by the real
 * clients over 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { Point } from '../../../src/core/types';
import { createMetaProvider } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox, SandboxProvider } from '../../../src/sandbox';

const DAY = 86_400_000;
/** Wednesday 2 December 2026, 14:20 UTC. */
const NOW = Date.UTC(2026, 11, 2, 14, 20);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const FROM = day(NOW - 30 * DAY);
const TO = day(NOW - DAY);

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ now: () => NOW });
  // Insights on everywhere: a WABA without them has the same data once they are enabled.
  for (const w of [...sb.data.wabas.meta, ...sb.data.wabas.vonage]) w.insightsEnabled = true;
});
after(async () => {
  await sb?.close();
});

function client(p: SandboxProvider): Provider {
  return p === 'meta'
    ? createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW })
    : createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret }, { baseUrl: sb.vonageBaseUrl, now: () => NOW });
}
const sum = (points: readonly Point[], metric: string) => points.reduce((n, p) => n + (p.metrics[metric] ?? 0), 0);
const clicksOf = (points: readonly Point[], type: string) => points.reduce((n, p) => n + (p.clicks ?? []).filter((c) => c.type === type).reduce((m, c) => m + c.count, 0), 0);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

describe('sandbox: the demo looks like a healthy account', () => {
  for (const provider of ['meta', 'vonage'] as const) {
    it(`${provider}: every WABA delivers in the 90s, reads 40-75% of deliveries, clicks a small share of reads (last 30 days)`, async () => {
      const wabas = sb.data.wabas[provider];
      assert.ok(wabas.length >= 2, `${provider} has demo WABAs`);
      for (const waba of wabas) {
        const m = await runQuery(client(provider), { provider, kind: 'messaging', wabaId: waba.id, from: FROM, to: TO, granularity: 'DAILY' } as QueryInput, { now: NOW });
        const sent = sum(m.result.points, 'sent');
        const delivered = sum(m.result.points, 'delivered');
        assert.ok(sent > 1000, `${waba.name}: ${sent} messages sent`);
        assert.ok(delivered / sent >= 0.9 && delivered / sent < 1, `${waba.name}: messaging delivery rate ${pct(delivered / sent)}`);

        const t = await runQuery(
          client(provider),
          { provider, kind: 'template', wabaId: waba.id, from: FROM, to: TO, templateIds: waba.templates.map((x) => x.id) } as QueryInput,
          { now: NOW },
        );
        const ts = sum(t.result.points, 'sent');
        const td = sum(t.result.points, 'delivered');
        const tr = sum(t.result.points, 'read');
        const tc = sum(t.result.points, 'clicked');
        assert.ok(ts > 500, `${waba.name}: ${ts} template messages sent`);
        assert.ok(td / ts >= 0.9 && td / ts < 1, `${waba.name}: template delivery rate ${pct(td / ts)}`);
        assert.ok(tr / td >= 0.4 && tr / td <= 0.75, `${waba.name}: read rate ${pct(tr / td)}`);
        assert.ok(tc > 0 && tc / tr <= 0.2, `${waba.name}: clicks ${pct(tc / tr)} of reads`);
        // Every template that is sent at all: the same picture, not just the WABA on average.
        const byTemplate = new Map<string, [number, number, number]>();
        for (const p of t.result.points) {
          const a = byTemplate.get(p.dims.template_id!) ?? [0, 0, 0];
          a[0] += p.metrics.sent ?? 0;
          a[1] += p.metrics.delivered ?? 0;
          a[2] += p.metrics.read ?? 0;
          byTemplate.set(p.dims.template_id!, a);
        }
        for (const [id, [s, d, r]] of byTemplate) {
          if (s < 200) continue;
          assert.ok(d / s >= 0.88, `${waba.name} template ${id}: delivery rate ${pct(d / s)}`);
          assert.ok(r / d >= 0.35 && r / d <= 0.8, `${waba.name} template ${id}: read rate ${pct(r / d)}`);
        }
        if (provider === 'meta') {
          const url = clicksOf(t.result.points, 'url_button');
          const unique = clicksOf(t.result.points, 'unique_url_button');
          assert.ok(url > 0 && unique > 0 && unique < url, `${waba.name}: ${unique} unique of ${url} URL clicks`);
        }
      }
    });
  }
});
