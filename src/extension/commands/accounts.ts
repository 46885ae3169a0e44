/** The Accounts view's own commands: refresh, retry an error item, load more templates, copy an id, show the log. */
import * as vscode from 'vscode';
import type { TreeNode } from '../accountsTree';
import { ConnectionNode, ErrorNode, LoadMoreNode, PhoneNode, TemplateGroupNode, TemplateNode, WabaNode } from '../accountsTree';
import { registerCommand } from '../commandRunner';
import { getChannel } from '../log';
import type { Services } from './services';

export function registerAccountCommands(s: Services): void {
  const { context, queries, tree } = s;
  registerCommand(context, 'wabaAnalytics.refresh', 'Refresh', () => {
    queries.cache.clear();
    tree.refresh();
  });
  registerCommand(context, 'wabaAnalytics.refreshNode', 'Refresh', (node?: TreeNode) => {
    if (node instanceof ConnectionNode) queries.cache.clear(node.meta.id);
    else queries.cache.clear();
    tree.refresh(node);
  });
  // An error item (any level: a connection's WABAs, phone numbers, templates, more templates) retries its listing.
  registerCommand(context, 'wabaAnalytics.retryNode', 'Retry', async (node?: { retryTarget?: TreeNode }) => {
    if (node instanceof ErrorNode) await tree.retry(node);
    else tree.refresh(node?.retryTarget);
  });
  registerCommand(context, 'wabaAnalytics.loadMoreTemplates', 'Load more templates', async (node: LoadMoreNode) => {
    if (!(node instanceof LoadMoreNode)) return;
    // The service says when the page is there (or failed: an error item with Retry under the loaded ones).
    await node.group.loadMore();
  });
  registerCommand(context, 'wabaAnalytics.copyId', 'Copy ID', async (node: TreeNode) => {
    const id = node instanceof WabaNode ? node.info.id : node instanceof PhoneNode ? node.info.id : node instanceof TemplateNode || node instanceof TemplateGroupNode ? node.info.id : undefined;
    if (id) await vscode.env.clipboard.writeText(id);
  });
  registerCommand(context, 'wabaAnalytics.showLog', 'Show log', () => getChannel().show(true));
}
