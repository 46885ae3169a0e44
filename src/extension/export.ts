/**
 * Export a result (JSON or CSV) or save a query into the workspace: a default name from the
 * query and date in the export folder, editable in a save dialog; never overwrites without
 * asking; written atomically; opened afterwards.
 */
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WabaError } from '../core/errors';
import { exportContent, exportFileName, savedQueryContent, savedQueryFileName } from '../core/exportFile';
import { safeJoin, writeFileAtomic } from '../core/files';
import type { Query } from '../core/query';
import { Dismissed } from './commandRunner';
import { log } from './log';
import type { RunEntry } from './queryService';
import { readSettings } from './settings';

/** Where a file goes without asking (tests and automation pass it as a command argument). */
export interface TargetOptions {
  /** Absolute path or workspace-relative path; skips the save dialog. */
  target?: string;
  /** Replace an existing file without asking (only with `target`). */
  overwrite?: boolean;
  /** Do not open the file afterwards. */
  noOpen?: boolean;
  /** Open it beside the current editor, keeping the focus (exports from a panel keep the panel in view). */
  beside?: boolean;
}

function defaultFolder(): vscode.Uri | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0];
  if (!ws) return undefined;
  // The setting is relative to the workspace, and a workspace may set it: it may not lead out.
  const setting = readSettings().exportFolder;
  const rel = path.posix.normalize(setting.replace(/\\/g, '/'));
  if (rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel) || path.win32.isAbsolute(setting)) {
    log.warn(`The export folder "${setting}" is outside the workspace; using waba-analytics instead.`);
    return vscode.Uri.joinPath(ws.uri, 'waba-analytics');
  }
  return vscode.Uri.joinPath(ws.uri, rel);
}

async function chooseTarget(defaultName: string, filters: Record<string, string[]>, options: TargetOptions): Promise<{ uri: vscode.Uri; confirmed: boolean }> {
  if (options.target) {
    const ws = vscode.workspace.workspaceFolders?.[0];
    // A relative target stays inside the workspace folder.
    const abs = path.isAbsolute(options.target) ? options.target : ws ? safeJoin(ws.uri.fsPath, options.target) : undefined;
    if (!abs) throw new WabaError('input', `"${options.target}" is relative and no folder is open.`, { hint: 'Give an absolute path, or open a folder.' });
    return { uri: vscode.Uri.file(abs), confirmed: Boolean(options.overwrite) };
  }
  const folder = defaultFolder();
  const defaultUri = folder ? vscode.Uri.joinPath(folder, defaultName) : vscode.Uri.file(path.join(homedir(), defaultName));
  const uri = await vscode.window.showSaveDialog({ defaultUri, filters, saveLabel: 'Export', title: 'Export WABA Analytics result' });
  if (!uri) throw new Dismissed();
  // The save dialog has already asked about replacing an existing file.
  return { uri, confirmed: true };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function write(uri: vscode.Uri, text: string, confirmed: boolean): Promise<void> {
  let overwrite = confirmed;
  if (!overwrite && (await exists(uri))) {
    const replace = await vscode.window.showWarningMessage(`${path.basename(uri.fsPath)} already exists. Replace it?`, { modal: true }, 'Replace');
    if (replace !== 'Replace') throw new Dismissed();
    overwrite = true;
  }
  if (uri.scheme === 'file') {
    await writeFileAtomic(uri.fsPath, text, { overwrite });
  } else {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  }
}

async function open(uri: vscode.Uri, options: TargetOptions): Promise<void> {
  if (options.noOpen) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, options.beside ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false } : { preview: false });
}

export async function exportEntry(entry: RunEntry, format: 'json' | 'csv', options: TargetOptions = {}): Promise<vscode.Uri> {
  const includeRaw = vscode.workspace.getConfiguration('wabaAnalytics').get<boolean>('export.includeRawResponses', false);
  const { uri, confirmed } = await chooseTarget(exportFileName(entry.query, format), format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] }, options);
  const text = exportContent(entry.query, entry.run, format, { includeRaw });
  await write(uri, text, confirmed);
  log.info(`Exported ${entry.run.result.points.length} points to ${uri.fsPath}`);
  await open(uri, options);
  return uri;
}

export async function saveQueryFile(query: Query, title: string | undefined, options: TargetOptions = {}): Promise<vscode.Uri> {
  const { uri, confirmed } = await chooseTarget(savedQueryFileName(query), { 'WABA query': ['waba-query.json'] }, options);
  await write(uri, savedQueryContent(query, title), confirmed);
  await open(uri, options);
  return uri;
}
