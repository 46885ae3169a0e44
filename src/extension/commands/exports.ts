/** Exporting from the palette: the result of the panel in front, else the last result (panels export their own result through the panel host). */
import * as vscode from 'vscode';
import { registerCommand } from '../commandRunner';
import type { TargetOptions } from '../export';
import { exportEntry } from '../export';
import { AnalyticsPanel } from '../panels';
import type { Services } from './services';

export function registerExportCommands(s: Services): void {
  const { context, queries } = s;
  const exportLast = (format: 'json' | 'csv') => async (options?: TargetOptions) => {
    // The panel in front, when there is one; else the last query run.
    const last = AnalyticsPanel.active()?.currentEntry ?? queries.last;
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
}
