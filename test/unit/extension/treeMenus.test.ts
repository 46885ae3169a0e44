/**
 * The Accounts tree's menus fit their node: the contextValue of every node the tree draws (against
 * the sandbox) is matched against the `when` clauses of package.json's `view/item/context` menus,
 * as VS Code evaluates them. Group nodes ("Phone numbers", "Templates", a category) offer what
 * applies to all their children and no "Copy ID"; a WABA added by hand can be removed (and the
 * command forgets it); "insights off" and "click tracking off" lead the description, so the
 * default sidebar width still shows them.
 */
import { registeredCommands } from '../fakeVscode';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountsTree, TreeNode } from '../../../src/extension/accountsTree';
import * as vocabulary from '../../../src/core/vocabulary';
import { CategoryNode, PhoneNode, PhonesNode, TemplateNode, TemplatesNode } from '../../../src/extension/accountsTree';
import { SavedQueryFileSchema, savedQueryOf } from '../../../src/core/query';
import { newSavedQueryContent } from '../../../src/extension/savedQueries';
import { registerConnectionCommands } from '../../../src/extension/commands/connections';
import type { ConnectionStore } from '../../../src/extension/connections';
import type { Sandbox } from '../../../src/sandbox';
import { treeMenuFor, useExtensionServices } from '../helpers';

let sb: Sandbox;
let store: ConnectionStore;
let tree: AccountsTree;

useExtensionServices({ metaOnly: true, manualWabaIds: ['424242424242'] }, (x) => {
  ({ sb, store, tree } = x);
  registerConnectionCommands(x.services);
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

    assert.deepEqual(treeMenuFor(item(phones).contextValue!).sort(), ['queryCalls', 'queryConversation', 'queryMessaging', 'queryPricing', 'refreshNode']);
    assert.deepEqual(treeMenuFor(item(templates).contextValue!).sort(), ['queryTemplate', 'refreshNode']);
    assert.deepEqual(treeMenuFor(item(category).contextValue!), ['queryTemplate']);
    assert.ok(treeMenuFor(item(phone).contextValue!).includes('copyId'));
    assert.ok(treeMenuFor(item(template).contextValue!).includes('copyId'));
    assert.ok(treeMenuFor(item(template).contextValue!).includes('queryTemplate'));
    assert.ok(!treeMenuFor(item(template).contextValue!).includes('queryPricing'));
    assert.ok(treeMenuFor(item(listed).contextValue!).includes('copyId'));
    assert.ok(!treeMenuFor(item(listed).contextValue!).includes('removeWabaId'), 'a listed WABA is not removable');
    // A category reads as people say it.
    assert.match(item(category).label, /^[A-Z][a-z]+( [a-z(]+\)?)*$/);
    // A template's status too ("Approved", never "APPROVED"); the API's word stays in the tooltip.
    const status = template.info.status!;
    assert.ok(status && status === status.toUpperCase(), `the sandbox answers an API status (${status})`);
    assert.ok(String(item(template).description).endsWith(`· ${vocabulary.templateStatusLabel(status)}`), String(item(template).description));
    assert.doesNotMatch(String(item(template).description), new RegExp(`\\b${status}\\b`));
    assert.match(String((tree.getTreeItem(template) as { tooltip?: unknown }).tooltip), new RegExp(`Status: [A-Z][a-z ]+ \\(${status}\\)`));

    const manual = wabas.find((w) => w.info.id === '424242424242')!;
    assert.ok(treeMenuFor(item(manual).contextValue!).includes('removeWabaId'), item(manual).contextValue);
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
    assert.ok(treeMenuFor(item(waba).contextValue!).includes('newSavedQuery'));
    const json = JSON.parse(newSavedQueryContent(waba.info));
    assert.ok(SavedQueryFileSchema.safeParse(json).success, JSON.stringify(json));
    assert.equal(json.query.wabaId, waba.info.id);
    assert.equal(json.query.range, 'last-30-days');
    assert.equal(json.query.from, undefined);
    const read = savedQueryOf(json, 'new.waba-query.json');
    assert.match(String(read.query.from), /^\d{4}-\d{2}-\d{2}$/);
  });
});
