/**
 * The panel's one state: a pure reducer over the host's messages and the user's actions, and the
 * views derived from it (title, header fields, what is shown). No DOM and no module-level mutable
 * state here, so it runs (and is tested) in node; webview/main.ts holds the one current state and
 * hands it to the sections after every action.
 */
import type { ColumnarResult, HostMessage, PanelContext, PanelQuery, PanelState } from '../src/protocol';
import { KIND_LABELS, granularityLabel, providerLabel } from '../src/core/vocabulary';
import type { ChartType } from './chart';
import type { SortDirection } from './model';
import { TABLE_PAGE_SIZE, chartableMetrics, defaultBreakdown, defaultMetric, makeTimeFormatter, pageRows, presentDimensions, sortRows, tableColumns } from './model';

export type PreviousPeriod = NonNullable<Extract<HostMessage, { type: 'result' }>['previous']>;

export type Mode = 'boot' | 'loading' | 'result' | 'error';
export type StatusState = 'ok' | 'error' | 'info';

export interface ViewState {
  mode: Mode;
  /** The query in the form: the one last run, loading or edited. */
  query?: PanelQuery;
  /** The query of the result shown (the heading and the tab title describe this one while a result is shown). */
  resultQuery?: PanelQuery;
  /** The heading before anything arrived (from the saved state or the document title). */
  title?: string;
  result?: ColumnarResult;
  /** The previous period of the same length (for the comparison), when the host sent it with the result. */
  previous?: PreviousPeriod;
  /** Overlay the previous period on the chart. */
  overlayPrevious: boolean;
  context?: PanelContext;
  loadingMessage?: string;
  error?: { message: string; needsInsights: boolean };
  insightsEnabled?: boolean;
  chartType: ChartType;
  /** '' = no breakdown (one total series); undefined = not chosen yet. */
  breakdown?: string;
  metric?: string;
  sortKey?: string;
  sortDir: SortDirection;
  /** Row order after a sort (null: as received). */
  order: Uint32Array | null;
  page: number;
  status: { text: string; state: StatusState };
}

export type Action =
  | { type: 'host'; message: HostMessage }
  | { type: 'restore'; saved: PanelState; documentTitle?: string }
  | { type: 'chartType'; chartType: ChartType }
  | { type: 'overlayPrevious'; on: boolean }
  | { type: 'breakdown'; breakdown: string }
  | { type: 'metric'; metric: string }
  | { type: 'sort'; key: string }
  | { type: 'page'; page: number }
  | { type: 'queryEdited'; query: PanelQuery }
  | { type: 'status'; text: string; state?: StatusState }
  | { type: 'insightsEnabled'; enabled: boolean };

export function initialState(): ViewState {
  return { mode: 'boot', chartType: 'line', overlayPrevious: false, sortDir: 'asc', order: null, page: 0, status: { text: '', state: 'info' } };
}

/** A progress note ("Running…") is over once the host answers with a new state. */
function settleStatus(s: ViewState): ViewState['status'] {
  return s.status.state === 'info' ? { text: '', state: 'info' } : s.status;
}

/** Breakdown and metric kept when the new result has them, else its defaults. */
function pickers(s: ViewState, r: ColumnarResult): Pick<ViewState, 'breakdown' | 'metric'> {
  const dims = presentDimensions(r);
  const breakdown = s.breakdown === undefined || (s.breakdown !== '' && !dims.includes(s.breakdown)) ? (defaultBreakdown(r) ?? '') : s.breakdown;
  const metrics = chartableMetrics(r);
  const metric = s.metric && metrics.includes(s.metric) ? s.metric : (defaultMetric(r) ?? undefined);
  return { breakdown, metric };
}

