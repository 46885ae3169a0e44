/**
 * The panel opens when the query starts (Run), so that VS Code builds its webview while the query
 * runs: it shows "Running…" until the answer comes; a document that says `ready` after the answer
 * gets the result straight away; a failure either stays in the panel (insights off) or closes it
 * (the command tells it); a panel the user closed meanwhile is left alone.
 */
import { FakeUri, recorded } from '../fakeVscode';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { WabaError } from '../../../src/core/errors';
import { parseQuery } from '../../../src/core/query';
import type { Query } from '../../../src/core/query';
import type { PanelHost } from '../../../src/extension/panels';
import { AnalyticsPanel } from '../../../src/extension/panels';
import type { RunEntry } from '../../../src/extension/queryService';
import type { HostMessage, PanelContext } from '../../../src/protocol';

const query = parseQuery({ kind: 'messaging', provider: 'meta', wabaId: '123', from: '2026-11-01', to: '2026-11-03' });
const entryFor = (q: Query): RunEntry => ({
  connectionId: 'c1',
  connectionLabel: 'Conn',
  query: q,
  run: {
    result: { provider: 'meta', kind: 'messaging', wabaId: '123', granularity: 'DAILY', timezone: 'UTC', points: [{ start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', dims: {}, metrics: { sent: 3 } }], warnings: [] },
    requests: 1,
    partial: false,
  },
  fetchedAt: '2026-11-04T00:00:00Z',
  fromCache: false,
});
const host: PanelHost = {
  extensionUri: FakeUri.file('/ext') as never,
  run: async (_c, q) => entryFor(q),
  resolveConnection: async () => 'c1',
  context: (): PanelContext => ({ templateNames: {}, wabaName: 'Acme US', connectionLabel: 'Conn' }),
  exportEntry: async () => FakeUri.file('/ws/x.json') as never,
  saveQuery: async () => FakeUri.file('/ws/x.waba-query.json') as never,
  enableInsights: async () => true,
};
const types = (p: (typeof recorded.panels)[number]) => (p.webview.posted as HostMessage[]).map((m) => m.type);

describe('extension: the panel opens at Run', () => {
  beforeEach(() => recorded.reset());
  afterEach(() => {
    for (const p of AnalyticsPanel.all()) p.panel.dispose();
  });

  it('shows "Running…" while the query runs, then the result', () => {
    const panel = AnalyticsPanel.opening(host, 'c1', query);
    const fake = recorded.panels.at(-1)!;
    assert.match(fake.webview.html, /<script/, 'the document is set at once: VS Code builds the webview while the query runs');
    fake.webview.receive({ type: 'ready' });
    assert.deepEqual(types(fake), ['loading']);
    assert.match((fake.webview.posted[0] as { message: string }).message, /^Running /);
    panel.answer(entryFor(query));
    assert.deepEqual(types(fake), ['loading', 'result']);
  });

  it('a document ready after the answer gets the result, not the loading state', () => {
    const panel = AnalyticsPanel.opening(host, 'c1', query);
    const fake = recorded.panels.at(-1)!;
    panel.answer(entryFor(query));
    assert.deepEqual(types(fake), [], 'nothing is posted before the document is ready');
    fake.webview.receive({ type: 'ready' });
    assert.deepEqual(types(fake), ['result']);
  });

  it('a failure stays in the panel when asked (insights off), or closes it', () => {
    const kept = AnalyticsPanel.opening(host, 'c1', query);
    const keptFake = recorded.panels.at(-1)!;
    keptFake.webview.receive({ type: 'ready' });
    kept.fail(query, new WabaError('api', 'Insights are not enabled.', { reason: 'insights-disabled' }), true);
    assert.deepEqual(types(keptFake), ['loading', 'error']);
    assert.ok(AnalyticsPanel.all().includes(kept));

    const closed = AnalyticsPanel.opening(host, 'c1', query);
    closed.fail(query, new WabaError('network', 'The API could not be reached.'), false);
    assert.ok(!AnalyticsPanel.all().includes(closed), 'closed: the command tells the failure');
  });

  it('leaves a panel the user closed while the query ran alone', () => {
    const panel = AnalyticsPanel.opening(host, 'c1', query);
    const fake = recorded.panels.at(-1)!;
    fake.webview.receive({ type: 'ready' });
    fake.dispose();
    panel.answer(entryFor(query));
    panel.fail(query, new WabaError('network', 'x'), true);
    assert.deepEqual(types(fake), ['loading']);
  });
});
