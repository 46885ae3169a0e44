/**
 * The Accounts view over the accounts service, with the stand-in `vscode` module, against the
 * sandbox (through its fault switches) and a hostile server of the test's own on 127.0.0.1: a
 * listing that fails — a connection's WABAs, a WABA's phone numbers, its templates, a later page of
 * templates — is an error item with the reason and a Retry that works, never "nothing found"; Retry
 * after the server recovers shows the listing. An empty but valid answer is "nothing found".
 */
import { registeredCommands, settings } from '../fakeVscode';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountsService } from '../../../src/extension/accountsService';
import type { AccountsTree, TemplatesNode, TreeNode } from '../../../src/extension/accountsTree';
import { CategoryNode, ConnectionNode, ErrorNode, InfoNode, LoadMoreNode, PhoneNode, PhonesNode, WabaNode } from '../../../src/extension/accountsTree';
import { registerAccountCommands } from '../../../src/extension/commands/accounts';
import type { ConnectionStore } from '../../../src/extension/connections';
import type { QueryService } from '../../../src/extension/queryService';
import type { Sandbox } from '../../../src/sandbox';
import type { HostileServer } from '../helpers';
import { startHostileServer, useExtensionServices } from '../helpers';

let sb: Sandbox;
let store: ConnectionStore;
let accounts: AccountsService;
let tree: AccountsTree;
let queries: QueryService;
let fired: Array<TreeNode | undefined>;

useExtensionServices({ sandbox: { metaEdgePageSize: 3 } }, (x) => {
  ({ sb, store, accounts, queries, tree } = x);
  fired = [];
  tree.onDidChangeTreeData((n) => fired.push(n));
  registerAccountCommands(x.services);
});

const connection = (id: string) => tree.connections.find((c) => c.meta.id === id)!;
const kids = async (node?: TreeNode) => ((await tree.getChildren(node)) ?? []) as TreeNode[];
const labels = (nodes: TreeNode[]) => nodes.map((n) => String(tree.getTreeItem(n).label));

/** The one error item: its label, its reason, and the Retry command VS Code runs on a click. */
function errorItem(nodes: TreeNode[], what: string, reason: RegExp): ErrorNode {
  const errors = nodes.filter((n): n is ErrorNode => n instanceof ErrorNode);
  assert.equal(errors.length, 1, `one error item, got ${labels(nodes).join(' | ')}`);
  const item = tree.getTreeItem(errors[0]!);
  assert.equal(item.label, `Could not load ${what}`);
  assert.match(String(item.description), reason, 'the reason is shown');
  assert.match((item.tooltip as { value: string }).value, /Click to retry/);
  assert.equal(item.contextValue, 'error', 'the inline Retry action of package.json applies');
  assert.equal(item.command?.command, 'wabaAnalytics.retryNode');
  assert.deepEqual(item.command?.arguments, [errors[0]]);
  assert.ok(!labels(nodes).some((l) => /^No /.test(l)), 'never "nothing found" when the load failed');
  return errors[0]!;
}

/** Click the error item: run its command as VS Code would. */
async function clickRetry(node: ErrorNode): Promise<void> {
  const item = tree.getTreeItem(node);
  const handler = registeredCommands.get(item.command!.command);
  assert.ok(handler, 'the Retry command is registered');
  await handler(...(item.command!.arguments ?? []));
}

