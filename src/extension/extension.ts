/**
 * The extension's entry: registers the Accounts tree, the commands, the panel serializer and the
 * saved-query CodeLens. No network work here: everything loads when first used.
 */
import * as vscode from 'vscode';
import { WabaError, describeError } from '../core/errors';
import type { Query, QueryInput } from '../core/query';
import { kindLabel, parseQuery } from '../core/query';
import type { Kind, WabaInfo } from '../core/types';
import type { TreeNode } from './accountsTree';
import { AccountsTree, ConnectionNode, LoadMoreNode, PhoneNode, TemplateNode, TemplatesNode, WabaNode, knownTemplateNames, rememberTemplate } from './accountsTree';
import { Dismissed, registerCommand } from './commandRunner';
import type { ConnectionMeta, ConnectionSecret } from './connections';
import { ConnectionStore, demoSandbox, stopDemoSandbox } from './connections';
import type { TargetOptions } from './export';
import { exportEntry, saveQueryFile } from './export';
import { disposeLog, getChannel, log } from './log';
import type { PanelHost } from './panels';
import { AnalyticsPanel, PANEL_VIEW_TYPE, isNeedsInsights } from './panels';
import type { Prefill } from './queryFlow';
import { QueryFlow } from './queryFlow';
import type { RunEntry } from './queryService';
import { QueryService } from './queryService';
import { NEW_SAVED_QUERY, SAVED_QUERY_GLOB, SavedQueryLens, readSavedQuery } from './savedQueries';

/** What commands take when called programmatically (tests, saved queries, automation). */
interface DirectQuery {
  connectionId?: string;
  query: QueryInput;
  force?: boolean;
  /** Do not open a panel (return the run only). */
  noPanel?: boolean;
}

function isDirectQuery(v: unknown): v is DirectQuery {
  return !!v && typeof v === 'object' && 'query' in v && !(v instanceof vscode.Uri);
}

