/**
 * "Sync History" (`wabaAnalytics.syncHistory`): keep every day the APIs will forget in the
 * history archive (src/archive, docs/archive.md), for every WABA of every connection, with a
 * progress notification and Cancel. With `wabaAnalytics.archive.autoSync`, once a day while VS
 * Code is open — never at activation: the first check comes an hour later.
 *
 * The archive code (hyparquet) is its own bundle, dist/archive.js, loaded on the first sync through
 * `archive()` (../lazy), so neither activation nor a query pays for it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WabaError, describeError } from '../../core/errors';
import type { Provider } from '../../core/provider';
import type { Kind } from '../../core/types';
import type { SyncReport } from '../../archive/sync';
import { registerCommand } from '../commandRunner';
import type { ConnectionMeta } from '../connections';
import { archive } from '../lazy';
import { log } from '../log';

export const ARCHIVE_FOLDER_DEFAULT = 'waba-archive';
const LAST_SYNC_KEY = 'wabaAnalytics.archive.lastSync';
const HOUR = 3_600_000;

/** What the command needs of the extension's services. */
export interface ArchiveServices {
  context: Pick<vscode.ExtensionContext, 'subscriptions' | 'globalState'>;
  store: { list(): ConnectionMeta[]; provider(id: string): Promise<Provider> };
}

/** Arguments a caller (a test, a task) may pass to the command. */
export interface SyncHistoryArgs {
  /** First day (YYYY-MM-DD); default each kind's lookback. */
  since?: string;
  kinds?: Kind[];
  /** Sync in a window progress (no notification), as the daily sync does. */
  quiet?: boolean;
}

/**
 * The archive folder: `wabaAnalytics.archive.folder` (default `waba-archive`) in the first
 * workspace folder. A workspace's own value must stay inside the workspace; only a user setting
 * may name a folder elsewhere. Undefined without a workspace folder (and no absolute user setting).
 */
