/** Query commands (palette and tree), running a query into a panel, and the host the panels use. */
import * as vscode from 'vscode';
import { WabaError, describeError } from '../../core/errors';
import type { Query, QueryInput } from '../../core/query';
import type { Kind } from '../../core/types';
import type { RelativeRange } from '../../core/vocabulary';
import { kindLabel } from '../../core/vocabulary';
import type { TreeNode } from '../accountsTree';
import { CategoryNode, PhoneNode, PhonesNode, TemplateGroupNode, TemplateGroupsNode, TemplateNode, TemplatesNode, WabaNode } from '../accountsTree';
import { registerCommand } from '../commandRunner';
import { exportEntry, saveQueryFile } from '../export';
import { core } from '../lazy';
import { log } from '../log';
import type { PanelHost } from '../panels';
import { AnalyticsPanel, isNeedsInsights } from '../panels';
import type { Prefill } from '../queryFlow';
import type { RunEntry } from '../queryService';
import type { ManageCommands } from './manage';
import type { Services } from './services';

/** What commands take when called programmatically (tests, saved queries, automation). */
export interface DirectQuery {
  connectionId?: string;
  query: QueryInput;
  force?: boolean;
  /** Do not open a panel (return the run only). */
  noPanel?: boolean;
}

function isDirectQuery(v: unknown): v is DirectQuery {
  return !!v && typeof v === 'object' && 'query' in v && !(v instanceof vscode.Uri);
}

export interface QueryRunner {
  /** Run a query (with what the accounts know of its WABA and templates), without a panel. */
  runEntry(connectionId: string, query: QueryInput | Query, force: boolean): Promise<RunEntry>;
  /** Run a query and open its panel; a template query on a WABA without insights opens a panel that offers to enable them. */
  openResult(connectionId: string, query: QueryInput | Query, force?: boolean, range?: RelativeRange): Promise<RunEntry | undefined>;
  /** A connection able to run a query on this WABA. */
  resolveConnection(q: Pick<Query, 'provider' | 'wabaId'>): Promise<string | undefined>;
  panelHost: PanelHost;
}

