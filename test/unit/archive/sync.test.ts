/**
 * Sync against the embedded sandbox over 127.0.0.1: the first run backfills, the second sends only
 * the not-yet-final days' requests, DuckDB reads the archive and its totals equal the sandbox's,
 * the archive gives back the API's points, and the failure paths (lock, corrupt file, failed write,
 * cancellation) leave the archive intact.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ArchiveError } from '../../../src/archive/errors';
import { monthFileRel } from '../../../src/archive/layout';
import { acquireLock } from '../../../src/archive/lock';
import { rowsToPoints } from '../../../src/archive/rows';
import { readMonthFile, scanArchive } from '../../../src/archive/store';
import { syncArchive } from '../../../src/archive/sync';
import type { SyncReport } from '../../../src/archive/sync';
import { runQuery } from '../../../src/core/run';
import type { Point } from '../../../src/core/types';
import type { Provider } from '../../../src/core/provider';
import { createProvider } from '../../../src/providers/registry';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox } from '../../../src/sandbox';
import { rejection, settled, tempDir } from '../helpers';

const DAY = 86_400_000;
/** Monday 15 June 2026, 10:17 UTC. */
const NOW = Date.UTC(2026, 5, 15, 10, 17);
const TODAY = Date.UTC(2026, 5, 15);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Twenty days: the first sync's range in most cases (crosses the May/June month boundary). */
const SINCE = day(TODAY - 20 * DAY);

let sb: Sandbox;
let meta: Provider;
let vonage: Provider;
let metaWaba: string;
let vonageWaba: string;
let db: DuckDBInstance;
let duck: DuckDBConnection;

const ANALYTICS = /analytics/;
function analyticsRequests(): number {
  return Object.entries(sb.stats.byEndpoint)
    .filter(([k]) => ANALYTICS.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

async function sql(q: string): Promise<Array<Record<string, unknown>>> {
  return (await duck.runAndReadAll(q)).getRowObjectsJson() as Array<Record<string, unknown>>;
}
const glob = (dir: string) => `read_parquet('${path.join(dir, '**', '*.parquet').replaceAll("'", "''")}', hive_partitioning=true, hive_types_autocast=false)`;

function sortPoints(points: Point[]): Point[] {
  const key = (p: Point) => `${p.start}|${JSON.stringify(Object.entries(p.dims).sort())}`;
  return [...points].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((p) => ({ ...p, metrics: Object.fromEntries(Object.entries(p.metrics).sort()) }));
}

before(async () => {
  sb = await startSandbox({ now: () => NOW });
  const config = { now: () => NOW, maxRetries: 1, retryBaseMs: 1 };
  meta = createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { ...config, baseUrl: sb.metaBaseUrl } });
  vonage = createProvider({
    provider: 'vonage',
    credentials: { apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret, applicationId: sb.credentials.vonageApplicationId, privateKey: sb.credentials.vonagePrivateKey },
    config: { ...config, baseUrl: sb.vonageBaseUrl },
  });
  metaWaba = sb.data.wabas.meta.find((w) => w.insightsEnabled && !w.partnerBilled)!.id;
  vonageWaba = sb.data.wabas.vonage.find((w) => w.linked)!.id;
  db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
});
after(async () => {
  duck.closeSync();
  await sb.close();
});

