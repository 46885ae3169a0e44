/**
 * The Accounts tree's menus fit their node: the contextValue of every node the tree draws (against
 * the sandbox) is matched against the `when` clauses of package.json's `view/item/context` menus,
 * as VS Code evaluates them. Group nodes ("Phone numbers", "Templates", a category) offer what
 * applies to all their children and no "Copy ID"; a WABA added by hand can be removed (and the
 * command forgets it); "insights off" and "click tracking off" lead the description, so the
 * default sidebar width still shows them.
 */
import { fakeContext, registeredCommands, settings } from '../fakeVscode';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { AccountsService } from '../../../src/extension/accountsService';
import type { TreeNode } from '../../../src/extension/accountsTree';
import { AccountsTree, CategoryNode, PhoneNode, PhonesNode, TemplateNode, TemplatesNode } from '../../../src/extension/accountsTree';
import { SavedQueryFileSchema, savedQueryOf } from '../../../src/core/query';
import { newSavedQueryContent } from '../../../src/extension/savedQueries';
import { registerConnectionCommands } from '../../../src/extension/commands/connections';
import type { Services } from '../../../src/extension/commands/services';
import { ConnectionStore } from '../../../src/extension/connections';
import { QueryService } from '../../../src/extension/queryService';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when?: string }>> } };

/** The commands of the tree's context menu for a contextValue, as VS Code evaluates the `when` clauses used here. */
function menuFor(contextValue: string): string[] {
  return manifest.contributes.menus['view/item/context']!.filter((m) => {
    for (const term of (m.when ?? 'true').split('&&').map((t) => t.trim())) {
      if (term === 'view == wabaAnalytics.accounts') continue;
      const re = /^viewItem =~ \/(.*)\/$/.exec(term);
      const eq = /^viewItem == (.*)$/.exec(term);
      if (re) {
        if (!new RegExp(re[1]!).test(contextValue)) return false;
      } else if (eq) {
        if (eq[1] !== contextValue) return false;
      } else throw new Error(`a when clause this test cannot read: ${term}`);
    }
    return true;
  }).map((m) => m.command.replace('wabaAnalytics.', ''));
}

let sb: Sandbox;
let store: ConnectionStore;
let accounts: AccountsService;
let tree: AccountsTree;
let queries: QueryService;

before(async () => {
  sb = await startSandbox();
});
after(async () => {
  await sb.close();
});
beforeEach(async () => {
  const { context } = fakeContext();
  store = new ConnectionStore(context as never);
  accounts = new AccountsService(store);
  queries = new QueryService(store, accounts);
  tree = new AccountsTree(accounts);
  settings.set('meta.baseUrl', sb.metaBaseUrl);
  registerConnectionCommands({ context, store, accounts, queries, tree, view: undefined } as unknown as Services);
  await store.add({ id: 'meta', label: 'Meta', provider: 'meta', manualWabaIds: ['424242424242'], manualTemplateIds: {} }, { provider: 'meta', accessToken: sb.credentials.metaToken });
});
afterEach(() => {
  tree.dispose();
  accounts.dispose();
  queries.dispose();
  store.dispose();
  settings.clear();
});

const kids = async (node?: TreeNode) => ((await tree.getChildren(node)) ?? []) as TreeNode[];
const item = (n: TreeNode) => tree.getTreeItem(n) as { contextValue?: string; description?: string; label: string; iconPath?: { id?: string } };

describe('tree menus', () => {
  it('each node offers what applies to it; groups offer the queries of all their children, never Copy ID', async () => {
    const connection = tree.connections.find((c) => c.meta.id === 'meta')!;
    const wabas = await tree.wabaNodes(connection);
    const listed = wabas.find((w) => w.info.id === sb.data.wabas.meta[0]!.id)!;
    await listed.loadGroups();
    const phones = (await kids(listed)).find((n): n is PhonesNode => n instanceof PhonesNode)!;
    const templates = (await kids(listed)).find((n): n is TemplatesNode => n instanceof TemplatesNode)!;
    const phone = (await kids(phones)).find((n): n is PhoneNode => n instanceof PhoneNode)!;
    const category = (await kids(templates)).find((n): n is CategoryNode => n instanceof CategoryNode)!;
    const template = (await kids(category)).find((n): n is TemplateNode => n instanceof TemplateNode)!;
    assert.ok(phone && category && template, 'the sandbox WABA has numbers and templates');

    assert.deepEqual(menuFor(item(phones).contextValue!).sort(), ['queryCalls', 'queryConversation', 'queryMessaging', 'queryPricing', 'refreshNode']);
    assert.deepEqual(menuFor(item(templates).contextValue!).sort(), ['queryTemplate', 'refreshNode']);
    assert.deepEqual(menuFor(item(category).contextValue!), ['queryTemplate']);
    assert.ok(menuFor(item(phone).contextValue!).includes('copyId'));
    assert.ok(menuFor(item(template).contextValue!).includes('copyId'));
    assert.ok(menuFor(item(template).contextValue!).includes('queryTemplate'));
    assert.ok(!menuFor(item(template).contextValue!).includes('queryPricing'));
    assert.ok(menuFor(item(listed).contextValue!).includes('copyId'));
    assert.ok(!menuFor(item(listed).contextValue!).includes('removeWabaId'), 'a listed WABA is not removable');
    // A category reads as people say it.
    assert.match(item(category).label, /^[A-Z][a-z]+( [a-z(]+\)?)*$/);

    const manual = wabas.find((w) => w.info.id === '424242424242')!;
    assert.ok(menuFor(item(manual).contextValue!).includes('removeWabaId'), item(manual).contextValue);
  });

  it('"Remove WABA" forgets a WABA added by hand', async () => {
    const connection = tree.connections.find((c) => c.meta.id === 'meta')!;
    const manual = (await tree.wabaNodes(connection)).find((w) => w.info.id === '424242424242')!;
    await registeredCommands.get('wabaAnalytics.removeWabaId')!(manual, { confirmed: true });
    assert.deepEqual(store.get('meta')!.manualWabaIds, []);
  });

  it('"insights off" leads the WABA description, with an icon of its own', async () => {
    const connection = tree.connections.find((c) => c.meta.id === 'meta')!;
    const wabas = await tree.wabaNodes(connection);
    const off = wabas.find((w) => w.info.insightsEnabled === false);
    assert.ok(off, 'the sandbox has a Meta WABA with insights off');
    assert.match(String(item(off).description), /^insights off/);
    assert.equal(item(off).iconPath?.id, 'eye-closed');
    const on = wabas.find((w) => w.info.insightsEnabled === true)!;
    assert.doesNotMatch(String(item(on).description), /insights/);
  });

  it('"New Saved Query File" on a WABA: its id and a relative range, valid against the strict schema', async () => {
    const connection = tree.connections.find((c) => c.meta.id === 'meta')!;
    const waba = (await tree.wabaNodes(connection)).find((w) => w.info.id === sb.data.wabas.meta[0]!.id)!;
    assert.ok(menuFor(item(waba).contextValue!).includes('newSavedQuery'));
    const json = JSON.parse(newSavedQueryContent(waba.info));
    assert.ok(SavedQueryFileSchema.safeParse(json).success, JSON.stringify(json));
    assert.equal(json.query.wabaId, waba.info.id);
    assert.equal(json.query.range, 'last-30-days');
    assert.equal(json.query.from, undefined);
    const read = savedQueryOf(json, 'new.waba-query.json');
    assert.match(String(read.query.from), /^\d{4}-\d{2}-\d{2}$/);
  });
});