describe('accounts tree: a failed listing is an error item with Retry', () => {
  it("a connection's WABAs (Meta): HTML instead of JSON, then Retry after the server recovers", async () => {
    sb.faults.add({ kind: 'html-200', match: 'debug_token', count: Infinity });
    const conn = connection('meta');
    const error = errorItem(await kids(conn), 'WhatsApp Business Accounts', /Meta debug_token answered with an HTML page instead of JSON/);
    assert.equal(accounts.wabas('meta').status, 'failed', 'the state keeps the error');
    // Expanding again does not turn the error into an empty list.
    errorItem(await kids(conn), 'WhatsApp Business Accounts', /HTML page/);
    sb.faults.clear();
    fired.length = 0;
    await clickRetry(error);
    assert.ok(fired.includes(conn), 'the connection redraws');
    const wabas = await kids(conn);
    assert.ok(wabas.every((n) => n instanceof WabaNode));
    assert.deepEqual((wabas as WabaNode[]).map((w) => w.info.id).sort(), sb.data.wabas.meta.map((w) => w.id).sort());
  });

  it("a connection's WABAs (Vonage): a body of another shape, then Retry", async () => {
    sb.faults.add({ kind: 'unexpected-shape', match: 'wabas?page=', count: Infinity });
    const conn = connection('vonage');
    const error = errorItem(await kids(conn), 'WhatsApp Business Accounts', /Vonage wabas answered a body that does not fit/);
    sb.faults.clear();
    await clickRetry(error);
    assert.deepEqual((await tree.wabaNodes(conn)).map((w) => w.info.name).sort(), sb.data.wabas.vonage.map((w) => w.name).sort());
  });

  it("a WABA's phone numbers: malformed JSON, then Retry", async () => {
    const w = sb.data.wabas.meta[0]!;
    const conn = connection('meta');
    const waba = (await tree.wabaNodes(conn)).find((n) => n.info.id === w.id)!;
    sb.faults.add({ kind: 'malformed-json', match: 'phone_numbers', count: Infinity });
    const [phones] = (await kids(waba)) as [PhonesNode, TemplatesNode];
    assert.ok(phones instanceof PhonesNode);
    assert.equal(tree.getTreeItem(phones).description, undefined, 'no count for a failed listing');
    const error = errorItem(await kids(phones), 'phone numbers', /Meta phone_numbers answered with malformed or truncated JSON/);
    sb.faults.clear();
    fired.length = 0;
    await clickRetry(error);
    assert.ok(fired.includes(phones), 'the group redraws');
    const rows = await kids(phones);
    assert.ok(rows.every((n) => n instanceof PhoneNode));
    assert.deepEqual(labels(rows), w.phones.map((p) => p.displayPhoneNumber));
    assert.equal(tree.getTreeItem(phones).description, String(w.phones.length));
  });

  it("a WABA's templates (Meta and Vonage): HTML, then Retry shows them by category", async () => {
    for (const [id, provider, match, reason] of [
      ['meta', 'meta', 'message_templates', /Meta message_templates answered with an HTML page/],
      ['vonage', 'vonage', '/templates', /Vonage templates answered with an HTML page/],
    ] as const) {
      const w = sb.data.wabas[provider][0]!;
      const waba = (await tree.wabaNodes(connection(id))).find((n) => n.info.id === w.id)!;
      sb.faults.add({ kind: 'html-200', match, count: Infinity });
      const templates = waba.templates;
      const error = errorItem(await kids(templates), 'templates', reason);
      sb.faults.clear();
      await clickRetry(error);
      const rows = await kids(templates);
      assert.ok(rows.length > 0 && rows.every((n) => n instanceof CategoryNode || n instanceof LoadMoreNode), labels(rows).join(' | '));
      const categories = new Set(w.templates.map((t) => t.category.charAt(0) + t.category.slice(1).toLowerCase()));
      for (const l of labels(rows.filter((n) => n instanceof CategoryNode))) assert.ok(categories.has(l), l);
    }
  });

  it('a later page of templates: an error under the loaded ones; Retry loads that page', async () => {
    const w = sb.data.wabas.meta[0]!;
    assert.ok(w.templates.length > 3, 'the sandbox pages templates by 3');
    const waba = (await tree.wabaNodes(connection('meta'))).find((n) => n.info.id === w.id)!;
    const first = await kids(waba.templates);
    const more = first.find((n): n is LoadMoreNode => n instanceof LoadMoreNode);
    assert.ok(more, 'a Load more item');
    assert.equal(tree.getTreeItem(waba.templates).description, '3+');
    sb.faults.add({ kind: 'malformed-json', match: 'after=', count: Infinity });
    await registeredCommands.get('wabaAnalytics.loadMoreTemplates')!(more);
    const rows = await kids(waba.templates);
    const error = errorItem(rows, 'more templates', /Meta message_templates answered with malformed or truncated JSON/);
    assert.equal(waba.templates.loaded.length, 3, 'the first page stays');
    sb.faults.clear();
    fired.length = 0;
    await clickRetry(error);
    assert.ok(fired.includes(waba.templates), 'the group redraws');
    assert.equal(waba.templates.loaded.length, 6);
    assert.ok(!(await kids(waba.templates)).some((n) => n instanceof ErrorNode));
  });

  it('Refresh on a group asks again; other groups keep what they loaded', async () => {
    const w = sb.data.wabas.meta[0]!;
    const waba = (await tree.wabaNodes(connection('meta'))).find((n) => n.info.id === w.id)!;
    await tree.getChildren(waba);
    sb.stats.reset();
    await registeredCommands.get('wabaAnalytics.refreshNode')!(waba.phones);
    await kids(waba.phones);
    assert.equal(sb.stats.byEndpoint['meta phone_numbers'], 1);
    await kids(waba.templates);
    assert.equal(sb.stats.byEndpoint['meta message_templates'] ?? 0, 0, 'templates were not asked again');
  });
});