describe('archive sync (Meta)', () => {
  let dir: string;
  let first: SyncReport;

  it('the first run backfills every kind from the start day through yesterday, one month file per month', async () => {
    dir = await tempDir('waba-sync-');
    sb.stats.reset();
    const seen: string[] = [];
    first = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], now: NOW, since: SINCE, onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.kind}`) });
    assert.deepEqual(first.kinds.map((k) => [k.kind, k.error]), [
      ['messaging', undefined],
      ['conversation', undefined],
      ['pricing', undefined],
      ['template', undefined],
    ]);
    for (const t of first.tasks) {
      assert.equal(t.from, SINCE);
      assert.equal(t.to, day(TODAY - DAY));
    }
    assert.equal(analyticsRequests(), first.kinds.reduce((n, k) => n + k.requests, 0), 'the report counts every analytics request');
    assert.ok(seen.includes(`${first.tasks.length}/${first.tasks.length} template`), 'progress reaches the end');
    const scan = await scanArchive(dir);
    assert.deepEqual(scan.problems, []);
    const files = scan.files.map((f) => `${f.partition.kind} ${f.partition.month}`).sort();
    assert.deepEqual(files, ['conversation', 'messaging', 'messaging_phone', 'pricing', 'template', 'template_clicks'].flatMap((k) => [`${k} 2026-05`, `${k} 2026-06`]).sort());
    // Messaging per phone number: one query per number, each number a scope of its days.
    const phones = sb.data.wabas.meta.find((w) => w.id === metaWaba)!.phones.map((p) => p.digits);
    assert.deepEqual(first.tasks.filter((t) => t.phone).map((t) => t.phone), phones);
    const perPhone = await readMonthFile(dir, { provider: 'meta', waba: metaWaba, kind: 'messaging_phone', month: '2026-06' });
    assert.deepEqual(Object.keys(perPhone!.meta.days[day(TODAY - DAY)]!).sort(), [...phones].sort());
    assert.deepEqual([...new Set(perPhone!.rows.map((r) => r.dims.phone_number))].sort(), [...phones].sort());
    // Days covered: the 20 asked, including those without data.
    const june = await readMonthFile(dir, { provider: 'meta', waba: metaWaba, kind: 'pricing', month: '2026-06' });
    assert.deepEqual(Object.keys(june!.meta.days).sort(), Array.from({ length: 14 }, (_, i) => day(Date.UTC(2026, 5, 1 + i))));
    assert.equal(june!.meta.days[day(TODAY - DAY)]!['*']!.final, false);
    assert.equal(june!.meta.days[day(TODAY - 3 * DAY)]!['*']!.final, true);
  });

  it('the second run sends only the requests of the days not yet final', async () => {
    sb.stats.reset();
    const second = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], now: NOW, since: SINCE });
    const ranges = second.tasks.map((t) => `${t.kind}${t.phone ? ` ${t.phone}` : ''} ${t.from}..${t.to}`);
    const phones = sb.data.wabas.meta.find((w) => w.id === metaWaba)!.phones.map((p) => p.digits);
    assert.deepEqual(ranges, [
      `messaging ${day(TODAY - 2 * DAY)}..${day(TODAY - DAY)}`,
      ...phones.map((p) => `messaging ${p} ${day(TODAY - 2 * DAY)}..${day(TODAY - DAY)}`),
      `conversation ${day(TODAY - 2 * DAY)}..${day(TODAY - DAY)}`,
      `pricing ${day(TODAY - 2 * DAY)}..${day(TODAY - DAY)}`,
      `template ${day(TODAY - 7 * DAY)}..${day(TODAY - DAY)}`,
    ]);
    const templates = sb.data.wabas.meta.find((w) => w.id === metaWaba)!.templates.length;
    // One request per kind, one per phone number (messaging), and one per batch of 10 templates.
    assert.equal(analyticsRequests(), 3 + phones.length + Math.ceil(templates / 10));
    assert.equal(second.kinds.reduce((n, k) => n + k.requests, 0), analyticsRequests());
    // Nothing doubled: the files hold each (day, dimensions) once.
    const dup = await sql(`select count(*) n from (select kind, day, phone_number, country, tier, pricing_category, pricing_type, conversation_category, conversation_type, conversation_direction, template_id, button_type, button_content, count(*) c from ${glob(dir)} group by all having c > 1)`);
    assert.equal(Number(dup[0]!.n), 0);
  });

  it('DuckDB reads the archive, and its totals equal the sandbox\'s for the same days', async () => {
    const startMs = Date.parse(`${SINCE}T00:00:00Z`);
    const endMs = TODAY;
    for (const kind of ['pricing', 'messaging', 'conversation', 'template'] as const) {
      const oracle = sb.data.totals({ provider: 'meta', wabaId: metaWaba, kind, startMs, endMs });
      // Template costs are amount_spent (the sandbox's `cost` of templates is the same sum).
      const metrics = Object.keys(oracle).filter((m) => ['sent', 'delivered', 'read', 'clicked', 'volume', 'conversation', 'amount_spent', ...(kind === 'template' ? [] : ['cost'])].includes(m));
      assert.ok(metrics.length > 0, `${kind}: the sandbox has metrics`);
      const rows = await sql(
        `select ${metrics.map((m) => `sum("${m}")::DOUBLE as "${m}"`).join(', ')}, count(distinct currency) currencies from ${glob(dir)} where provider = 'meta' and waba = '${metaWaba}' and kind = '${kind}' and day >= '${SINCE}T00:00:00Z'::TIMESTAMPTZ and day < '${day(TODAY)}T00:00:00Z'::TIMESTAMPTZ`,
      );
      for (const m of metrics) {
        const got = Number(rows[0]![m]);
        assert.ok(Math.abs(got - oracle[m]!) <= 1e-6 * Math.max(1, Math.abs(oracle[m]!)), `${kind} ${m}: archive ${got}, sandbox ${oracle[m]}`);
      }
      if (kind !== 'messaging') assert.equal(Number(rows[0]!.currencies), 1, `${kind}: costs carry their currency`);
      if (kind === 'template') {
        // Clicks by button type, from the template_clicks rows.
        const clicks = await sql(`select button_type, sum(clicked)::DOUBLE n from ${glob(dir)} where kind = 'template_clicks' and day < '${day(TODAY)}T00:00:00Z'::TIMESTAMPTZ group by button_type order by 1`);
        assert.deepEqual(
          clicks.map((c) => [c.button_type, Number(c.n)]),
          ['quick_reply_button', 'unique_url_button', 'url_button'].filter((t) => oracle[t] !== undefined).map((t) => [t, oracle[t]]),
        );
      }
    }
  });

  it('the archive gives back the API\'s DAILY points for the same days, point for point', async () => {
    const scan = await scanArchive(dir, (p) => p.waba === metaWaba);
    for (const kind of ['pricing', 'template'] as const) {
      const rows = { [kind]: scan.files.filter((f) => f.partition.kind === kind).flatMap((f) => f.month.rows), template_clicks: scan.files.filter((f) => f.partition.kind === 'template_clicks').flatMap((f) => f.month.rows) };
      const fromArchive = rowsToPoints(kind, rows);
      const templateIds = sb.data.wabas.meta.find((w) => w.id === metaWaba)!.templates.map((t) => t.id);
      const api = await runQuery(
        meta,
        { kind, provider: 'meta', wabaId: metaWaba, from: SINCE, to: day(TODAY - DAY), granularity: 'DAILY', ...(kind === 'pricing' ? { dimensions: ['PRICING_CATEGORY', 'PRICING_TYPE', 'COUNTRY', 'PHONE', 'TIER'] } : { templateIds }) },
        { now: NOW },
      );
      assert.ok(api.result.points.length > 0);
      assert.deepEqual(sortPoints(fromArchive), sortPoints(api.result.points), kind);
    }
  });

  it('a full backfill reaches back exactly the kind\'s lookback', async () => {
    const full = await tempDir('waba-sync-');
    const r = await syncArchive({ root: full, provider: meta, wabaIds: [metaWaba], kinds: ['messaging'], now: NOW });
    const phones = sb.data.wabas.meta.find((w) => w.id === metaWaba)!.phones.length;
    assert.deepEqual(r.tasks.map((t) => [t.from, t.to]), Array.from({ length: 1 + phones }, () => [day(TODAY - 365 * DAY), day(TODAY - DAY)]));
    const scan = await scanArchive(full, (p) => p.kind === 'messaging');
    assert.equal(scan.files.length, 13);
    const days = scan.files.reduce((n, f) => n + Object.keys(f.month.meta.days).length, 0);
    assert.equal(days, 365);
  });
});

describe('archive sync (Vonage)', () => {
  it('archives messaging, template and pricing; totals equal the sandbox\'s', async () => {
    const dir = await tempDir('waba-sync-');
    const r = await syncArchive({ root: dir, provider: vonage, wabaIds: [vonageWaba], now: NOW, since: SINCE });
    assert.deepEqual(r.kinds.map((k) => [k.kind, k.error]), [
      ['messaging', undefined],
      ['pricing', undefined],
      ['template', undefined],
    ]);
    for (const kind of ['messaging', 'pricing'] as const) {
      const oracle = sb.data.totals({ provider: 'vonage', wabaId: vonageWaba, kind, startMs: Date.parse(`${SINCE}T00:00:00Z`), endMs: TODAY });
      const m = kind === 'pricing' ? 'volume' : 'sent';
      const rows = await sql(`select sum("${m}")::DOUBLE v from ${glob(dir)} where kind = '${kind}'`);
      assert.equal(Number(rows[0]!.v), oracle[m], `${kind} ${m}`);
    }
  });
});

describe('archive sync: failure paths', () => {
  it('a second sync of the same archive is refused while the first holds the lock', async () => {
    const dir = await tempDir('waba-sync-');
    const lock = await acquireLock(dir);
    sb.stats.reset();
    const e = await rejection(syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], now: NOW, since: SINCE }));
    assert.ok(e instanceof ArchiveError && e.code === 'locked');
    assert.match(e.message, new RegExp(`process ${process.pid}`));
    assert.equal(sb.stats.requests, 0, 'nothing was fetched');
    await lock.release();
  });

  it('a corrupt month file is reported by name, left as it is, and the other months are synced', async () => {
    const dir = await tempDir('waba-sync-');
    const p = { provider: 'meta', waba: metaWaba, kind: 'pricing', month: '2026-05' } as const;
    const file = path.join(dir, monthFileRel(p));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'PAR1 garbage');
    const r = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], kinds: ['pricing'], now: NOW, since: SINCE });
    assert.deepEqual(r.problems.map((x) => [x.code, x.file]), [['corrupt', monthFileRel(p)]]);
    assert.deepEqual(r.tasks.map((t) => [t.from, t.to]), [['2026-06-01', day(TODAY - DAY)]], 'only the readable month is fetched');
    assert.equal(await fs.readFile(file, 'utf8'), 'PAR1 garbage');
    const scan = await scanArchive(dir);
    assert.deepEqual(scan.files.map((f) => f.partition.month), ['2026-06']);
    assert.deepEqual(scan.problems.map((x) => x.file), [monthFileRel(p)]);
  });

  it('a write that fails leaves the previous month file; the next sync completes without duplicates', async () => {
    const dir = await tempDir('waba-sync-');
    await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], kinds: ['pricing'], now: NOW, since: SINCE });
    const june = { provider: 'meta', waba: metaWaba, kind: 'pricing', month: '2026-06' } as const;
    const before = await fs.readFile(path.join(dir, monthFileRel(june)));
    const later = NOW + 3 * DAY;
    const failing = await syncArchive({
      root: dir,
      provider: meta,
      wabaIds: [metaWaba],
      kinds: ['pricing'],
      now: later,
      since: SINCE,
      write: {
        beforeRename: () => {
          throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        },
      },
    });
    assert.equal(failing.kinds[0]!.error?.kind, 'io');
    assert.match(failing.kinds[0]!.error!.message, /ENOSPC/);
    assert.deepEqual(await fs.readFile(path.join(dir, monthFileRel(june))), before, 'the previous file is intact');
    const ok = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], kinds: ['pricing'], now: later, since: SINCE });
    assert.equal(ok.kinds[0]!.error, undefined);
    const dup = await sql(`select count(*) n from (select day, phone_number, country, tier, pricing_category, pricing_type, count(*) c from ${glob(dir)} group by all having c > 1)`);
    assert.equal(Number(dup[0]!.n), 0);
    const oracle = sb.data.totals({ provider: 'meta', wabaId: metaWaba, kind: 'pricing', startMs: Date.parse(`${SINCE}T00:00:00Z`), endMs: TODAY });
    const rows = await sql(`select sum(volume)::DOUBLE v from ${glob(dir)} where day < '${day(TODAY)}T00:00:00Z'::TIMESTAMPTZ`);
    assert.equal(Number(rows[0]!.v), oracle.volume);
  });

  it('cancelling stops the sync with a cancelled error, keeps what was written, and leaves no request running', async () => {
    const dir = await tempDir('waba-sync-');
    const ac = new AbortController();
    sb.faults.add({ kind: 'latency', ms: 300, count: Infinity, match: 'pricing_analytics' });
    try {
      const p = syncArchive({
        root: dir,
        provider: meta,
        wabaIds: [metaWaba],
        kinds: ['messaging', 'pricing'],
        now: NOW,
        since: SINCE,
        onProgress: (x) => {
          if (x.kind === 'pricing' && x.phase === 'start') setTimeout(() => ac.abort(), 50);
        },
        signal: ac.signal,
      });
      const e = await rejection(p);
      assert.equal(e.kind, 'cancelled');
    } finally {
      sb.faults.clear();
    }
    await settled(sb);
    const scan = await scanArchive(dir);
    assert.deepEqual([...new Set(scan.files.map((f) => f.partition.kind))].sort(), ['messaging', 'messaging_phone'], 'the messaging months written before stay');
    // The lock was released: a new sync can start.
    const r = await syncArchive({ root: dir, provider: meta, wabaIds: [metaWaba], kinds: ['pricing'], now: NOW, since: SINCE });
    assert.equal(r.kinds[0]!.error, undefined);
  });
});
