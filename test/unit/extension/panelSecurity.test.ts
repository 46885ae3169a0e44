/**
 * Webview: the HTML every panel gets (through the real AnalyticsPanel) has the strict policy and
 * no script without the nonce, whatever the title; messages that do not fit the protocol
 * (fuzzed) are dropped and logged, never acted on.
 */
import { FakeUri, fakePanel, recorded } from '../fakeVscode';
import type { FakePanel } from '../fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseQuery } from '../../../src/core/query';
import type { Query } from '../../../src/core/query';
import type { QueryRun } from '../../../src/core/types';
import { escapeHtml, panelCsp, renderPanelHtml } from '../../../src/extension/panelHtml';
import type { PanelHost } from '../../../src/extension/panels';
import { AnalyticsPanel, isNeedsInsights } from '../../../src/extension/panels';
import { WabaError } from '../../../src/core/errors';
import { runQuery } from '../../../src/core/run';
import { createMetaProvider } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import { startSandbox } from '../../../src/sandbox';
import type { RunEntry } from '../../../src/extension/queryService';
import type { PanelContext } from '../../../src/protocol';
import { WebviewMessageSchema } from '../../../src/protocol';

const query = parseQuery({ kind: 'template', provider: 'meta', wabaId: '123', from: '2026-11-01', to: '2026-11-03', templateIds: ['111'] });
const run: QueryRun = {
  result: {
    provider: 'meta',
    kind: 'template',
    wabaId: '123',
    granularity: 'DAILY',
    timezone: 'UTC',
    points: [{ start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', dims: { template_id: '111' }, metrics: { sent: 3 } }],
    warnings: [],
  },
  requests: 1,
  partial: false,
};
const entry = (wabaName?: string): RunEntry & { wabaName?: string } => ({ connectionId: 'c1', connectionLabel: 'Conn', query, run, fetchedAt: '2026-11-04T00:00:00Z', fromCache: false, wabaName });

/** A panel host that records every action a message could trigger. */
function host(wabaName?: string) {
  const calls: string[] = [];
  const h: PanelHost = {
    extensionUri: FakeUri.file('/ext') as never,
    run: async (_c: string, q: Query) => {
      calls.push('run');
      return { ...entry(), query: q };
    },
    resolveConnection: async () => {
      calls.push('resolveConnection');
      return 'c1';
    },
    context: (): PanelContext => ({ templateNames: {}, wabaName, connectionLabel: 'Conn' }),
    exportEntry: async () => {
      calls.push('exportEntry');
      return FakeUri.file('/ws/x.json') as never;
    },
    saveQuery: async () => {
      calls.push('saveQuery');
      return FakeUri.file('/ws/x.waba-query.json') as never;
    },
    enableInsights: async () => {
      calls.push('enableInsights');
      return true;
    },
  };
  return { h, calls };
}

function openPanel(wabaName?: string): { panel: FakePanel; calls: string[] } {
  const { h, calls } = host(wabaName);
  recorded.panels.length = 0;
  AnalyticsPanel.create(h, 'c1', entry(wabaName));
  const panel = recorded.panels.at(-1)!;
  panel.webview.receive({ type: 'ready' });
  return { panel, calls };
}

const flush = () => new Promise((r) => setImmediate(r));

/** The CSP and the nonces of an HTML page; fails unless the page is strict. */
function assertStrict(html: string, cspSource: string): string {
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1, 'one policy');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal((html.match(/<script\b/gi) ?? []).length, scripts.length);
  assert.ok(scripts.length >= 1);
  const nonce = /\bnonce="([^"]+)"/.exec(scripts[0]![1]!)?.[1];
  assert.ok(nonce && Buffer.from(nonce, 'base64').length >= 16, 'a nonce of at least 128 bits');
  assert.equal(metas[0]![1], panelCsp(cspSource, nonce));
  for (const [, attrs, body] of scripts) {
    assert.ok(attrs!.includes(`nonce="${nonce}"`), 'every script carries the nonce');
    assert.equal(body!.trim(), '', 'no inline script');
  }
  // Markup only: the title's text is escaped text, whatever words it holds.
  const markup = html.replace(/<title>[^<]*<\/title>/, '<title></title>');
  assert.ok(!/\son[a-z]+\s*=|javascript:|<style\b|\sstyle\s*=/i.test(markup), 'nothing inline');
  assert.ok(html.indexOf('Content-Security-Policy') < html.search(/<script|<link/));
  return nonce;
}

