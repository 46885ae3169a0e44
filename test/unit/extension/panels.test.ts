/**
 * The panel's lifecycle through the real AnalyticsPanel and the vscode stand-in: options defined
 * once, a document that never says `ready` leads to an error with Reload (which loads it again),
 * a failed re-run keeps the previous result (and its title), a panel that comes back shows both,
 * and everything it listens to goes with it.
 */
import { FakeUri, fakePanel, recorded, user } from '../fakeVscode';
import type { FakePanel } from '../fakeVscode';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { resolveRelativeRange } from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import { parseQuery } from '../../../src/core/query';
import type { Query } from '../../../src/core/query';
import type { QueryRun } from '../../../src/core/types';
import type { PanelHost } from '../../../src/extension/panels';
import { AnalyticsPanel, READY_TIMEOUT_MS, panelOptions, sameQuery } from '../../../src/extension/panels';
import type { RunEntry } from '../../../src/extension/queryService';
import type { HostMessage, PanelContext } from '../../../src/protocol';

const nov = parseQuery({ kind: 'messaging', provider: 'meta', wabaId: '123', from: '2026-11-01', to: '2026-11-03' });
const dec = parseQuery({ kind: 'messaging', provider: 'meta', wabaId: '123', from: '2026-12-01', to: '2026-12-03' });
const run: QueryRun = {
  result: {
    provider: 'meta',
    kind: 'messaging',
    wabaId: '123',
    granularity: 'DAILY',
    timezone: 'UTC',
    points: [{ start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', dims: {}, metrics: { sent: 3, delivered: 2 } }],
    warnings: [],
  },
  requests: 1,
  partial: false,
};
const entryFor = (query: Query): RunEntry => ({ connectionId: 'c1', connectionLabel: 'Conn', query, run, fetchedAt: '2026-11-04T00:00:00Z', fromCache: false });

function host(fail?: (q: Query) => unknown): PanelHost {
  return {
    extensionUri: FakeUri.file('/ext') as never,
    run: async (_c, q) => {
      const e = fail?.(q);
      if (e) throw e;
      return entryFor(q);
    },
    resolveConnection: async () => 'c1',
    context: (): PanelContext => ({ templateNames: {}, wabaName: 'Acme US', connectionLabel: 'Conn' }),
    exportEntry: async () => FakeUri.file('/ws/x.json') as never,
    saveQuery: async () => FakeUri.file('/ws/x.waba-query.json') as never,
    enableInsights: async () => true,
  };
}

const posted = (p: FakePanel) => p.webview.posted as HostMessage[];
const nonceOf = (html: string) => /nonce="([^"]+)"/.exec(html)?.[1];

