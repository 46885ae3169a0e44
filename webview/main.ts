/**
 * The panel app. Says `ready` to the host, then renders what the host sends (a result, a loading
 * state, an error): header, warnings, KPI cards, chart, funnel or breakdowns, the data table and the
 * editable query. Every message received is validated with HostMessageSchema; anything else is
 * ignored. Requests to the host carry an id and resolve when the matching reply arrives.
 *
 * CSP: no inline handlers and no style attributes in markup; everything is built with the DOM API.
 *
 * Stable DOM hooks (the end-to-end tests use these):
 *   #app[data-mode=boot|loading|result|error]     the whole panel and its state
 *   #title, #meta [data-field=waba|provider|range|granularity|timezone|fetched-at|requests] dd
 *   #status[data-state=ok|error|info]             the reply of the last action ("Exported to …")
 *   #loading .message, #error .message, #insights-help, [data-action=enable-insights]
 *   #params [data-param=from|to|granularity|<filter key>]   (text fields have .value, checkboxes .checked)
 *   [data-action=run|export-json|export-csv|save-query]
 *   #warnings li[data-kind=cost|engagement|legacy|partial|unknown-value|other]
 *   #kpis .kpi[data-metric=<id>] .value (.kpi.unavailable when not available; data-value holds the number)
 *   #chart canvas[role=img][aria-label], #chart[data-chart-type=line|bar], [data-chart-type=line|bar] buttons,
 *   #breakdown, #metric (dropdowns), #chart-note
 *   #funnel-table tbody tr[data-template-id] td[data-step=sent|delivered|read|clicked], #button-clicks-grid
 *   #breakdowns .breakdown[data-dimension=<dim>] (grid #breakdown-<dim>)
 *   #table th[data-column=start|end|dim.<d>|metric.<m>][aria-sort] button.sort, #table tbody tr[data-index],
 *   #table-note, #table-pager [data-action=page-prev|page-next]
 */
import './zodConfig';
import type { ColumnarResult, HostMessage, PanelContext, PanelQuery, PanelState, WebviewMessage } from '../src/protocol';
import { HostMessageSchema, PanelQuerySchema, PanelStateSchema, WebviewMessageSchema } from '../src/protocol';
import type { ChartHandle, ChartType } from './chart';
import { drawTimeSeries } from './chart';
import type { Kind, SortDirection, TableColumn } from './model';
import {
  TABLE_PAGE_SIZE,
  breakdowns,
  buttonClicks,
  buildTimeSeries,
  cellText,
  chartableMetrics,
  computeKpis,
  costAsked,
  defaultBreakdown,
  defaultMetric,
  dimensionLabel,
  formatCount,
  formatKpi,
  formatMoney,
  formatPercent,
  makeTimeFormatter,
  metricLabel,
  pageRows,
  panelWarnings,
  presentDimensions,
  sortRows,
  tableColumns,
  templateFunnel,
  templateLabel,
} from './model';
import * as ui from './toolkit';

// ---- host API --------------------------------------------------------------------------------

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

function hostApi(): VsCodeApi {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi();
  // Outside VS Code (a test page): keep state in memory, log posts.
  let state: unknown;
  return {
    postMessage: (m) => console.info('postMessage', m),
    getState: () => state,
    setState: (s) => (state = s),
  };
}
const vscode = hostApi();

