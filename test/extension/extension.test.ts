// The extension against its demo connection, inside a real extension host: the tree, each query
// command, export, insights enablement, saved queries. The embedded sandbox's data is the oracle.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';

const EXTENSION_ID = 'waba-analytics.waba-analytics';
const DAY = 86_400_000;

let api: ExtensionApi;
type Sandbox = Awaited<ReturnType<ExtensionApi['demoSandbox']>>;
let sandbox: Sandbox;
let metaId: string;
let vonageId: string;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
const today = Math.floor(Date.now() / DAY) * DAY;
const from = isoDay(today - 10 * DAY);
const to = isoDay(today - 1 * DAY);
const range = { startMs: today - 10 * DAY, endMs: today };

function sum(points: Array<{ metrics: Record<string, number> }>, metric: string): number {
  return points.reduce((n, p) => n + (p.metrics[metric] ?? 0), 0);
}
function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b));
}

suite('WABA Analytics with the demo connection', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, 'extension installed');
    api = await ext.activate();
    const ids = (await vscode.commands.executeCommand<string[]>('wabaAnalytics.addDemoConnection')) ?? [];
    assert.equal(ids.length, 2, 'two demo connections (Meta and Vonage)');
    metaId = api.store.list().find((c) => c.demo && c.provider === 'meta')!.id;
    vonageId = api.store.list().find((c) => c.demo && c.provider === 'vonage')!.id;
    sandbox = await api.demoSandbox();
  });

  test('the tree lists the demo WABAs, their phone numbers and templates as the sandbox has them', async () => {
    const roots = (await api.tree.getChildren()) as Array<{ meta: { id: string } }>;
    assert.ok(roots.length >= 2);
    for (const provider of ['meta', 'vonage'] as const) {
      const conn = api.tree.connections.find((c) => c.meta.demo && c.meta.provider === provider)!;
      const wabas = await api.tree.wabaNodes(conn);
      const expected = sandbox.data.wabas[provider].map((w: { name: string }) => w.name).sort();
      assert.deepEqual(wabas.map((w) => w.info.name).sort(), expected);
      const first = wabas.find((w) => w.info.id === sandbox.data.wabas[provider][0].id)!;
      const [phones, templates] = first.children();
      const phoneNodes = (await api.tree.getChildren(phones)) as unknown[];
      assert.equal(phoneNodes.length, sandbox.data.wabas[provider][0].phones.length, `${provider} phone numbers`);
      const item = api.tree.getTreeItem(first);
      assert.match(String(item.description), new RegExp(sandbox.data.wabas[provider][0].currency));
      if (provider === 'meta') {
        const categories = (await api.tree.getChildren(templates)) as Array<{ templates?: unknown[]; kind: string }>;
        assert.ok(categories.some((c) => c.kind === 'category'), 'templates grouped by category');
      }
    }
  });

  test('messaging analytics (Meta) equals the sandbox totals and opens a panel', async () => {
    const waba = sandbox.data.wabas.meta[0];
    const before = api.panels().length;
    const entry = await vscode.commands.executeCommand<{ run: { result: { points: Array<{ metrics: Record<string, number> }> } } }>('wabaAnalytics.queryMessaging', {
      connectionId: metaId,
      query: { provider: 'meta', wabaId: waba.id, from, to, granularity: 'DAILY' },
    });
    assert.ok(entry, 'the command returned its run');
    const totals = sandbox.data.totals({ provider: 'meta', wabaId: waba.id, kind: 'messaging', ...range });
    assert.equal(sum(entry.run.result.points, 'sent'), totals.sent);
    assert.equal(sum(entry.run.result.points, 'delivered'), totals.delivered);
    assert.equal(api.panels().length, before + 1, 'a panel opened');
  });

  test('pricing analytics (Meta and Vonage) and conversation analytics (Meta) equal the sandbox totals', async () => {
    for (const [provider, connectionId] of [
      ['meta', metaId],
      ['vonage', vonageId],
    ] as const) {
      const waba = sandbox.data.wabas[provider][0];
      const entry = await vscode.commands.executeCommand<{ run: { result: { points: Array<{ metrics: Record<string, number> }>; currency?: string } } }>('wabaAnalytics.queryPricing', {
        connectionId,
        query: { provider, wabaId: waba.id, from, to, dimensions: ['PRICING_CATEGORY'] },
      });
      const totals = sandbox.data.totals({ provider, wabaId: waba.id, kind: 'pricing', ...range });
      assert.equal(sum(entry.run.result.points, 'volume'), totals.volume, `${provider} volume`);
      if (totals.cost !== undefined) assert.ok(close(sum(entry.run.result.points, 'cost'), totals.cost), `${provider} cost`);
      assert.equal(entry.run.result.currency, waba.currency);
    }
    const waba = sandbox.data.wabas.meta[0];
    const conv = await vscode.commands.executeCommand<{ run: { result: { points: Array<{ metrics: Record<string, number> }> } } }>('wabaAnalytics.queryConversation', {
      connectionId: metaId,
      query: { provider: 'meta', wabaId: waba.id, from, to },
    });
    const totals = sandbox.data.totals({ provider: 'meta', wabaId: waba.id, kind: 'conversation', ...range });
    assert.equal(sum(conv.run.result.points, 'conversation'), totals.conversation);
  });

  test('template analytics for 12 templates (two batches) equal the sandbox totals, with names known', async () => {
    const waba = sandbox.data.wabas.meta[0];
    const ids = waba.templates.slice(0, 12).map((t: { id: string }) => t.id);
    const entry = await vscode.commands.executeCommand<{ run: { result: { points: Array<{ metrics: Record<string, number>; dims: Record<string, string> }> } } }>('wabaAnalytics.queryTemplate', {
      connectionId: metaId,
      query: { provider: 'meta', wabaId: waba.id, from, to, templateIds: ids },
    });
    const totals = sandbox.data.totals({ provider: 'meta', wabaId: waba.id, kind: 'template', ...range, filters: { templateIds: ids } });
    assert.equal(sum(entry.run.result.points, 'sent'), totals.sent);
    assert.equal(sum(entry.run.result.points, 'read'), totals.read);
    assert.deepEqual(new Set(entry.run.result.points.map((p) => p.dims.template_id)).size <= ids.length, true);
  });

  test('a query on a WABA without insights fails with the reason, then enabling insights (confirmed) makes it work', async () => {
    const waba = sandbox.data.wabas.meta.find((w: { insightsEnabled: boolean }) => !w.insightsEnabled);
    assert.ok(waba, 'the sandbox has a Meta WABA without insights');
    const ids = waba.templates.slice(0, 2).map((t: { id: string }) => t.id);
    await assert.rejects(api.queries.run(metaId, { kind: 'template', provider: 'meta', wabaId: waba.id, from, to, templateIds: ids }, { force: true }), /insights/i);
    const ok = await vscode.commands.executeCommand<boolean>('wabaAnalytics.enableInsights', { connectionId: metaId, wabaId: waba.id, confirmed: true });
    assert.equal(ok, true);
    assert.equal(sandbox.data.waba('meta', waba.id)!.insightsEnabled, true, 'the sandbox saw the enablement');
    const entry = await api.queries.run(metaId, { kind: 'template', provider: 'meta', wabaId: waba.id, from, to, templateIds: ids }, { force: true });
    assert.ok(entry.run.result.points.length > 0);
  });

  test('export writes the result of the panel in front (else the last result) as JSON and CSV, and never replaces a file unasked', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waba-export-'));
    const json = path.join(dir, 'result.json');
    // The panel in front is exported, not necessarily the last query run (issue 10).
    const expected = api.panels().find((p) => p.isActive)?.currentEntry ?? api.queries.last!;
    const uri = await vscode.commands.executeCommand<vscode.Uri>('wabaAnalytics.exportLastResult', { target: json, noOpen: true });
    assert.equal(uri?.fsPath, json);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(doc.query.wabaId, expected.query.wabaId);
    assert.equal(doc.query.kind, expected.query.kind);
    assert.equal(doc.result.points.length, expected.run.result.points.length);
    assert.equal(doc.partial, false);
    const csv = path.join(dir, 'result.csv');
    await vscode.commands.executeCommand('wabaAnalytics.exportLastResultCsv', { target: csv, noOpen: true });
    const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines.length, expected.run.result.points.length + 1);
    writeFileSync(path.join(dir, 'keep.json'), 'precious');
    await vscode.commands.executeCommand('wabaAnalytics.exportLastResult', { target: path.join(dir, 'keep.json'), overwrite: true, noOpen: true });
    assert.notEqual(readFileSync(path.join(dir, 'keep.json'), 'utf8'), 'precious', 'replaced when consent was given');
  });

  test('the same query again is answered from the cache; refresh clears it', async () => {
    const waba = sandbox.data.wabas.vonage[0];
    const q = { kind: 'messaging' as const, provider: 'vonage' as const, wabaId: waba.id, from, to };
    await api.queries.run(vonageId, q, { force: true });
    const before = sandbox.stats.requests;
    const again = await api.queries.run(vonageId, q);
    assert.equal(again.fromCache, true);
    assert.equal(sandbox.stats.requests, before, 'no request sent');
    await vscode.commands.executeCommand('wabaAnalytics.refresh');
    const fresh = await api.queries.run(vonageId, q);
    assert.equal(fresh.fromCache, false);
    assert.ok(sandbox.stats.requests > before);
  });

  test('a saved query file runs through the command', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waba-saved-'));
    const file = path.join(dir, 'report.waba-query.json');
    const waba = sandbox.data.wabas.meta[0];
    writeFileSync(file, JSON.stringify({ title: 'test', query: { kind: 'pricing', provider: 'meta', wabaId: waba.id, from, to, granularity: 'MONTHLY' } }));
    const entry = await vscode.commands.executeCommand<{ query: { granularity: string } }>('wabaAnalytics.runSavedQuery', vscode.Uri.file(file));
    assert.equal(entry?.query.granularity, 'MONTHLY');
    assert.ok(existsSync(file));
  });

  test('a wrong date is refused before any request', async () => {
    const before = sandbox.stats.requests;
    await assert.rejects(api.queries.run(metaId, { kind: 'pricing', provider: 'meta', wabaId: sandbox.data.wabas.meta[0].id, from: '2026-02-30', to }), /real date/);
    assert.equal(sandbox.stats.requests, before);
  });
});
