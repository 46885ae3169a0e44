/**
 * The panels of Meta's newer kinds (issue 12), from the model: calls — count, cost, cost per call
 * and the average duration as a duration (weighted by calls, the seconds assumption in a tooltip),
 * breakdowns by direction, country, phone and tier with human labels; template groups — the
 * funnel and cost cards of templates, one funnel row per group; WhatsApp groups — sent, delivered,
 * read, participants joined and left, and the net growth.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toColumns } from '../../../src/core/columns';
import type { NormalizedResult, Point } from '../../../src/core/types';
import { normalizeMetaBody } from '../../../src/providers/meta';
import type { ColumnarResult } from '../../../src/protocol';
import {
  DURATION_ASSUMPTION,
  cellText,
  makeTimeFormatter,
  tableColumns,
  KPI_CARDS,
  breakdownCellText,
  breakdowns,
  chartableMetrics,
  computeKpis,
  formatDuration,
  formatKpi,
  funnelCaption,
  funnelColumns,
  stillCountingWindow,
  templateFunnel,
} from '../../../webview/model';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const result = (kind: NormalizedResult['kind'], points: Point[], currency = 'USD'): ColumnarResult =>
  toColumns({ provider: 'meta', kind, wabaId: '1', granularity: 'DAILY', timezone: 'UTC', points, warnings: [], currency });
const pt = (day: number, dims: Record<string, string>, metrics: Record<string, number>): Point => ({ start: iso(T0 + day * DAY), end: iso(T0 + (day + 1) * DAY), dims, metrics });
const card = (r: ColumnarResult, metric: string) => {
  const k = computeKpis(r).find((x) => x.metric === metric);
  assert.ok(k, `card ${metric} in ${computeKpis(r).map((x) => x.metric).join(', ')}`);
  return k;
};

describe('durations', () => {
  it('reads as people say them, rounded to the second; none is "not available"', () => {
    assert.equal(formatDuration(106), '1 min 46 s');
    assert.equal(formatDuration(45), '45 s');
    assert.equal(formatDuration(0), '0 s');
    assert.equal(formatDuration(59.6), '1 min');
    assert.equal(formatDuration(120), '2 min');
    assert.equal(formatDuration(3600 + 5 * 60 + 9), '1 h 5 min');
    assert.equal(formatDuration(7200), '2 h');
    assert.equal(formatDuration(null), 'not available');
    assert.equal(formatDuration(NaN), 'not available');
    assert.equal(formatDuration(-3), 'not available');
  });
});

describe('call analytics panel', () => {
  it("Meta's documented answer: 35 calls, the cost, cost per call, and 1 min 46 s with the seconds assumption in the tooltip", () => {
    const body = { call_analytics: { granularity: 'DAILY', directions: 'USER_INITIATED', data_points: [{ start: 1765958400, end: 1766044800, cost: 0.47795, count: 35, average_duration: 106 }] }, id: '1' };
    const normalized = normalizeMetaBody(body, { kind: 'calls' }).result;
    const r = toColumns({ ...normalized, currency: 'USD' });
    assert.deepEqual(
      computeKpis(r).map((k) => [k.label, formatKpi(k)]),
      [
        ['Calls', '35'],
        ['Cost', '$0.48'],
        ['Cost per call', '$0.0137'],
        ['Average duration', '1 min 46 s'],
      ],
    );
    const avg = card(r, 'average_duration');
    assert.equal(avg.format, 'duration');
    assert.equal(avg.title, DURATION_ASSUMPTION);
    assert.match(avg.title!, /seconds are assumed/);
    // The data table shows the same duration, not raw seconds (the CSV header keeps "(s)").
    const column = tableColumns(r).find((c) => c.name === 'average_duration')!;
    assert.equal(column.label, 'Average call duration');
    assert.equal(cellText(r, 0, column, makeTimeFormatter('UTC', 'DAILY')), '1 min 46 s');
  });

  it('the average duration is weighted by the calls of each point (never an average of averages), and never charted as a sum', () => {
    const r = result('calls', [pt(0, { direction: 'USER_INITIATED' }, { count: 30, cost: 3, average_duration: 100 }), pt(0, { direction: 'BUSINESS_INITIATED' }, { count: 10, cost: 2, average_duration: 20 })]);
    assert.equal(card(r, 'average_duration').value, (30 * 100 + 10 * 20) / 40);
    assert.equal(formatKpi(card(r, 'average_duration')), '1 min 20 s');
    assert.equal(card(r, 'cost_per_call').value, 5 / 40);
    assert.deepEqual(chartableMetrics(r).sort(), ['cost', 'count']);
    // Without the count (metric types without COUNT) it is a plain mean, and the card says so.
    const plain = result('calls', [pt(0, {}, { average_duration: 100 }), pt(1, {}, { average_duration: 20 })]);
    assert.equal(card(plain, 'average_duration').value, 60);
    assert.match(card(plain, 'average_duration').note!, /not weighted/);
    assert.equal(card(plain, 'count').value, null);
    // Nothing at all: not available, never zero.
    const none = result('calls', [pt(0, {}, { count: 3 })]);
    assert.equal(formatKpi(card(none, 'average_duration')), 'not available');
  });

  it('breaks down by direction, country, phone and tier with human labels; each row its weighted duration and cost per call', () => {
    const r = result('calls', [
      pt(0, { direction: 'USER_INITIATED', country: 'US', phone_number: '15550001111', tier: '0:750000' }, { count: 30, cost: 3, average_duration: 100 }),
      pt(1, { direction: 'USER_INITIATED', country: 'BR', phone_number: '15550001111', tier: '0:750000' }, { count: 10, cost: 1, average_duration: 60 }),
      pt(0, { direction: 'BUSINESS_INITIATED', country: 'US', phone_number: '15550002222', tier: '750000:MAX' }, { count: 5, cost: 2, average_duration: 300 }),
    ]);
    const list = breakdowns(r);
    assert.deepEqual(
      list.map((b) => b.dimension),
      ['direction', 'country', 'phone_number', 'tier'],
    );
    const byDirection = list[0]!;
    assert.equal(byDirection.title, 'By call direction');
    assert.deepEqual(
      byDirection.columns.map((c) => c.label),
      ['Call direction', 'Calls', 'Cost (USD)', 'Average duration', 'Cost per call (USD)'],
    );
    const text = (b: (typeof list)[number]) => b.rows.map((row) => b.columns.map((c) => breakdownCellText(b, row, c.key, 'USD')));
    assert.deepEqual(text(byDirection), [
      ['User-initiated calls', '40', '$4.00', '1 min 30 s', '$0.100'],
      ['Business-initiated calls', '5', '$2.00', '5 min', '$0.400'],
    ]);
    assert.deepEqual(
      list[3]!.rows.map((row) => row.label),
      ['0–750,000', '750,000+'],
    );
  });
});

describe('template group analytics panel', () => {
  const r = result('template-groups', [
    pt(0, { template_group_id: '7001' }, { sent: 1460, delivered: 1460, read: 1399, clicked: 40, cost: 14.6 }),
    pt(1, { template_group_id: '7001' }, { sent: 40, delivered: 40, read: 1, clicked: 0, cost: 0.4 }),
    pt(0, { template_group_id: '7002' }, { sent: 100, delivered: 90, read: 45 }),
  ]);

  it('the same funnel and cost cards as templates', () => {
    assert.equal(KPI_CARDS['template-groups'], KPI_CARDS.template);
    assert.deepEqual(
      computeKpis(r).map((k) => k.metric),
      ['sent', 'delivered', 'read', 'clicked', 'delivery_rate', 'read_rate', 'click_rate', 'cost', 'cost_per_delivered'],
    );
    assert.equal(card(r, 'sent').value, 1600);
    assert.equal(card(r, 'delivery_rate').value, 1590 / 1600);
    assert.equal(formatKpi(card(r, 'cost')), '$15.00');
  });

  it('one funnel row per group, named by the group (its name when known), the caption and first column saying so', () => {
    const rows = templateFunnel(r, { '7001': 'Spring campaign' });
    assert.deepEqual(
      rows.map((row) => [row.templateId, row.label, row.sent, row.read, row.cost]),
      [
        ['7001', 'Spring campaign (7001)', 1500, 1400, 15],
        ['7002', '7002', 100, 45, null],
      ],
    );
    assert.match(funnelCaption(rows, 'template group'), /^Per template group: /);
    assert.equal(funnelColumns('template-groups')[0]!.label, 'Template group');
    assert.equal(funnelColumns('template')[0]!.label, 'Template');
    // Reads and clicks of the last 7 days may still grow, as for templates.
    assert.ok(stillCountingWindow(r, T0 + 2 * DAY));
  });
});

describe('WhatsApp group analytics panel', () => {
  it('messages sent, delivered and read, participants joined and left, and the net growth', () => {
    const r = result('groups', [pt(0, { group_id: '120363000000000001' }, { sent: 100, delivered: 250, read: 200, joined: 3, left: 1 }), pt(1, { group_id: '120363000000000001' }, { sent: 10, delivered: 20, read: 5, joined: 0, left: 4 })]);
    assert.deepEqual(
      computeKpis(r).map((k) => [k.label, formatKpi(k)]),
      [
        ['Sent', '110'],
        ['Delivered', '270'],
        ['Read', '205'],
        ['Participants joined', '3'],
        ['Participants left', '5'],
        ['Net growth', '-2'],
      ],
    );
    // Delivered and read count each participant, so they exceed sent: the cards say so.
    assert.match(card(r, 'delivered').note!, /per participant/);
    assert.match(card(r, 'read').note!, /per participant/);
    assert.equal(card(r, 'sent').note, undefined);
    // Joined without left (metric types) is no net growth: it would read as all growth.
    const half = result('groups', [pt(0, { group_id: '1' }, { sent: 1, joined: 3 })]);
    assert.equal(card(half, 'net_growth').value, null);
    assert.match(card(half, 'net_growth').note!, /needs participants joined and left/);
    // Per group, when several are asked for (one would repeat the cards).
    assert.deepEqual(breakdowns(r), []);
    const two = result('groups', [pt(0, { group_id: 'A' }, { sent: 5, joined: 1, left: 0 }), pt(0, { group_id: 'B' }, { sent: 7, joined: 0, left: 2 })]);
    const [byGroup] = breakdowns(two);
    assert.equal(byGroup!.columns[0]!.label, 'WhatsApp group');
    assert.equal(byGroup!.title, 'By WhatsApp group');
    assert.deepEqual(
      byGroup!.rows.map((row) => [row.key, row.values.sent, row.values.left]),
      [
        ['B', 7, 2],
        ['A', 5, 0],
      ],
    );
  });
});
