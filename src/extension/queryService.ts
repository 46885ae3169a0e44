/** Running queries from the extension: progress with Cancel, the cache, and the last query and result. */
import * as vscode from 'vscode';
import { QueryCache } from '../core/cache';
import type { Query, QueryInput } from '../core/query';
import type { QueryRun, WabaInfo } from '../core/types';
import { kindLabel } from '../core/vocabulary';
import type { ConnectionStore } from './connections';
import { archive, core } from './lazy';
import { log } from './log';
import { readSettings } from './settings';

export interface RunEntry {
  connectionId: string;
  connectionLabel: string;
  query: Query;
  run: QueryRun;
  fetchedAt: string;
  fromCache: boolean;
}

export function queryTitle(q: Pick<Query, 'kind' | 'wabaId' | 'from' | 'to'>, wabaName?: string): string {
  return `${kindLabel(q.kind)} · ${wabaName ?? q.wabaId} · ${q.from} → ${q.to}`;
}

/** Where WABA details (currency, timezone, insights) come from: the accounts service in the extension. */
export interface WabaDirectory {
  waba(connectionId: string, wabaId: string): WabaInfo | undefined;
  rememberWaba(connectionId: string, info: WabaInfo): void;
}

/** A directory of its own, for a query service used without the accounts service (tests, benchmarks). */
function mapDirectory(): WabaDirectory {
  const wabas = new Map<string, WabaInfo>();
  return {
    waba: (connectionId, wabaId) => wabas.get(`${connectionId}|${wabaId}`),
    rememberWaba: (connectionId, info) => void wabas.set(`${connectionId}|${info.id}`, info),
  };
}

export class QueryService {
  readonly cache = new QueryCache(readSettings().cacheTtlMs);
  last?: RunEntry;
  private readonly lastChanged = new vscode.EventEmitter<RunEntry>();
  readonly onDidRun = this.lastChanged.event;

  constructor(
    private readonly store: ConnectionStore,
    private readonly directory: WabaDirectory = mapDirectory(),
    /**
     * The archive folder queries answer from and keep their final days in (historyRoot in
     * ./archiveRoot); undefined or returning undefined: every day is fetched, nothing is kept.
     */
    private readonly historyRoot?: () => string | undefined,
  ) {}

  /** Remember WABA details seen elsewhere (currency, timezone, insights) so queries need not ask again. */
  rememberWaba(connectionId: string, info: WabaInfo): void {
    this.directory.rememberWaba(connectionId, info);
  }

  waba(connectionId: string, wabaId: string): WabaInfo | undefined {
    return this.directory.waba(connectionId, wabaId);
  }

  /** Run a query with a progress notification and Cancel; reuse a cached run unless `force`. */
  async run(connectionId: string, input: QueryInput | Query, options: { force?: boolean; compare?: boolean } = {}): Promise<RunEntry> {
    // The previous period rides along by default (KPI comparison); `compare: false` fetches only the asked one.
    const compare = options.compare ?? true;
    const query = core().parseQuery(input);
    const meta = this.store.get(connectionId);
    if (!meta) throw new Error('That connection no longer exists.');
    const settings = readSettings();
    this.cache.setTtl(settings.cacheTtlMs);
    const keepRaw = vscode.workspace.getConfiguration('wabaAnalytics').get<boolean>('export.includeRawResponses', false);
    // A run kept without its raw bodies does not answer when exports are to include them.
    const hit = options.force ? undefined : this.cache.get(connectionId, query, { needRaw: keepRaw });
    // A run kept without its comparison does not answer when one is wanted.
    const cached = hit && (!compare || hit.previousRange) ? hit : undefined;
    if (cached) {
      log.info(`${queryTitle(query)}: answered from the cache (no request sent)`);
      const entry: RunEntry = { connectionId, connectionLabel: meta.label, query, run: cached, fetchedAt: new Date().toISOString(), fromCache: true };
      this.last = entry;
      this.lastChanged.fire(entry);
      return entry;
    }
    const provider = await this.store.provider(connectionId);
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${kindLabel(query.kind)} for WABA ${query.wabaId}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let last = 0;
        try {
          const runOptions = {
            signal: controller.signal,
            waba: this.waba(connectionId, query.wabaId),
            concurrency: settings.concurrency,
            allowPartial: true,
            keepRaw,
            compare,
            onProgress: (done: number, total: number) => {
              const pct = total ? (done / total) * 100 : 0;
              progress.report({ message: `${done} of ${total} request groups`, increment: pct - last });
              last = pct;
            },
          };
          // With an archive folder: the days it holds (synced, or final days an earlier query kept) are read
          // from it and only the others fetched; `sources` says which came from where (src/archive/answer.ts).
          const root = this.historyRoot?.();
          // The final days are written after the answer is shown (writeBehind): the panel does not wait for the disk.
          return root ? await archive().answerWithArchive(provider, query, { ...runOptions, root, writeBehind: true }) : await core().runQuery(provider, query, runOptions);
        } finally {
          sub.dispose();
        }
      },
    );
    const fromHistory = run.sources?.some((x) => x.source === 'archive') ? ', some days from the history archive' : '';
    log.info(`${queryTitle(query)}: ${run.result.points.length} points from ${run.requests} requests${fromHistory}${run.partial ? ' (partial)' : ''}`);
    this.cache.set(connectionId, query, run);
    const entry: RunEntry = { connectionId, connectionLabel: meta.label, query, run, fetchedAt: new Date().toISOString(), fromCache: false };
    this.last = entry;
    this.lastChanged.fire(entry);
    return entry;
  }

  dispose(): void {
    this.lastChanged.dispose();
  }
}