type Reply = Extract<HostMessage, { type: 'reply' }>;
type RequestMessage = Exclude<WebviewMessage, { type: 'ready' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

let nextRequestId = 1;
const pending = new Map<number, (reply: Reply) => void>();
const REPLY_TIMEOUT_MS = 10 * 60_000;

function post(message: WebviewMessage): void {
  const checked = WebviewMessageSchema.safeParse(message);
  if (!checked.success) {
    console.error('Refused to post an invalid message', checked.error.issues);
    return;
  }
  vscode.postMessage(checked.data);
}

/** Post a request; resolves with the host's reply (or a failure after a long silence). */
function request(message: DistributiveOmit<RequestMessage, 'requestId'>): Promise<Reply> {
  const requestId = nextRequestId++;
  return new Promise<Reply>((resolve) => {
    const timer = setTimeout(() => {
      if (pending.delete(requestId)) resolve({ type: 'reply', requestId, ok: false, message: 'No answer from the extension.' });
    }, REPLY_TIMEOUT_MS);
    pending.set(requestId, (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    post({ ...message, requestId } as RequestMessage);
  });
}

// ---- state -----------------------------------------------------------------------------------

interface View {
  query?: PanelQuery;
  title?: string;
  chartType: ChartType;
  /** '' = no breakdown (one total series). */
  breakdown?: string;
  metric?: string;
  result?: ColumnarResult;
  context?: PanelContext;
  sortKey?: string;
  sortDir: SortDirection;
  order: Uint32Array | null;
  page: number;
  mode: 'boot' | 'loading' | 'result' | 'error';
  insightsEnabled?: boolean;
}

const view: View = { chartType: 'line', sortDir: 'asc', order: null, page: 0, mode: 'boot' };
const locale = typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US';

function persist(): void {
  if (!view.query) return;
  const state: PanelState = {
    query: view.query,
    chartType: view.chartType,
    ...(view.title ? { title: view.title } : {}),
    ...(view.breakdown !== undefined ? { breakdown: view.breakdown } : {}),
    ...(view.metric ? { metric: view.metric } : {}),
  };
  const checked = PanelStateSchema.safeParse(state);
  if (checked.success) vscode.setState(checked.data);
}

function restore(): void {
  const saved = PanelStateSchema.safeParse(vscode.getState());
  if (!saved.success) return;
  view.query = saved.data.query;
  if (saved.data.title) view.title = saved.data.title;
  if (saved.data.chartType) view.chartType = saved.data.chartType;
  if (saved.data.breakdown !== undefined) view.breakdown = saved.data.breakdown;
  if (saved.data.metric) view.metric = saved.data.metric;
}

// ---- DOM helpers -----------------------------------------------------------------------------

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}
function $<T extends Element = HTMLElement>(selector: string): T {
  const e = document.querySelector<T>(selector);
  if (!e) throw new Error(`missing ${selector}`);
  return e;
}
function show(e: Element, visible: boolean): void {
  (e as HTMLElement).hidden = !visible;
}

const KIND_LABELS: Record<Kind, string> = {
  messaging: 'Messaging analytics',
  conversation: 'Conversation analytics',
  pricing: 'Pricing analytics',
  template: 'Template analytics',
};

// ---- the shell -------------------------------------------------------------------------------

let chartHandle: ChartHandle | undefined;
const buttons: Record<string, HTMLElement> = {};

function metaField(field: string, label: string): HTMLElement {
  return h('div', { class: 'meta-item', 'data-field': field }, h('dt', {}, label), h('dd', {}));
}

function buildShell(): void {
  ui.registerToolkit();
  const app = $('#app');
  app.replaceChildren();
  buttons.run = ui.button('Run', () => void run(), { action: 'run', title: 'Run the query with these parameters' });
  buttons.exportJson = ui.button('Export JSON', () => void doExport('json'), { action: 'export-json', appearance: 'secondary' });
  buttons.exportCsv = ui.button('Export CSV', () => void doExport('csv'), { action: 'export-csv', appearance: 'secondary' });
  buttons.saveQuery = ui.button('Save query', () => void saveQuery(), { action: 'save-query', appearance: 'secondary' });
  buttons.enableInsights = ui.button('Enable insights…', () => void enableInsights(), { action: 'enable-insights' });
  buttons.line = ui.button('Line', () => setChartType('line'), { appearance: 'secondary', title: 'Show lines' });
  buttons.line.setAttribute('data-chart-type', 'line');
  buttons.bar = ui.button('Stacked bars', () => setChartType('bar'), { appearance: 'secondary', title: 'Show stacked bars' });
  buttons.bar.setAttribute('data-chart-type', 'bar');

  const canvas = h('canvas', { role: 'img', 'aria-label': 'Chart' });
  app.append(
    h(
      'header',
      { id: 'header' },
      h('h1', { id: 'title' }, ''),
      h(
        'dl',
        { id: 'meta' },
        metaField('waba', 'WABA'),
        metaField('provider', 'Provider'),
        metaField('range', 'Range'),
        metaField('granularity', 'Granularity'),
        metaField('timezone', 'Timezone'),
        metaField('fetched-at', 'Fetched'),
        metaField('requests', 'Requests'),
      ),
    ),
    h('div', { id: 'status', role: 'status', 'aria-live': 'polite' }),
    h('section', { id: 'loading', hidden: '', 'aria-live': 'polite' }, ui.progressRing('Loading'), h('span', { class: 'message' }, 'Loading…')),
    h(
      'section',
      { id: 'error', hidden: '', role: 'alert' },
      h('h2', {}, 'The query failed'),
      h('p', { class: 'message' }),
      h(
        'div',
        { id: 'insights-help', hidden: '' },
        h('p', { class: 'explain' }),
        h('div', { class: 'actions' }, buttons.enableInsights),
      ),
    ),
    h(
      'section',
      { id: 'query', 'aria-labelledby': 'query-heading' },
      h('h2', { id: 'query-heading' }, 'Query'),
      h('div', { id: 'params', role: 'group', 'aria-label': 'Query parameters' }),
      h('div', { id: 'actions', class: 'actions' }, buttons.run, buttons.exportJson, buttons.exportCsv, buttons.saveQuery),
    ),
    h(
      'div',
      { id: 'results', hidden: '' },
      h('ul', { id: 'warnings', 'aria-label': 'Warnings', hidden: '' }),
      h('section', { id: 'kpis', 'aria-label': 'Key figures' }),
      h(
        'section',
        { id: 'chart-section', 'aria-labelledby': 'chart-heading' },
        h('h2', { id: 'chart-heading' }, 'Over time'),
        h(
          'div',
          { class: 'chart-controls' },
          h('div', { id: 'chart-type', role: 'group', 'aria-label': 'Chart type' }, buttons.line, buttons.bar),
          h('label', { class: 'picker', id: 'breakdown-picker' }, h('span', {}, 'Breakdown')),
          h('label', { class: 'picker', id: 'metric-picker' }, h('span', {}, 'Metric')),
        ),
        h('div', { id: 'chart' }, canvas),
        h('p', { id: 'chart-note', class: 'muted' }),
      ),
      h(
        'section',
        { id: 'funnel-section', hidden: '', 'aria-labelledby': 'funnel-heading' },
        h('h2', { id: 'funnel-heading' }, 'Funnel: sent → delivered → read → clicked'),
        h('div', { id: 'funnel' }),
        h('h3', { id: 'button-clicks-heading' }, 'Clicks per button'),
        h('div', { id: 'button-clicks' }),
      ),
      h('section', { id: 'breakdowns', hidden: '', 'aria-label': 'Breakdowns' }),
      h(
        'section',
        { id: 'table-section', 'aria-labelledby': 'table-heading' },
        h('h2', { id: 'table-heading' }, 'Data'),
        h('p', { id: 'table-note', class: 'muted' }),
        h('div', { class: 'table-wrap' }, h('table', { id: 'table' })),
        h('nav', { id: 'table-pager', 'aria-label': 'Table pages' }),
      ),
    ),
  );
  app.removeAttribute('aria-busy');
  app.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.target as HTMLElement).closest('#params') && (ev.target as HTMLElement).tagName !== 'VSCODE-BUTTON') {
      ev.preventDefault();
      void run();
    }
  });
}

