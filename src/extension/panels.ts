/**
 * One webview panel per result. The panel app (dist/webview.js) says `ready`, then receives the
 * result as columns; its edits come back as messages, each validated against src/protocol.ts.
 * Panels come back after a window reload through the serializer (the webview keeps its query
 * with setState).
 */
import * as vscode from 'vscode';
import { toColumns } from '../core/columns';
import { WabaError, describeError } from '../core/errors';
import type { Query } from '../core/query';
import type { RelativeRange } from '../core/vocabulary';
import type { HostMessage, PanelContext, PanelQuery, WebviewMessage } from '../protocol';
import { isCancellation } from './commandRunner';
import { core } from './lazy';
import { log } from './log';
import { renderPanelHtml } from './panelHtml';
import type { RunEntry } from './queryService';
import { queryTitle } from './queryService';
import { isRelativeRange, keptRange } from './savedQueries';

export const PANEL_VIEW_TYPE = 'wabaAnalytics.panel';

/** How long a panel's document may take to say `ready` before the panel offers to reload it. */
export const READY_TIMEOUT_MS = 8_000;

/**
 * The webview options, the same for a new panel and a restored one. The document is not kept
 * while the panel is hidden (it asks for what it shows again when it comes back): less memory
 * for panels that hold large results.
 */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The same query (key order aside): a re-run of it refreshes its panel. */
export function sameQuery(a: Query | undefined, b: Query | undefined): boolean {
  if (!a || !b) return false;
  const canonical = (q: unknown): string =>
    JSON.stringify(q, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y))) : v));
  return canonical(a) === canonical(b);
}

/** What panels need from the rest of the extension. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  run(connectionId: string, query: Query, force: boolean): Promise<RunEntry>;
  /** A connection able to run this query (for restored panels and saved queries). */
  resolveConnection(query: Pick<Query, 'provider' | 'wabaId'>): Promise<string | undefined>;
  context(entry: RunEntry | undefined, query: Query, connectionId: string | undefined): PanelContext;
  exportEntry(entry: RunEntry, format: 'json' | 'csv'): Promise<vscode.Uri>;
  /** Save the query; with `range`, as that relative range instead of its dates. */
  saveQuery(query: Query, range?: RelativeRange): Promise<vscode.Uri>;
  enableInsights(connectionId: string, wabaId: string): Promise<boolean>;
}

/** Template analytics refused because insights are off on the WABA (the panel offers to enable them). */
export function isNeedsInsights(e: unknown): boolean {
  // Decided by the provider from its codes (Meta code 200/2388096, Vonage 403 "Insights not enabled").
  return e instanceof WabaError && e.reason === 'insights-disabled';
}

export class AnalyticsPanel {
  private static readonly open = new Set<AnalyticsPanel>();
  private ready = false;
  private pending?: HostMessage;
  /** The last result, loading or error message: what the webview shows, sent again when its document loads again. */
  private current?: HostMessage;
  private entry?: RunEntry;
  private disposed = false;
  /** Everything this panel listens to or starts, disposed with it. */
  private readonly disposables: vscode.Disposable[] = [];
  private readyTimer?: ReturnType<typeof setTimeout>;
  /** The relative range ("last-30-days") the query's dates come from, if any: "Save query" keeps it. */
  private range?: RelativeRange;

  /** `range`: the relative range the query's dates were picked as (kept while it gives the same dates). */
  static create(host: PanelHost, connectionId: string, entry: RunEntry, range?: RelativeRange): AnalyticsPanel {
    const p = new AnalyticsPanel(AnalyticsPanel.newWebviewPanel(host, entry.query, connectionId, entry), host, connectionId, entry.query);
    p.range = keptRange(range, entry.query);
    p.show(entry);
    return p;
  }

  /**
   * A panel opened when the query starts (Run), showing "Running…": VS Code builds its webview while
   * the query runs, and `answer` or `fail` gives it the outcome.
   */
  static opening(host: PanelHost, connectionId: string, query: Query, range?: RelativeRange): AnalyticsPanel {
    const p = new AnalyticsPanel(AnalyticsPanel.newWebviewPanel(host, query, connectionId, undefined), host, connectionId, query);
    p.range = keptRange(range, query);
    p.post({ type: 'loading', query: p.panelQuery(query), message: `Running ${queryTitle(query)}…` });
    return p;
  }

  /** The result of the query the panel was opened for (nothing when the user closed it meanwhile). */
  answer(entry: RunEntry): void {
    if (!this.disposed) this.show(entry);
  }

  /** The query the panel was opened for failed: the panel says why (`keep`), or closes (the failure is told elsewhere). */
  fail(query: Query, error: unknown, keep: boolean): void {
    if (this.disposed) return;
    if (keep) this.showError(query, error);
    else this.panel.dispose();
  }

  /** A panel for a query whose first run failed (e.g. insights are off: the panel explains and offers to enable them). */
  static createFailed(host: PanelHost, connectionId: string, query: Query, error: unknown, range?: RelativeRange): AnalyticsPanel {
    const p = new AnalyticsPanel(AnalyticsPanel.newWebviewPanel(host, query, connectionId, undefined), host, connectionId, query);
    p.range = keptRange(range, query);
    p.showError(query, error);
    return p;
  }

