/** Saved queries (`*.waba-query.json`): the Run lens, running one, and a new one from a template. */
import * as vscode from 'vscode';
import { WabaError } from '../../core/errors';
import { Dismissed, registerCommand } from '../commandRunner';
import { WabaNode } from '../accountsTree';
import { SAVED_QUERY_GLOB, SavedQueryLens, newSavedQueryContent, readSavedQuery } from '../savedQueries';
import type { QueryRunner } from './queries';
import type { Services } from './services';
import { providerLabel } from '../../core/vocabulary';

export function registerSavedQueryCommands(s: Services, runner: QueryRunner): void {
  const { context } = s;
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
    const { query, range } = await readSavedQuery(target);
    const connectionId = await runner.resolveConnection(query);
    if (!connectionId) throw new WabaError('input', `No ${providerLabel(query.provider)} connection to run this query with.`, { hint: 'Add one (or try the demo), then run it again.' });
    return runner.openResult(connectionId, query, Boolean(options?.force), range);
  });
  registerCommand(context, 'wabaAnalytics.newSavedQuery', 'New saved query', async (node?: unknown) => {
    // The WABA picked in the tree (a WABA or anything under one), else the first one known.
    const fromTree = node instanceof WabaNode ? node : node && typeof node === 'object' && 'waba' in node && (node as { waba: unknown }).waba instanceof WabaNode ? (node as { waba: WabaNode }).waba : undefined;
    let waba: { provider: 'meta' | 'vonage'; id: string; name?: string } | undefined = fromTree?.info;
    for (const c of waba ? [] : s.store.list()) {
      try {
        waba = (await s.accounts.loadWabas(c.id))[0];
      } catch {
        // That connection cannot list now: try the next one.
      }
      if (waba) break;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: newSavedQueryContent(waba) });
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage(
      waba
        ? 'Save this file with a name ending in .waba-query.json to get validation and a Run lens. "range" keeps the report current; "from" and "to" fix its days.'
        : 'No WABA is known yet: replace YOUR_WABA_ID, then save this file with a name ending in .waba-query.json.',
    );
  });
}