function setStatus(text: string, state: 'ok' | 'error' | 'info' = 'info'): void {
  const s = $('#status');
  s.textContent = text;
  s.setAttribute('data-state', state);
}

// ---- header ----------------------------------------------------------------------------------

function setMeta(field: string, value: string | undefined): void {
  const item = $(`#meta [data-field="${field}"]`);
  show(item, !!value);
  item.querySelector('dd')!.textContent = value ?? '';
}

function renderHeader(): void {
  const q = view.query;
  const ctx = view.context;
  const r = view.result;
  const kind = r?.kind ?? q?.kind;
  const wabaId = q?.wabaId ?? r?.wabaId ?? undefined;
  const waba = ctx?.wabaName ? `${ctx.wabaName} (${wabaId ?? '?'})` : wabaId;
  const title = kind
    ? `${KIND_LABELS[kind]} · ${ctx?.wabaName ?? wabaId ?? ''}${q ? ` · ${q.from} → ${q.to}` : ''}`
    : view.title || 'WABA Analytics';
  view.title = title;
  $('#title').textContent = title;
  setMeta('waba', waba ? (ctx?.connectionLabel ? `${waba} · ${ctx.connectionLabel}` : waba) : undefined);
  setMeta('provider', (r?.provider ?? q?.provider) === 'vonage' ? 'Vonage' : (r?.provider ?? q?.provider) ? 'Meta' : undefined);
  setMeta('range', q ? `${q.from} → ${q.to}` : undefined);
  setMeta('granularity', r?.granularity ?? q?.granularity);
  const tz = r?.timezone || 'UTC';
  setMeta('timezone', q || r ? tz : undefined);
  let fetched: string | undefined;
  if (ctx?.fetchedAt) {
    const ms = Date.parse(ctx.fetchedAt);
    fetched = Number.isFinite(ms) ? `${makeTimeFormatter(tz, 'HALF_HOUR').dateTime(ms)} (${makeTimeFormatter(tz, 'HALF_HOUR').timezone})` : ctx.fetchedAt;
  }
  setMeta('fetched-at', fetched);
  setMeta('requests', ctx?.requests !== undefined ? `${ctx.requests}${ctx.partial ? ' (partial result)' : ''}` : undefined);
}

// ---- parameters ------------------------------------------------------------------------------