function onHost(s: ViewState, msg: HostMessage): ViewState {
  switch (msg.type) {
    case 'result': {
      const insightsEnabled = msg.context.insightsEnabled ?? s.insightsEnabled;
      return {
        ...s,
        mode: 'result',
        query: msg.query,
        resultQuery: msg.query,
        result: msg.result,
        previous: msg.previous,
        context: msg.context,
        error: undefined,
        loadingMessage: undefined,
        sortKey: undefined,
        sortDir: 'asc',
        order: null,
        page: 0,
        ...(insightsEnabled !== undefined ? { insightsEnabled } : {}),
        ...pickers(s, msg.result),
        status: settleStatus(s),
      };
    }
    case 'loading':
      return { ...s, mode: 'loading', query: msg.query, loadingMessage: msg.message, error: undefined, status: settleStatus(s) };
    case 'error':
      // A failed re-run keeps the previous result in view, below the error.
      return {
        ...s,
        mode: 'error',
        ...(msg.query ? { query: msg.query } : {}),
        ...(msg.context ? { context: s.result ? { ...s.context, ...msg.context, templateNames: { ...s.context?.templateNames, ...msg.context.templateNames } } : msg.context } : {}),
        ...(msg.context?.insightsEnabled !== undefined ? { insightsEnabled: msg.context.insightsEnabled } : {}),
        error: { message: msg.message, needsInsights: !!msg.needsInsights },
        loadingMessage: undefined,
        status: settleStatus(s),
      };
    case 'insights':
      return {
        ...s,
        insightsEnabled: msg.enabled,
        ...(msg.enabled ? { status: { text: 'Insights enabled. Template figures can take a few minutes to appear.', state: 'ok' as const } } : {}),
      };
    case 'reply':
      return s;
  }
}

export function reduce(s: ViewState, action: Action): ViewState {
  switch (action.type) {
    case 'host':
      return onHost(s, action.message);
    case 'restore': {
      const { saved } = action;
      return {
        ...s,
        query: saved.query,
        title: saved.title ?? action.documentTitle ?? s.title,
        chartType: saved.chartType ?? s.chartType,
        ...(saved.breakdown !== undefined ? { breakdown: saved.breakdown } : {}),
        ...(saved.metric ? { metric: saved.metric } : {}),
      };
    }
    case 'chartType':
      return { ...s, chartType: action.chartType };
    case 'overlayPrevious':
      return { ...s, overlayPrevious: action.on };
    case 'breakdown':
      return { ...s, breakdown: action.breakdown };
    case 'metric':
      return { ...s, metric: action.metric };
    case 'sort': {
      const r = s.result;
      if (!r) return s;
      const same = s.sortKey === action.key;
      const sortDir: SortDirection = same ? (s.sortDir === 'asc' ? 'desc' : 'asc') : tableColumns(r).find((c) => c.key === action.key)?.type === 'metric' ? 'desc' : 'asc';
      return { ...s, sortKey: action.key, sortDir, order: sortRows(r, action.key, sortDir, s.context?.templateNames), page: 0 };
    }
    case 'page': {
      if (!s.result) return s;
      return { ...s, page: pageRows(s.order, s.result.length, action.page).page };
    }
    case 'queryEdited':
      return { ...s, query: action.query };
    case 'status':
      return { ...s, status: { text: action.text, state: action.state ?? 'info' } };
    case 'insightsEnabled':
      return { ...s, insightsEnabled: action.enabled };
  }
}

/** What the webview keeps with setState (restored after a window reload). */
export function persisted(s: ViewState): PanelState | undefined {
  if (!s.query) return undefined;
  const title = headerView(s).title;
  return {
    query: s.query,
    chartType: s.chartType,
    ...(title ? { title } : {}),
    ...(s.breakdown !== undefined ? { breakdown: s.breakdown } : {}),
    ...(s.metric ? { metric: s.metric } : {}),
  };
}

// ---- derived views -----------------------------------------------------------------------------

export { KIND_LABELS };

/** The query the heading describes: the result's while one is shown, else the one in the form. */
export function shownQuery(s: ViewState): PanelQuery | undefined {
  return s.result ? (s.resultQuery ?? s.query) : s.query;
}

/** The same words as the tab title (src/extension/queryService.ts queryTitle). */
export function queryHeading(q: Pick<PanelQuery, 'kind' | 'wabaId' | 'from' | 'to'>, wabaName?: string): string {
  return `${KIND_LABELS[q.kind]} · ${wabaName ?? q.wabaId} · ${q.from} → ${q.to}`;
}

export type MetaField = 'waba' | 'provider' | 'range' | 'granularity' | 'timezone' | 'fetched-at' | 'requests';

