/**
 * The panel app: says `ready` to the host, then renders what the host sends (a result, a loading
 * state, an error). One state (webview/state.ts, a reducer over host messages and user actions)
 * lives in `start` below; after each action every section renders from it. Host messaging is in
 * webview/host.ts, the component library behind webview/toolkit.ts, and each part of the panel in
 * webview/sections/*.ts (header, form, cards, chart, funnel, breakdowns, table).
 *
 * CSP: no inline handlers and no style attributes in markup; everything is built with the DOM API.
 *
 * Stable DOM hooks (the end-to-end tests use these):
 *   #app[data-mode=boot|loading|result|error]     the whole panel and its state
 *   #title, #meta [data-field=waba|provider|range|granularity|timezone|fetched-at|requests] dd
 *   #status[data-state=ok|error|info]             the reply of the last action ("Exported to …")
 *   #loading .message, #error .message, #error .previous (a failed re-run: the previous result stays below),
 *   #insights-help, [data-action=enable-insights]
 *   #params [data-param=from|to|granularity|<filter key>]   (controls with .value; checkboxes .checked)
 *   [data-action=run|export-json|export-csv|save-query]
 *   #results (hidden without a result; .stale while a re-run is loading)
 *   #warnings li[data-kind=cost|engagement|legacy|partial|unknown-value|other][data-code=<warning code>]
 *   #kpis .kpi[data-metric=<id>] .value (.kpi.unavailable when not available; data-value holds the number)
 *   #chart canvas[role=img][aria-label], #chart[data-chart-type=line|bar], [data-chart-type=line|bar] buttons,
 *   #breakdown, #metric (dropdowns), #chart-note
 *   #funnel-table tbody tr[data-template-id] td[data-step=sent|delivered|read|clicked], table#button-clicks-grid
 *   #breakdowns .breakdown[data-dimension=<dim>] (table#breakdown-<dim>)
 *   #table th[data-column=start|end|dim.<d>|metric.<m>][aria-sort] button.sort, #table tbody tr[data-index],
 *   #table-note, #table-pager [data-action=page-prev|page-next]
 */
import './zodConfig';
import type { PanelActions, Section, SectionContext } from './dom';
import { h, show } from './dom';
import type { Reply } from './host';
import { connectHost } from './host';
import { breakdownsSection } from './sections/breakdowns';
import { cardsSection } from './sections/cards';
import { chartSection } from './sections/chart';
import { formSection } from './sections/form';
import { funnelSection } from './sections/funnel';
import { headerSection } from './sections/header';
import { tableSection } from './sections/table';
import type { Action, ViewState } from './state';
import { initialState, layoutView, persisted, reduce } from './state';
import * as ui from './toolkit';

function start(): void {
  const app = document.querySelector<HTMLElement>('#app');
  if (!app) return;
  const locale = typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';

  let state: ViewState = initialState();
  let rendered: ViewState | undefined;
  const sections: Section[] = [];
  const results = h('div', { id: 'results', hidden: '' });

  const render = () => {
    const layout = layoutView(state);
    app.setAttribute('data-mode', state.mode);
    app.setAttribute('aria-busy', String(layout.busy));
    // The results are in view before the chart draws (a hidden canvas has no size).
    show(results, layout.results);
    results.classList.toggle('stale', layout.stale);
    for (const s of sections) s.render(state, rendered);
    rendered = state;
  };
  const dispatch = (action: Action) => {
    const next = reduce(state, action);
    if (next === state) return;
    state = next;
    host.saveState(persisted(state));
    render();
  };
  const host = connectHost((message) => dispatch({ type: 'host', message }));

  const showReply = (reply: Reply, fallback: string) =>
    dispatch({ type: 'status', text: reply.message ?? (reply.ok ? fallback : 'The extension could not do it.'), state: reply.ok ? 'ok' : 'error' });
  const withBusy = async <T>(button: HTMLElement, work: () => Promise<T>): Promise<T> => {
    ui.setDisabled(button, true);
    try {
      return await work();
    } finally {
      // The state decides again which actions are possible.
      ui.setDisabled(button, false);
      for (const s of sections) s.render(state, state);
    }
  };

  const actions: PanelActions = {
    run() {
      const read = form.read(state.query);
      if ('error' in read) return dispatch({ type: 'status', text: read.error, state: 'error' });
      dispatch({ type: 'queryEdited', query: read.query });
      dispatch({ type: 'status', text: 'Running…' });
      void withBusy(form.buttons.run, () => host.request({ type: 'run', query: read.query })).then((reply) => {
        if (!reply.ok || reply.message) showReply(reply, '');
      });
    },
    exportResult(format) {
      dispatch({ type: 'status', text: `Exporting ${format.toUpperCase()}…` });
      void withBusy(format === 'json' ? form.buttons.exportJson : form.buttons.exportCsv, () => host.request({ type: 'export', format })).then((reply) =>
        showReply(reply, 'Exported.'),
      );
    },
    saveQuery() {
      void withBusy(form.buttons.saveQuery, () => host.request({ type: 'saveQuery' })).then((reply) => showReply(reply, 'Query saved.'));
    },
    enableInsights() {
      const button = app.querySelector<HTMLElement>('[data-action="enable-insights"]')!;
      void withBusy(button, () => host.request({ type: 'enableInsights' })).then((reply) => {
        showReply(reply, 'Insights enabled.');
        if (reply.ok) dispatch({ type: 'insightsEnabled', enabled: true });
      });
    },
  };
  const ctx: SectionContext = { dispatch, actions, locale };

  const header = headerSection(ctx);
  const form = formSection(ctx);
  const cards = cardsSection(ctx);
  const chart = chartSection(ctx);
  const funnel = funnelSection(ctx);
  const breakdowns = breakdownsSection(ctx);
  const table = tableSection(ctx);
  sections.push(header, form, cards, chart, funnel, breakdowns, table);
  results.append(...cards.elements, ...chart.elements, ...funnel.elements, ...breakdowns.elements, ...table.elements);
  app.replaceChildren(...header.elements, ...form.elements, results);

  const saved = host.savedState();
  if (saved) state = reduce(state, { type: 'restore', saved, ...(document.title ? { documentTitle: document.title } : {}) });
  else if (document.title) state = { ...state, title: document.title };
  render();
  host.ready();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
