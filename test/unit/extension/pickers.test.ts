/**
 * The palette's step-by-step query builder (src/extension/queryFlow.ts) with the stand-in
 * `vscode` module: "Step n/N" titles, a Back button that keeps the answers, the range checked
 * against the lookback at its own step, Enter on an empty selection saying what is needed,
 * Escape in a sub-step returning to its parent, WABAs with insights off marked for template
 * queries, and filter values shown by their labels with the API value beside them.
 */
import { recorded, user } from '../fakeVscode';
import type { FakeQuickInput } from '../fakeVscode';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DAY, formatIsoDate, startOfDayUtc } from '../../../src/core/dates';
import type { TemplateInfo, WabaInfo } from '../../../src/core/types';
import { Dismissed } from '../../../src/extension/commandRunner';
import { QueryFlow, lookbackProblem } from '../../../src/extension/queryFlow';
import { META_CAPABILITIES } from '../../../src/providers/meta';

const wabas: WabaInfo[] = [
  { provider: 'meta', id: '111', name: 'Shop US', currency: 'USD', insightsEnabled: true, source: 'list' },
  { provider: 'meta', id: '222', name: 'Shop EU', currency: 'EUR', insightsEnabled: false, source: 'list' },
];
const templates: TemplateInfo[] = [
  { id: '9001', name: 'order_update', category: 'UTILITY', language: 'en_US', status: 'APPROVED' },
  { id: '9002', name: 'spring_sale', category: 'MARKETING', language: 'en_US', status: 'APPROVED' },
] as TemplateInfo[];

/** Two Meta connections; listings answered from memory. */
function flow(capabilities: typeof META_CAPABILITIES = META_CAPABILITIES): QueryFlow {
  const connections = [
    { id: 'c1', label: 'Meta one', provider: 'meta' as const },
    { id: 'c2', label: 'Meta two', provider: 'meta' as const },
  ];
  const store = {
    list: () => connections,
    get: (id: string) => connections.find((c) => c.id === id),
    provider: () => Promise.resolve({ capabilities }),
  };
  const accounts = {
    loadWabas: () => Promise.resolve(wabas),
    allTemplates: () => Promise.resolve(templates),
    loadPhones: () => Promise.resolve([{ displayPhoneNumber: '+1 555-000-1111', verifiedName: 'Shop US' }]),
  };
  return new QueryFlow(store as never, accounts as never);
}

/** Answer the next quick inputs with these scripts (none left: Escape). */
function answer(...scripts: Array<(ui: FakeQuickInput) => void>): void {
  user.quickInputs.push(...scripts);
}

beforeEach(() => {
  recorded.reset();
  user.quickInputs.length = 0;
});