export interface HeaderView {
  title: string;
  /** Value per field; undefined fields are hidden. */
  meta: Record<MetaField, string | undefined>;
}

export function headerView(s: ViewState): HeaderView {
  const q = shownQuery(s);
  const ctx = s.context;
  const r = s.result;
  const wabaId = q?.wabaId ?? r?.wabaId ?? undefined;
  const title = q ? queryHeading(q, ctx?.wabaName) : s.title || 'WABA Analytics';
  const waba = ctx?.wabaName ? `${ctx.wabaName} (${wabaId ?? '?'})` : wabaId;
  const provider = r?.provider ?? q?.provider;
  const tz = r?.timezone || 'UTC';
  let fetched: string | undefined;
  if (r && ctx?.fetchedAt) {
    const ms = Date.parse(ctx.fetchedAt);
    const f = makeTimeFormatter(tz, 'HALF_HOUR');
    fetched = Number.isFinite(ms) ? `${f.dateTime(ms)} (${f.timezone})` : ctx.fetchedAt;
  }
  const granularity = r?.granularity ?? q?.granularity;
  return {
    title,
    meta: {
      waba: waba ? (ctx?.connectionLabel ? `${waba} · ${ctx.connectionLabel}` : waba) : undefined,
      provider: provider ? providerLabel(provider) : undefined,
      range: q ? `${q.from} → ${q.to}` : undefined,
      granularity: granularity ? granularityLabel(granularity) : undefined,
      timezone: q || r ? tz : undefined,
      'fetched-at': fetched,
      requests: r && ctx?.requests !== undefined ? `${ctx.requests}${ctx.partial ? ' (partial result)' : ''}` : undefined,
    },
  };
}

/** Which parts of the panel are in view, and which actions are possible. */
export interface LayoutView {
  busy: boolean;
  loading: boolean;
  loadingText: string;
  error: boolean;
  results: boolean;
  stale: boolean;
  canExport: boolean;
  canRun: boolean;
  canSave: boolean;
  /** Set when a failed run leaves the previous result in view: says which result it is. */
  previousNote?: string;
}

export function layoutView(s: ViewState): LayoutView {
  const loading = s.mode === 'loading' || s.mode === 'boot';
  const rq = s.resultQuery;
  return {
    busy: loading,
    loading,
    loadingText: s.loadingMessage ?? (s.mode === 'boot' ? 'Waiting for the extension…' : 'Loading…'),
    error: s.mode === 'error',
    results: !!s.result && s.mode !== 'boot',
    stale: s.mode === 'loading' && !!s.result,
    canExport: !!s.result && s.mode !== 'boot' && s.mode !== 'loading',
    canRun: !!s.query && s.mode !== 'loading' && s.mode !== 'boot',
    canSave: !!s.query,
    ...(s.mode === 'error' && s.result && rq ? { previousNote: `Below: the previous result (${rq.from} → ${rq.to}), still the one exported.` } : {}),
  };
}

export const INSIGHTS_OFF_TEXT =
  'Template analytics need insights to be enabled on this WhatsApp Business Account. Enabling is done once and cannot be undone; the figures can take a few minutes to appear afterwards. VS Code asks you to confirm first.';
export const INSIGHTS_ON_TEXT = 'Insights are now enabled for this WhatsApp Business Account. Template figures can take a few minutes to appear: press Run again shortly.';

/** The insights call to action under an error, if any. */
export function insightsView(s: ViewState): { text: string; offerEnable: boolean } | undefined {
  if (s.mode !== 'error' || !s.error?.needsInsights) return undefined;
  return s.insightsEnabled ? { text: INSIGHTS_ON_TEXT, offerEnable: false } : { text: INSIGHTS_OFF_TEXT, offerEnable: true };
}

/** The note above the table. Pure. */
export function tableNote(length: number, from: number, to: number, locale: string): string {
  if (length === 0) return 'No data points.';
  if (length > TABLE_PAGE_SIZE) return `Showing rows ${from + 1}–${to} of ${length.toLocaleString(locale)}. Export JSON or CSV for the full data.`;
  return `${length.toLocaleString(locale)} rows.`;
}
