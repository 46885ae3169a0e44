/**
 * The extension's entry: creates the services (connections, accounts, queries), the Accounts tree
 * over them, and wires the commands (one module per feature under ./commands), the panel
 * serializer and the saved-query CodeLens. No network work here: everything loads when first used.
 */
import * as vscode from 'vscode';
import { AccountsService } from './accountsService';
import type { TreeNode } from './accountsTree';
import { AccountsTree } from './accountsTree';
import { registerAccountCommands } from './commands/accounts';
import { registerArchiveCommands } from './commands/archive';
import { registerConnectionCommands } from './commands/connections';
import { registerExportCommands } from './commands/exports';
import { registerManageCommands } from './commands/manage';
import type { DirectQuery } from './commands/queries';
import { registerQueryCommands } from './commands/queries';
import { registerSavedQueryCommands } from './commands/savedQueries';
import type { Services } from './commands/services';
import { ConnectionStore, demoSandbox, stopDemoSandbox } from './connections';
import { disposeLog, log } from './log';
import { AnalyticsPanel, PANEL_VIEW_TYPE } from './panels';
import { QueryFlow } from './queryFlow';
import type { RunEntry } from './queryService';
import { QueryService } from './queryService';
import { historyRoot } from './archiveRoot';

export interface ExtensionApi {
  store: ConnectionStore;
  /** Account state: WABAs, numbers and templates of each connection, with their load errors. */
  accounts: AccountsService;
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
  const accounts = new AccountsService(store);
  const queries = new QueryService(store, accounts, () => historyRoot(context.globalStorageUri));
  const tree = new AccountsTree(accounts);
  const flow = new QueryFlow(store, accounts);
  const view = vscode.window.createTreeView<TreeNode>('wabaAnalytics.accounts', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(store, accounts, tree, view, { dispose: () => queries.dispose() });

  const services: Services = { context, store, accounts, queries, tree, view, flow };
  const manage = registerManageCommands(services);
  const runner = registerQueryCommands(services, manage);
  registerExportCommands(services);
  registerSavedQueryCommands(services, runner);
  registerConnectionCommands(services);
  registerAccountCommands(services);
  registerArchiveCommands(services);

  // Panels after a window reload.
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => AnalyticsPanel.revive(panel, runner.panelHost, state),
    }),
  );

  log.info('WABA Analytics activated');
  return { store, accounts, tree, queries, panels: () => AnalyticsPanel.all(), demoSandbox, logUri: context.logUri };
}

export async function deactivate(): Promise<void> {
  await stopDemoSandbox();
  disposeLog();
}

export type { RunEntry, DirectQuery };
