/**
 * Queries run from the extension answer with the archive folder (src/extension/queryService.ts,
 * src/extension/archiveRoot.ts), through the vscode stand-in, against the embedded sandbox over
 * 127.0.0.1: the second run of a query sends only the requests of the days not yet final
 * (HALF_HOUR too), a range beyond the lookback is answered from history with its warning, each
 * result records where its days came from, and the panel's line (webview/sections/header.ts, from src/archive/sources.ts) says so in words.
 */
import { fakeContext, settings, vscode, FakeUri } from '../fakeVscode';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { syncArchive } from '../../../src/archive/sync';
import { REUSE_DIR, settledReuseWrites } from '../../../src/archive/reuse';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { Point } from '../../../src/core/types';
import { historyRoot } from '../../../src/extension/archiveRoot';
import { ConnectionStore } from '../../../src/extension/connections';
import { QueryService } from '../../../src/extension/queryService';
import { createProvider } from '../../../src/providers/registry';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../src/sandbox';
import { daySourcesLine } from '../../../src/archive/sources';
import { tempDir } from '../helpers';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = () => Math.floor(Date.now() / DAY) * DAY;

let sb: Sandbox;
let meta: Provider;
let waba: SandboxWaba;
let store: ConnectionStore;
let storage: string;

function analyticsRequests(): number {
  return Object.entries(sb.stats.byEndpoint)
    .filter(([k]) => /analytics/.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

/**
 * Points in one order, for a point-for-point comparison. Today's last bucket ends "now" (the
 * moment of the answer), which two fetches a second apart legitimately disagree on: that one end
 * reads "now"; every other field, today's values included, must be equal.
 */
function sorted(points: Point[]): Point[] {
  const asked = Date.now();
  const end = (p: Point) => (Date.parse(p.end) > asked - 60_000 && Date.parse(p.end) <= asked + 60_000 && Date.parse(p.end) % (30 * 60_000) !== 0 ? 'now' : p.end);
  const key = (p: Point) => `${p.start}|${end(p)}|${JSON.stringify(Object.entries(p.dims).sort())}`;
  return [...points].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((p) => ({ ...p, end: end(p), metrics: Object.fromEntries(Object.entries(p.metrics).sort()) }));
}

before(async () => {
  sb = await startSandbox();
  meta = createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { baseUrl: sb.metaBaseUrl, now: () => sb.clock.now(), maxRetries: 0 } });
  waba = sb.data.wabas.meta.find((w) => w.insightsEnabled && !w.partnerBilled)!;
  settings.set('meta.baseUrl', sb.metaBaseUrl);
  const { context } = fakeContext();
  store = new ConnectionStore(context as never);
  await store.add({ id: 'c1', label: 'Demo', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} }, { provider: 'meta', accessToken: sb.credentials.metaToken });
  storage = await tempDir('waba-global-storage-');
});
after(async () => {
  settings.clear();
  await sb.close();
});
afterEach(() => {
  vscode.workspace.workspaceFolders = undefined;
  settings.delete('archive.folder');
  sb.clock.reset();
});