describe('webview: panel HTML', () => {
  it('every panel the extension opens, new or restored, gets the strict policy and a fresh nonce', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { panel } = openPanel();
      nonces.add(assertStrict(panel.webview.html, panel.webview.cspSource));
    }
    const restored = fakePanel('restored');
    const { h } = host();
    await AnalyticsPanel.revive(restored as never, h, { query, chartType: 'bar' });
    nonces.add(assertStrict(restored.webview.html, restored.webview.cspSource));
    const broken = fakePanel('broken');
    await AnalyticsPanel.revive(broken as never, h, { junk: true });
    nonces.add(assertStrict(broken.webview.html, broken.webview.cspSource));
    assert.equal(nonces.size, 7, 'never the same nonce twice');
  });

  it('a WABA name from the API cannot add markup to the page', () => {
    const { panel } = openPanel('</title><script>alert(1)</script><img src=x onerror=alert(2)>');
    assertStrict(panel.webview.html, panel.webview.cspSource);
    assert.ok(panel.webview.html.includes('&lt;/title&gt;&lt;script&gt;'));
  });

  it('whatever the title, the page keeps one policy and only the nonce script (fuzzed)', () => {
    const fragments = fc.constantFrom('<', '>', '"', "'", '&', '</title>', '<script>', '</script>', '<meta http-equiv="Content-Security-Policy" content="">', 'onload=', 'javascript:', '\u2028', '<!--', ']]>');
    const title = fc.oneof(fc.string(), fc.array(fc.oneof(fragments, fc.string({ maxLength: 5 })), { maxLength: 12 }).map((a) => a.join('')));
    fc.assert(
      fc.property(title, fc.uint8Array({ minLength: 16, maxLength: 32 }), (t, bytes) => {
        const nonce = Buffer.from(bytes).toString('base64');
        const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
        const html = renderPanelHtml({ cspSource, nonce, scriptUri: `${cspSource}/dist/webview.js`, styleUri: `${cspSource}/media/panel.css`, title: t });
        assert.equal(assertStrict(html, cspSource), nonce);
        assert.ok(html.includes(`<title>${escapeHtml(t)}</title>`));
      }),
      { numRuns: 500 },
    );
  });
});

