/**
 * Part 6 of `npm run bench` (bundled and started by bench/run.mjs): the history archive.
 *
 * (a) The morning dashboard: four queries over the last 90 days (pricing HALF_HOUR and DAILY with
 *     four dimensions, messaging DAILY, template analytics of 25 templates), run with an archive
 *     folder on a first morning, then again the next morning (the sandbox's clock moved one day).
 *     Requests of the second morning against the minimum the not-yet-final days need (the same
 *     queries asked only for the days not final on the first morning, and the new day), with a
 *     one-day settle window for pricing and messaging and the 7 days of template reads and clicks;
 *     and the time of the 90-day HALF_HOUR query on the second morning against the first.
 * (b) One year of pricing with every dimension, synced into the archive: the same DAILY query
 *     answered from the archive against the same from the sandbox over 127.0.0.1, and the archive's
 *     bytes for that WABA-year against the size of the API's JSON answers (and of the normalized result).
 *
 * The sandbox runs in a child process (bench/sandbox-child.ts) on 127.0.0.1; its clock moves over
 * HTTP (`POST /_sandbox/clock`).
 *
 *   node archive.js --child=sandbox-child.js --out=archive.json [--runs=3]
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerWithArchive } from '../src/archive/answer';
import { isFinal } from '../src/archive/rows';
import { settleDaysOf } from '../src/archive/reuse';
import type { SettleDays } from '../src/archive/reuse';
import { syncArchive } from '../src/archive/sync';
import { DAY, formatIsoDate } from '../src/core/dates';
import type { Provider } from '../src/core/provider';
import type { QueryInput } from '../src/core/query';
import { runQuery } from '../src/core/run';
import type { Kind, WabaInfo } from '../src/core/types';
import { createMetaProvider } from '../src/providers/meta';
import { arg, median } from './common';
import { SandboxChild } from './sandbox';

const RUNS = Number(arg('runs', '3'));
const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const log = (m: string) => process.stderr.write(`[bench archive] ${m}\n`);


function folderBytes(dir: string, keep: (rel: string) => boolean, rel = ''): number {
  let n = 0;
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) n += folderBytes(dir, keep, r);
    else if (keep(r)) n += statSync(join(dir, r)).size;
  }
  return n;
}

async function main(): Promise<void> {
  // 08:00 UTC: the morning.
  const morning1 = Math.floor(Date.now() / DAY) * DAY + 8 * 3_600_000;
  const child = await SandboxChild.start(arg('child'), morning1);
  const report: Record<string, unknown> = { runs: RUNS };
  const scratch = mkdtempSync(join(tmpdir(), 'waba-bench-archive-'));
  let clock = morning1;
  try {
    await child.setClock(clock);
    const provider: Provider = createMetaProvider({ accessToken: child.info.metaToken }, { baseUrl: child.info.metaBaseUrl, now: () => clock });
    const wabas = await provider.listWabas();
    const waba: WabaInfo = wabas.find((w) => w.name === 'Acme Outdoor US') ?? wabas[0]!;
    const templates = (await provider.listTemplates(waba.id, { limit: 100 })).items.slice(0, 25).map((t) => t.id);
    const dims = ['COUNTRY', 'PHONE', 'PRICING_CATEGORY', 'PRICING_TYPE'];

    // ---- (a) the morning dashboard ----
    const settleDays: SettleDays = { pricing: 1, messaging: 1 };
    const dashboard = (now: number): Array<{ name: string; kind: Kind; query: QueryInput }> => {
      const today = Math.floor(now / DAY) * DAY;
      const range = { from: formatIsoDate(today - 89 * DAY), to: formatIsoDate(today) };
      return [
        { name: 'pricing HALF_HOUR, 4 dimensions', kind: 'pricing', query: { provider: 'meta', kind: 'pricing', wabaId: waba.id, ...range, granularity: 'HALF_HOUR', dimensions: dims } },
        { name: 'pricing DAILY, 4 dimensions', kind: 'pricing', query: { provider: 'meta', kind: 'pricing', wabaId: waba.id, ...range, granularity: 'DAILY', dimensions: dims } },
        { name: 'messaging DAILY', kind: 'messaging', query: { provider: 'meta', kind: 'messaging', wabaId: waba.id, ...range, granularity: 'DAILY' } },
        { name: 'template analytics, 25 templates', kind: 'template', query: { provider: 'meta', kind: 'template', wabaId: waba.id, ...range, granularity: 'DAILY', templateIds: templates } },
      ];
    };
    // As the extension runs them: the WABA's details known (the Accounts tree), the archive folder, allowPartial.
    const options = (root: string, now: number) => ({ root, now, waba, allowPartial: true, settleDays });
    /** The dashboard's queries with the archive on the morning at `now`: the requests each sent, their sum, and the time of the first (the 90-day HALF_HOUR query). */
    const dashboardMorning = async (root: string, now: number) => {
      const sent: Record<string, number> = {};
      let halfHourMs = 0;
      for (const [i, q] of dashboard(now).entries()) {
        const before = await child.requests();
        const t = performance.now();
        await answerWithArchive(provider, q.query, options(root, now));
        if (i === 0) halfHourMs = performance.now() - t;
        sent[q.name] = (await child.requests()) - before;
      }
      return { sent, halfHourMs, total: Object.values(sent).reduce((a, b) => a + b, 0) };
    };
    const morning = { first: [] as number[], second: [] as number[], minimum: [] as number[], hhFirstMs: [] as number[], hhSecondMs: [] as number[], hhPlainMs: [] as number[] };
    const perQuery: Record<string, { first: number; second: number; minimum: number }> = {};
    for (let r = 0; r < RUNS; r++) {
      const root = mkdtempSync(join(scratch, 'dashboard-'));
      clock = morning1;
      await child.setClock(clock);
      // Without the archive, for reference: the 90-day HALF_HOUR query as it was.
      const t0 = performance.now();
      await runQuery(provider, dashboard(clock)[0]!.query, { now: clock, waba });
      morning.hhPlainMs.push(performance.now() - t0);
      await child.reset();
      const m1 = await dashboardMorning(root, clock);
      morning.hhFirstMs.push(m1.halfHourMs);
      for (const [name, sent] of Object.entries(m1.sent)) (perQuery[name] ??= { first: 0, second: 0, minimum: 0 }).first = sent;
      const first = m1.total;
      // The next morning.
      const previous = clock;
      clock += DAY;
      await child.setClock(clock);
      const m2 = await dashboardMorning(root, clock);
      morning.hhSecondMs.push(m2.halfHourMs);
      for (const [name, sent] of Object.entries(m2.sent)) perQuery[name]!.second = sent;
      const second = m2.total;
      // The minimum: each query asked only for the days that were not final yet, through today.
      let minimum = 0;
      for (const q of dashboard(clock)) {
        const settle = settleDaysOf(q.kind, settleDays);
        let from = Date.parse(`${q.query.from}T00:00:00Z`);
        while (isFinal(from, previous, settle)) from += DAY;
        const before = await child.requests();
        await runQuery(provider, { ...q.query, from: formatIsoDate(from) }, { now: clock, waba, allowPartial: true });
        const need = (await child.requests()) - before;
        minimum += need;
        perQuery[q.name]!.minimum = need;
      }
      morning.first.push(first);
      morning.second.push(second);
      morning.minimum.push(minimum);
      log(`dashboard run ${r + 1}: first morning ${first} requests, second ${second}, minimum ${minimum}; HALF_HOUR ${round(morning.hhFirstMs[r]!)} -> ${round(morning.hhSecondMs[r]!)} ms`);
    }
    report.dashboard = {
      firstMorningRequests: median(morning.first),
      secondMorningRequests: median(morning.second),
      minimumRequests: median(morning.minimum),
      ratio: round(median(morning.second) / median(morning.minimum), 2),
      perQuery,
      halfHourFirstMs: round(median(morning.hhFirstMs)),
      halfHourSecondMs: round(median(morning.hhSecondMs)),
      halfHourWithoutArchiveMs: round(median(morning.hhPlainMs)),
      halfHourSecondToFirst: round(median(morning.hhSecondMs) / median(morning.hhFirstMs), 2),
    };

    // ---- (b) one year of pricing with every dimension ----
    clock = morning1;
    await child.setClock(clock);
    const today = Math.floor(clock / DAY) * DAY;
    const root = mkdtempSync(join(scratch, 'year-'));
    const t0 = performance.now();
    const sync = await syncArchive({ root, provider, wabaIds: [waba.id], kinds: ['pricing'], since: formatIsoDate(today - 365 * DAY), now: clock });
    const syncMs = performance.now() - t0;
    if (sync.kinds.some((k) => k.error)) throw new Error(`the sync failed: ${sync.kinds.find((k) => k.error)!.error!.message}`);
    // The final days: all of them from the archive.
    const yearQuery: QueryInput = {
      provider: 'meta',
      kind: 'pricing',
      wabaId: waba.id,
      granularity: 'DAILY',
      dimensions: ['COUNTRY', 'PHONE', 'PRICING_CATEGORY', 'PRICING_TYPE', 'TIER'],
      from: formatIsoDate(today - 365 * DAY),
      to: formatIsoDate(today - 3 * DAY),
    };
    const fromArchive: number[] = [];
    const fromApi: number[] = [];
    let points = 0;
    let archiveRequests = -1;
    let rawBytes = 0;
    let resultBytes = 0;
    for (let r = 0; r < Math.max(3, RUNS); r++) {
      for (const which of r % 2 ? ['api', 'archive'] : ['archive', 'api']) {
        const t = performance.now();
        if (which === 'archive') {
          const run = await answerWithArchive(provider, yearQuery, { root, now: clock, waba, reuse: false });
          fromArchive.push(performance.now() - t);
          archiveRequests = run.requests;
          points = run.result.points.length;
        } else {
          const run = await runQuery(provider, yearQuery, { now: clock, waba, keepRaw: r === 0 });
          fromApi.push(performance.now() - t);
          if (r === 0) {
            rawBytes = (run.raw ?? []).reduce<number>((n, b) => n + Buffer.byteLength(typeof b === 'string' ? b : JSON.stringify(b)), 0);
            resultBytes = Buffer.byteLength(JSON.stringify(run.result));
          }
        }
      }
    }
    const archiveBytes = folderBytes(root, (rel) => rel.includes('kind=pricing/') && rel.endsWith('.parquet'));
    report.year = {
      syncMs: round(syncMs),
      syncRequests: sync.requests,
      days: 363,
      points,
      archiveRequests,
      fromArchiveMs: round(median(fromArchive)),
      fromSandboxMs: round(median(fromApi)),
      archiveToSandbox: round(median(fromArchive) / median(fromApi), 2),
      // A WABA-year: the 366 synced days of every dimension.
      archiveBytes,
      apiJsonBytes: rawBytes,
      resultJsonBytes: resultBytes,
      archiveToApiJson: round(archiveBytes / rawBytes, 3),
    };
    log(`year: ${points} points; archive ${round(median(fromArchive))} ms vs sandbox ${round(median(fromApi))} ms; ${archiveBytes} bytes vs ${rawBytes} bytes of JSON`);
  } finally {
    child.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(arg('out'), JSON.stringify(report, null, 2));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