describe('extension queries with the archive folder', () => {
  it('the archive folder: the setting, else the workspace\'s synced folder, else global storage', async () => {
    const uri = FakeUri.file(storage);
    assert.equal(historyRoot(uri), path.join(storage, 'history'), 'no workspace: global storage');
    assert.equal(historyRoot(undefined), undefined);
    const ws = await tempDir('waba-ws-');
    vscode.workspace.workspaceFolders = [{ uri: FakeUri.file(ws), name: 'ws', index: 0 }];
    assert.equal(historyRoot(uri), path.join(storage, 'history'), 'a query does not create waba-archive in the workspace');
    await fs.mkdir(path.join(ws, 'waba-archive'));
    assert.equal(historyRoot(uri), path.join(ws, 'waba-archive'), 'the folder a sync made');
    settings.set('archive.folder', 'history-here');
    assert.equal(historyRoot(uri), path.join(ws, 'history-here'), 'the setting, even before a sync made it');
  });

  it('a second run of the same query sends only the requests of the days not yet final, HALF_HOUR included', async () => {
    const root = await tempDir('waba-ext-archive-');
    const service = new QueryService(store, undefined, () => root);
    try {
      for (const granularity of ['HALF_HOUR', 'DAILY'] as const) {
        const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: waba.id, granularity, dimensions: ['COUNTRY', 'PRICING_CATEGORY', 'PRICING_TYPE', 'PHONE'], from: day(today() - 20 * DAY), to: day(today()) };
        const first = await service.run('c1', query, { compare: false, force: true });
        assert.deepEqual(first.run.sources, [{ from: day(today() - 20 * DAY), to: day(today()), source: 'api' }]);
        // The extension writes the final days after the answer (the panel does not wait for the disk).
        await settledReuseWrites();
        sb.stats.reset();
        // force: past the in-memory cache, as the next morning's first run is.
        const second = await service.run('c1', query, { compare: false, force: true });
        const sent = analyticsRequests();
        sb.stats.reset();
        // Pricing settles in 2 days: the day before yesterday, yesterday and today are not final.
        const minimum = await runQuery(meta, { ...query, from: day(today() - 2 * DAY) });
        assert.equal(sent, analyticsRequests(), `${granularity}: ${sent} requests on the second run, the not-yet-final days need ${analyticsRequests()}`);
        assert.ok(minimum.requests >= 1);
        const api = await runQuery(meta, query);
        assert.deepEqual(sorted(second.run.result.points), sorted(api.result.points), `${granularity}: point for point the API's answer`);
        assert.deepEqual(second.run.sources, first.run.sources);
      }
      assert.ok((await fs.readdir(path.join(root, REUSE_DIR))).length > 0, 'the final days are in the archive folder');
    } finally {
      service.dispose();
    }
  });

  it('the comparison with the previous period is answered the same way, both periods at once', async () => {
    const root = await tempDir('waba-ext-archive-');
    const service = new QueryService(store, undefined, () => root);
    try {
      const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: waba.id, granularity: 'DAILY', dimensions: ['COUNTRY'], from: day(today() - 13 * DAY), to: day(today() - 7 * DAY) };
      const entry = await service.run('c1', query);
      assert.deepEqual(entry.run.previousRange, { from: day(today() - 20 * DAY), to: day(today() - 14 * DAY) });
      const previous = await runQuery(meta, { ...query, ...entry.run.previousRange });
      assert.ok(entry.run.previous && previous.result.points.length > 0);
      assert.deepEqual(sorted(entry.run.previous.points), sorted(previous.result.points));
      assert.ok(!entry.run.result.warnings.some((w) => w.code === 'comparison.unavailable'));
    } finally {
      service.dispose();
    }
  });

  it('a range beyond the lookback comes from history, with the warning, the day sources and the panel\'s words', async () => {
    const root = await tempDir('waba-ext-archive-');
    // Synced a year ago: the days before the lookback of today.
    const past = Date.now() - 365 * DAY;
    sb.clock.set(past);
    const sync = await syncArchive({ root, provider: meta, wabaIds: [waba.id], kinds: ['pricing'], since: day(past - 20 * DAY), now: past });
    assert.deepEqual(sync.kinds.filter((k) => k.error), []);
    const then = await runQuery(meta, { provider: 'meta', kind: 'pricing', wabaId: waba.id, granularity: 'DAILY', dimensions: ['COUNTRY'], from: day(past - 15 * DAY), to: day(past - DAY) }, { now: past });
    sb.clock.reset();

    const service = new QueryService(store, undefined, () => root);
    try {
      const query: QueryInput = { provider: 'meta', kind: 'pricing', wabaId: waba.id, granularity: 'DAILY', dimensions: ['COUNTRY'], from: day(past - 15 * DAY), to: day(today()) };
      const entry = await service.run('c1', query, { compare: false });
      const codes = entry.run.result.warnings.map((w) => w.code);
      assert.ok(codes.includes('archive.beyond-lookback'), codes.join());
      assert.ok(!codes.includes('archive.days-missing'), codes.join());
      const sources = entry.run.sources!;
      assert.deepEqual(sources[0], { from: day(past - 15 * DAY), to: day(past - DAY), source: 'archive' });
      assert.equal(sources[sources.length - 1]!.source, 'api');
      assert.equal(sources[sources.length - 1]!.to, day(today()));
      // The archive's days, point for point what the API answered when it still had them.
      const archived = entry.run.result.points.filter((p) => p.start < `${day(past)}T`);
      assert.ok(archived.length > 0);
      assert.deepEqual(sorted(archived), sorted(then.result.points));

      // The panel's words: the context carries the sources through the protocol.
      const text = daySourcesLine(sources, 'meta', entry.fetchedAt)!;
      const words = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
      assert.ok(text.startsWith(`${words(day(past - 15 * DAY))} – ${words(day(past - DAY))} from history · `), text);
      assert.ok(text.endsWith(' – today from Meta'), text);
      assert.match(text, /^\d{1,2} [A-Z][a-z]{2} \d{4} – /);
      assert.equal(daySourcesLine(undefined, 'meta', entry.fetchedAt), undefined, 'no sources: nothing shown');
    } finally {
      service.dispose();
    }
  });
});