describe('extension: analytics panels', () => {
  beforeEach(() => {
    recorded.reset();
    recorded.panels.length = 0;
    user.buttons.length = 0;
  });
  afterEach(() => {
    for (const p of AnalyticsPanel.all()) p.panel.dispose();
  });

  it('defines the webview options once, for a new panel and a restored one', async () => {
    const h = host();
    AnalyticsPanel.create(h, 'c1', entryFor(nov));
    const created = recorded.panels.at(-1)!;
    assert.deepEqual(JSON.parse(JSON.stringify(created.options)), JSON.parse(JSON.stringify(panelOptions(h.extensionUri))));
    const restored = fakePanel('restored');
    await AnalyticsPanel.revive(restored as never, h, { query: nov });
    assert.deepEqual(JSON.parse(JSON.stringify(restored.webview.options)), JSON.parse(JSON.stringify(panelOptions(h.extensionUri))));
    assert.equal((panelOptions(h.extensionUri) as { enableScripts?: boolean }).enableScripts, true);
  });

  it('a document that does not say ready in time: an error with Reload, and Reload loads it again', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      user.buttons.push('Reload');
      AnalyticsPanel.create(host(), 'c1', entryFor(nov));
      const p = recorded.panels.at(-1)!;
      const first = nonceOf(p.webview.html);
      mock.timers.tick(READY_TIMEOUT_MS - 1);
      assert.deepEqual(recorded.notifications, [], 'no error before the time is up');
      mock.timers.tick(1);
      await new Promise((r) => setImmediate(r));
      assert.ok(recorded.notifications.some((n) => /did not start/.test(n)), `an error is shown: ${recorded.notifications.join(' | ')}`);
      const second = nonceOf(p.webview.html);
      assert.ok(first && second && first !== second, 'Reload sets the document again, with a fresh nonce');
      // This time it starts: no second error, and it is sent what it shows.
      p.webview.receive({ type: 'ready' });
      mock.timers.tick(READY_TIMEOUT_MS * 2);
      await new Promise((r) => setImmediate(r));
      assert.equal(recorded.notifications.filter((n) => /did not start/.test(n)).length, 1);
      assert.equal(posted(p).at(-1)?.type, 'result');
    } finally {
      mock.timers.reset();
    }
  });

  it('a hidden panel is not watched; shown again, it must say ready again', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      AnalyticsPanel.create(host(), 'c1', entryFor(nov));
      const p = recorded.panels.at(-1)!;
      p.webview.receive({ type: 'ready' });
      p.show(false);
      mock.timers.tick(READY_TIMEOUT_MS * 3);
      assert.deepEqual(recorded.notifications, []);
      p.show(true);
      mock.timers.tick(READY_TIMEOUT_MS);
      await new Promise((r) => setImmediate(r));
      assert.ok(recorded.notifications.some((n) => /did not start/.test(n)), 'a panel shown again that never starts is reported');
    } finally {
      mock.timers.reset();
    }
  });

  it('a failed re-run keeps the previous result and its title; a reloaded document gets both', async () => {
    const failing = host((q) => (q.from === dec.from ? new WabaError('api', 'The API said no.') : undefined));
    const panel = AnalyticsPanel.create(failing, 'c1', entryFor(nov));
    const p = recorded.panels.at(-1)!;
    p.webview.receive({ type: 'ready' });
    const title = p.title;
    assert.equal(title, 'Messaging analytics · Acme US · 2026-11-01 → 2026-11-03');
    await panel.rerun(dec, true);
    assert.deepEqual(
      posted(p).map((m) => m.type),
      ['result', 'loading', 'error'],
    );
    const error = posted(p).at(-1) as Extract<HostMessage, { type: 'error' }>;
    assert.match(error.message, /The API said no/);
    assert.equal(error.query?.from, dec.from, 'the error names the query that failed');
    assert.equal(p.title, title, 'the tab keeps describing the result in view');
    assert.equal(panel.currentEntry?.query.from, nov.from, 'the panel still exports the previous result');
    // Hidden and shown again: the new document gets the previous result, then the error over it.
    p.show(false);
    p.show(true);
    p.webview.posted.length = 0;
    p.webview.receive({ type: 'ready' });
    assert.deepEqual(
      posted(p).map((m) => m.type),
      ['result', 'error'],
    );
  });

  it('"Save query" keeps the relative range the query was picked as, and drops it when the form changes the dates', async () => {
    const saved: Array<{ query: Query; range?: string }> = [];
    const h = { ...host(), saveQuery: async (query: Query, range?: string) => (saved.push({ query, ...(range ? { range } : {}) }), FakeUri.file('/ws/x.waba-query.json') as never) };
    const last30 = resolveRelativeRange('last-30-days');
    const q = parseQuery({ kind: 'messaging', provider: 'meta', wabaId: '123', ...last30 });
    AnalyticsPanel.create(h, 'c1', entryFor(q), 'last-30-days');
    const p = recorded.panels.at(-1)!;
    p.webview.receive({ type: 'ready' });
    assert.equal((posted(p).at(-1) as Extract<HostMessage, { type: 'result' }>).query.range, 'last-30-days', 'the webview is told the range (its form shows the preset)');
    p.webview.receive({ type: 'saveQuery', requestId: 1 });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(saved.at(-1)?.range, 'last-30-days');
    // Run from the form with other dates (no preset): saved with its dates.
    p.webview.receive({ type: 'run', requestId: 2, query: { kind: 'messaging', provider: 'meta', wabaId: '123', from: '2026-11-01', to: '2026-11-03' } });
    await new Promise((r) => setTimeout(r, 10));
    p.webview.receive({ type: 'saveQuery', requestId: 3 });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(saved.at(-1)?.range, undefined);
    assert.equal(saved.at(-1)?.query.from, '2026-11-01');
    // Run from the form with a preset: the range rides beside the query's keys (not a query key).
    const last7 = resolveRelativeRange('last-7-days');
    p.webview.receive({ type: 'run', requestId: 4, query: { kind: 'messaging', provider: 'meta', wabaId: '123', ...last7, range: 'last-7-days' } });
    await new Promise((r) => setTimeout(r, 10));
    p.webview.receive({ type: 'saveQuery', requestId: 5 });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([saved.at(-1)?.range, saved.at(-1)?.query.from], ['last-7-days', last7.from]);
    assert.ok(!('range' in saved.at(-1)!.query));
    // A range that does not give the query's dates is not believed.
    AnalyticsPanel.create(h, 'c1', entryFor(nov), 'last-30-days');
    const other = recorded.panels.at(-1)!;
    other.webview.receive({ type: 'ready' });
    other.webview.receive({ type: 'saveQuery', requestId: 6 });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(saved.at(-1)?.range, undefined);
  });

  it('finds the panel of a query, and the panel in front', () => {
    const a = AnalyticsPanel.create(host(), 'c1', entryFor(nov));
    recorded.panels.at(-1)!.active = false;
    const b = AnalyticsPanel.create(host(), 'c1', entryFor(dec));
    assert.equal(AnalyticsPanel.forQuery(parseQuery({ to: '2026-11-03', from: '2026-11-01', wabaId: '123', provider: 'meta', kind: 'messaging' })), a);
    assert.equal(AnalyticsPanel.forQuery(dec), b);
    assert.equal(AnalyticsPanel.active(), b);
    assert.ok(sameQuery(nov, parseQuery({ ...nov })));
    assert.ok(!sameQuery(nov, dec));
  });

  it('disposes what it listens to with the panel', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      AnalyticsPanel.create(host(), 'c1', entryFor(nov));
      const p = recorded.panels.at(-1)!;
      assert.equal(AnalyticsPanel.all().length, 1);
      p.dispose();
      assert.equal(AnalyticsPanel.all().length, 0);
      // Its ready watch is gone, and messages no longer reach it.
      mock.timers.tick(READY_TIMEOUT_MS * 2);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(recorded.notifications, []);
      p.webview.posted.length = 0;
      p.webview.receive({ type: 'ready' });
      assert.deepEqual(p.webview.posted, []);
    } finally {
      mock.timers.reset();
    }
  });
});
