/**
 * "Sync History" through the vscode stand-in, against the embedded sandbox: the archive lands in
 * the workspace's `waba-archive` folder with a progress notification; Cancel stops it with the
 * days written kept; the daily sync never runs at activation and runs once a day when enabled.
 */
import { fakeContext, progress, recorded, settings, vscode, FakeUri, registeredCommands } from '../fakeVscode';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { scanArchive } from '../../../src/archive/store';
import type { Provider } from '../../../src/core/provider';
import type { ConnectionMeta } from '../../../src/extension/connections';
import { archiveFolder, registerArchiveCommands, startAutoSync } from '../../../src/extension/commands/archive';
import type { ArchiveServices } from '../../../src/extension/commands/archive';
import { createProvider } from '../../../src/providers/registry';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox } from '../../../src/sandbox';
import { tempDir, waitFor } from '../helpers';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const SINCE = day(Date.now() - 3 * DAY);

let sb: Sandbox;
let meta: Provider;
const connection: ConnectionMeta = { id: 'c1', label: 'Demo (Meta)', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} };

function services(): ArchiveServices & { state: Map<string, unknown> } {
  const f = fakeContext();
  return { context: f.context as never, state: f.state, store: { list: () => [connection], provider: () => Promise.resolve(meta) } };
}

async function workspace(): Promise<string> {
  const ws = await tempDir('waba-ws-archive-');
  vscode.workspace.workspaceFolders = [{ uri: FakeUri.file(ws), name: 'ws', index: 0 }];
  return ws;
}

before(async () => {
  sb = await startSandbox();
  meta = createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { baseUrl: sb.metaBaseUrl, maxRetries: 0 } });
});
after(async () => {
  await sb.close();
});
afterEach(() => {
  vscode.workspace.workspaceFolders = undefined;
  settings.clear();
  recorded.reset();
  sb.faults.clear();
});

describe('Sync History', () => {
  it('syncs every WABA of the connections into <workspace>/waba-archive with a progress notification', async () => {
    const ws = await workspace();
    const s = services();
    registerArchiveCommands(s);
    try {
      assert.equal(archiveFolder(), path.join(ws, 'waba-archive'));
      const reports = (await registeredCommands.get('wabaAnalytics.syncHistory')!({ since: SINCE, kinds: ['pricing', 'template'] })) as Array<{ warnings: Array<{ code: string }> }>;
      assert.equal(reports.length, 1);
      assert.ok(recorded.notifications.includes('Syncing history'));
      assert.ok(recorded.notifications.some((n) => /^Demo \(Meta\): pricing \d{4}-\d\d-\d\d – /.test(n)), recorded.notifications.join('\n'));
      assert.ok(recorded.notifications.some((n) => /^History synced: \d+ days fetched into /.test(n)), recorded.notifications.join('\n'));
      // The WABA with insights off: skipped, said in the log, no failure.
      assert.deepEqual(reports[0]!.warnings.map((w) => w.code), ['archive.insights-off']);
      assert.ok(recorded.log.some((l) => l.includes('[archive.insights-off] skipped template analytics for WABA 327634320897049: insights are off')));
      const scan = await scanArchive(path.join(ws, 'waba-archive'));
      assert.deepEqual(scan.problems, []);
      assert.ok(scan.files.some((f) => f.partition.kind === 'pricing') && scan.files.some((f) => f.partition.kind === 'template'));
      assert.equal(typeof s.state.get('wabaAnalytics.archive.lastSync'), 'number');
    } finally {
      for (const d of s.context.subscriptions) d.dispose();
    }
  });

  it('Cancel stops the sync; what was written stays readable', async () => {
    const ws = await workspace();
    const s = services();
    registerArchiveCommands(s);
    try {
      sb.faults.add({ kind: 'latency', ms: 400, count: Infinity, match: 'analytics' });
      progress.cancelAfterMs = 150;
      const started = Date.now();
      const r = await registeredCommands.get('wabaAnalytics.syncHistory')!({ since: SINCE, kinds: ['pricing', 'messaging'] });
      assert.equal(r, undefined);
      assert.ok(Date.now() - started < 3000);
      assert.ok(recorded.log.some((l) => /Sync History: cancelled/.test(l)), recorded.log.join('\n'));
      assert.ok(!recorded.notifications.some((n) => /^History synced/.test(n)));
      assert.deepEqual((await scanArchive(path.join(ws, 'waba-archive'))).problems, []);
    } finally {
      for (const d of s.context.subscriptions) d.dispose();
    }
  });

  it('without a workspace folder it says what to do', async () => {
    const s = services();
    registerArchiveCommands(s);
    try {
      await registeredCommands.get('wabaAnalytics.syncHistory')!();
      assert.ok(recorded.notifications.some((n) => /^Sync History failed: Sync History needs a workspace folder/.test(n)), recorded.notifications.join('\n'));
    } finally {
      for (const d of s.context.subscriptions) d.dispose();
    }
  });
});

describe('daily Sync History (wabaAnalytics.archive.autoSync)', () => {
  it('never syncs at activation, then once a day while enabled', async () => {
    const ws = await workspace();
    settings.set('archive.autoSync', true);
    const s = services();
    let clock = Date.now();
    const auto = startAutoSync(s, { checkEveryMs: 40, now: () => clock, sync: { since: SINCE, kinds: ['messaging'] } });
    try {
      assert.equal(s.state.get('wabaAnalytics.archive.lastSync'), undefined, 'nothing at activation');
      assert.ok(await waitFor(() => s.state.has('wabaAnalytics.archive.lastSync'), 10_000), 'the first check syncs');
      const first = s.state.get('wabaAnalytics.archive.lastSync');
      assert.ok(!recorded.notifications.some((n) => /^History synced/.test(n)), 'quiet: no notification');
      assert.ok((await scanArchive(path.join(ws, 'waba-archive'))).files.length > 0);
      const requests = sb.stats.requests;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sb.stats.requests, requests, 'not again within the day');
      settings.set('archive.autoSync', false);
      clock += 2 * DAY;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(s.state.get('wabaAnalytics.archive.lastSync'), first, 'not when disabled');
    } finally {
      auto.dispose();
    }
  });
});