describe('the query pickers', () => {
  it('title each step "Step n/N", offer Back from the second step, and Back keeps the answers', async () => {
    answer(
      (ui) => ui.pick('Meta two'),
      (ui) => ui.pick('Shop US'),
      (ui) => ui.back(), // at the range: back to the WABA, which keeps "Shop US" active
      (ui) => ui.accept(),
      (ui) => ui.pick('Last 7 days'),
      (ui) => ui.pick('Daily'),
      (ui) => ui.pick('Country', 'Pricing category'),
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const { connectionId, query, waba } = await flow().build('pricing');
    assert.equal(connectionId, 'c2');
    assert.equal(waba.id, '111');
    assert.deepEqual((query as { dimensions?: string[] }).dimensions, ['COUNTRY', 'PRICING_CATEGORY']);
    const shown = recorded.quickInputs;
    assert.match(shown[0]!.title!, /^Pricing analytics — Step 1\/\d$/);
    assert.equal(shown[0]!.hasBack, false, 'no Back on the first step');
    assert.match(shown[1]!.title!, /Step 2\//);
    assert.ok(shown.slice(1).every((s) => s.hasBack), 'Back on every later step');
    // The WABA step shown again after Back has the earlier answer active.
    assert.match(shown[3]!.placeholder!, /^Which WhatsApp Business Account/);
    assert.equal(shown[3]!.activeItems[0]?.label, 'Shop US');
    const n = shown.map((s) => Number(/Step (\d+)\//.exec(s.title ?? '')?.[1]));
    assert.deepEqual(n.slice(0, 6), [1, 2, 3, 2, 3, 4]);
    // Breakdowns by their labels, the API value beside them.
    const dims = shown[6]!;
    assert.deepEqual(dims.items.map((i) => i.label).slice(0, 2), ['Pricing category', 'Pricing type']);
    assert.equal(dims.items[0]!.description, 'PRICING_CATEGORY');
  });

  it('refuses a preset beyond the lookback at the range step, and checks a custom first day as it is typed', async () => {
    const caps = { lookbackDays: 90 };
    const now = Date.parse('2026-11-20T10:00:00Z');
    assert.match(lookbackProblem('2026-01-01', caps, now) ?? '', /reaches back 90 days: start on or after 2026-08-22/);
    assert.equal(lookbackProblem('2026-10-01', caps, now), undefined);
    let refusedTitle = '';
    answer(
      (ui) => ui.pick('Shop US'),
      (ui) => ui.pick('order_update'),
      (ui) => {
        // Template analytics reach back 90 days: an earlier custom day is refused in the box itself.
        ui.pick('Custom range…');
      },
      (ui) => {
        ui.type('2020-01-01');
        refusedTitle = ui.validationMessage ?? '';
        ui.type(formatIsoDate(startOfDayUtc(Date.now()) - 10 * DAY));
      },
      (ui) => ui.accept(),
      (ui) => ui.accept(),
      (ui) => ui.pick('Run query'),
    );
    const { query } = await flow().build('template', { connectionId: 'c1' });
    assert.match(refusedTitle, /reaches back 90 days/);
    assert.equal((query as { from: string }).from, formatIsoDate(startOfDayUtc(Date.now()) - 10 * DAY));
    assert.deepEqual((query as { templateIds: string[] }).templateIds, ['9001']);

    // A lookback of 20 days: "Last 30 days" is marked and refused at the range step, with the reason.
    recorded.reset();
    let refused = '';
    answer(
      (ui) => ui.pick('Shop US'),
      (ui) => {
        assert.match(ui.item('Last 30 days').detail ?? '', /beyond the 20-day lookback/);
        ui.pick('Last 30 days');
        refused = ui.title ?? '';
        ui.pick('Last 7 days');
      },
    );
    const short = { ...META_CAPABILITIES, pricing: { ...META_CAPABILITIES.pricing!, lookbackDays: 20 } };
    await assert.rejects(flow(short).build('pricing', { connectionId: 'c1' }), Dismissed);
    assert.match(refused, /reaches back 20 days/);
    assert.match(recorded.quickInputs.at(-1)!.placeholder ?? '', /^Granularity/, 'the next step came only after a range within the lookback');
  });

  it('Enter on an empty selection says what is needed and keeps the step open', async () => {
    let said = '';
    answer(
      (ui) => ui.pick('Shop US'),
      (ui) => {
        ui.pick(); // nothing checked
        said = ui.title ?? '';
        assert.equal(ui.disposed, false, 'the step stays open');
        ui.pick('spring_sale');
      },
    );
    await assert.rejects(flow().build('template', { connectionId: 'c1' }), Dismissed);
    assert.match(said, /Pick at least one template/);
    const single = recorded.quickInputs[0]!;
    assert.equal(single.kind, 'pick');
  });

  it('marks a WABA with insights off when a template query is built (not for other kinds)', async () => {
    answer((ui) => ui.escape());
    await assert.rejects(flow().build('template', { connectionId: 'c1' }), Dismissed);
    const eu = recorded.quickInputs[0]!.item('Shop EU');
    assert.match(eu.description ?? '', /^\$\(warning\) 222 · insights off$/);
    assert.match(eu.detail ?? '', /need insights/);
    recorded.reset();
    answer((ui) => ui.escape());
    await assert.rejects(flow().build('pricing', { connectionId: 'c1' }), Dismissed);
    assert.equal(recorded.quickInputs[0]!.item('Shop EU').description, '222 · insights off');
  });

  it('Escape in a filter\'s values returns to the filter menu; values are labels with the API value beside', async () => {
    let valueItems: FakeQuickInput['items'] = [];
    answer(
      (ui) => ui.pick('Shop US'),
      (ui) => ui.pick('Last 7 days'),
      (ui) => ui.pick('Daily'),
      (ui) => ui.pick('Run query'),
    );
    // Messaging: no breakdowns or metrics; then the filter menu.
    const plain = await flow().build('messaging', { connectionId: 'c1' });
    assert.equal((plain.query as { productTypes?: unknown }).productTypes, undefined);
    recorded.reset();
    answer(
      (ui) => ui.pick('Shop US'),
      (ui) => ui.pick('Last 7 days'),
      (ui) => ui.pick('Daily'),
      (ui) => ui.pick('Message types…'),
      (ui) => {
        valueItems = ui.items;
        ui.escape(); // back to the menu, nothing changed
      },
      (ui) => ui.pick('Message types…'),
      (ui) => ui.pick('Template messages'),
      (ui) => {
        assert.match(ui.item('Message types…').description ?? '', /^Template messages$/);
        ui.pick('Run query');
      },
    );
    const { query } = await flow().build('messaging', { connectionId: 'c1' });
    assert.deepEqual((query as { productTypes?: number[] }).productTypes, [0]);
    assert.deepEqual(
      valueItems.map((i) => [i.label, i.description]),
      [
        ['Template messages', '0'],
        ['Non-template messages', '2'],
        ['Incoming messages', '100'],
      ],
    );
    const menu = recorded.quickInputs.find((s) => s.placeholder === 'Add filters, or run')!;
    assert.ok(menu.items.some((i) => i.label === 'Phone numbers…'));
    assert.ok(!menu.items.some((i) => /phoneNumbers/.test(i.label)));
  });
});
