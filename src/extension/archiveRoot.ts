/**
 * Where the extension's queries keep and read days (src/archive/answer.ts, src/archive/reuse.ts):
 *
 * - `wabaAnalytics.archive.folder` set (user or workspace): that folder (archiveFolder()), also
 *   when "Sync History" has not made it yet;
 * - not set: the default `waba-archive` of the workspace when it exists (a sync made it); otherwise
 *   `history` in the extension's global storage, so that a query never creates a folder in the
 *   workspace on its own and the final days of the morning dashboard are still kept;
 * - a setting that cannot be used (a workspace value outside the workspace): global storage, with a
 *   line in the log.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { archiveFolder } from './commands/archive';
import { log } from './log';

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function historyRoot(globalStorage: Pick<vscode.Uri, 'fsPath'> | undefined): string | undefined {
  const fallback = globalStorage ? path.join(globalStorage.fsPath, 'history') : undefined;
  const i = vscode.workspace.getConfiguration('wabaAnalytics').inspect<string>('archive.folder');
  const set = [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].some((v) => typeof v === 'string' && v.trim() !== '');
  let folder: string | undefined;
  try {
    folder = archiveFolder();
  } catch (e) {
    log.warn(`The archive folder setting cannot be used for queries (${describeError(e)}); final days are kept in the extension's storage.`);
    return fallback;
  }
  if (folder && (set || isDirectory(folder))) return folder;
  return fallback;
}
