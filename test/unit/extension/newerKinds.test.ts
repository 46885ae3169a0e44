/**
 * Meta's newer kinds in the extension (issue 12): the palette's pickers for call analytics,
 * template group analytics and WhatsApp group analytics (with the stand-in `vscode` module), a
 * connection whose provider lacks the kind said plainly (from its capabilities), and the Accounts
 * tree's "Template groups" under a Meta WABA against the sandbox: groups with their templates, a
 * refused listing as an error item with Retry and a row to type ids (never "no groups").
 */
import { recorded, registeredCommands, user } from '../fakeVscode';
import type { FakeQuickInput } from '../fakeVscode';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { WabaError } from '../../../src/core/errors';
import type { TemplateGroupInfo, WabaInfo } from '../../../src/core/types';
import type { AccountsTree, TemplateNode, TreeNode } from '../../../src/extension/accountsTree';
import { ErrorNode, InfoNode, TemplateGroupNode, TemplateGroupsNode, TemplatesNode, WabaNode } from '../../../src/extension/accountsTree';
import { Dismissed } from '../../../src/extension/commandRunner';
import { registerAccountCommands } from '../../../src/extension/commands/accounts';
import { QueryFlow } from '../../../src/extension/queryFlow';
import { META_CAPABILITIES } from '../../../src/providers/meta';
import { VONAGE_CAPABILITIES } from '../../../src/providers/vonage';
import type { Sandbox } from '../../../src/sandbox';
import { packageManifest, treeMenuFor, useExtensionServices } from '../helpers';

const wabas: WabaInfo[] = [{ provider: 'meta', id: '111', name: 'Shop US', currency: 'USD', insightsEnabled: true, source: 'list' }];
const groups: TemplateGroupInfo[] = [
  { id: '7001', name: 'Spring campaign', templateIds: ['9001', '9002'] },
  { id: '7002', name: 'Winter campaign', templateIds: ['9003'] },
];

/** A Meta and a Vonage connection (or only the ones named); listings answered from memory, the template groups' as given. */
function flow(options: { only?: 'meta' | 'vonage'; listGroups?: () => Promise<TemplateGroupInfo[]> } = {}): QueryFlow {
  const all = [
    { id: 'm', label: 'Meta shop', provider: 'meta' as const },
    { id: 'v', label: 'Vonage shop', provider: 'vonage' as const },
  ];
  const connections = options.only ? all.filter((c) => c.provider === options.only) : all;
  const store = {
    list: () => connections,
    get: (id: string) => connections.find((c) => c.id === id),
    provider: (id: string) => Promise.resolve({ capabilities: id === 'v' ? VONAGE_CAPABILITIES : META_CAPABILITIES }),
  };
  const accounts = {
    loadWabas: () => Promise.resolve(wabas),
    allTemplates: () => Promise.resolve([]),
    loadPhones: () => Promise.resolve([{ displayPhoneNumber: '+1 555-000-1111', verifiedName: 'Shop US' }]),
    loadTemplateGroups: options.listGroups ?? (() => Promise.resolve(groups)),
  };
  return new QueryFlow(store as never, accounts as never);
}

function answer(...scripts: Array<(ui: FakeQuickInput) => void>): void {
  user.quickInputs.push(...scripts);
}

