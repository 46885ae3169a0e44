/** What the command modules share: the extension's services, created once by `activate()`. */
import type * as vscode from 'vscode';
import type { AccountsService } from '../accountsService';
import type { AccountsTree, TreeNode } from '../accountsTree';
import type { ConnectionStore } from '../connections';
import type { QueryFlow } from '../queryFlow';
import type { QueryService } from '../queryService';

export interface Services {
  context: vscode.ExtensionContext;
  store: ConnectionStore;
  /** Account state (connections' WABAs, numbers, templates, their errors): the one place it lives. */
  accounts: AccountsService;
  queries: QueryService;
  tree: AccountsTree;
  view: vscode.TreeView<TreeNode>;
  flow: QueryFlow;
}