export interface ExtensionApi {
  store: ConnectionStore;
  tree: AccountsTree;
  queries: QueryService;
  panels: () => AnalyticsPanel[];
  /** The embedded demo sandbox (started on demand): its data is the oracle for tests. */
  demoSandbox: typeof demoSandbox;
  /** Where the "WABA Analytics" log file is written. */
  logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const store = new ConnectionStore(context);
  const queries = new QueryService(store);
  const tree = new AccountsTree(store);
  const flow = new QueryFlow(store);
  const view = vscode.window.createTreeView('wabaAnalytics.accounts', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(store, tree, view, { dispose: () => queries.dispose() });

  // ---- helpers ------------------------------------------------------------------------------
  const wabaInfo = async (connectionId: string, wabaId: string): Promise<WabaInfo | undefined> => {
    const known = queries.waba(connectionId, wabaId);
    if (known) return known;
    const conn = tree.connections.find((c) => c.meta.id === connectionId);
    if (conn) {
      const nodes = await tree.wabaNodes(conn).catch(() => []);
      const node = nodes.find((n) => n.info.id === wabaId);
      if (node) {
        queries.rememberWaba(connectionId, node.info);
        return node.info;
      }
    }
    return undefined;
  };

  const resolveConnection = async (q: Pick<Query, 'provider' | 'wabaId'>): Promise<string | undefined> => {
    const candidates = store.list().filter((c) => c.provider === q.provider);
    for (const c of candidates) if (queries.waba(c.id, q.wabaId)) return c.id;
    for (const c of candidates) {
      const node = tree.connections.find((n) => n.meta.id === c.id);
      if (!node) continue;
      const wabas = await tree.wabaNodes(node).catch(() => []);
      if (wabas.some((w) => w.info.id === q.wabaId)) return c.id;
    }
    return candidates[0]?.id;
  };

  const ensureTemplateNames = async (connectionId: string, query: Query) => {
    if (query.kind !== 'template') return;
    const missing = query.templateIds.filter((id) => !knownTemplateNames([id])[id]);
    if (!missing.length) return;
    try {
      const provider = await store.provider(connectionId);
      let cursor: string | undefined;
      for (let i = 0; i < 5 && missing.some((id) => !knownTemplateNames([id])[id]); i++) {
        const page = await provider.listTemplates(query.wabaId, { cursor });
        page.items.forEach(rememberTemplate);
        if (!page.next) break;
        cursor = page.next;
      }
    } catch (e) {
      log.warn(`Template names could not be read: ${describeError(e)}`);
    }
  };

  const runEntry = async (connectionId: string, query: QueryInput | Query, force: boolean): Promise<RunEntry> => {
    const parsed = parseQuery(query);
    const info = await wabaInfo(connectionId, parsed.wabaId);
    if (info) queries.rememberWaba(connectionId, info);
    await ensureTemplateNames(connectionId, parsed);
    return queries.run(connectionId, parsed, { force });
  };

  const enableInsights = async (connectionId: string, wabaId: string, confirmed = false): Promise<boolean> => {
    const info = await wabaInfo(connectionId, wabaId);
    const name = info?.name ? `“${info.name}” (${wabaId})` : `WABA ${wabaId}`;
    if (!confirmed) {
      const answer = await vscode.window.showWarningMessage(
        `Enable insights for ${name}?`,
        {
          modal: true,
          detail:
            'Template analytics need insights. This cannot be undone: once enabled, insights stay on for this WhatsApp Business Account.\n\n' +
            'Meta will start recording template analytics, including tracking of link clicks, and will collect and anonymize data from your chats with customers to improve the services it provides you and other businesses.',
        },
        'Enable Insights',
      );
      if (answer !== 'Enable Insights') return false;
    }
    const provider = await store.provider(connectionId);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Enabling insights for ${name}…` }, () => provider.enableInsights(wabaId));
    await store.rememberInsightsEnabled(connectionId, wabaId);
    log.info(`Insights enabled for WABA ${wabaId}`);
    // Update what the tree shows and everything that depends on it.
    const updated: WabaInfo = { ...(info ?? { provider: provider.id, id: wabaId, source: 'manual' }), insightsEnabled: true };
    queries.rememberWaba(connectionId, updated);
    queries.cache.clear(connectionId);
    const conn = tree.connections.find((c) => c.meta.id === connectionId);
    if (conn) {
      const node = (await tree.wabaNodes(conn).catch(() => [])).find((w) => w.info.id === wabaId);
      if (node) {
        node.info = updated;
        tree.changed(node);
      }
    }
    void vscode.window.showInformationMessage(
      `Insights are enabled for ${name}. Template analytics may take a few minutes to appear${provider.id === 'vonage' ? ' (Vonage: allow a few minutes to propagate)' : ''}.`,
    );
    for (const p of AnalyticsPanel.forWaba(wabaId)) if (p.query) void p.rerun(p.query, true);
    return true;
  };

  const panelHost: PanelHost = {
    extensionUri: context.extensionUri,
    run: (connectionId, query, force) => runEntry(connectionId, query, force),
    resolveConnection,
    context: (entry, query, connectionId) => {
      const meta = connectionId ? store.get(connectionId) : undefined;
      const info = connectionId ? queries.waba(connectionId, query.wabaId) : undefined;
      const ids = new Set<string>(query.kind === 'template' ? query.templateIds : []);
      for (const p of entry?.run.result.points ?? []) if (p.dims.template_id) ids.add(p.dims.template_id);
      return {
        connectionLabel: meta?.label,
        wabaName: info?.name,
        templateNames: knownTemplateNames([...ids]),
        insightsEnabled: info?.insightsEnabled,
        fetchedAt: entry?.fetchedAt,
        requests: entry ? (entry.fromCache ? 0 : entry.run.requests) : undefined,
        partial: entry?.run.partial,
        accepts: acceptsFor(query.provider, query.kind),
      };
    },
    exportEntry: (entry, format) => exportEntry(entry, format, { beside: true }),
    saveQuery: (query) => saveQueryFile(query, undefined, { beside: true }),
    enableInsights: (connectionId, wabaId) => enableInsights(connectionId, wabaId),
  };

  const acceptsCache = new Map<string, { granularities: string[]; filters: string[] }>();
  function acceptsFor(provider: string, kind: Kind) {
    return acceptsCache.get(`${provider}:${kind}`);
  }
  const learnCaps = async (connectionId: string) => {
    const p = await store.provider(connectionId);
    for (const [kind, caps] of Object.entries(p.capabilities)) {
      if (caps) acceptsCache.set(`${p.id}:${kind}`, { granularities: [...caps.granularities], filters: [...caps.filters] });
    }
  };

  const openResult = async (connectionId: string, query: QueryInput | Query, force = false) => {
    await learnCaps(connectionId).catch(() => undefined);
    let entry: RunEntry;
    try {
      entry = await runEntry(connectionId, query, force);
    } catch (e) {
      // Insights off: the panel says why and offers to enable them (with the confirmation).
      const parsed = parseQuery(query);
      if (parsed.kind !== 'template' || !isNeedsInsights(e)) throw e;
      log.info(`${kindLabel(parsed.kind)} for WABA ${parsed.wabaId} needs insights: ${describeError(e)}`);
      AnalyticsPanel.createFailed(panelHost, connectionId, parsed, e);
      return undefined;
    }
    AnalyticsPanel.create(panelHost, connectionId, entry);
    if (entry.run.partial) void vscode.window.showWarningMessage(`${kindLabel(entry.query.kind)}: some requests failed, the panel shows a partial result. Run it again to fetch the rest.`);
    return entry;
  };

  // ---- query commands -----------------------------------------------------------------------
  const prefillFrom = (node: unknown, selected: unknown): Prefill => {
    const nodes = (Array.isArray(selected) && selected.length ? selected : node ? [node] : []) as TreeNode[];
    const first = nodes[0];
    if (!first) return {};
    const waba = first instanceof WabaNode ? first : first instanceof TemplateNode || first instanceof PhoneNode ? first.waba : first instanceof TemplatesNode ? first.waba : undefined;
    if (!waba) return {};
    const prefill: Prefill = { connectionId: waba.connection.meta.id, waba: waba.info };
    queries.rememberWaba(waba.connection.meta.id, waba.info);
    const templates = nodes.filter((n): n is TemplateNode => n instanceof TemplateNode && n.waba === waba);
    if (templates.length) prefill.templateIds = templates.map((t) => t.info.id);
    const phones = nodes.filter((n): n is PhoneNode => n instanceof PhoneNode && n.waba === waba);
    if (phones.length) prefill.phoneNumbers = phones.map((p) => p.digits);
    return prefill;
  };

  const queryCommand = (kind: Kind) => async (arg?: unknown, selected?: unknown) => {
    if (isDirectQuery(arg)) {
      const connectionId = arg.connectionId ?? (await resolveConnection(parseQuery(arg.query)));
      if (!connectionId) throw new WabaError('input', 'No connection can run this query.', { hint: 'Add a connection or try the demo.' });
      if (arg.noPanel) return runEntry(connectionId, { ...arg.query, kind } as QueryInput, Boolean(arg.force));
      return openResult(connectionId, { ...arg.query, kind } as QueryInput, Boolean(arg.force));
    }
    const { connectionId, query, waba } = await flow.build(kind, prefillFrom(arg, selected));
    queries.rememberWaba(connectionId, waba);
    return openResult(connectionId, query);
  };
  registerCommand(context, 'wabaAnalytics.queryMessaging', 'Messaging analytics', queryCommand('messaging'));
  registerCommand(context, 'wabaAnalytics.queryConversation', 'Conversation analytics', queryCommand('conversation'));
  registerCommand(context, 'wabaAnalytics.queryPricing', 'Pricing analytics', queryCommand('pricing'));
  registerCommand(context, 'wabaAnalytics.queryTemplate', 'Template analytics', queryCommand('template'));
  registerCommand(context, 'wabaAnalytics.rerunLastQuery', 'Run last query again', async () => {
    const last = queries.last;
    if (!last) {
      void vscode.window.showInformationMessage('No query has run yet in this window. Run one from the WABA Analytics view or the palette.');
      return undefined;
    }
    return openResult(last.connectionId, last.query, true);
  });
  const exportLast = (format: 'json' | 'csv') => async (options?: TargetOptions) => {
    const last = queries.last;
    if (!last) {
      void vscode.window.showInformationMessage('Nothing to export yet: run a query first.');
      return undefined;
    }
    const uri = await exportEntry(last, format, options ?? {});
    void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(uri)}`);
    return uri;
  };
  registerCommand(context, 'wabaAnalytics.exportLastResult', 'Export', exportLast('json'));
  registerCommand(context, 'wabaAnalytics.exportLastResultCsv', 'Export', exportLast('csv'));
  registerCommand(context, 'wabaAnalytics.clearCache', 'Clear cache', () => {
    queries.cache.clear();
    void vscode.window.showInformationMessage('The query cache is empty: the next queries ask the APIs again.');
  });