describe('pickers for the newer kinds', () => {
  beforeEach(() => {
    recorded.reset();
    user.quickInputs.length = 0;
  });

  it('calls: a Vonage connection is said to lack call analytics and another one is asked for; breakdowns, metrics and directions by their labels', async () => {
    let refusedTitle = '';
    let vonageItem: FakeQuickInput['items'][number] | undefined;
    let breakdownItems: FakeQuickInput['items'] = [];
    let metricItems: FakeQuickInput['items'] = [];
    let filterMenu: FakeQuickInput['items'] = [];
    answer(
      (ui) => ui.pick('Vonage shop'),
      (ui) => {
        refusedTitle = ui.title ?? '';
        vonageItem = ui.item('Vonage shop');
        ui.pick('Meta shop');
      },
      (ui) => ui.pick('Last 30 days'),
      (ui) => ui.pick('Daily'),
      (ui) => {
        breakdownItems = ui.items;
        ui.pick('Call direction', 'Country');
      },
      (ui) => {
        metricItems = ui.items;
        ui.accept();
      },
      (ui) => {
        filterMenu = ui.items;
        ui.pick('Call directions…');
      },
      (ui) => ui.pick('User-initiated calls'),
      (ui) => ui.pick('Run query'),
    );
    const { connectionId, query } = await flow().build('calls');
    assert.equal(connectionId, 'm');
    assert.match(refusedTitle, /^Call analytics — Step 1\/\d+ — Vonage does not offer call analytics: pick another connection$/);
    assert.match(vonageItem!.description ?? '', /\$\(warning\).*no call analytics/);
    const q = query as unknown as Record<string, unknown>;
    assert.equal(q.kind, 'calls');
    assert.equal(q.provider, 'meta');
    assert.equal(q.wabaId, '111');
    assert.deepEqual(q.dimensions, ['DIRECTION', 'COUNTRY']);
    assert.deepEqual(q.directions, ['USER_INITIATED']);
    assert.equal(q.metricTypes, undefined, 'all metrics: the default, not listed');
    // Labels from the one vocabulary, the API value beside them; the direction breakdown is the preset.
    assert.deepEqual(
      breakdownItems.map((i) => [i.label, i.description, !!i.picked]),
      [
        ['Country', 'COUNTRY', false],
        ['Call direction', 'DIRECTION', true],
        ['Phone number', 'PHONE', false],
        ['Tier', 'TIER', false],
      ],
    );
    assert.deepEqual(
      metricItems.map((i) => i.description),
      ['COUNT', 'COST', 'AVERAGE_DURATION'],
    );
    assert.equal(metricItems[0]!.label, 'Calls');
    const menu = filterMenu.map((i) => i.label);
    for (const f of ['Phone numbers…', 'Countries…', 'Call directions…']) assert.ok(menu.includes(f), `${f} in ${menu.join(', ')}`);
    assert.ok(menu.some((l) => /^Tiers/.test(l)), menu.join(', '));
    // Every step titled "Call analytics — Step n/N", Back from the second one.
    const shown = recorded.quickInputs;
    assert.ok(shown.every((s) => /^Call analytics — Step \d+\/\d+/.test(s.title ?? '')), shown.map((s) => s.title).join(' | '));
    assert.ok(shown.slice(2).every((s) => s.hasBack));
  });

  it('a provider without the kind, as the only connection: said plainly, nothing else asked', async () => {
    await assert.rejects(flow({ only: 'vonage' }).build('groups'), /^Error: Vonage does not offer WhatsApp group analytics\.$/);
    await assert.rejects(flow({ only: 'vonage' }).build('template-groups'), /Vonage does not offer template group analytics/);
    assert.equal(recorded.quickInputs.length, 0);
  });

  it('template groups: picked from the listing by name; more than one checked; the range step names the 90-day lookback', async () => {
    let items: FakeQuickInput['items'] = [];
    let rangePlaceholder = '';
    answer(
      (ui) => {
        items = ui.items;
        ui.pick('Spring campaign', 'Winter campaign');
      },
      (ui) => {
        rangePlaceholder = ui.placeholder ?? '';
        ui.pick('Last 7 days');
      },
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const { query } = await flow({ only: 'meta' }).build('template-groups');
    assert.deepEqual((query as { templateGroupIds?: string[] }).templateGroupIds, ['7001', '7002']);
    assert.deepEqual(
      items.map((i) => [i.label, i.description, i.detail]),
      [
        ['Spring campaign', '7001', '2 templates'],
        ['Winter campaign', '7002', '1 template'],
      ],
    );
    assert.match(rangePlaceholder, /reach back 90 days/);
    // DAILY only: no granularity step.
    assert.ok(!recorded.quickInputs.some((s) => /^Granularity/.test(s.placeholder ?? '')));
  });

  it('template groups: a refused listing is said with its reason, and the ids are typed (checked as they are typed)', async () => {
    let prompt = '';
    let refused = '';
    answer(
      (ui) => {
        prompt = ui.prompt ?? '';
        ui.type('7001, not an id!');
        refused = ui.validationMessage ?? '';
        ui.type('7001, 7009');
      },
      (ui) => ui.pick('Last 7 days'),
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const listGroups = () => Promise.reject(new WabaError('api', '(#10) Application does not have permission for this action'));
    const { query } = await flow({ only: 'meta', listGroups }).build('template-groups');
    assert.match(prompt, /could not be listed \(.*does not have permission.*\)\. Type template group ids/);
    assert.match(refused, /Enter one or more template group ids/);
    assert.deepEqual((query as { templateGroupIds?: string[] }).templateGroupIds, ['7001', '7009']);
  });

  it('template groups picked in the tree skip the group step; WhatsApp groups are typed; Escape at the ids ends the flow', async () => {
    answer(
      (ui) => ui.pick('Last 7 days'),
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const pre = await flow({ only: 'meta' }).build('template-groups', { connectionId: 'm', waba: wabas[0], templateGroupIds: ['7002'] });
    assert.deepEqual((pre.query as { templateGroupIds?: string[] }).templateGroupIds, ['7002']);
    assert.match(recorded.quickInputs[0]!.title!, /^Template group analytics — Step 1\//);

    recorded.reset();
    let prompt = '';
    answer(
      (ui) => {
        prompt = ui.prompt ?? '';
        ui.type('120363000000000001');
      },
      (ui) => ui.pick('Last 30 days'),
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const { query } = await flow({ only: 'meta' }).build('groups');
    assert.match(prompt, /WhatsApp group ids/);
    assert.deepEqual((query as { groupIds?: string[] }).groupIds, ['120363000000000001']);
    assert.equal((query as { granularity?: string }).granularity, 'DAILY');

    recorded.reset();
    answer((ui) => ui.escape());
    await assert.rejects(flow({ only: 'meta' }).build('groups'), Dismissed);
  });
});

// ---- the tree, against the sandbox -----------------------------------------------------------

describe('the tree: template groups under a Meta WABA', () => {
  let sb: Sandbox;
  let tree: AccountsTree;

  useExtensionServices({}, (x) => {
    ({ sb, tree } = x);
    registerAccountCommands(x.services);
  });

  const kids = async (node?: TreeNode) => ((await tree.getChildren(node)) ?? []) as TreeNode[];
  const item = (n: TreeNode) => tree.getTreeItem(n) as { label: string; description?: string; contextValue?: string; command?: { command: string; arguments?: unknown[] }; collapsibleState?: number };
  const wabaNode = async (connectionId: string, wabaId: string) => (await kids(tree.connections.find((c) => c.meta.id === connectionId)!)).find((n): n is WabaNode => n instanceof WabaNode && n.wabaId === wabaId)!;

  it('a Meta WABA lists its template groups, each with its templates by name; the menus offer template group analytics', async () => {
    const w = sb.data.wabas.meta[0]!;
    const waba = await wabaNode('meta', w.id);
    const children = await kids(waba);
    assert.deepEqual(
      children.map((n) => item(n).label),
      ['Phone numbers', 'Templates', 'Template groups'],
    );
    const groupsNode = children.find((n): n is TemplateGroupsNode => n instanceof TemplateGroupsNode)!;
    assert.equal(item(groupsNode).contextValue, 'templateGroups.meta');
    assert.equal(item(groupsNode).description, undefined, 'not listed before it is expanded');
    const redrawn: unknown[] = [];
    tree.onDidChangeTreeData((n) => redrawn.push(n));
    assert.ok(treeMenuFor('templateGroups.meta').includes('queryTemplateGroups'));
    assert.ok(treeMenuFor('templateGroups.meta').includes('refreshNode'));
    const listed = await kids(groupsNode);
    assert.ok(listed.length > 0 && listed.every((n) => n instanceof TemplateGroupNode), listed.map((n) => item(n).label).join(', '));
    const first = listed[0] as TemplateGroupNode;
    assert.equal(item(first).label, 'Campaign 1');
    assert.deepEqual(redrawn, [groupsNode], 'its row is redrawn once listed (with the count)');
    assert.match(String(item(groupsNode).description), /^\d+$/, 'the count once listed');
    await kids(groupsNode);
    assert.equal(redrawn.length, 1, 'and not again when nothing changed');
    assert.deepEqual(treeMenuFor(item(first).contextValue!).sort(), ['copyId', 'queryTemplateGroups']);
    // Its templates, named as the templates listing names them.
    const templates = await kids(first);
    const expected = w.templates.slice(0, 3);
    assert.deepEqual(
      templates.map((t) => (t as TemplateNode).info.id),
      expected.map((t) => t.id),
    );
    assert.deepEqual(
      templates.map((t) => item(t).label),
      expected.map((t) => t.name),
    );
    assert.ok(templates.every((t) => treeMenuFor(item(t).contextValue!).includes('queryTemplate')));
    // A template shown under its group and under Templates has an id of its own in each place (VS Code refuses an id twice).
    const templatesNode = children.find((n): n is TemplatesNode => n instanceof TemplatesNode)!;
    const allIds = new Set<string>();
    const walk = async (n: TreeNode): Promise<void> => {
      const id = (tree.getTreeItem(n) as { id?: string }).id;
      if (id) {
        assert.ok(!allIds.has(id), `the tree item id ${id} is used twice`);
        allIds.add(id);
      }
      for (const k of await kids(n)) await walk(k);
    };
    await walk(templatesNode);
    await walk(groupsNode);
    assert.ok([...allIds].some((id) => id.includes('/g:')));
    // Calls and WhatsApp groups from a WABA's (and a phone number's) menu.
    assert.ok(treeMenuFor(item(waba).contextValue!).includes('queryCalls'));
    assert.ok(treeMenuFor(item(waba).contextValue!).includes('queryGroups'));
    assert.ok(treeMenuFor('phone.meta').includes('queryCalls'));
    assert.ok(!treeMenuFor('phone.vonage').includes('queryCalls'));
    // The palette has the three commands.
    const titles = packageManifest().contributes.commands.map((c) => c.title);
    for (const t of ['Call Analytics…', 'Template Group Analytics…', 'WhatsApp Group Analytics…']) assert.ok(titles.includes(t), t);
  });

  it('a refused listing is an error item with the reason and Retry, and a row to type group ids: never "no groups"', async () => {
    const refusing = sb.data.wabas.meta.at(-1)!;
    const waba = await wabaNode('meta', refusing.id);
    const groupsNode = (await kids(waba)).find((n): n is TemplateGroupsNode => n instanceof TemplateGroupsNode)!;
    assert.ok(groupsNode, 'the node is there: the provider offers template groups');
    const children = await kids(groupsNode);
    const labels = children.map((n) => item(n).label);
    assert.ok(!labels.some((l) => /^No /.test(l)), labels.join(' | '));
    const error = children.find((n): n is ErrorNode => n instanceof ErrorNode)!;
    assert.equal(item(error).label, 'Could not load template groups');
    assert.match(String(item(error).description), /permission/i);
    assert.equal(item(error).command?.command, 'wabaAnalytics.retryNode');
    assert.equal(item(groupsNode).description, 'not listed');
    const typeIds = children.find((n): n is InfoNode => n instanceof InfoNode)!;
    assert.equal(item(typeIds).label, 'Type template group ids…');
    assert.equal(item(typeIds).command?.command, 'wabaAnalytics.queryTemplateGroups');
    assert.deepEqual(item(typeIds).command?.arguments, [groupsNode], 'the flow is pre-filled with this WABA');
    // Retry asks again (and is refused again: still the error, not an empty list).
    const asked = sb.stats.requests;
    await registeredCommands.get('wabaAnalytics.retryNode')!(error);
    const again = await kids(groupsNode);
    assert.ok(again.some((n) => n instanceof ErrorNode));
    assert.ok(sb.stats.requests > asked, 'Retry sent a request');
  });

  it('a Vonage WABA has no "Template groups" (its provider does not offer them)', async () => {
    const v = sb.data.wabas.vonage[0]!;
    const waba = await wabaNode('vonage', v.id);
    const children = await kids(waba);
    assert.ok(children.some((n) => n instanceof TemplatesNode));
    assert.ok(!children.some((n) => n instanceof TemplateGroupsNode));
  });
});
