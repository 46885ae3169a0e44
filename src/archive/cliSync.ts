/**
 * `waba-analytics sync`: the archive's command-line front (src/cli.ts parses the flags and
 * connects the provider; this runs the sync, prints progress on stderr and a summary on stdout).
 */
import * as path from 'node:path';
import { WabaError } from '../core/errors';
import type { Provider } from '../core/provider';
import type { Kind } from '../core/types';
import { KINDS } from '../core/types';
import { warningLine } from '../core/warnings';
import { checkArchivableKinds, syncArchive } from './sync';
import type { SyncReport } from './sync';

export const DEFAULT_ARCHIVE_DIR = './waba-archive';

export interface SyncCommandOptions {
  /** WABA ids; default every WABA the credentials reach. */
  wabas?: string[];
  archive?: string;
  kinds?: string[];
  since?: string;
  through?: string;
  signal?: AbortSignal;
  /** The clock (epoch ms); default Date.now(). */
  now?: number;
  /** Where progress lines go (stderr). */
  log: (line: string) => void;
}

/**
 * Run a sync; resolves with the report and the exit code (1 when a kind failed or a file could not
 * be read; a kind skipped with a warning, such as template analytics with insights off, is no failure).
 */
export async function syncCommand(provider: Provider, o: SyncCommandOptions): Promise<{ report: SyncReport; code: number; root: string }> {
  let kinds: Kind[] | undefined;
  if (o.kinds) {
    const bad = o.kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
    if (bad.length) throw new WabaError('input', `Unknown kind ${bad.map((k) => `"${k}"`).join(', ')}.`, { hint: `Use ${KINDS.join(', ')}.` });
    const offered = o.kinds.filter((k) => provider.capabilities[k as Kind]);
    if (offered.length < o.kinds.length) throw new WabaError('input', `${provider.id} does not offer ${o.kinds.filter((k) => !offered.includes(k)).join(', ')}.`, { hint: `Use ${Object.keys(provider.capabilities).join(', ')}.` });
    kinds = offered as Kind[];
    checkArchivableKinds(provider, kinds);
  }
  const wabaIds = o.wabas?.length ? o.wabas : (await provider.listWabas(o.signal)).map((w) => w.id);
  if (!wabaIds.length) throw new WabaError('config', `The ${provider.id} credentials reach no WABA.`, { hint: 'Give --waba ID.' });
  const root = path.resolve(o.archive ?? DEFAULT_ARCHIVE_DIR);
  o.log(`Syncing ${wabaIds.length} WABA(s) of ${provider.id} into ${root}`);
  const report = await syncArchive({
    root,
    provider,
    wabaIds,
    ...(kinds ? { kinds } : {}),
    ...(o.since ? { since: o.since } : {}),
    ...(o.through ? { through: o.through } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.now !== undefined ? { now: o.now } : {}),
    onProgress: (p) => {
      if (p.phase === 'start') o.log(`[${p.done + 1}/${p.total}] ${p.kind} ${p.waba} ${p.from}..${p.to}${p.templates ? ` (${p.templates} templates)` : ''}${p.phone ? ` (phone ${p.phone})` : ''}`);
    },
  });
  if (report.tookOverLock) o.log(`Took over the stale lock of process ${report.tookOverLock.pid} (no longer running).`);
  for (const t of report.cleanedTemps) o.log(`Removed ${t}, left by an interrupted write.`);
  for (const p of report.problems) o.log(`problem: ${p.message}`);
  for (const w of report.warnings) o.log(warningLine(w));
  for (const k of report.kinds) if (k.error) o.log(`error: ${k.kind} of WABA ${k.waba}: ${k.error.message}`);
  o.log(`Done: ${report.requests} requests, ${report.kinds.reduce((n, k) => n + k.daysFetched, 0)} days fetched.`);
  const code = report.problems.length || report.kinds.some((k) => k.error) ? 1 : 0;
  return { report, code, root };
}
