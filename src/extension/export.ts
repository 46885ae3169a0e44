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
import { planWrite, safeJoin, writeFileAtomic } from '../core/files';
import type { WriteOptions } from '../core/files';
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

/** The save dialog's words: exporting a result, or saving a query. */
interface DialogWords {
  saveLabel: string;
  title: string;
}
const EXPORT_WORDS: DialogWords = { saveLabel: 'Export', title: 'Export WABA Analytics result' };
const SAVE_QUERY_WORDS: DialogWords = { saveLabel: 'Save query', title: 'Save WABA Analytics query' };

async function chooseTarget(
  defaultName: string,
  filters: Record<string, string[]>,
  options: TargetOptions,
  words: DialogWords = EXPORT_WORDS,
): Promise<{ uri: vscode.Uri; confirmed: boolean }> {
  if (options.target) {
    const ws = vscode.workspace.workspaceFolders?.[0];
    // A relative target stays inside the workspace folder.
    const abs = path.isAbsolute(options.target) ? options.target : ws ? safeJoin(ws.uri.fsPath, options.target) : undefined;
    if (!abs) throw new WabaError('input', `"${options.target}" is relative and no folder is open.`, { hint: 'Give an absolute path, or open a folder.' });
    return { uri: vscode.Uri.file(abs), confirmed: Boolean(options.overwrite) };
  }
  const folder = defaultFolder();
  const defaultUri = folder ? vscode.Uri.joinPath(folder, defaultName) : vscode.Uri.file(path.join(homedir(), defaultName));
  const uri = await vscode.window.showSaveDialog({ defaultUri, filters, saveLabel: words.saveLabel, title: words.title });
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

/** The folder a file may not leave once links are resolved: the workspace folder holding it, else the folder chosen. */
function allowedFolder(file: string): string {
  const inside = (folder: string) => {
    const rel = path.relative(folder, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const ws = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' && inside(f.uri.fsPath));
  return ws ? ws.uri.fsPath : path.dirname(file);
}

async function confirmReplace(uri: vscode.Uri): Promise<void> {
  const replace = await vscode.window.showWarningMessage(`${path.basename(uri.fsPath)} already exists. Replace it?`, { modal: true }, 'Replace');
  if (replace !== 'Replace') throw new Dismissed();
}

/**
 * Write an export or a saved query. A local file follows the rules of core/files: only a regular
 * file is replaced (atomically, after consent); a folder, device, FIFO or socket is refused, and
 * so is a link that leads out of the workspace folder (or, outside a workspace, the folder chosen).
 */
async function write(uri: vscode.Uri, text: string, confirmed: boolean): Promise<void> {
  if (uri.scheme !== 'file') {
    if (!confirmed && (await exists(uri))) await confirmReplace(uri);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    return;
  }
  const options: WriteOptions = { within: allowedFolder(uri.fsPath), special: 'refuse' };
  // Refused targets are refused before anyone is asked about replacing them.
  const plan = await planWrite(uri.fsPath, options);
  let overwrite = confirmed;
  if (!overwrite && plan.mode === 'replace' && plan.exists) {
    await confirmReplace(uri);
    overwrite = true;
  }
  await writeFileAtomic(uri.fsPath, text, { ...options, overwrite });
}

async function open(uri: vscode.Uri, options: TargetOptions): Promise<void> {
  if (options.noOpen) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, options.beside ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false } : { preview: false });
}

export async function exportEntry(entry: RunEntry, format: 'json' | 'csv', options: TargetOptions = {}): Promise<vscode.Uri> {
  const includeRaw = vscode.workspace.getConfiguration('wabaAnalytics').get<boolean>('export.includeRawResponses', false);
  const { uri, confirmed } = await chooseTarget(exportFileName(entry.query, format), format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] }, options);
  const includePrevious = vscode.workspace.getConfiguration('wabaAnalytics').get<boolean>('export.includePreviousPeriod', false);
  const text = exportContent(entry.query, entry.run, format, { includeRaw, includePrevious });
  await write(uri, text, confirmed);
  log.info(`Exported ${entry.run.result.points.length} points to ${uri.fsPath}`);
  await open(uri, options);
  return uri;
}

export async function saveQueryFile(query: Query, title: string | undefined, options: TargetOptions = {}, range?: string): Promise<vscode.Uri> {
  // The filter is plain `json`: a dialog given the double extension `waba-query.json` sees the
  // name's extension as `.json`, takes it for another, and appends `.waba-query.json` again.
  const { uri, confirmed } = await chooseTarget(savedQueryFileName(query), { 'WABA query': ['json'] }, options, SAVE_QUERY_WORDS);
  await write(uri, savedQueryContent(query, title, range), confirmed);
  await open(uri, options);
  return uri;
}
