/**
 * One webview panel per result. The panel app (dist/webview.js) says `ready`, then receives the
 * result as columns; its edits come back as messages, each validated against src/protocol.ts.
 * Panels come back after a window reload through the serializer (the webview keeps its query
 * with setState).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { toColumns } from '../core/columns';
import { WabaError, describeError } from '../core/errors';
import type { Query } from '../core/query';
import { parseQuery } from '../core/query';
import type { HostMessage, PanelContext, PanelQuery, WebviewMessage } from '../protocol';
import { HostMessageSchema, PanelStateSchema, WebviewMessageSchema } from '../protocol';
import { knownTemplateNames } from './accountsTree';
import { isCancellation } from './commandRunner';
import { log } from './log';
import { renderPanelHtml } from './panelHtml';
import type { RunEntry } from './queryService';
import { queryTitle } from './queryService';

export const PANEL_VIEW_TYPE = 'wabaAnalytics.panel';

/** What panels need from the rest of the extension. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  run(connectionId: string, query: Query, force: boolean): Promise<RunEntry>;
  /** A connection able to run this query (for restored panels and saved queries). */
  resolveConnection(query: Pick<Query, 'provider' | 'wabaId'>): Promise<string | undefined>;
  context(entry: RunEntry | undefined, query: Query, connectionId: string | undefined): PanelContext;
  exportEntry(entry: RunEntry, format: 'json' | 'csv'): Promise<vscode.Uri>;
  saveQuery(query: Query): Promise<vscode.Uri>;
  enableInsights(connectionId: string, wabaId: string): Promise<boolean>;
}

/** Template analytics refused because insights are off on the WABA (the panel offers to enable them). */
export function isNeedsInsights(e: unknown): boolean {
  if (!(e instanceof WabaError)) return false;
  return /insights/i.test(`${e.problemTitle ?? ''} ${e.message}`) && (e.status === 403 || e.status === 400 || e.graphSubcode === 2388096);
}

export class AnalyticsPanel {
  private static readonly open = new Set<AnalyticsPanel>();
  private ready = false;
  private pending?: HostMessage;
  /** The last result, loading or error message: what the webview shows, sent again when its document loads again. */
  private current?: HostMessage;
  private entry?: RunEntry;
  private disposed = false;

  static create(host: PanelHost, connectionId: string, entry: RunEntry): AnalyticsPanel {
    const p = new AnalyticsPanel(AnalyticsPanel.newWebviewPanel(host, entry.query, connectionId, entry), host, connectionId, entry.query);
    p.show(entry);
    return p;
  }

  /** A panel for a query whose first run failed (e.g. insights are off: the panel explains and offers to enable them). */
  static createFailed(host: PanelHost, connectionId: string, query: Query, error: unknown): AnalyticsPanel {
    const p = new AnalyticsPanel(AnalyticsPanel.newWebviewPanel(host, query, connectionId, undefined), host, connectionId, query);
    p.showError(query, error);
    return p;
  }

  private static newWebviewPanel(host: PanelHost, query: Query, connectionId: string, entry: RunEntry | undefined): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, queryTitle(query, host.context(entry, query, connectionId).wabaName), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(host.extensionUri, 'dist'), vscode.Uri.joinPath(host.extensionUri, 'media')],
    });
  }

  /** Restore a panel after a reload from the state its webview saved. */
  static async revive(panel: vscode.WebviewPanel, host: PanelHost, state: unknown): Promise<void> {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(host.extensionUri, 'dist'), vscode.Uri.joinPath(host.extensionUri, 'media')],
    };
    const parsed = PanelStateSchema.safeParse(state);
    let query: Query | undefined;
    try {
      if (parsed.success) query = parseQuery(parsed.data.query);
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
    if (!connectionId) {
      p.post({ type: 'error', query: query as PanelQuery, message: `No connection can run this query (${query.provider} WABA ${query.wabaId}). Add a connection, then press Run.` });
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

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
    private connectionId: string | undefined,
    public query: Query | undefined,
  ) {
    AnalyticsPanel.open.add(this);
    const webview = panel.webview;
    const nonce = randomBytes(16).toString('base64');
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'media', 'panel.css')).toString(),
      title: panel.title,
    });
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'activity.svg');
    webview.onDidReceiveMessage((m) => void this.receive(m));
    panel.onDidDispose(() => {
      this.disposed = true;
      AnalyticsPanel.open.delete(this);
    });
  }

  get currentEntry(): RunEntry | undefined {
    return this.entry;
  }

  private post(message: HostMessage): void {
    const checked = HostMessageSchema.safeParse(message);
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
    this.post({ type: 'result', query: entry.query as PanelQuery, result: toColumns(entry.run.result), context });
  }

  async rerun(query: Query, force: boolean): Promise<void> {
    this.query = query;
    if (!this.connectionId) this.connectionId = await this.host.resolveConnection(query);
    if (!this.connectionId) throw new WabaError('input', `No connection can run this query (${query.provider} WABA ${query.wabaId}).`, { hint: 'Add a connection first.' });
    this.post({ type: 'loading', query: query as PanelQuery, message: `Running ${queryTitle(query)}…` });
    try {
      const entry = await this.host.run(this.connectionId, query, force);
      if (!this.disposed) this.show(entry);
    } catch (e) {
      if (this.disposed) return;
      if (isCancellation(e)) {
        if (this.entry) this.show(this.entry);
        else this.post({ type: 'error', query: query as PanelQuery, message: 'The query was cancelled. Press Run to try again.' });
        return;
      }
      this.showError(query, e);
    }
  }

  private showError(query: Query, e: unknown): void {
    this.post({
      type: 'error',
      query: query as PanelQuery,
      message: describeError(e),
      needsInsights: query.kind === 'template' && isNeedsInsights(e),
      context: this.host.context(undefined, query, this.connectionId),
    });
  }

  private reply(requestId: number, ok: boolean, message?: string): void {
    this.post({ type: 'reply', requestId, ok, ...(message ? { message } : {}) });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = WebviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn(`Dropped a panel message that does not fit the protocol: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'} ${i.message}`).join('; ')}`);
      return;
    }
    const m: WebviewMessage = parsed.data;
    if (m.type === 'ready') {
      // Also said again each time the panel is shown after being hidden: without
      // retainContextWhenHidden its document loads anew and must be sent what it shows.
      this.ready = true;
      const queued = this.pending;
      this.pending = undefined;
      if (this.current) this.post(this.current);
      if (queued && queued !== this.current) this.post(queued);
      return;
    }
    try {
      switch (m.type) {
        case 'run': {
          const query = parseQuery(m.query);
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
          const uri = await this.host.saveQuery(this.query);
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

/** Template names for the panel, from the tree's knowledge. */
export function templateNamesFor(query: Query): Record<string, string> {
  return query.kind === 'template' ? knownTemplateNames(query.templateIds) : {};
}