describe('webview: messages', () => {
  const valid = [
    { type: 'run', requestId: 1, query },
    { type: 'export', requestId: 2, format: 'json' },
    { type: 'saveQuery', requestId: 3 },
    { type: 'enableInsights', requestId: 4 },
    { type: 'openSettings', requestId: 5 },
  ];
  const junkValue = fc.oneof(
    fc.anything({ withTypedArray: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true }),
    fc.constantFrom(NaN, Infinity, -1.5, 2 ** 60, '1', '', 'json ', 'JSON', 'xlsx', '../../x', null, [], {}, { __proto__: { type: 'export' } }),
  );
  /** A valid message with one field (or the type) replaced, removed, or the whole message wrapped. */
  const nearMiss = fc.tuple(fc.constantFrom(...valid), fc.constantFrom('type', 'requestId', 'format', 'query', 'query.kind', 'query.from', 'query.templateIds'), junkValue, fc.nat(3)).map(([m, key, value, how]) => {
    const copy = structuredClone(m) as Record<string, unknown>;
    if (how === 3) return [copy];
    const [k, sub] = key.split('.') as [string, string | undefined];
    const target = sub ? (copy[k] as Record<string, unknown> | undefined) : copy;
    if (!target || typeof target !== 'object') return { ...copy, type: value };
    if (how === 2) delete target[sub ?? k];
    else target[sub ?? k] = value;
    return copy;
  });
  const fuzz = fc.oneof(junkValue, nearMiss, fc.record({ type: fc.string(), requestId: fc.integer() }));

  it('a message that does not fit is dropped with a log line: no action, no reply, no command', async () => {
    const { panel, calls } = openPanel();
    await flush();
    const posted = panel.webview.posted.length;
    let sent = 0;
    recorded.reset();
    await fc.assert(
      fc.asyncProperty(fuzz, async (m) => {
        fc.pre(!WebviewMessageSchema.safeParse(m).success);
        sent++;
        panel.webview.receive(m);
        await flush();
      }),
      { numRuns: 600 },
    );
    assert.ok(sent > 400, `enough messages tried (${sent})`);
    assert.deepEqual(calls, [], 'nothing acted on');
    assert.deepEqual(recorded.commands, [], 'no command run');
    assert.equal(panel.webview.posted.length, posted, 'no reply');
    const dropped = recorded.log.filter((l) => l.includes('warn Dropped a panel message that does not fit the protocol'));
    assert.equal(dropped.length, sent, 'each one logged');
    assert.ok(recorded.log.every((l) => l.length < 2000), 'log lines stay short');
  });

  it('the same panel still acts on messages that fit', async () => {
    const { panel, calls } = openPanel();
    recorded.reset();
    for (const m of valid) panel.webview.receive(m);
    for (let i = 0; i < 5; i++) await flush();
    assert.deepEqual([...calls].sort(), ['enableInsights', 'exportEntry', 'run', 'saveQuery']);
    assert.deepEqual(
      recorded.commands.map((c) => c.id),
      ['workbench.action.openSettings'],
    );
    const replies = panel.webview.posted.filter((m) => (m as { type: string }).type === 'reply') as Array<{ requestId: number; ok: boolean }>;
    assert.deepEqual(replies.map((r) => r.requestId).sort(), [1, 2, 3, 4, 5]);
    assert.ok(replies.every((r) => r.ok));
    assert.ok(!recorded.log.some((l) => l.includes('Dropped')));
  });
});

describe('webview: the insights offer is decided by the error reason, never its words', () => {
  /** The error message a panel that failed with `error` posts, once ready. */
  function failedPanel(q: Query, error: unknown): { needsInsights?: boolean; message: string } {
    const { h } = host();
    recorded.panels.length = 0;
    AnalyticsPanel.createFailed(h, 'c1', q, error);
    const panel = recorded.panels.at(-1)!;
    panel.webview.receive({ type: 'ready' });
    const m = panel.webview.posted.filter((x) => (x as { type: string }).type === 'error').at(-1) as { needsInsights?: boolean; message: string };
    assert.ok(m, 'an error was posted');
    return m;
  }

  it('Meta (code 200, subcode 2388096) and Vonage (403 "Insights not enabled") from the sandbox, through real sockets', async () => {
    const sb = await startSandbox();
    try {
      const now = Date.now();
      const day = new Date(now - 2 * 86_400_000).toISOString().slice(0, 10);
      const meta = createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl });
      const vonage = createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret }, { baseUrl: sb.vonageBaseUrl });
      for (const [p, w] of [
        [meta, sb.data.wabas.meta.find((x) => !x.insightsEnabled)!],
        [vonage, sb.data.wabas.vonage.find((x) => !x.insightsEnabled)!],
      ] as const) {
        const q = parseQuery({ kind: 'template', provider: p.id, wabaId: w.id, from: day, to: day, templateIds: [w.templates[0]!.id] });
        const e = await runQuery(p, q, { resolveCurrency: false }).then(
          () => assert.fail('refused'),
          (x: unknown) => x,
        );
        assert.ok(e instanceof WabaError && e.reason === 'insights-disabled', String(e));
        assert.equal(isNeedsInsights(e), true);
        assert.equal(failedPanel(q, e).needsInsights, true);
      }
    } finally {
      await sb.close();
    }
  });

  it('an error that only says "insights" in words is not offered the enablement', () => {
    const words = new WabaError('api', 'Insights not enabled: template analytics are not enabled (insights)', { provider: 'vonage', status: 403, problemTitle: 'Insights not enabled' });
    assert.equal(isNeedsInsights(words), false);
    assert.equal(failedPanel(query, words).needsInsights, false);
    assert.equal(isNeedsInsights(new WabaError('api', 'x', { reason: 'insights-disabled' })), true);
  });
});