describe('accounts tree: empty answers, warnings, and the service as the one source', () => {
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer(() => ({ status: 500, body: '' }));
  });
  after(async () => {
    await hostile.close();
  });

  it('an empty but valid answer is "No WhatsApp Business Accounts found", with Add WABA ID', async () => {
    hostile.handle = () => ({ body: { data: { is_valid: true, scopes: [], granular_scopes: [] } } });
    settings.set('meta.baseUrl', hostile.url);
    accounts.invalidate('meta');
    const rows = await kids(connection('meta'));
    assert.deepEqual(labels(rows), ['No WhatsApp Business Accounts found']);
    assert.ok(rows[0] instanceof InfoNode);
    assert.equal(tree.getTreeItem(rows[0]!).command?.command, 'wabaAnalytics.addWabaId');
  });

  it('a refused discovery is an error item naming both routes; repeated ids are one row plus a warning row', async () => {
    hostile.handle = (r) =>
      r.url.pathname.endsWith('debug_token')
        ? { status: 400, body: { error: { message: 'Permission denied', code: 10 } } }
        : { status: 403, body: { error: { message: 'Requires business_management permission', code: 200 } } };
    settings.set('meta.baseUrl', hostile.url);
    accounts.invalidate('meta');
    errorItem(await kids(connection('meta')), 'WhatsApp Business Accounts', /refused every way of finding WhatsApp Business Accounts \(debug_token: .*; businesses: .*\)/);

    hostile.handle = (r) => {
      const p = r.url.pathname;
      if (p.endsWith('debug_token')) return { body: { data: { is_valid: true, granular_scopes: [{ scope: 'whatsapp_business_management', target_ids: ['100', '100'] }] } } };
      if (p.endsWith('/phone_numbers')) return { body: { data: [{ id: '1', display_phone_number: '+1 1' }, { id: '1', display_phone_number: '+1 1' }] } };
      return { body: { id: '100', name: 'Dup' } };
    };
    accounts.invalidate('meta');
    const rows = await kids(connection('meta'));
    assert.deepEqual(labels(rows), ['Dup', 'Meta debug_token listed the same WABA id more than once (100); each is shown once.']);
    assert.deepEqual((tree.getTreeItem(rows[1]!).iconPath as { id: string }).id, 'warning');
    const phones = await kids((rows[0] as WabaNode).phones);
    assert.deepEqual(labels(phones), ['+1 1', 'Meta phone_numbers listed the same phone number id more than once (1); each is shown once.']);
  });

  it('what other features read (WABA details, template names, connection of a WABA) comes from the service', async () => {
    const w = sb.data.wabas.meta[0]!;
    assert.equal(queries.waba('meta', w.id), undefined);
    assert.equal(await accounts.resolveConnection({ provider: 'meta', wabaId: w.id }), 'meta');
    assert.equal(queries.waba('meta', w.id)?.currency, w.currency, 'the query service reads the accounts service');
    const waba = (await tree.wabaNodes(connection('meta'))).find((n) => n.info.id === w.id)!;
    fired.length = 0;
    accounts.updateWaba('meta', w.id, { insightsEnabled: !w.insightsEnabled });
    assert.ok(fired.includes(waba), 'the WABA row redraws');
    assert.equal(waba.info.insightsEnabled, !w.insightsEnabled);
    await accounts.ensureTemplateNames('meta', w.id, [w.templates[0]!.id]);
    assert.deepEqual(accounts.templateNames([w.templates[0]!.id]), { [w.templates[0]!.id]: w.templates[0]!.name });
    // Removing a connection forgets its state and redraws the roots.
    await store.remove('meta');
    assert.equal(accounts.waba('meta', w.id), undefined);
    assert.ok(fired.includes(undefined));
    assert.deepEqual(
      tree.connections.map((c) => c.meta.id),
      ['vonage'],
    );
    assert.ok(tree.connections.every((c) => c instanceof ConnectionNode));
  });
});