  // ---- saved queries ------------------------------------------------------------------------
  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ pattern: SAVED_QUERY_GLOB }, new SavedQueryLens()));
  registerCommand(context, 'wabaAnalytics.runSavedQuery', 'Run saved query', async (uri?: vscode.Uri, options?: { force?: boolean }) => {
    let target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target || !target.path.endsWith('.waba-query.json')) {
      const files = await vscode.workspace.findFiles(SAVED_QUERY_GLOB, '**/node_modules/**', 200);
      if (!files.length) throw new WabaError('input', 'No *.waba-query.json file in this workspace.', { hint: 'Save one from a panel ("Save query") or create one with "New Saved Query File".' });
      const choice = await vscode.window.showQuickPick(
        files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
        { title: 'Run saved query', placeHolder: 'Which saved query?' },
      );
      if (!choice) throw new Dismissed();
      target = choice.uri;
    }
    const { query } = await readSavedQuery(target);
    const connectionId = await resolveConnection(query);
    if (!connectionId) throw new WabaError('input', `No ${query.provider === 'meta' ? 'Meta' : 'Vonage'} connection to run this query with.`, { hint: 'Add one (or try the demo), then run it again.' });
    return openResult(connectionId, query, Boolean(options?.force));
  });
  registerCommand(context, 'wabaAnalytics.newSavedQuery', 'New saved query', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: NEW_SAVED_QUERY });
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage('Save this file with a name ending in .waba-query.json to get validation and a Run lens.');
  });

  // ---- connections --------------------------------------------------------------------------
  const ask = async (options: vscode.InputBoxOptions): Promise<string> => {
    const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
    if (v === undefined) throw new Dismissed();
    return v.trim();
  };
  const required = (what: string) => (s: string) => (s.trim() ? undefined : `${what} is required.`);
  const wabaIdList = (s: string) =>
    s
      .split(/[\s,;]+/)
      .map((x) => x.trim())
      .filter(Boolean);

  const checkAndSave = async (meta: ConnectionMeta, secret: ConnectionSecret) => {
    try {
      const provider = await store.buildFrom(meta, secret);
      const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking "${meta.label}"…`, cancellable: false }, () => provider.checkCredentials());
      await store.add(meta, secret);
      void vscode.window.showInformationMessage(`Connection "${meta.label}" added: ${found}.`);
    } catch (e) {
      const choice = await vscode.window.showErrorMessage(`The check of "${meta.label}" failed: ${describeError(e)}`, 'Save Anyway', 'Cancel');
      if (choice !== 'Save Anyway') throw new Dismissed();
      await store.add(meta, secret);
    }
  };

  registerCommand(context, 'wabaAnalytics.addMetaConnection', 'Add Meta connection', async () => {
    const label = await ask({ title: 'Add Meta connection (1/3)', prompt: 'A name for this connection', value: 'Meta', validateInput: required('A name') });
    const token = await ask({ title: 'Add Meta connection (2/3)', prompt: 'Access token (system user token with whatsapp_business_management). Kept in VS Code\'s secret storage.', password: true, validateInput: required('The token') });
    const ids = wabaIdList(
      await ask({ title: 'Add Meta connection (3/3)', prompt: 'WABA IDs to add by hand (optional, comma-separated). WABAs granted to the token are found on their own.', validateInput: (s) => (wabaIdList(s).every((x) => /^\d+$/.test(x)) ? undefined : 'WABA ids are digits.') }),
    );
    await checkAndSave({ id: store.newId(), label, provider: 'meta', manualWabaIds: ids, manualTemplateIds: {} }, { provider: 'meta', accessToken: token });
  });

  const askVonageSecret = async (title: string, previous?: ConnectionSecret): Promise<ConnectionSecret> => {
    const apiKey = await ask({ title, prompt: 'Vonage API key', value: previous?.provider === 'vonage' ? previous.apiKey : '', validateInput: required('The API key') });
    const apiSecret = await ask({ title, prompt: 'Vonage API secret. Kept in VS Code\'s secret storage.', password: true, validateInput: required('The API secret') });
    const withJwt = await vscode.window.showQuickPick(
      [
        { label: 'No', description: 'Template ids are typed by hand', value: false },
        { label: 'Yes', description: 'Add an application id and private key to list templates', value: true },
      ],
      { title, placeHolder: 'Add an application id and private key (needed to list templates)?', ignoreFocusOut: true },
    );
    if (!withJwt) throw new Dismissed();
    if (!withJwt.value) return { provider: 'vonage', apiKey, apiSecret };
    const applicationId = await ask({ title, prompt: 'Vonage application id', validateInput: required('The application id') });
    const files = await vscode.window.showOpenDialog({ title: 'Private key of the application', canSelectMany: false, openLabel: 'Use this key', filters: { 'Private key': ['key', 'pem', 'txt'], All: ['*'] } });
    if (!files?.[0]) throw new Dismissed();
    const privateKey = Buffer.from(await vscode.workspace.fs.readFile(files[0])).toString('utf8');
    if (!privateKey.includes('PRIVATE KEY')) throw new WabaError('input', 'That file does not hold a PEM private key.', { hint: 'Pick the private.key file Vonage gave for the application.' });
    return { provider: 'vonage', apiKey, apiSecret, applicationId, privateKey };
  };

  registerCommand(context, 'wabaAnalytics.addVonageConnection', 'Add Vonage connection', async () => {
    const label = await ask({ title: 'Add Vonage connection', prompt: 'A name for this connection', value: 'Vonage', validateInput: required('A name') });
    const secret = await askVonageSecret('Add Vonage connection');
    await checkAndSave({ id: store.newId(), label, provider: 'vonage', manualWabaIds: [], manualTemplateIds: {} }, secret);
  });

  registerCommand(context, 'wabaAnalytics.addDemoConnection', 'Add demo connection', async () => {
    const ids = await store.addDemoConnections();
    await vscode.commands.executeCommand('wabaAnalytics.accounts.focus');
    const first = tree.connections.find((c) => c.meta.demo);
    if (first) await view.reveal(first, { expand: true, select: false, focus: false }).then(undefined, () => undefined);
    return ids;
  });
  // `npm run demo` starts VS Code with WABA_ANALYTICS_DEMO=1: the demo connections are there from the
  // start (metadata only; the sandbox starts when they are first used).
  if (process.env.WABA_ANALYTICS_DEMO === '1' && store.list().length === 0) {
    store.addDemoConnections().then(
      () => log.info('WABA_ANALYTICS_DEMO=1: the demo connections were added'),
      (e) => log.warn(`WABA_ANALYTICS_DEMO=1: the demo connections could not be added: ${describeError(e)}`),
    );
  }

  const connectionOf = (node: unknown): ConnectionNode => {
    if (node instanceof ConnectionNode) return node;
    throw new WabaError('input', 'Pick a connection in the WABA Analytics view.');
  };
  registerCommand(context, 'wabaAnalytics.editConnection', 'Edit connection', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    if (c.meta.demo) return;
    const previous = await store.readSecret(c.meta.id);
    const secret: ConnectionSecret =
      c.meta.provider === 'meta'
        ? { provider: 'meta', accessToken: await ask({ title: `Edit "${c.meta.label}"`, prompt: 'New access token', password: true, validateInput: required('The token') }) }
        : await askVonageSecret(`Edit "${c.meta.label}"`, previous);
    await store.setSecret(c.meta.id, secret);
    // New credentials may reach another account: nothing cached under the old ones is reused.
    queries.cache.clear(c.meta.id);
    tree.refresh(c);
  });
  registerCommand(context, 'wabaAnalytics.renameConnection', 'Rename connection', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    const label = await ask({ title: 'Rename connection', value: c.meta.label, validateInput: required('A name') });
    await store.update(c.meta.id, { label });
  });
  registerCommand(context, 'wabaAnalytics.removeConnection', 'Remove connection', async (node: ConnectionNode, opts?: { confirmed?: boolean }) => {
    const c = connectionOf(node);
    if (!opts?.confirmed) {
      const ok = await vscode.window.showWarningMessage(`Remove "${c.meta.label}"?`, { modal: true, detail: 'Its credentials are deleted from VS Code\'s secret storage. Exported files and saved queries stay.' }, 'Remove');
      if (ok !== 'Remove') return;
    }
    await store.remove(c.meta.id);
    queries.cache.clear(c.meta.id);
  });
  registerCommand(context, 'wabaAnalytics.addWabaId', 'Add WABA ID', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    const ids = wabaIdList(await ask({ title: `Add WABA IDs to "${c.meta.label}"`, prompt: 'WABA IDs, comma-separated', validateInput: (s) => (wabaIdList(s).length && wabaIdList(s).every((x) => /^\d+$/.test(x)) ? undefined : 'WABA ids are digits.') }));
    await store.update(c.meta.id, { manualWabaIds: [...new Set([...c.meta.manualWabaIds, ...ids])] });
  });
  registerCommand(context, 'wabaAnalytics.addTemplateIds', 'Add template IDs', async (node: TreeNode) => {
    const waba = node instanceof WabaNode ? node : node instanceof TemplatesNode ? node.waba : undefined;
    if (!waba) throw new WabaError('input', 'Pick a Vonage WABA in the WABA Analytics view.');
    const meta = waba.connection.meta;
    const ids = wabaIdList(await ask({ title: `Template IDs for ${waba.info.name ?? waba.info.id}`, prompt: 'Template IDs, comma-separated', value: (meta.manualTemplateIds[waba.info.id] ?? []).join(', ') }));
    await store.update(meta.id, { manualTemplateIds: { ...meta.manualTemplateIds, [waba.info.id]: ids } });
  });

  // ---- tree ---------------------------------------------------------------------------------
  registerCommand(context, 'wabaAnalytics.refresh', 'Refresh', () => {
    queries.cache.clear();
    tree.refresh();
  });
  registerCommand(context, 'wabaAnalytics.refreshNode', 'Refresh', (node?: TreeNode) => {
    if (node instanceof ConnectionNode) queries.cache.clear(node.meta.id);
    else queries.cache.clear();
    tree.refresh(node);
  });
  registerCommand(context, 'wabaAnalytics.retryNode', 'Retry', (node: { retryTarget?: TreeNode }) => tree.refresh(node?.retryTarget));
  registerCommand(context, 'wabaAnalytics.loadMoreTemplates', 'Load more templates', async (node: LoadMoreNode) => {
    if (!(node instanceof LoadMoreNode)) return;
    await node.group.loadMore();
    tree.changed(node.group);
  });
  registerCommand(context, 'wabaAnalytics.copyId', 'Copy ID', async (node: TreeNode) => {
    const id = node instanceof WabaNode ? node.info.id : node instanceof PhoneNode ? node.info.id : node instanceof TemplateNode ? node.info.id : undefined;
    if (id) await vscode.env.clipboard.writeText(id);
  });
  registerCommand(context, 'wabaAnalytics.showLog', 'Show log', () => getChannel().show(true));

  // ---- insights and click tracking ----------------------------------------------------------
  registerCommand(context, 'wabaAnalytics.enableInsights', 'Enable insights', async (arg?: unknown) => {
    if (arg instanceof WabaNode) {
      queries.rememberWaba(arg.connection.meta.id, arg.info);
      return enableInsights(arg.connection.meta.id, arg.info.id);
    }
    if (arg && typeof arg === 'object' && 'wabaId' in arg && 'connectionId' in arg) {
      const a = arg as { connectionId: string; wabaId: string; confirmed?: boolean };
      return enableInsights(a.connectionId, a.wabaId, Boolean(a.confirmed));
    }
    const { connectionId, waba } = await flow.pickWaba('Enable insights');
    return enableInsights(connectionId, waba.id);
  });
  const clickTracking = (optedOut: boolean) => async (node: TemplateNode, opts?: { confirmed?: boolean }) => {
    if (!(node instanceof TemplateNode)) throw new WabaError('input', 'Pick a Meta template with buttons in the WABA Analytics view.');
    const t = node.info;
    if (!t.category) throw new WabaError('input', `The category of ${t.name} is unknown, and Meta needs the current one.`, { hint: 'Refresh the templates and try again.' });
    if (!opts?.confirmed) {
      const ok = await vscode.window.showWarningMessage(
        `${optedOut ? 'Turn off' : 'Turn on'} button click tracking for “${t.name}”?`,
        {
          modal: true,
          detail: optedOut
            ? 'Template analytics will stop returning button clicks for this template, and WhatsApp Manager will stop showing its button engagement. You can turn it on again later.'
            : 'Meta will track clicks on this template\'s URL buttons again.',
        },
        optedOut ? 'Turn Off' : 'Turn On',
      );
      if (!ok) return;
    }
    const provider = await store.provider(node.waba.connection.meta.id);
    if (!provider.setClickTracking) throw new WabaError('input', 'Click tracking is a Meta setting; this connection cannot change it.');
    await provider.setClickTracking(t.id, optedOut, t.category);
    t.clickTrackingOptedOut = optedOut;
    tree.changed(node.parent ?? node);
    void vscode.window.showInformationMessage(`Button click tracking is ${optedOut ? 'off' : 'on'} for “${t.name}”.`);
  };
  registerCommand(context, 'wabaAnalytics.disableClickTracking', 'Turn click tracking off', clickTracking(true));
  registerCommand(context, 'wabaAnalytics.enableClickTracking', 'Turn click tracking on', clickTracking(false));

  // ---- panels after reload ------------------------------------------------------------------
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => AnalyticsPanel.revive(panel, panelHost, state),
    }),
  );

  log.info('WABA Analytics activated');
  return { store, tree, queries, panels: () => AnalyticsPanel.all(), demoSandbox, logUri: context.logUri };
}

export async function deactivate(): Promise<void> {
  await stopDemoSandbox();
  disposeLog();
}

export type { RunEntry, DirectQuery };