export function registerQueryCommands(s: Services, manage: ManageCommands): QueryRunner {
  const { context, store, accounts, queries, flow } = s;

  const resolveConnection = (q: Pick<Query, 'provider' | 'wabaId'>) => accounts.resolveConnection(q);

  const runEntry = async (connectionId: string, query: QueryInput | Query, force: boolean): Promise<RunEntry> => {
    const parsed = core().parseQuery(query);
    await accounts.findWaba(connectionId, parsed.wabaId);
    if (parsed.kind === 'template') await accounts.ensureTemplateNames(connectionId, parsed.wabaId, parsed.templateIds);
    return queries.run(connectionId, parsed, { force });
  };

  const acceptsCache = new Map<string, { granularities: string[]; filters: string[] }>();
  const acceptsFor = (provider: string, kind: Kind) => acceptsCache.get(`${provider}:${kind}`);
  const learnCaps = async (connectionId: string) => {
    const p = await store.provider(connectionId);
    for (const [kind, caps] of Object.entries(p.capabilities)) {
      if (caps) acceptsCache.set(`${p.id}:${kind}`, { granularities: [...caps.granularities], filters: [...caps.filters] });
    }
  };

  /** The WABA's templates and phone numbers already listed (never a request here): the panel's pickers and the click-tracking reason. */
  const panelLists = (connectionId: string | undefined, wabaId: string) => {
    if (!connectionId) return {};
    const templates = accounts.templates(connectionId, wabaId).items.map((t) => ({
      id: t.id,
      ...(t.name ? { name: t.name } : {}),
      ...(t.clickTrackingOptedOut !== undefined ? { clickTrackingOptedOut: t.clickTrackingOptedOut } : {}),
    }));
    const phones = accounts.phones(connectionId, wabaId).items.map((p) => ({
      value: p.displayPhoneNumber.replace(/\D/g, ''),
      display: p.displayPhoneNumber,
      ...(p.verifiedName ? { name: p.verifiedName } : {}),
    }));
    return { ...(templates.length ? { templates } : {}), ...(phones.length ? { phones } : {}) };
  };

  const panelHost: PanelHost = {
    extensionUri: context.extensionUri,
    run: (connectionId, query, force) => runEntry(connectionId, query, force),
    resolveConnection,
    context: (entry, query, connectionId) => {
      const meta = connectionId ? store.get(connectionId) : undefined;
      const info = connectionId ? accounts.waba(connectionId, query.wabaId) : undefined;
      const ids = new Set<string>(query.kind === 'template' ? query.templateIds : query.kind === 'template-groups' ? query.templateGroupIds : []);
      // Template group ids get their names the same way (the accounts keep the names of groups listed).
      for (const p of entry?.run.result.points ?? []) for (const id of [p.dims.template_id, p.dims.template_group_id]) if (id) ids.add(id);
      return {
        connectionLabel: meta?.label,
        wabaName: info?.name,
        templateNames: accounts.templateNames([...ids]),
        ...panelLists(connectionId, query.wabaId),
        insightsEnabled: info?.insightsEnabled,
        fetchedAt: entry?.fetchedAt,
        requests: entry ? (entry.fromCache ? 0 : entry.run.requests) : undefined,
        partial: entry?.run.partial,
        ...(entry?.run.sources ? { sources: entry.run.sources } : {}),
        accepts: acceptsFor(query.provider, query.kind),
      };
    },
    exportEntry: (entry, format) => exportEntry(entry, format, { beside: true }),
    saveQuery: (query, range) => saveQueryFile(query, undefined, { beside: true }, range),
    enableInsights: (connectionId, wabaId) => manage.enableInsights(connectionId, wabaId),
  };

  /** `range`: the relative range the query's dates were picked as (the panel's "Save query" keeps it). */
  const openResult = async (connectionId: string, query: QueryInput | Query, force = false, range?: RelativeRange): Promise<RunEntry | undefined> => {
    // The panel opens at Run, showing "Running…": VS Code builds its webview while the query runs.
    const parsed = core().parseQuery(query);
    const panel = AnalyticsPanel.opening(panelHost, connectionId, parsed, range);
    await learnCaps(connectionId).catch(() => undefined);
    let entry: RunEntry;
    try {
      entry = await runEntry(connectionId, parsed, force);
    } catch (e) {
      // Insights off: the panel says why and offers to enable them (with the confirmation).
      // Any other failure closes it: the command tells it, as before.
      const needsInsights = parsed.kind === 'template' && isNeedsInsights(e);
      panel.fail(parsed, e, needsInsights);
      if (!needsInsights) throw e;
      log.info(`${kindLabel(parsed.kind)} for WABA ${parsed.wabaId} needs insights: ${describeError(e)}`);
      return undefined;
    }
    panel.answer(entry);
    if (entry.run.partial) void vscode.window.showWarningMessage(`${kindLabel(entry.query.kind)}: some requests failed, the panel shows a partial result. Run it again to fetch the rest.`);
    return entry;
  };

  const prefillFrom = (node: unknown, selected: unknown): Prefill => {
    const nodes = (Array.isArray(selected) && selected.length ? selected : node ? [node] : []) as TreeNode[];
    const first = nodes[0];
    if (!first) return {};
    const waba =
      first instanceof WabaNode
        ? first
        : first instanceof TemplateNode || first instanceof PhoneNode || first instanceof TemplatesNode || first instanceof PhonesNode || first instanceof TemplateGroupsNode || first instanceof TemplateGroupNode
          ? first.waba
          : first instanceof CategoryNode
            ? first.group.waba
            : undefined;
    if (!waba) return {};
    // A group node ("Phone numbers", "Templates") means all of its children: no filter; a category, its templates.
    const prefill: Prefill = { connectionId: waba.connection.meta.id, waba: waba.info };
    const templateIds = nodes.flatMap((n) => (n instanceof TemplateNode && n.waba === waba ? [n.info.id] : n instanceof CategoryNode && n.group.waba === waba ? n.templates.map((t) => t.id) : []));
    if (templateIds.length) prefill.templateIds = [...new Set(templateIds)];
    const groups = nodes.filter((n): n is TemplateGroupNode => n instanceof TemplateGroupNode && n.waba === waba);
    if (groups.length) prefill.templateGroupIds = [...new Set(groups.map((g) => g.info.id))];
    const phones = nodes.filter((n): n is PhoneNode => n instanceof PhoneNode && n.waba === waba);
    if (phones.length) prefill.phoneNumbers = phones.map((p) => p.digits);
    return prefill;
  };

  const queryCommand = (kind: Kind) => async (arg?: unknown, selected?: unknown) => {
    if (isDirectQuery(arg)) {
      const connectionId = arg.connectionId ?? (await resolveConnection(core().parseQuery(arg.query)));
      if (!connectionId) throw new WabaError('input', 'No connection can run this query.', { hint: 'Add a connection or try the demo.' });
      if (arg.noPanel) return runEntry(connectionId, { ...arg.query, kind } as QueryInput, Boolean(arg.force));
      return openResult(connectionId, { ...arg.query, kind } as QueryInput, Boolean(arg.force));
    }
    const { connectionId, query, waba, range } = await flow.build(kind, prefillFrom(arg, selected));
    accounts.rememberWaba(connectionId, waba);
    return openResult(connectionId, query, false, range);
  };
  registerCommand(context, 'wabaAnalytics.queryMessaging', 'Messaging analytics', queryCommand('messaging'));
  registerCommand(context, 'wabaAnalytics.queryConversation', 'Conversation analytics', queryCommand('conversation'));
  registerCommand(context, 'wabaAnalytics.queryPricing', 'Pricing analytics', queryCommand('pricing'));
  registerCommand(context, 'wabaAnalytics.queryTemplate', 'Template analytics', queryCommand('template'));
  registerCommand(context, 'wabaAnalytics.queryCalls', 'Call analytics', queryCommand('calls'));
  registerCommand(context, 'wabaAnalytics.queryTemplateGroups', 'Template group analytics', queryCommand('template-groups'));
  registerCommand(context, 'wabaAnalytics.queryGroups', 'WhatsApp group analytics', queryCommand('groups'));
  registerCommand(context, 'wabaAnalytics.rerunLastQuery', 'Run last query again', async () => {
    const last = queries.last;
    if (!last) {
      void vscode.window.showInformationMessage('No query has run yet in this window. Run one from the WABA Analytics view or the palette.');
      return undefined;
    }
    // The panel of that query, if one is open, is refreshed in place rather than copied.
    const open = AnalyticsPanel.forQuery(last.query);
    if (open) {
      open.panel.reveal(undefined, false);
      await open.rerun(last.query, true);
      return open.currentEntry;
    }
    return openResult(last.connectionId, last.query, true);
  });
  registerCommand(context, 'wabaAnalytics.clearCache', 'Clear cache', () => {
    queries.cache.clear();
    void vscode.window.showInformationMessage('The query cache is empty: the next queries ask the APIs again.');
  });

  return { runEntry, openResult, resolveConnection, panelHost };
}
