/** `*.waba-query.json` files: a CodeLens "Run" on each, and reading one into a query. */
import * as vscode from 'vscode';
import { resolveRelativeRange } from '../core/dates';
import { WabaError } from '../core/errors';
import type { Query } from '../core/query';
import type { RelativeRange } from '../core/vocabulary';
import { RELATIVE_RANGES } from '../core/vocabulary';
import { core } from './lazy';

export const SAVED_QUERY_GLOB = '**/*.waba-query.json';

export class SavedQueryLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Run query', command: 'wabaAnalytics.runSavedQuery', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: 'Run without cache', command: 'wabaAnalytics.runSavedQuery', arguments: [document.uri, { force: true }] }),
    ];
  }
}

/**
 * The relative range ("last-30-days") a query's dates were taken from, kept only while it still
 * gives those dates today: a panel saved the day after its query ran keeps its fixed dates.
 */
export function keptRange(range: unknown, query: Pick<Query, 'from' | 'to'>, now = Date.now()): RelativeRange | undefined {
  if (!isRelativeRange(range)) return undefined;
  const r = resolveRelativeRange(range, now);
  return r.from === query.from && r.to === query.to ? range : undefined;
}

export function isRelativeRange(range: unknown): range is RelativeRange {
  return typeof range === 'string' && (RELATIVE_RANGES as readonly string[]).includes(range);
}

/** Read a saved query from its file (or its open, possibly unsaved, editor); `range` when its dates are a relative range. */
export async function readSavedQuery(uri: vscode.Uri): Promise<{ query: Query; title?: string; range?: RelativeRange }> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const text = open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WabaError('input', `${vscode.workspace.asRelativePath(uri)} is not valid JSON (${(e as Error).message}).`, { hint: 'Fix the file; the editor underlines what the schema does not accept.' });
  }
  // An unknown key, around the query or in it, is refused by name (the JSON schema says so too).
  const { query, title, range } = core().savedQueryOf(json, vscode.workspace.asRelativePath(uri));
  return { query: core().parseQuery(query), ...(title !== undefined ? { title } : {}), ...(range ? { range } : {}) };
}

/**
 * A new saved query: pricing by category over the last 30 days (a relative range, so the report
 * stays current), on the WABA given (picked in the tree, or the first one known).
 */
export function newSavedQueryContent(waba: { provider: 'meta' | 'vonage'; id: string; name?: string } | undefined): string {
  const query = {
    kind: 'pricing',
    provider: waba?.provider ?? 'meta',
    wabaId: waba?.id ?? 'YOUR_WABA_ID',
    range: 'last-30-days',
    granularity: 'DAILY',
    dimensions: ['PRICING_CATEGORY'],
  };
  return JSON.stringify({ title: `Pricing by category, last 30 days${waba?.name ? ` · ${waba.name}` : ''}`, query }, null, 2) + '\n';
}