const BOOLEAN_KEYS = new Set(['useWabaTimezone']);
const SCALAR_KEYS = new Set(['productType']);
const NUMBER_LIST_KEYS = new Set(['productTypes']);
const PARAM_LABELS: Record<string, string> = {
  phoneNumbers: 'Phone numbers (digits)',
  productTypes: 'Product types (0, 2, 100)',
  countryCodes: 'Country codes',
  metricTypes: 'Metric types',
  conversationCategories: 'Conversation categories',
  conversationTypes: 'Conversation types',
  conversationDirections: 'Conversation directions',
  dimensions: 'Dimensions',
  pricingTypes: 'Pricing types',
  pricingCategories: 'Pricing categories',
  tiers: 'Tiers',
  templateIds: 'Template ids',
  productType: 'Product type',
  useWabaTimezone: "Use the WABA's timezone",
};
function paramLabel(key: string): string {
  return PARAM_LABELS[key] ?? key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

const BASE_KEYS = new Set(['kind', 'provider', 'wabaId', 'from', 'to', 'granularity']);

function filterKeys(q: PanelQuery, ctx: PanelContext | undefined): string[] {
  const keys = ctx?.accepts?.filters ? [...ctx.accepts.filters] : [];
  for (const k of Object.keys(q)) if (!BASE_KEYS.has(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

function renderParams(): void {
  const box = $('#params');
  const q = view.query;
  box.replaceChildren();
  const enabled = !!q;
  for (const b of [buttons.run!, buttons.saveQuery!]) ui.setDisabled(b, !enabled);
  if (!q) {
    box.append(h('p', { class: 'muted' }, 'No query yet.'));
    return;
  }
  const ctx = view.context;
  box.append(
    h('div', { class: 'field' }, ui.textField(q.from, { label: 'From (YYYY-MM-DD, UTC)', name: 'from', placeholder: 'YYYY-MM-DD' })),
    h('div', { class: 'field' }, ui.textField(q.to, { label: 'To (YYYY-MM-DD, inclusive)', name: 'to', placeholder: 'YYYY-MM-DD' })),
  );
  const grans = ctx?.accepts?.granularities?.length ? ctx.accepts.granularities : ['HALF_HOUR', 'DAILY', 'MONTHLY'];
  const gran = q.granularity ?? (grans.includes('DAILY') ? 'DAILY' : grans[0]!);
  const g = ui.dropdown(
    grans.map((v) => ({ value: v, label: v })),
    gran,
    () => {},
    { label: 'Granularity' },
  );
  g.setAttribute('data-param', 'granularity');
  box.append(h('label', { class: 'field picker' }, h('span', {}, 'Granularity'), g));

  for (const key of filterKeys(q, ctx)) {
    const value = q[key];
    if (BOOLEAN_KEYS.has(key) || typeof value === 'boolean') {
      const c = ui.checkbox(paramLabel(key), value === true, { name: key });
      c.setAttribute('data-param-kind', 'boolean');
      box.append(h('div', { class: 'field' }, c));
      continue;
    }
    const text = Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
    const single = SCALAR_KEYS.has(key) || typeof value === 'string' || typeof value === 'number';
    const field = h(
      'div',
      { class: 'field' },
      ui.textField(text, { label: single ? paramLabel(key) : `${paramLabel(key)}, comma-separated`, name: key, placeholder: single ? '' : 'a, b, c' }),
    );
    if (key === 'templateIds' && ctx?.templateNames && Object.keys(ctx.templateNames).length) {
      const known = Object.entries(ctx.templateNames)
        .slice(0, 20)
        .map(([id]) => templateLabel(id, ctx.templateNames))
        .join(', ');
      field.append(h('p', { class: 'hint muted' }, `Known: ${known}`));
    }
    box.append(field);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The query as edited, or a message naming what is wrong. */
function readParams(): { query: PanelQuery } | { error: string } {
  const q = view.query;
  if (!q) return { error: 'There is no query to run yet.' };
  const next: Record<string, unknown> = { ...q };
  const fields = document.querySelectorAll<HTMLElement>('#params [data-param]');
  for (const f of fields) {
    const key = f.getAttribute('data-param')!;
    if (f.getAttribute('data-param-kind') === 'boolean') {
      const checked = (f as ui.CheckElement).checked;
      if (checked) next[key] = true;
      else delete next[key];
      continue;
    }
    const raw = String((f as ui.ValueElement).value ?? '').trim();
    if (key === 'from' || key === 'to') {
      if (!DATE.test(raw)) return { error: `${key === 'from' ? 'From' : 'To'} must be a date written YYYY-MM-DD.` };
      next[key] = raw;
    } else if (key === 'granularity') {
      if (raw) next[key] = raw;
    } else if (SCALAR_KEYS.has(key) || typeof q[key] === 'string' || typeof q[key] === 'number') {
      if (raw) next[key] = typeof q[key] === 'number' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      else delete next[key];
    } else {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const numeric = NUMBER_LIST_KEYS.has(key) || (Array.isArray(q[key]) && (q[key] as unknown[]).some((x) => typeof x === 'number'));
      if (!items.length) delete next[key];
      else if (numeric) {
        const nums = items.map(Number);
        if (nums.some((n) => !Number.isFinite(n))) return { error: `${paramLabel(key)}: numbers only, separated by commas.` };
        next[key] = nums;
      } else next[key] = items;
    }
  }
  if (String(next.to) < String(next.from)) return { error: 'To is before From.' };
  const parsed = PanelQuerySchema.safeParse(next);
  if (!parsed.success) return { error: `The query is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  return { query: parsed.data };
}

// ---- actions ---------------------------------------------------------------------------------

async function withBusy<T>(button: HTMLElement | undefined, work: () => Promise<T>): Promise<T> {
  if (button) ui.setDisabled(button, true);
  try {
    return await work();
  } finally {
    if (button) ui.setDisabled(button, false);
  }
}

function showReply(reply: Reply, fallback: string): void {
  setStatus(reply.message ?? (reply.ok ? fallback : 'The extension could not do it.'), reply.ok ? 'ok' : 'error');
}

async function run(): Promise<void> {
  const read = readParams();
  if ('error' in read) {
    setStatus(read.error, 'error');
    return;
  }
  view.query = read.query;
  persist();
  setStatus('Running…');
  const reply = await withBusy(buttons.run, () => request({ type: 'run', query: read.query }));
  if (!reply.ok) showReply(reply, '');
  else if (reply.message) showReply(reply, '');
}

async function doExport(format: 'json' | 'csv'): Promise<void> {
  setStatus(`Exporting ${format.toUpperCase()}…`);
  const reply = await withBusy(format === 'json' ? buttons.exportJson : buttons.exportCsv, () => request({ type: 'export', format }));
  showReply(reply, 'Exported.');
}

async function saveQuery(): Promise<void> {
  const reply = await withBusy(buttons.saveQuery, () => request({ type: 'saveQuery' }));
  showReply(reply, 'Query saved.');
}

async function enableInsights(): Promise<void> {
  const reply = await withBusy(buttons.enableInsights, () => request({ type: 'enableInsights' }));
  showReply(reply, 'Insights enabled.');
  if (reply.ok) setInsightsEnabled(true);
}

function setInsightsEnabled(enabled: boolean): void {
  view.insightsEnabled = enabled;
  const help = $('#insights-help');
  if (help.hidden) return;
  if (enabled) {
    help.querySelector('.explain')!.textContent =
      'Insights are now enabled for this WhatsApp Business Account. Template figures can take a few minutes to appear: press Run again shortly.';
    show(buttons.enableInsights!, false);
  }
}

// ---- results ---------------------------------------------------------------------------------

function renderWarnings(): void {
  const list = $('#warnings');
  list.replaceChildren();
  const r = view.result;
  if (!r) return show(list, false);
  const warnings = panelWarnings(r, view.context, { costAsked: costAsked(view.query) });
  for (const w of warnings) list.append(h('li', { 'data-kind': w.kind }, w.text));
  show(list, warnings.length > 0);
}

function renderKpis(): void {
  const box = $('#kpis');
  box.replaceChildren();
  const r = view.result;
  if (!r) return;
  for (const k of computeKpis(r, { costAsked: costAsked(view.query) })) {
    const card = h(
      'div',
      { class: k.value === null ? 'kpi unavailable' : 'kpi', 'data-metric': k.metric },
      h('div', { class: 'label' }, k.label),
      h('div', { class: 'value' }, formatKpi(k, locale)),
      k.note ? h('div', { class: 'note' }, k.note) : null,
    );
    if (k.value !== null) card.setAttribute('data-value', String(k.value));
    box.append(card);
  }
}

/** The dropdown value for "no breakdown" (an empty option value would match an unset dropdown). */
const NO_BREAKDOWN = '(none)';

function renderPickers(): void {
  const r = view.result!;
  const dims = presentDimensions(r);
  if (view.breakdown === undefined || (view.breakdown !== '' && !dims.includes(view.breakdown))) view.breakdown = defaultBreakdown(r) ?? '';
  const metrics = chartableMetrics(r);
  if (!view.metric || !metrics.includes(view.metric)) view.metric = defaultMetric(r) ?? undefined;

  const bPicker = $('#breakdown-picker');
  bPicker.querySelector('vscode-dropdown, [data-picker]')?.remove();
  const bd = ui.dropdown(
    [{ value: NO_BREAKDOWN, label: 'None (total)' }, ...dims.map((d) => ({ value: d, label: dimensionLabel(d) }))],
    view.breakdown || NO_BREAKDOWN,
    (v) => {
      view.breakdown = v === NO_BREAKDOWN ? '' : v;
      persist();
      renderChart();
    },
    { label: 'Breakdown', id: 'breakdown' },
  );
  bd.setAttribute('data-picker', 'breakdown');
  bPicker.append(bd);

  const mPicker = $('#metric-picker');
  mPicker.querySelector('vscode-dropdown, [data-picker]')?.remove();
  const md = ui.dropdown(
    metrics.map((m) => ({ value: m, label: metricLabel(m) })),
    view.metric ?? '',
    (v) => {
      view.metric = v;
      persist();
      renderChart();
    },
    { label: 'Metric', id: 'metric' },
  );
  md.setAttribute('data-picker', 'metric');
  mPicker.append(md);
  ui.setPressed(buttons.line!, view.chartType === 'line');
  ui.setPressed(buttons.bar!, view.chartType === 'bar');
}

function setChartType(type: ChartType): void {
  view.chartType = type;
  ui.setPressed(buttons.line!, type === 'line');
  ui.setPressed(buttons.bar!, type === 'bar');
  persist();
  renderChart();
}

function renderChart(): void {
  const r = view.result;
  const box = $('#chart');
  const canvas = box.querySelector('canvas')!;
  const note = $('#chart-note');
  if (!r) return;
  const metric = view.metric;
  const set = metric
    ? buildTimeSeries(r, { metric, breakdown: view.breakdown || null, templateNames: view.context?.templateNames })
    : undefined;
  box.setAttribute('data-chart-type', view.chartType);
  if (!set || set.series.length === 0) {
    chartHandle?.destroy();
    chartHandle = undefined;
    show(box, false);
    note.textContent = r.length === 0 ? 'No data points for this query.' : 'No metric to chart: the API returned none for these points.';
    return;
  }
  show(box, true);
  const time = makeTimeFormatter(r.timezone, r.granularity);
  const options = {
    type: view.chartType,
    timezone: time.timezone,
    granularity: r.granularity,
    metric: set.metric,
    metricLabel: metricLabel(set.metric) + (r.currency && /cost|amount/.test(set.metric) ? ` (${r.currency})` : ''),
    ...(r.currency ? { currency: r.currency } : {}),
    locale,
  };
  if (chartHandle) chartHandle.update(set, options);
  else chartHandle = drawTimeSeries(canvas, set, options);
  const first = set.buckets.length ? time.bucket(set.buckets[0]!) : '';
  const last = set.buckets.length ? time.bucket(set.buckets[set.buckets.length - 1]!) : '';
  const by = set.breakdown ? ` by ${dimensionLabel(set.breakdown).toLowerCase()}` : '';
  const top = set.series
    .slice(0, 3)
    .map((s) => `${s.label} ${formatCount(s.total, locale)}`)
    .join(', ');
  const label = `${view.chartType === 'line' ? 'Line chart' : 'Stacked bar chart'} of ${metricLabel(set.metric).toLowerCase()}${by}, ${first} to ${last} (${time.timezone}), ${set.series.length} series, total ${formatCount(set.total, locale)}${top ? `; largest: ${top}` : ''}. The data table below holds every value.`;
  canvas.setAttribute('aria-label', label);
  const hidden = set.groups > set.series.length ? ` The ${set.groups - set.series.length + 1} smallest of ${set.groups} are summed into “Other”.` : '';
  note.textContent = `Times in ${time.timezone}${time.valid ? '' : ` (the result's timezone "${r.timezone}" is unknown here)`}.${hidden}`;
}

function numberCell(v: number | null, kind: 'count' | 'money', currency?: string): HTMLTableCellElement {
  return h('td', { class: v === null ? 'num na' : 'num' }, kind === 'money' ? formatMoney(v, currency, locale) : formatCount(v, locale));
}

function renderFunnel(): void {
  const section = $('#funnel-section');
  const r = view.result;
  if (!r || r.kind !== 'template') return show(section, false);
  show(section, true);
  const names = view.context?.templateNames;
  const rows = templateFunnel(r, names);
  const table = h('table', { id: 'funnel-table' });
  table.append(
    h('caption', {}, 'Per template: messages at each step, and the share of the step before'),
    h(
      'thead',
      {},
      h('tr', {}, ...['Template', 'Sent', 'Delivered', 'Read', 'Clicked', 'Cost'].map((t) => h('th', { scope: 'col' }, t))),
    ),
  );
  const body = h('tbody');
  for (const row of rows) {
    const tr = h('tr', { 'data-template-id': row.templateId }, h('th', { scope: 'row' }, row.label));
    const steps: Array<[string, number | null, number | null]> = [
      ['sent', row.sent, null],
      ['delivered', row.delivered, row.sent],
      ['read', row.read, row.delivered],
      ['clicked', row.clicked, row.delivered],
    ];
    for (const [step, v, prev] of steps) {
      const td = h('td', { class: v === null ? 'num na step' : 'num step', 'data-step': step });
      const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
      const base = row.sent;
      bar.style.width = v !== null && base ? `${Math.min(100, (100 * v) / base).toFixed(1)}%` : '0%';
      td.append(bar, h('span', { class: 'count' }, formatCount(v, locale)));
      if (v !== null && prev) td.append(h('span', { class: 'rate' }, ` (${formatPercent(v / prev, locale)})`));
      tr.append(td);
    }
    tr.append(numberCell(row.cost, 'money', r.currency));
    body.append(tr);
  }
  table.append(body);
  $('#funnel').replaceChildren(rows.length ? table : h('p', { class: 'muted' }, 'No template figures in this result.'));

  const clicks = buttonClicks(r, names);
  const box = $('#button-clicks');
  show($('#button-clicks-heading'), true);
  if (!clicks.length) {
    box.replaceChildren(h('p', { class: 'muted' }, r.clicks ? 'No button clicks.' : 'No per-button clicks in this result (the API gives them for Meta templates with buttons).'));
    return;
  }
  box.replaceChildren(
    ui.dataGrid(
      [
        { key: 'template', title: 'Template' },
        { key: 'button', title: 'Button' },
        { key: 'type', title: 'Type' },
        { key: 'count', title: 'Clicks', numeric: true },
      ],
      clicks.map((c) => ({ template: c.template, button: c.buttonContent, type: c.type, count: formatCount(c.count, locale) })),
      { label: 'Clicks per button', id: 'button-clicks-grid' },
    ),
  );
}

function renderBreakdowns(): void {
  const section = $('#breakdowns');
  const r = view.result;
  const list = r ? breakdowns(r, view.context?.templateNames) : [];
  section.replaceChildren();
  show(section, list.length > 0);
  for (const b of list) {
    const columns = [
      { key: 'label', title: dimensionLabel(b.dimension) },
      ...b.metrics.map((m) => ({ key: m, title: m === 'cost' && r!.currency ? `Cost (${r!.currency})` : metricLabel(m), numeric: true })),
    ];
    const withUnit = b.metrics.includes('cost') && b.metrics.length > 1;
    const unitMetric = b.metrics.find((m) => m !== 'cost');
    if (withUnit) columns.push({ key: 'unit', title: r!.kind === 'pricing' ? 'Cost per message' : 'Cost per conversation', numeric: true });
    const rows = b.rows.map((row) => {
      const out: Record<string, string> = { label: row.label };
      for (const m of b.metrics) out[m] = m === 'cost' ? formatMoney(row.values[m] ?? null, r!.currency, locale) : formatCount(row.values[m] ?? null, locale);
      if (withUnit && unitMetric) {
        const c = row.values.cost;
        const v = row.values[unitMetric];
        out.unit = c !== null && c !== undefined && v ? formatMoney(c / v, r!.currency, locale) : formatMoney(null, undefined);
      }
      return out;
    });
    const grid = ui.dataGrid(columns, rows, { label: b.title, id: `breakdown-${b.dimension}` });
    section.append(h('section', { class: 'breakdown', 'data-dimension': b.dimension }, h('h3', {}, b.title), grid));
  }
}

// ---- data table ------------------------------------------------------------------------------

let columnsCache: TableColumn[] = [];

function renderTable(): void {
  const r = view.result;
  const table = $<HTMLTableElement>('#table');
  const note = $('#table-note');
  const pager = $('#table-pager');
  table.replaceChildren();
  pager.replaceChildren();
  if (!r) return;
  const cols = (columnsCache = tableColumns(r));
  const time = makeTimeFormatter(r.timezone, r.granularity);
  const names = view.context?.templateNames;
  const { rows, page, pages, from, to } = pageRows(view.order, r.length, view.page);
  view.page = page;
  table.append(h('caption', {}, `Data points, times in ${time.timezone}${r.currency ? `, money in ${r.currency}` : ''}`));
  const headRow = h('tr');
  for (const c of cols) {
    const sorted = view.sortKey === c.key;
    const th = h('th', {
      scope: 'col',
      'data-column': c.key,
      'aria-sort': sorted ? (view.sortDir === 'asc' ? 'ascending' : 'descending') : 'none',
      class: c.type === 'metric' ? 'num' : undefined,
    });
    const btn = h('button', { type: 'button', class: 'sort', 'data-sort': c.key, title: `Sort by ${c.label}` }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (view.sortDir === 'asc' ? ' ▲' : ' ▼') : ''));
    btn.addEventListener('click', () => sortBy(c.key));
    th.append(btn);
    headRow.append(th);
  }
  table.append(h('thead', {}, headRow));
  const body = h('tbody');
  for (const i of rows) {
    const tr = h('tr', { 'data-index': String(i) });
    for (const c of cols) tr.append(h('td', c.type === 'metric' ? { class: 'num' } : {}, cellText(r, i, c, time, names, locale)));
    body.append(tr);
  }
  table.append(body);
  note.textContent =
    r.length === 0
      ? 'No data points.'
      : r.length > TABLE_PAGE_SIZE
        ? `Showing rows ${from + 1}–${to} of ${r.length.toLocaleString(locale)}. Export JSON or CSV for the full data.`
        : `${r.length.toLocaleString(locale)} rows.`;
  if (pages > 1) {
    const prev = ui.button('Previous', () => gotoPage(view.page - 1), { appearance: 'secondary', action: 'page-prev', disabled: page === 0 });
    const next = ui.button('Next', () => gotoPage(view.page + 1), { appearance: 'secondary', action: 'page-next', disabled: page >= pages - 1 });
    pager.append(prev, h('span', { class: 'page-info' }, `Page ${page + 1} of ${pages}`), next);
  }
}

function sortBy(key: string): void {
  const r = view.result;
  if (!r) return;
  if (view.sortKey === key) view.sortDir = view.sortDir === 'asc' ? 'desc' : 'asc';
  else {
    view.sortKey = key;
    view.sortDir = columnsCache.find((c) => c.key === key)?.type === 'metric' ? 'desc' : 'asc';
  }
  view.order = sortRows(r, key, view.sortDir, view.context?.templateNames);
  view.page = 0;
  renderTable();
  ($(`#table th[data-column="${CSS.escape(key)}"] button`) as HTMLElement).focus();
}

function gotoPage(page: number): void {
  view.page = page;
  renderTable();
}

// ---- message handling ------------------------------------------------------------------------

function setMode(mode: View['mode'], message?: string): void {
  view.mode = mode;
  // A progress note ("Running…") is over once the host answers with a new state.
  if ($('#status').getAttribute('data-state') === 'info') setStatus('');
  const app = $('#app');
  app.setAttribute('data-mode', mode);
  show($('#loading'), mode === 'loading' || mode === 'boot');
  $('#loading .message').textContent = message ?? (mode === 'boot' ? 'Waiting for the extension…' : 'Loading…');
  app.setAttribute('aria-busy', String(mode === 'loading' || mode === 'boot'));
  show($('#error'), mode === 'error');
  const results = $('#results');
  show(results, (mode === 'result' || mode === 'loading') && !!view.result);
  results.classList.toggle('stale', mode === 'loading');
  const hasResult = mode === 'result' && !!view.result;
  ui.setDisabled(buttons.exportJson!, !hasResult);
  ui.setDisabled(buttons.exportCsv!, !hasResult);
  ui.setDisabled(buttons.run!, mode === 'loading' || !view.query);
  ui.setDisabled(buttons.saveQuery!, !view.query);
}

function onResult(msg: Extract<HostMessage, { type: 'result' }>): void {
  view.query = msg.query;
  view.result = msg.result;
  view.context = msg.context;
  view.sortKey = undefined;
  view.order = null;
  view.page = 0;
  if (msg.context.insightsEnabled !== undefined) view.insightsEnabled = msg.context.insightsEnabled;
  setMode('result');
  renderHeader();
  renderParams();
  renderWarnings();
  renderKpis();
  renderPickers();
  renderFunnel();
  renderBreakdowns();
  renderTable();
  renderChart();
  persist();
}

function onLoading(msg: Extract<HostMessage, { type: 'loading' }>): void {
  view.query = msg.query;
  setMode('loading', msg.message);
  renderHeader();
  renderParams();
  ui.setDisabled(buttons.run!, true);
  persist();
}

function onError(msg: Extract<HostMessage, { type: 'error' }>): void {
  if (msg.query) view.query = msg.query;
  if (msg.context) view.context = msg.context;
  view.result = undefined;
  chartHandle?.destroy();
  chartHandle = undefined;
  setMode('error');
  $('#error .message').textContent = msg.message;
  const help = $('#insights-help');
  show(help, !!msg.needsInsights);
  if (msg.needsInsights) {
    help.querySelector('.explain')!.textContent =
      'Template analytics need insights to be enabled on this WhatsApp Business Account. Enabling is done once and cannot be undone; the figures can take a few minutes to appear afterwards. VS Code asks you to confirm first.';
    show(buttons.enableInsights!, true);
    if (view.insightsEnabled) setInsightsEnabled(true);
  }
  renderHeader();
  renderParams();
  persist();
}

function onMessage(data: unknown): void {
  const parsed = HostMessageSchema.safeParse(data);
  if (!parsed.success) return;
  const msg = parsed.data;
  switch (msg.type) {
    case 'result':
      onResult(msg);
      return;
    case 'loading':
      onLoading(msg);
      return;
    case 'error':
      onError(msg);
      return;
    case 'reply': {
      const resolve = pending.get(msg.requestId);
      if (resolve) {
        pending.delete(msg.requestId);
        resolve(msg);
      }
      return;
    }
    case 'insights':
      setInsightsEnabled(msg.enabled);
      if (msg.enabled) setStatus('Insights enabled. Template figures can take a few minutes to appear.', 'ok');
      return;
  }
}

// ---- start -----------------------------------------------------------------------------------

function start(): void {
  restore();
  if (!view.title && document.title) view.title = document.title;
  buildShell();
  setMode('boot');
  renderHeader();
  renderParams();
  window.addEventListener('message', (ev: MessageEvent) => onMessage(ev.data));
  post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