export function archiveFolder(): string | undefined {
  const c = vscode.workspace.getConfiguration('wabaAnalytics');
  const i = c.inspect<string>('archive.folder');
  const user = i?.globalValue?.trim();
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const value = (c.get<string>('archive.folder', ARCHIVE_FOLDER_DEFAULT) ?? '').trim() || ARCHIVE_FOLDER_DEFAULT;
  if (path.isAbsolute(value)) {
    if (value === user) return path.resolve(value);
    if (ws && isInside(ws, value)) return path.resolve(value);
    throw new WabaError('config', `The archive folder ${value} of the workspace settings is outside the workspace.`, { hint: 'Use a folder inside the workspace, or set it in your user settings.' });
  }
  if (!ws) return undefined;
  const resolved = path.resolve(ws, value);
  if (!isInside(ws, resolved) && value !== user) throw new WabaError('config', `The archive folder ${value} leaves the workspace.`, { hint: 'Use a folder inside the workspace.' });
  return resolved;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Sync every WABA of every connection; resolves with one report per connection synced. */
export async function syncHistory(s: ArchiveServices, args: SyncHistoryArgs = {}): Promise<SyncReport[]> {
  const root = archiveFolder();
  if (!root) throw new WabaError('config', 'Sync History needs a workspace folder for the archive.', { hint: 'Open a folder, or set wabaAnalytics.archive.folder to an absolute path in your user settings.' });
  const connections = s.store.list();
  if (!connections.length) throw new WabaError('config', 'No connection to sync.', { hint: 'Add a connection first (or the demo).' });
  return vscode.window.withProgress(
    { location: args.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: 'Syncing history', cancellable: !args.quiet },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      const reports: SyncReport[] = [];
      const failures: string[] = [];
      try {
        for (const c of connections) {
          if (controller.signal.aborted) throw new WabaError('cancelled', 'Sync History was cancelled; the days written so far are kept.');
          let report: SyncReport;
          try {
            const provider = await s.store.provider(c.id);
            const wabaIds = (await provider.listWabas(controller.signal)).map((w) => w.id).filter((id) => /^\d{1,32}$/.test(id));
            if (!wabaIds.length) continue;
            report = await archive().syncArchive({
              root,
              provider,
              wabaIds,
              signal: controller.signal,
              ...(args.since ? { since: args.since } : {}),
              ...(args.kinds ? { kinds: args.kinds } : {}),
              onProgress: (p) => {
                if (p.phase === 'start') progress.report({ message: `${c.label}: ${p.kind} ${p.from} – ${p.to} (${p.done + 1}/${p.total})` });
              },
            });
          } catch (e) {
            if (controller.signal.aborted || (e instanceof WabaError && e.kind === 'cancelled')) throw e;
            failures.push(`${c.label}: ${describeError(e)}`);
            log.error(`Sync History of ${c.label} failed: ${describeError(e)}`);
            continue;
          }
          reports.push(report);
          for (const w of report.warnings) log.warn(`Sync History of ${c.label}: [${w.code}] ${w.message}`);
          for (const p of report.problems) failures.push(`${c.label}: ${p.message}`);
          for (const k of report.kinds) if (k.error) failures.push(`${c.label}: ${k.kind} of WABA ${k.waba}: ${k.error.message}`);
        }
      } finally {
        sub.dispose();
      }
      await s.context.globalState.update(LAST_SYNC_KEY, Date.now());
      const days = reports.reduce((n, r) => n + r.kinds.reduce((m, k) => m + k.daysFetched, 0), 0);
      const where = vscode.workspace.asRelativePath(root);
      log.info(`Sync History: ${days} days fetched into ${root}; ${failures.length} problem(s).`);
      for (const f of failures) log.warn(`Sync History: ${f}`);
      if (failures.length) void vscode.window.showWarningMessage(`History synced into ${where} with ${failures.length} problem(s): ${failures[0]}`, 'Show Log').then((b) => b === 'Show Log' && vscode.commands.executeCommand('wabaAnalytics.showLog'));
      else if (!args.quiet) void vscode.window.showInformationMessage(`History synced: ${days} days fetched into ${where}.`);
      return reports;
    },
  );
}

/**
 * With `wabaAnalytics.archive.autoSync`: sync once a day while VS Code is open. Checked every
 * `checkEveryMs` (an hour), never at once: activation never syncs.
 */
export function startAutoSync(s: ArchiveServices, options: { checkEveryMs?: number; now?: () => number; sync?: Omit<SyncHistoryArgs, 'quiet'> } = {}): vscode.Disposable {
  const now = options.now ?? Date.now;
  let running = false;
  const check = async () => {
    if (running || !vscode.workspace.getConfiguration('wabaAnalytics').get<boolean>('archive.autoSync', false)) return;
    const last = s.context.globalState.get<number>(LAST_SYNC_KEY, 0) ?? 0;
    if (now() - last < 24 * HOUR || !s.store.list().length) return;
    running = true;
    try {
      await syncHistory(s, { ...options.sync, quiet: true });
    } catch (e) {
      log.warn(`The daily Sync History failed: ${describeError(e)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.checkEveryMs ?? HOUR);
  timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}

export function registerArchiveCommands(s: ArchiveServices): void {
  registerCommand(s.context as vscode.ExtensionContext, 'wabaAnalytics.syncHistory', 'Sync History', (args?: SyncHistoryArgs) => {
    // Only what a caller may ask; a menu's argument (a tree node) is ignored.
    const a = args && typeof args === 'object' ? args : {};
    return syncHistory(s, {
      ...(typeof a.since === 'string' ? { since: a.since } : {}),
      ...(Array.isArray(a.kinds) ? { kinds: a.kinds } : {}),
      ...(a.quiet === true ? { quiet: true } : {}),
    });
  });
  s.context.subscriptions.push(startAutoSync(s));
}
