// Secrets inside a real extension host: connections with sentinel credentials, pointed at the
// embedded sandbox, fail as they should; the sentinels never reach the log, the tree, the
// settings or the extension's global state — only VS Code's secret storage, until removed.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';

const SENTINEL_TOKEN = 'SENTINELmetaTOKEN0123456789abcdef';
const SENTINEL_SECRET = 'SENTINELvonageSECRET0123456789';

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) filesUnder(p, out);
    else if (st.size < 20_000_000) out.push(p);
  }
  return out;
}

suite('secrets stay secret', () => {
  let api: ExtensionApi;
  const ids: string[] = [];

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>('waba-analytics.waba-analytics')!.activate();
    const sb = await api.demoSandbox();
    const config = vscode.workspace.getConfiguration('wabaAnalytics');
    await config.update('meta.baseUrl', sb.metaBaseUrl, vscode.ConfigurationTarget.Global);
    await config.update('vonage.baseUrl', sb.vonageBaseUrl, vscode.ConfigurationTarget.Global);
    const meta = { id: api.store.newId(), label: 'Sentinel Meta', provider: 'meta' as const, manualWabaIds: [sb.data.wabas.meta[0].id], manualTemplateIds: {} };
    const vonage = { id: api.store.newId(), label: 'Sentinel Vonage', provider: 'vonage' as const, manualWabaIds: [], manualTemplateIds: {} };
    await api.store.add(meta, { provider: 'meta', accessToken: SENTINEL_TOKEN });
    await api.store.add(vonage, { provider: 'vonage', apiKey: 'sentinel-key', apiSecret: SENTINEL_SECRET });
    ids.push(meta.id, vonage.id);
  });

  suiteTeardown(async () => {
    const config = vscode.workspace.getConfiguration('wabaAnalytics');
    await config.update('meta.baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await config.update('vonage.baseUrl', undefined, vscode.ConfigurationTarget.Global);
  });

  test('wrong credentials become error items that say what to do, without the secret', async () => {
    for (const id of ids) {
      const node = api.tree.connections.find((c) => c.meta.id === id)!;
      const children = (await api.tree.getChildren(node)) as Array<{ kind: string }>;
      const error = children.find((c) => c.kind === 'error');
      assert.ok(error, 'an error item instead of an empty tree');
      const item = api.tree.getTreeItem(error as never);
      const text = `${item.label} ${item.description} ${(item.tooltip as vscode.MarkdownString).value}`;
      assert.match(text, /replace it|refused|check them/i);
      assert.ok(!text.includes(SENTINEL_TOKEN) && !text.includes(SENTINEL_SECRET));
    }
    // The rest of the tree stays: the demo connections still list their WABAs.
    const demo = api.tree.connections.find((c) => c.meta.demo);
    if (demo) assert.ok((await api.tree.wabaNodes(demo)).length > 0);
  });

  test('a query with the wrong token fails with the reason, and nothing secret is logged', async () => {
    const sb = await api.demoSandbox();
    await assert.rejects(
      api.queries.run(ids[0]!, { kind: 'messaging', provider: 'meta', wabaId: sb.data.wabas.meta[0].id, from: '2026-01-01', to: '2026-01-02' }),
      (e: Error) => /token is invalid or expired/i.test(e.message) && !e.message.includes(SENTINEL_TOKEN),
    );
    // Let the log channel flush.
    await new Promise((r) => setTimeout(r, 1500));
    const logs = filesUnder(path.dirname(api.logUri.fsPath));
    assert.ok(logs.length > 0, 'log files found');
    const ours = logs.find((f) => f.endsWith('WABA Analytics.log'));
    assert.ok(ours, `the WABA Analytics log among ${logs.length} files`);
    const text = readFileSync(ours, 'utf8');
    assert.match(text, /401/, 'the failing requests are logged');
    for (const f of logs) {
      const content = readFileSync(f, 'utf8');
      assert.ok(!content.includes(SENTINEL_TOKEN) && !content.includes(SENTINEL_SECRET), `${f} holds a sentinel`);
    }
  });

  test('secrets live in secret storage only, and leave it with their connection', async () => {
    const userDir = path.resolve(api.logUri.fsPath, '..', '..', '..', '..', 'User');
    for (const f of filesUnder(userDir).filter((f) => /settings\.json$|\.vscdb$|state/.test(f) && !/secret/i.test(f))) {
      const content = readFileSync(f).toString('latin1');
      assert.ok(!content.includes(SENTINEL_TOKEN) && !content.includes(SENTINEL_SECRET), `${f} holds a sentinel`);
    }
    const meta = JSON.stringify(api.store.list());
    assert.ok(!meta.includes(SENTINEL_TOKEN) && !meta.includes(SENTINEL_SECRET), 'connection metadata holds no secret');
    assert.equal((await api.store.readSecret(ids[0]!))?.provider, 'meta');
    for (const id of ids) await api.store.remove(id);
    assert.equal(await api.store.readSecret(ids[0]!), undefined);
    assert.equal(await api.store.readSecret(ids[1]!), undefined);
  });
});
