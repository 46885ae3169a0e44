import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toColumns } from '../../../src/core/columns';
import type { NormalizedResult, Point } from '../../../src/core/types';
import type { ColumnarResult, HostMessage, PanelQuery } from '../../../src/protocol';
import { HostMessageSchema } from '../../../src/protocol';
import { applyParams, filterKeys } from '../../../webview/params';
import type { Action, ViewState } from '../../../webview/state';
import { headerView, initialState, insightsView, layoutView, persisted, queryHeading, reduce, tableNote } from '../../../webview/state';

const DAY = 86_400_000;
const T0 = Date.parse('2024-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
function pt(day: number, dims: Record<string, string>, metrics: Record<string, number>): Point {
  return { start: iso(T0 + day * DAY), end: iso(T0 + (day + 1) * DAY), dims, metrics };
}
function columns(points: Point[], extra: Partial<NormalizedResult> = {}): ColumnarResult {
  return toColumns({ provider: 'meta', kind: 'pricing', wabaId: '111', granularity: 'DAILY', timezone: 'UTC', currency: 'USD', points, warnings: [], ...extra });
}
const novQuery: PanelQuery = { kind: 'pricing', provider: 'meta', wabaId: '111', from: '2024-11-01', to: '2024-11-30', granularity: 'DAILY' };
const decQuery: PanelQuery = { ...novQuery, from: '2024-12-01', to: '2024-12-31' };
const novResult = columns([pt(0, { country: 'US' }, { volume: 5, cost: 0.5 }), pt(1, { country: 'DE' }, { volume: 7, cost: 0.9 }), pt(2, { country: 'US' }, { volume: 1, cost: 0.1 })]);

const host = (message: HostMessage): Action => {
  // Every message the tests send is one the host could send.
  assert.ok(HostMessageSchema.safeParse(message).success, `a valid host message: ${JSON.stringify(message).slice(0, 80)}`);
  return { type: 'host', message };
};
const run = (s: ViewState, ...actions: Action[]) => actions.reduce(reduce, s);
const resultMsg = (query: PanelQuery, result: ColumnarResult): HostMessage => ({ type: 'result', query, result, context: { wabaName: 'Acme US', templateNames: {}, requests: 3 } });

describe('panel state: host messages', () => {
  it('boots, loads, then shows a result with the heading of its query', () => {
    let s = initialState();
    assert.equal(s.mode, 'boot');
    assert.equal(layoutView(s).loadingText, 'Waiting for the extension…');
    s = run(s, host({ type: 'loading', query: novQuery, message: 'Running…' }));
    assert.equal(s.mode, 'loading');
    assert.equal(layoutView(s).loadingText, 'Running…');
    assert.equal(layoutView(s).results, false);
    s = run(s, host(resultMsg(novQuery, novResult)));
    assert.equal(s.mode, 'result');
    const view = headerView(s);
    assert.equal(view.title, 'Pricing analytics · Acme US · 2024-11-01 → 2024-11-30');
    assert.equal(view.title, queryHeading(novQuery, 'Acme US'));
    assert.equal(view.meta.range, '2024-11-01 → 2024-11-30');
    assert.equal(view.meta.requests, '3');
    assert.equal(view.meta.provider, 'Meta');
    const layout = layoutView(s);
    assert.ok(layout.results && layout.canExport && layout.canRun && !layout.busy);
    // The breakdown and metric pickers get the result's defaults.
    assert.equal(s.breakdown, 'country');
    assert.ok(s.metric);
  });

  it('a failed re-run keeps the previous result in view, and the heading describes it', () => {
    const s = run(
      initialState(),
      host(resultMsg(novQuery, novResult)),
      host({ type: 'loading', query: decQuery, message: 'Running December…' }),
      host({ type: 'error', query: decQuery, message: 'The API said no.', context: { templateNames: {} } }),
    );
    assert.equal(s.mode, 'error');
    assert.equal(s.result, novResult, 'the previous result is kept');
    assert.deepEqual(s.query, decQuery, 'the form holds the query that failed');
    const layout = layoutView(s);
    assert.ok(layout.error && layout.results && layout.canExport);
    assert.match(layout.previousNote ?? '', /previous result \(2024-11-01 → 2024-11-30\)/);
    assert.equal(headerView(s).title, 'Pricing analytics · Acme US · 2024-11-01 → 2024-11-30', 'heading = tab title = the result shown');
    assert.equal(s.context?.wabaName, 'Acme US', 'the context of the result shown is kept');
  });

  it('while a re-run loads, the previous result stays, marked stale', () => {
    const s = run(initialState(), host(resultMsg(novQuery, novResult)), host({ type: 'loading', query: decQuery, message: 'Running…' }));
    const layout = layoutView(s);
    assert.ok(layout.results && layout.stale && !layout.canRun && !layout.canExport);
    assert.match(headerView(s).title, /2024-11-01/);
  });

  it('an error without any result shows the failed query', () => {
    const s = run(initialState(), host({ type: 'error', query: decQuery, message: 'No connection.' }));
    assert.equal(headerView(s).title, 'Pricing analytics · 111 · 2024-12-01 → 2024-12-31');
    assert.equal(layoutView(s).results, false);
    assert.equal(layoutView(s).previousNote, undefined);
  });

  it('offers to enable insights, then says they are on', () => {
    const tq: PanelQuery = { ...novQuery, kind: 'template' };
    let s = run(initialState(), host({ type: 'error', query: tq, message: 'Insights are not enabled.', needsInsights: true }));
    assert.deepEqual(insightsView(s)?.offerEnable, true);
    s = run(s, host({ type: 'insights', enabled: true }));
    assert.deepEqual(insightsView(s)?.offerEnable, false);
    assert.equal(s.status.state, 'ok');
    assert.equal(insightsView(run(initialState(), host({ type: 'error', query: tq, message: 'x' }))), undefined);
  });

  it('a progress note ends when the host answers; an error note stays', () => {
    let s = run(initialState(), { type: 'status', text: 'Running…' }, host(resultMsg(novQuery, novResult)));
    assert.equal(s.status.text, '');
    s = run(s, { type: 'status', text: 'Export failed.', state: 'error' }, host(resultMsg(novQuery, novResult)));
    assert.equal(s.status.text, 'Export failed.');
  });

  it('replies change nothing (they resolve requests in webview/host.ts)', () => {
    const s = initialState();
    assert.equal(reduce(s, host({ type: 'reply', requestId: 1, ok: true })), s);
  });
});

describe('panel state: user actions', () => {
  const base = run(initialState(), host(resultMsg(novQuery, novResult)));

  it('sorts: a metric first descending, then toggles; the page goes back to the first', () => {
    let s = run(base, { type: 'sort', key: 'metric.volume' });
    assert.equal(s.sortDir, 'desc');
    assert.deepEqual(Array.from(s.order ?? []), [1, 0, 2]);
    s = run(s, { type: 'sort', key: 'metric.volume' });
    assert.equal(s.sortDir, 'asc');
    assert.deepEqual(Array.from(s.order ?? []), [2, 0, 1]);
    s = run(s, { type: 'sort', key: 'start' });
    assert.equal(s.sortDir, 'asc');
    assert.equal(s.page, 0);
  });

  it('keeps the page within the pages there are', () => {
    assert.equal(run(base, { type: 'page', page: 5 }).page, 0);
    assert.equal(run(initialState(), { type: 'page', page: 2 }).page, 0);
  });

  it('keeps chart choices across a new result when they still apply', () => {
    let s = run(base, { type: 'chartType', chartType: 'bar' }, { type: 'breakdown', breakdown: '' }, { type: 'metric', metric: 'cost' });
    s = run(s, host(resultMsg(decQuery, novResult)));
    assert.equal(s.chartType, 'bar');
    assert.equal(s.breakdown, '');
    assert.equal(s.metric, 'cost');
    // A dimension the new result lacks falls back to its default.
    s = run(s, { type: 'breakdown', breakdown: 'pricing_category' }, host(resultMsg(decQuery, novResult)));
    assert.equal(s.breakdown, 'country');
  });

  it('is persisted with its query and heading, and restored after a reload', () => {
    const s = run(base, { type: 'chartType', chartType: 'bar' });
    const saved = persisted(s);
    assert.ok(saved);
    assert.equal(saved.title, 'Pricing analytics · Acme US · 2024-11-01 → 2024-11-30');
    assert.equal(persisted(initialState()), undefined, 'nothing to keep before a query');
    const restored = run(initialState(), { type: 'restore', saved });
    assert.deepEqual(restored.query, novQuery);
    assert.equal(restored.chartType, 'bar');
    assert.equal(restored.mode, 'boot');
    assert.equal(headerView(restored).title, 'Pricing analytics · 111 · 2024-11-01 → 2024-11-30');
    assert.equal(layoutView(restored).canRun, false, 'no run before the host is there');
  });
});

describe('panel form (pure part)', () => {
  it('shows every accepted filter, set or not, then any other the query holds', () => {
    const q: PanelQuery = { ...novQuery, countryCodes: ['US'], extra: 'x' };
    assert.deepEqual(filterKeys(q, { templateNames: {}, accepts: { granularities: ['DAILY'], filters: ['phoneNumbers', 'countryCodes'] } }), ['phoneNumbers', 'countryCodes', 'extra']);
  });

  it('reads the fields into the query, refusing bad dates and reversed ranges', () => {
    const q: PanelQuery = { ...novQuery, productTypes: [0] };
    const ok = applyParams(q, [
      { key: 'from', value: '2024-11-02' },
      { key: 'to', value: '2024-11-03' },
      { key: 'countryCodes', value: 'US, DE,' },
      { key: 'productTypes', value: '0, 2' },
      { key: 'useWabaTimezone', boolean: true, checked: true },
    ]);
    assert.ok('query' in ok);
    assert.deepEqual(ok.query.countryCodes, ['US', 'DE']);
    assert.deepEqual(ok.query.productTypes, [0, 2]);
    assert.equal(ok.query.useWabaTimezone, true);
    assert.deepEqual(applyParams(q, [{ key: 'from', value: '2.11.2024' }]), { error: 'From must be a date written YYYY-MM-DD.' });
    assert.deepEqual(applyParams(q, [{ key: 'to', value: '2024-10-01' }]), { error: 'To is before From.' });
    const bad = applyParams(q, [{ key: 'productTypes', value: 'zero' }]);
    assert.ok('error' in bad && /numbers only/.test(bad.error));
    const cleared = applyParams({ ...q, countryCodes: ['US'] }, [{ key: 'countryCodes', value: ' ' }]);
    assert.ok('query' in cleared && !('countryCodes' in cleared.query));
  });
});

describe('panel table note', () => {
  it('says how many rows, and which are shown when there are more than a page', () => {
    assert.equal(tableNote(0, 0, 0, 'en-US'), 'No data points.');
    assert.equal(tableNote(12, 0, 12, 'en-US'), '12 rows.');
    assert.equal(tableNote(1234, 200, 400, 'en-US'), 'Showing rows 201–400 of 1,234. Export JSON or CSV for the full data.');
  });
});