  /** The query as the webview holds it: with its relative range, when it has one. */
  private panelQuery(query: Query): PanelQuery {
    return { ...(query as PanelQuery), ...(this.range ? { range: this.range } : {}) };
  }

  private static newWebviewPanel(host: PanelHost, query: Query, connectionId: string, entry: RunEntry | undefined): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, queryTitle(query, host.context(entry, query, connectionId).wabaName), vscode.ViewColumn.Active, panelOptions(host.extensionUri));
  }

  /** Restore a panel after a reload from the state its webview saved. */
  static async revive(panel: vscode.WebviewPanel, host: PanelHost, state: unknown): Promise<void> {
    panel.webview.options = panelOptions(host.extensionUri);
    const parsed = core().PanelStateSchema.safeParse(state);
    let query: Query | undefined;
    let range: unknown;
    try {
      if (parsed.success) {
        // The relative range rides beside the query (it is no query key).
        const { range: r, ...rest } = parsed.data.query;
        range = r;
        query = core().parseQuery(rest);
      }
    } catch {
      query = undefined;
    }
    if (!query) {
      const p = new AnalyticsPanel(panel, host, undefined, undefined);
      p.post({ type: 'error', message: 'This panel could not be restored: its saved query is missing or invalid. Run the query again from the WABA Analytics view.' });
      return;
    }
    const connectionId = await host.resolveConnection(query);
    const p = new AnalyticsPanel(panel, host, connectionId, query);
    // Kept as it was picked (the panel may come back on a later day: "Save query" still writes that range).
    if (isRelativeRange(range)) p.range = range;
    if (!connectionId) {
      p.post({ type: 'error', query: p.panelQuery(query), message: `No connection can run this query (${query.provider} WABA ${query.wabaId}). Add a connection, then press Run.` });
      return;
    }
    await p.rerun(query, false);
  }

  /** All open panels showing a WABA (to refresh them after insights are enabled). */
  static forWaba(wabaId: string): AnalyticsPanel[] {
    return [...AnalyticsPanel.open].filter((p) => p.query?.wabaId === wabaId);
  }

  static all(): AnalyticsPanel[] {
    return [...AnalyticsPanel.open];
  }

  /** The panel in front (the active editor), if it is one of these. */
  static active(): AnalyticsPanel | undefined {
    return [...AnalyticsPanel.open].find((p) => p.isActive);
  }

  /** The open panel showing this query, if any (the most recently opened). */
  static forQuery(query: Query): AnalyticsPanel | undefined {
    return [...AnalyticsPanel.open].reverse().find((p) => sameQuery(p.entry?.query ?? p.query, query));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
    private connectionId: string | undefined,
    public query: Query | undefined,
  ) {
    AnalyticsPanel.open.add(this);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'activity.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.receive(m)),
      panel.onDidChangeViewState(() => {
        // A hidden panel's document is dropped; it says `ready` again when it is shown.
        if (!panel.visible) {
          this.ready = false;
          this.disarmReadyTimer();
        } else if (!this.ready) this.armReadyTimer();
      }),
      { dispose: () => this.disarmReadyTimer() },
    );
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    this.loadDocument();
  }

  /** Set (or set again) the document: a fresh nonce each time, and a watch for its `ready`. */
  private loadDocument(): void {
    const webview = this.panel.webview;
    this.ready = false;
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'media', 'panel.css')).toString(),
      title: this.panel.title,
    });
    this.armReadyTimer();
  }

  private armReadyTimer(): void {
    this.disarmReadyTimer();
    if (this.disposed || !this.panel.visible) return;
    this.readyTimer = setTimeout(() => void this.notReady(), READY_TIMEOUT_MS);
    // A watch, not work: it keeps no process alive.
    this.readyTimer.unref?.();
  }

  private disarmReadyTimer(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
  }

  /** The document did not start (its page says so too): offer to load it again. */
  private async notReady(): Promise<void> {
    this.readyTimer = undefined;
    if (this.ready || this.disposed) return;
    log.warn(`The panel "${this.panel.title}" did not start within ${READY_TIMEOUT_MS / 1000} s.`);
    const answer = await vscode.window.showErrorMessage(`The panel "${this.panel.title}" did not start.`, 'Reload');
    if (answer === 'Reload' && !this.disposed && !this.ready) this.loadDocument();
  }

  /** Reload the panel's document (the Reload action, or a test). */
  reload(): void {
    if (!this.disposed) this.loadDocument();
  }

  get isReady(): boolean {
    return this.ready;
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    AnalyticsPanel.open.delete(this);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Whether this panel is the active editor (the one in front). */
  get isActive(): boolean {
    return this.panel.active;
  }
  get currentEntry(): RunEntry | undefined {
    return this.entry;
  }

  private post(message: HostMessage): void {
    const checked = core().HostMessageSchema.safeParse(message);
    if (!checked.success) {
      log.error(`Refused to post an invalid message to the panel: ${checked.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    if (message.type === 'result' || message.type === 'loading' || message.type === 'error') this.current = message;
    if (!this.ready && message.type !== 'reply') {
      this.pending = message;
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  show(entry: RunEntry): void {
    this.entry = entry;
    this.query = entry.query;
    this.connectionId = entry.connectionId;
    const context = this.host.context(entry, entry.query, entry.connectionId);
    this.panel.title = queryTitle(entry.query, context.wabaName);
    this.post(this.resultMessage(entry, context));
  }

  private resultMessage(entry: RunEntry, context = this.host.context(entry, entry.query, entry.connectionId)): HostMessage {
    const { previous, previousRange } = entry.run;
    return {
      type: 'result',
      query: this.panelQuery(entry.query),
      result: toColumns(entry.run.result),
      context,
      ...(previous && previousRange ? { previous: { result: toColumns(previous), ...previousRange } } : {}),
    };
  }

  async rerun(query: Query, force: boolean): Promise<void> {
    this.query = query;
    if (!this.connectionId) this.connectionId = await this.host.resolveConnection(query);
    if (!this.connectionId) throw new WabaError('input', `No connection can run this query (${query.provider} WABA ${query.wabaId}).`, { hint: 'Add a connection first.' });
    this.post({ type: 'loading', query: this.panelQuery(query), message: `Running ${queryTitle(query)}…` });
    try {
      const entry = await this.host.run(this.connectionId, query, force);
      if (!this.disposed) this.show(entry);
    } catch (e) {
      if (this.disposed) return;
      if (isCancellation(e)) {
        if (this.entry) this.show(this.entry);
        else this.post({ type: 'error', query: this.panelQuery(query), message: 'The query was cancelled. Press Run to try again.' });
        return;
      }
      this.showError(query, e);
    }
  }

  private showError(query: Query, e: unknown): void {
    // The tab says what the heading says: the previous result's query while it stays in view.
    const context = this.host.context(undefined, query, this.connectionId);
    this.panel.title = this.entry ? queryTitle(this.entry.query, this.host.context(this.entry, this.entry.query, this.entry.connectionId).wabaName) : queryTitle(query, context.wabaName);
    this.post({
      type: 'error',
      query: this.panelQuery(query),
      message: describeError(e),
      needsInsights: query.kind === 'template' && isNeedsInsights(e),
      context,
    });
  }

  private reply(requestId: number, ok: boolean, message?: string): void {
    this.post({ type: 'reply', requestId, ok, ...(message ? { message } : {}) });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = core().WebviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn(`Dropped a panel message that does not fit the protocol: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'} ${i.message}`).join('; ')}`);
      return;
    }
    const m: WebviewMessage = parsed.data;
    if (m.type === 'ready') {
      // Also said again each time the panel is shown after being hidden: without
      // retainContextWhenHidden its document loads anew and must be sent what it shows.
      this.ready = true;
      this.disarmReadyTimer();
      const queued = this.pending;
      const current = this.current;
      this.pending = undefined;
      // A loading or error state shows over the previous result: send that first.
      if (this.entry && current && current.type !== 'result') this.post(this.resultMessage(this.entry));
      if (current) this.post(current);
      if (queued && queued !== current) this.post(queued);
      return;
    }
    try {
      switch (m.type) {
        case 'run': {
          // The form's date preset ("last-30-days") rides beside the query's keys.
          const { range, ...rest } = m.query;
          const query = core().parseQuery(rest);
          this.range = keptRange(range, query);
          this.reply(m.requestId, true);
          await this.rerun(query, true);
          return;
        }
        case 'export': {
          if (!this.entry) throw new WabaError('input', 'There is no result to export yet.');
          const uri = await this.host.exportEntry(this.entry, m.format);
          this.reply(m.requestId, true, `Exported to ${vscode.workspace.asRelativePath(uri)}`);
          return;
        }
        case 'saveQuery': {
          if (!this.query) throw new WabaError('input', 'There is no query to save yet.');
          const uri = await this.host.saveQuery(this.query, this.range);
          this.reply(m.requestId, true, `Saved ${vscode.workspace.asRelativePath(uri)}`);
          return;
        }
        case 'enableInsights': {
          if (!this.query || !this.connectionId) throw new WabaError('input', 'No WABA is known for this panel.');
          const enabled = await this.host.enableInsights(this.connectionId, this.query.wabaId);
          this.reply(m.requestId, enabled, enabled ? 'Insights enabled.' : 'Insights were not enabled.');
          if (enabled) this.post({ type: 'insights', enabled: true });
          return;
        }
        case 'openSettings':
          await vscode.commands.executeCommand('workbench.action.openSettings', 'wabaAnalytics');
          this.reply(m.requestId, true);
          return;
      }
    } catch (e) {
      if (isCancellation(e)) {
        this.reply(m.requestId, false, 'Cancelled.');
        return;
      }
      log.warn(`Panel action ${m.type} failed: ${describeError(e)}`);
      this.reply(m.requestId, false, describeError(e));
    }
  }
}
