/** Changes to accounts: enabling insights on a WABA (irreversible, confirmed) and template click tracking (Meta). */
import * as vscode from 'vscode';
import { WabaError } from '../../core/errors';
import { TemplateNode, WabaNode } from '../accountsTree';
import { registerCommand } from '../commandRunner';
import { log } from '../log';
import { AnalyticsPanel } from '../panels';
import type { Services } from './services';
import { providerDescriptor } from '../../providers/descriptors';

export interface ManageCommands {
  /** Enable insights (asks first unless `confirmed`); resolves true once enabled. */
  enableInsights(connectionId: string, wabaId: string, confirmed?: boolean): Promise<boolean>;
}

export function registerManageCommands(s: Services): ManageCommands {
  const { context, store, accounts, queries, flow } = s;

  const enableInsights = async (connectionId: string, wabaId: string, confirmed = false): Promise<boolean> => {
    const info = await accounts.findWaba(connectionId, wabaId);
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
        // The first item is the dialog's default (Enter): the harmless one, never the irreversible one.
        { title: 'Keep Insights Off' },
        { title: 'Enable Insights' },
        { title: 'Cancel', isCloseAffordance: true },
      );
      if (answer?.title !== 'Enable Insights') return false;
    }
    const provider = await store.provider(connectionId);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Enabling insights for ${name}…` }, () => provider.enableInsights(wabaId));
    await store.rememberInsightsEnabled(connectionId, wabaId);
    log.info(`Insights enabled for WABA ${wabaId}`);
    // The accounts service tells the tree and everything else that reads the WABA.
    accounts.updateWaba(connectionId, wabaId, { insightsEnabled: true }, info ?? { provider: provider.id, id: wabaId, source: 'manual' });
    queries.cache.clear(connectionId);
    void vscode.window.showInformationMessage(
      `Insights are enabled for ${name}. Template analytics may take a few minutes to appear${providerDescriptor(provider.id).insightsEnabledNote ?? ''}.`,
    );
    for (const p of AnalyticsPanel.forWaba(wabaId)) if (p.query) void p.rerun(p.query, true);
    return true;
  };

  registerCommand(context, 'wabaAnalytics.enableInsights', 'Enable insights', async (arg?: unknown) => {
    if (arg instanceof WabaNode) {
      accounts.rememberWaba(arg.connection.meta.id, arg.info);
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
    const connectionId = node.waba.connection.meta.id;
    const provider = await store.provider(connectionId);
    if (!provider.setClickTracking) throw new WabaError('input', 'Click tracking is a Meta setting; this connection cannot change it.');
    await provider.setClickTracking(t.id, optedOut, t.category);
    accounts.updateTemplate(connectionId, node.waba.wabaId, t.id, { clickTrackingOptedOut: optedOut });
    void vscode.window.showInformationMessage(`Button click tracking is ${optedOut ? 'off' : 'on'} for “${t.name}”.`);
  };
  registerCommand(context, 'wabaAnalytics.disableClickTracking', 'Turn click tracking off', clickTracking(true));
  registerCommand(context, 'wabaAnalytics.enableClickTracking', 'Turn click tracking on', clickTracking(false));

  return { enableInsights };
}
