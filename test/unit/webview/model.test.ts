import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toColumns } from '../../../src/core/columns';
import type { NormalizedResult, Point } from '../../../src/core/types';
import type { ColumnarResult } from '../../../src/protocol';
import type { Warning } from '../../../src/core/warnings';
import {
  OTHER_KEY,
  TABLE_PAGE_SIZE,
  alignBuckets,
  breakdownBy,
  breakdowns,
  buildTimeSeries,
  buttonClicks,
  cellText,
  chartCaption,
  chartableMetrics,
  classifyWarning,
  BUTTON_CLICKS_CAPTION,
  COST_REASON_DEFAULT,
  DEFAULT_CHART_THEMES,
  MIN_SERIES_DELTA_E,
  breakdownCellText,
  buttonClickSummary,
  clickTrackingNote,
  columnUnitDecimals,
  computeKpis,
  costWarning,
  currencyDigits,
  deltaE,
  formatUnitCost,
  funnelCaption,
  isPartialPeriod,
  partialPoints,
  periodEnd,
  seriesPalette,
  stillCountingWindow,
  unitCostDecimals,
  costAsked,
  defaultBreakdown,
  defaultMetric,
  formatKpi,
  formatMoney,
  makeTimeFormatter,
  metricTotal,
  pageRows,
  timeTicks,
  panelWarnings,
  rebucket,
  sortRows,
  tableColumns,
  templateFunnel,
  valueAt,
} from '../../../webview/model';

const DAY = 86_400_000;
const T0 = Date.parse('2024-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function result(kind: NormalizedResult['kind'], points: Point[], extra: Partial<NormalizedResult> = {}): NormalizedResult {
  return { provider: 'meta', kind, wabaId: '1', granularity: 'DAILY', timezone: 'UTC', points, warnings: [], ...extra };
}
function pt(day: number, dims: Record<string, string>, metrics: Record<string, number>, clicks?: Point['clicks']): Point {
  return { start: iso(T0 + day * DAY), end: iso(T0 + (day + 1) * DAY), dims, metrics, ...(clicks ? { clicks } : {}) };
}
const kpi = (r: ColumnarResult, metric: string) => {
  const k = computeKpis(r).find((x) => x.metric === metric);
  assert.ok(k, `kpi ${metric}`);
  return k;
};
/** The JSON form of a ColumnarResult (typed arrays become plain arrays, NaN becomes null). */
function asJson(r: ColumnarResult): ColumnarResult {
  const plain = (c: ArrayLike<number>) => Array.from(c, (v) => (Number.isNaN(v) ? null : v));
  return JSON.parse(
    JSON.stringify({
      ...r,
      starts: plain(r.starts as Float64Array),
      ends: plain(r.ends as Float64Array),
      dims: Object.fromEntries(Object.entries(r.dims).map(([k, d]) => [k, { values: d.values, codes: Array.from(d.codes as Int32Array) }])),
      metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, c]) => [k, plain(c as Float64Array)])),
    }),
  ) as ColumnarResult;
}

describe('webview model: KPIs', () => {
  it('computes template rates and cost per delivered from totals, not from per-point ratios', () => {
    const r = toColumns(
      result(
        'template',
        [
          pt(0, { template_id: 'A' }, { sent: 100, delivered: 90, read: 45, clicked: 9, amount_spent: 9, cost_per_delivered: 0.1 }),
          pt(1, { template_id: 'A' }, { sent: 10, delivered: 10, read: 10, clicked: 10, amount_spent: 5, cost_per_delivered: 0.5 }),
        ],
        { currency: 'USD' },
      ),
    );
    assert.equal(kpi(r, 'sent').value, 110);
    assert.equal(kpi(r, 'delivered').value, 100);
    assert.equal(kpi(r, 'delivery_rate').value, 100 / 110);
    assert.equal(kpi(r, 'read_rate').value, 55 / 100);
    // Each rate is a share of the step before, as the funnel: clicked of read.
    assert.equal(kpi(r, 'click_rate').value, 19 / 55);
    assert.deepEqual(
      computeKpis(r)
        .filter((k) => k.format === 'percent')
        .map((k) => [k.metric, k.basis]),
      [
        ['delivery_rate', 'of sent'],
        ['read_rate', 'of delivered'],
        ['click_rate', 'of read'],
      ],
    );
    assert.equal(kpi(r, 'cost').value, 14);
    assert.equal(kpi(r, 'cost').currency, 'USD');
    // 14 / 100 = 0.14, not the mean of 0.1 and 0.5 (0.3).
    assert.ok(Math.abs(kpi(r, 'cost_per_delivered').value! - 0.14) < 1e-12);
    assert.equal(formatKpi(kpi(r, 'cost')), '$14.00');
    assert.equal(formatKpi(kpi(r, 'delivery_rate')), '90.9%');
  });

  it('shows an absent cost as not available, never 0, with the reason a warning gives', () => {
    const partner = 'Cost is not available: this WhatsApp Business Account is billed through a Solution Partner; ask your partner for charges.';
    const r = toColumns(
      result('pricing', [pt(0, { country: 'BR' }, { volume: 50 }), pt(1, { country: 'US' }, { volume: 30 })], {
        warnings: [{ code: 'value.unknown', message: 'Unknown cost of a partner (kept as is).' }, { code: 'cost.unavailable', message: partner }],
      }),
    );
    const cost = kpi(r, 'cost');
    assert.equal(cost.value, null);
    assert.equal(cost.note, partner);
    assert.equal(formatKpi(cost), 'not available');
    // Said once: no cost-per-message card repeating it, no banner repeating it.
    assert.equal(computeKpis(r).find((k) => k.metric === 'cost_per_message'), undefined);
    assert.deepEqual(
      panelWarnings(r, undefined).map((w) => w.code),
      ['value.unknown'],
    );
    assert.equal(kpi(r, 'volume').value, 80);
    // A cost of 0 that the API did send is a real 0.
    const zero = toColumns(result('pricing', [pt(0, {}, { volume: 5, cost: 0 })]));
    assert.equal(kpi(zero, 'cost').value, 0);
    assert.equal(kpi(zero, 'cost_per_message').value, 0);
  });

  it('explains a missing cost that was not asked for, and flags one that was', () => {
    const r = toColumns(result('pricing', [pt(0, {}, { volume: 5 })]));
    assert.match(computeKpis(r, { costAsked: false }).find((k) => k.metric === 'cost')!.note!, /not asked/);
    assert.equal(costAsked({ metricTypes: ['VOLUME'] }), false);
    assert.equal(costAsked({ metricTypes: ['volume', 'cost'] }), true);
    assert.equal(costAsked({}), true);
    // No warning said why: the cost card gives the general reason, and it is said nowhere else.
    assert.equal(kpi(r, 'cost').note, COST_REASON_DEFAULT);
    assert.ok(!panelWarnings(r, undefined).some((w) => w.kind === 'cost'));
    assert.ok(!panelWarnings(r, undefined, { costAsked: false }).some((w) => w.kind === 'cost'));
  });

  it('computes messaging, pricing and conversation KPIs', () => {
    const m = toColumns(result('messaging', [pt(0, {}, { sent: 40, delivered: 30 }), pt(1, {}, { sent: 60, delivered: 50 })]));
    assert.deepEqual(
      computeKpis(m).map((k) => [k.metric, k.value]),
      [
        ['sent', 100],
        ['delivered', 80],
        ['delivery_rate', 0.8],
      ],
    );
    const p = toColumns(result('pricing', [pt(0, {}, { volume: 200, cost: 5 }), pt(1, {}, { volume: 300, cost: 7.5 })], { currency: 'EUR' }));
    assert.equal(kpi(p, 'cost_per_message').value, 12.5 / 500);
    assert.match(formatKpi(kpi(p, 'cost')), /€12\.50/);
    const c = toColumns(result('conversation', [pt(0, {}, { conversation: 7 })]));
    assert.equal(kpi(c, 'conversation').value, 7);
    assert.equal(kpi(c, 'cost').value, null);
  });

  it('treats null (JSON) like NaN: absent', () => {
    const r = asJson(toColumns(result('messaging', [pt(0, {}, { sent: 4 }), pt(1, {}, { sent: 6, delivered: 3 })])));
    assert.equal(valueAt(r.metrics.delivered, 0), NaN);
    assert.deepEqual(metricTotal(r, 'delivered'), { total: 3, present: true });
    assert.equal(kpi(r, 'delivery_rate').value, 0.3);
    assert.equal(kpi(r, 'sent').value, 10);
  });

  it('formats an unknown currency code without failing', () => {
    assert.equal(formatMoney(3.5, 'XYZW'), '3.50 XYZW');
    assert.equal(formatUnitCost(0.0123, 'USD'), '$0.0123');
    assert.equal(formatMoney(null, 'USD'), 'not available');
  });
});

describe('webview model: time series', () => {
  const countries = ['BR', 'US', 'IN', 'MX', 'DE', 'FR', 'GB', 'IT', 'ES', 'AR', 'CO', 'CL'];
  const points: Point[] = [];
  countries.forEach((c, k) => {
    for (let d = 0; d < 5; d++) if ((d + k) % 4 !== 0) points.push(pt(d, { country: c }, { sent: (k + 1) * 10 + d }));
  });
  const r = toColumns(result('messaging', points));

  it('keeps the top 8 series by total plus "Other", and the sum over series equals the total', () => {
    const set = buildTimeSeries(r, { metric: 'sent', breakdown: 'country' });
    assert.equal(set.series.length, 9);
    assert.equal(set.groups, 12);
    const other = set.series[8]!;
    assert.equal(other.key, OTHER_KEY);
    assert.ok(other.other);
    assert.match(other.label, /Other/);
    // Ranked by total, largest first; CL (k=11) has the largest values.
    assert.equal(set.series[0]!.key, 'CL');
    for (let i = 1; i < 8; i++) assert.ok(set.series[i - 1]!.total >= set.series[i]!.total);
    const expected = metricTotal(r, 'sent').total;
    assert.equal(set.total, expected);
    assert.equal(set.series.reduce((n, s) => n + s.total, 0), expected);
    let sumValues = 0;
    for (const s of set.series) for (const v of s.values) if (!Number.isNaN(v)) sumValues += v;
    assert.equal(sumValues, expected);
  });

  it('shows every series when there are few, and one total series without a breakdown', () => {
    const set = buildTimeSeries(r, { metric: 'sent', breakdown: 'country', topN: 20 });
    assert.equal(set.series.length, 12);
    assert.ok(!set.series.some((s) => s.other));
    const total = buildTimeSeries(r, { metric: 'sent', breakdown: null });
    assert.equal(total.series.length, 1);
    assert.equal(total.series[0]!.total, metricTotal(r, 'sent').total);
  });

  it('aligns buckets on the union of starts, leaving gaps where a series has no point', () => {
    const rr = toColumns(
      result('messaging', [pt(3, { country: 'BR' }, { sent: 1 }), pt(1, { country: 'US' }, { sent: 2 }), pt(1, { country: 'BR' }, { sent: 4 }), pt(2, { country: 'US' }, { sent: 8 }), pt(3, { country: 'US' }, { sent: 16 })]),
    );
    const { buckets } = alignBuckets(rr);
    assert.deepEqual([...buckets], [T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY]);
    const set = buildTimeSeries(rr, { metric: 'sent', breakdown: 'country' });
    const us = set.series.find((s) => s.key === 'US')!;
    const br = set.series.find((s) => s.key === 'BR')!;
    assert.deepEqual([...us.values], [2, 8, 16]);
    assert.deepEqual([...br.values], [4, NaN, 1]);
  });

  it('sums values that share a bucket and a series', () => {
    const rr = toColumns(result('pricing', [pt(0, { country: 'BR', pricing_category: 'MARKETING' }, { volume: 3 }), pt(0, { country: 'BR', pricing_category: 'UTILITY' }, { volume: 4 })]));
    const set = buildTimeSeries(rr, { metric: 'volume', breakdown: 'country' });
    assert.deepEqual([...set.series[0]!.values], [7]);
  });

  it('labels template series "Name (id)" and picks template_id as the default breakdown', () => {
    const rr = toColumns(result('template', [pt(0, { template_id: '111' }, { sent: 5 }), pt(0, { template_id: '222' }, { sent: 3 })]));
    assert.equal(defaultBreakdown(rr), 'template_id');
    assert.equal(defaultMetric(rr), 'sent');
    const set = buildTimeSeries(rr, { metric: 'sent', breakdown: 'template_id', templateNames: { '111': 'welcome_offer' } });
    assert.deepEqual(
      set.series.map((s) => s.label),
      ['welcome_offer (111)', '222'],
    );
  });

  it('never offers ratio metrics for charting, and prefers cost for pricing', () => {
    const rr = toColumns(result('template', [pt(0, { template_id: '1' }, { sent: 5, cost_per_delivered: 0.2, amount_spent: 1 })]));
    assert.ok(!chartableMetrics(rr).includes('cost_per_delivered'));
    const p = toColumns(result('pricing', [pt(0, { pricing_category: 'MARKETING' }, { volume: 5, cost: 1 })]));
    assert.equal(defaultMetric(p), 'cost');
    assert.equal(defaultBreakdown(p), 'pricing_category');
  });

  it('merges buckets for bars without losing any sum', () => {
    const set = buildTimeSeries(r, { metric: 'sent', breakdown: 'country' });
    const merged = rebucket(set, 2);
    assert.equal(merged.buckets.length, 3);
    assert.equal(merged.buckets[1], set.buckets[2]);
    for (let s = 0; s < set.series.length; s++) {
      const a = [...set.series[s]!.values].filter((v) => !Number.isNaN(v)).reduce((x, y) => x + y, 0);
      const b = [...merged.series[s]!.values].filter((v) => !Number.isNaN(v)).reduce((x, y) => x + y, 0);
      assert.equal(b, a);
    }
  });
});

describe('webview model: template funnel and button clicks', () => {
  const r = toColumns(
    result(
      'template',
      [
        pt(0, { template_id: '111' }, { sent: 100, delivered: 95, read: 60, clicked: 12, amount_spent: 2 }, [
          { type: 'url_button', button_content: 'Shop now', count: 8 },
          { type: 'quick_reply_button', button_content: 'Stop', count: 4 },
        ]),
        pt(1, { template_id: '111' }, { sent: 50, delivered: 45, read: 30, clicked: 5, amount_spent: 1 }, [{ type: 'url_button', button_content: 'Shop now', count: 5 }]),
        pt(0, { template_id: '222' }, { sent: 20, delivered: 20 }),
      ],
      { currency: 'USD' },
    ),
  );
  const names = { '111': 'spring_sale', '222': 'otp' };

  it('gives per-template sent → delivered → read → clicked, absent steps as null', () => {
    const rows = templateFunnel(r, names);
    assert.deepEqual(
      rows.map((x) => [x.label, x.sent, x.delivered, x.read, x.clicked, x.cost]),
      [
        ['spring_sale (111)', 150, 140, 90, 17, 3],
        ['otp (222)', 20, 20, null, null, null],
      ],
    );
  });

  it('sums clicks per template, button and type', () => {
    const clicks = buttonClicks(r, names);
    assert.deepEqual(clicks, [
      { templateId: '111', template: 'spring_sale (111)', buttonContent: 'Shop now', type: 'url_button', count: 13 },
      { templateId: '111', template: 'spring_sale (111)', buttonContent: 'Stop', type: 'quick_reply_button', count: 4 },
    ]);
    assert.deepEqual(buttonClicks(toColumns(result('template', [pt(0, { template_id: '1' }, { sent: 1 })]))), []);
  });
});

describe('webview model: pricing breakdowns', () => {
  const r = toColumns(
    result(
      'pricing',
      [
        pt(0, { country: 'BR', pricing_category: 'MARKETING', tier: '0:750000' }, { volume: 100, cost: 6 }),
        pt(0, { country: 'BR', pricing_category: 'SERVICE' }, { volume: 40 }),
        pt(1, { country: 'US', pricing_category: 'MARKETING', tier: '0:750000' }, { volume: 10, cost: 2.5 }),
        pt(1, { country: 'US', pricing_category: 'UTILITY', tier: '750001:MAX' }, { volume: 5, cost: 0.1 }),
      ],
      { currency: 'USD' },
    ),
  );

  it('labels points without a tier "Free", tiers as ranges, and keeps their volume with no cost', () => {
    const b = breakdownBy(r, 'tier', ['cost', 'volume']);
    const byLabel = Object.fromEntries(b.rows.map((x) => [x.label, x.values]));
    assert.deepEqual(byLabel.Free, { cost: null, volume: 40 });
    assert.deepEqual(byLabel['0–750,000'], { cost: 8.5, volume: 110 });
    assert.deepEqual(byLabel['750,001+'], { cost: 0.1, volume: 5 });
  });

  it('breaks down by pricing category, country and tier, sums preserved', () => {
    const list = breakdowns(r);
    assert.deepEqual(
      list.map((b) => b.dimension),
      ['pricing_category', 'country', 'tier'],
    );
    for (const b of list) {
      assert.equal(
        b.rows.reduce((n, x) => n + (x.values.volume ?? 0), 0),
        155,
      );
    }
    const country = list.find((b) => b.dimension === 'country')!;
    assert.deepEqual(
      country.rows.map((x) => [x.label, x.values.cost]),
      [
        ['BR', 6],
        ['US', 2.6],
      ],
    );
  });
});

describe('webview model: table', () => {
  const r = toColumns(
    result('messaging', [
      pt(2, { country: 'US' }, { sent: 5 }),
      pt(0, { country: 'BR' }, { sent: 50, delivered: 1 }),
      pt(1, {}, { sent: 20, delivered: 3 }),
      pt(3, { country: 'AR' }, { delivered: 2 }),
    ]),
  );

  it('lists start, end, the dimensions and the metrics as columns', () => {
    assert.deepEqual(
      tableColumns(r).map((c) => c.key),
      ['start', 'end', 'dim.country', 'metric.sent', 'metric.delivered'],
    );
  });

  it('sorts by any column, absent values last, in both directions', () => {
    assert.deepEqual([...sortRows(r, 'start', 'asc')], [1, 2, 0, 3]);
    assert.deepEqual([...sortRows(r, 'start', 'desc')], [3, 0, 2, 1]);
    assert.deepEqual([...sortRows(r, 'metric.sent', 'desc')], [1, 2, 0, 3]);
    assert.deepEqual([...sortRows(r, 'metric.sent', 'asc')], [0, 2, 1, 3]);
    assert.deepEqual([...sortRows(r, 'metric.delivered', 'asc')], [1, 3, 2, 0]);
    assert.deepEqual([...sortRows(r, 'dim.country', 'asc')], [3, 1, 0, 2]);
    assert.deepEqual([...sortRows(r, 'dim.country', 'desc')], [0, 1, 3, 2]);
  });

  it('sorts template ids by their labels', () => {
    const t = toColumns(result('template', [pt(0, { template_id: '1' }, { sent: 1 }), pt(0, { template_id: '2' }, { sent: 1 })]));
    assert.deepEqual([...sortRows(t, 'dim.template_id', 'asc', { '1': 'zebra', '2': 'alpha' })], [1, 0]);
  });

  it('pages large results instead of listing every row', () => {
    const n = 345_600;
    const big: ColumnarResult = { ...r, length: n, starts: new Float64Array(n), ends: new Float64Array(n), dims: {}, metrics: { sent: new Float64Array(n).fill(1) } };
    const first = pageRows(null, big.length, 0);
    assert.equal(first.rows.length, TABLE_PAGE_SIZE);
    assert.equal(first.pages, Math.ceil(n / TABLE_PAGE_SIZE));
    const last = pageRows(null, big.length, 10_000);
    assert.equal(last.page, first.pages - 1);
    assert.equal(last.to, n);
    const order = sortRows(big, 'metric.sent', 'desc');
    assert.equal(order.length, n);
    assert.deepEqual(pageRows(order, n, 1, 3).rows, [3, 4, 5]);
  });

  it('formats cells: time in the timezone, absent metric empty, no tier is "free"', () => {
    const time = makeTimeFormatter('UTC', 'DAILY');
    const cols = tableColumns(r);
    assert.equal(cellText(r, 1, cols[0]!, time), '2024-11-01 00:00');
    assert.equal(cellText(r, 2, cols[2]!, time), '');
    assert.equal(cellText(r, 3, cols[3]!, time), '');
    assert.equal(cellText(r, 1, cols[3]!, time), '50');
    const p = toColumns(result('pricing', [pt(0, { tier: '0:1' }, { volume: 1 }), pt(0, { country: 'BR' }, { volume: 2 })]));
    const tierCol = tableColumns(p).find((c) => c.key === 'dim.tier')!;
    assert.equal(cellText(p, 1, tierCol, time), 'Free');
  });
});

describe('webview model: time labels', () => {
  it('formats buckets in the result timezone and names it in the axis title', () => {
    const ms = Date.parse('2024-11-11T02:30:00Z');
    const sp = makeTimeFormatter('America/Sao_Paulo', 'HALF_HOUR');
    assert.equal(sp.bucket(ms), '2024-11-10 23:30');
    assert.equal(sp.axisTitle, 'Time (America/Sao_Paulo)');
    const utc = makeTimeFormatter(undefined, 'HALF_HOUR');
    assert.equal(utc.bucket(ms), '2024-11-11 02:30');
    assert.equal(utc.axisTitle, 'Time (UTC)');
    assert.equal(makeTimeFormatter('UTC', 'DAILY').bucket(Date.parse('2024-11-11T00:00:00Z')), '2024-11-11');
    assert.equal(makeTimeFormatter('UTC', 'MONTHLY').bucket(Date.parse('2024-11-01T00:00:00Z')), '2024-11');
    const tokyo = makeTimeFormatter('Asia/Tokyo', 'DAILY');
    assert.equal(tokyo.bucket(Date.parse('2024-11-10T15:00:00Z')), '2024-11-11');
    assert.equal(tokyo.dateTime(Date.parse('2024-11-10T15:00:00Z')), '2024-11-11 00:00');
  });

  it('puts axis ticks on bucket starts: local midnights for long half-hour ranges', () => {
    const start = Date.parse('2024-11-01T00:00:00Z');
    const buckets = Float64Array.from({ length: 48 * 10 }, (_, i) => start + i * 1_800_000);
    const sp = makeTimeFormatter('America/Sao_Paulo', 'HALF_HOUR');
    const ticks = timeTicks(buckets, 'HALF_HOUR', sp, 5);
    assert.ok(ticks.values.length <= 5 && ticks.values.length >= 2);
    for (const v of ticks.values) {
      assert.ok(buckets.includes(v));
      assert.equal(sp.dateTime(v).slice(11), '00:00');
    }
    assert.equal(ticks.label(ticks.values[0]!), '2024-11-01');
    const short = timeTicks(buckets.subarray(0, 10), 'HALF_HOUR', sp, 100);
    assert.equal(short.values.length, 10);
    assert.equal(short.label(buckets[1]!), '2024-10-31 21:30');
  });

  it('falls back to UTC, and says so, for a timezone Intl does not know', () => {
    const f = makeTimeFormatter('Mars/Olympus_Mons', 'DAILY');
    assert.equal(f.valid, false);
    assert.equal(f.timezone, 'UTC');
    assert.equal(f.axisTitle, 'Time (UTC)');
  });
});

describe('webview model: warnings', () => {
  it('keeps every host warning, classified by its code (never by its words), and adds what the panel can tell', () => {
    const host: Warning[] = [
      { code: 'value.unknown', message: 'Unknown pricing_category value "MARKETING_X" (kept as is).' },
      { code: 'cost.unavailable', message: 'Cost is not available: this WhatsApp Business Account is billed through a Solution Partner; ask your partner for charges.' },
      { code: 'engagement.still-counting', message: 'Reads and clicks stop counting 7 days after a send: figures for the last 7 days may still grow.' },
      { code: 'conversation.legacy', message: 'No conversation data: conversation analytics is legacy since per-message pricing (1 July 2025).' },
      { code: 'result.partial', message: 'Partial result: 1 of 3 requests failed (first: boom). The data shown is incomplete.' },
      // Words that used to trigger the regular expressions, under codes that mean something else.
      { code: 'answer.duplicate-point', message: 'Partial result: unknown cost not available, still grow in 7 days, kept as is.' },
      { code: 'cost.currency-unknown', message: 'The currency could not be read; costs are shown without it.' },
    ];
    assert.deepEqual(
      host.map(classifyWarning),
      ['unknown-value', 'cost', 'engagement', 'legacy', 'partial', 'other', 'other'],
    );
    const r = toColumns(result('pricing', [pt(0, {}, { volume: 1, cost: 0.5 })], { warnings: host }));
    const w = panelWarnings(r, { partial: true });
    assert.equal(w.length, host.length);
    assert.deepEqual(
      w.map((x) => [x.code, x.text]),
      host.map((x) => [x.code, x.message]),
    );
    // Without a cost, the cost card says why (once): the banner leaves the cost warning out.
    const noCost = toColumns(result('pricing', [pt(0, {}, { volume: 1 })], { warnings: host }));
    assert.deepEqual(
      panelWarnings(noCost, { partial: true }).map((x) => x.code),
      host.filter((x) => x.code !== 'cost.unavailable').map((x) => x.code),
    );
    assert.equal(computeKpis(noCost).find((k) => k.metric === 'cost')!.note, host[1]!.message);
    // The cost KPI's reason is the cost.unavailable warning's message, not the first with "cost" in it.
    assert.equal(costWarning(host.slice().reverse()), host[1]!.message);
    assert.equal(costWarning([host[5]!, host[6]!]), undefined);
  });

  it('adds partial, still-counting and no-conversation notes when the host did not', () => {
    const now = T0 + 3 * DAY;
    const t = toColumns(result('template', [pt(0, { template_id: '1' }, { sent: 1, read: 1 })]));
    const kinds = panelWarnings(t, { partial: true }, { now }).map((x) => x.kind);
    assert.deepEqual(kinds, ['partial', 'engagement']);
    assert.deepEqual(panelWarnings(t, {}, { now: T0 + 30 * DAY }), []);
    const c = toColumns(result('conversation', []));
    assert.deepEqual(
      panelWarnings(c, undefined).map((x) => x.kind),
      ['legacy'],
    );
  });
});

describe('webview model: money', () => {
  it('shows totals in the currency minor units: USD 2 decimals, JPY none, BHD 3', () => {
    assert.deepEqual(['USD', 'EUR', 'JPY', 'BHD', 'XYZW', undefined].map(currencyDigits), [2, 2, 0, 3, 2, 2]);
    assert.equal(formatMoney(3324.54, 'USD'), '$3,324.54');
    assert.equal(formatMoney(0.0123, 'USD'), '$0.01');
    assert.equal(formatMoney(1234.5, 'JPY'), '¥1,235');
    assert.equal(formatMoney(1.5, 'BHD'), 'BHD\u00a01.500');
    assert.equal(formatMoney(14, 'USD'), '$14.00');
  });

  it('shows a cost per message to 3 significant digits, never fewer decimals than the currency', () => {
    assert.equal(formatUnitCost(0.012345, 'USD'), '$0.0123');
    assert.equal(formatUnitCost(0.14, 'USD'), '$0.140');
    assert.equal(formatUnitCost(12.345, 'USD'), '$12.35');
    assert.equal(formatUnitCost(0.5, 'JPY'), '¥0.500');
    assert.equal(formatUnitCost(null, 'USD'), 'not available');
    const r = toColumns(result('template', [pt(0, { template_id: 'A' }, { sent: 100, delivered: 100, amount_spent: 1.4 })], { currency: 'USD' }));
    assert.equal(formatKpi(kpi(r, 'cost_per_delivered')), '$0.0140');
  });

  it('gives one column of costs per message one number of decimals', () => {
    assert.equal(unitCostDecimals([0.0123, 1.5, null, 0], 'EUR'), 4);
    assert.equal(unitCostDecimals([], 'JPY'), 0);
    const r = toColumns(
      result(
        'template',
        [
          pt(0, { template_id: 'A' }, { sent: 10, cost_per_delivered: 0.0123 }),
          pt(1, { template_id: 'A' }, { sent: 10, cost_per_delivered: 1.5 }),
          pt(2, { template_id: 'A' }, { sent: 10 }),
        ],
        { currency: 'USD' },
      ),
    );
    const time = makeTimeFormatter('UTC', 'DAILY');
    const col = tableColumns(r).find((c) => c.name === 'cost_per_delivered')!;
    assert.equal(columnUnitDecimals(r, 'cost_per_delivered'), 4);
    assert.deepEqual(
      [0, 1, 2].map((i) => cellText(r, i, col, time)),
      ['$0.0123', '$1.5000', ''],
    );
  });

  it('aligns numeric columns right and names the currency in money headings', () => {
    const r = toColumns(result('pricing', [pt(0, { country: 'BR' }, { volume: 100, cost: 6.25 }), pt(0, { country: 'US' }, { volume: 3, cost: 0.075 })], { currency: 'USD' }));
    const cols = tableColumns(r);
    assert.deepEqual(
      cols.map((c) => [c.label, c.align]),
      [
        ['Start', 'left'],
        ['End', 'left'],
        ['Country', 'left'],
        ['Messages', 'right'],
        ['Cost (USD)', 'right'],
      ],
    );
    const [b] = breakdowns(r);
    assert.deepEqual(
      b!.columns.map((c) => [c.key, c.label, c.align]),
      [
        ['label', 'Country', 'left'],
        ['cost', 'Cost (USD)', 'right'],
        ['volume', 'Messages', 'right'],
        ['unitCost', 'Cost per message (USD)', 'right'],
      ],
    );
    // 6.25 / 100 = 0.0625 and 0.075 / 3 = 0.025: one number of decimals for the column.
    assert.deepEqual(
      b!.rows.map((row) => b!.columns.map((c) => breakdownCellText(b!, row, c.key, r.currency))),
      [
        ['BR', '$6.25', '100', '$0.0625'],
        ['US', '$0.08', '3', '$0.0250'],
      ],
    );
  });
});

describe('webview model: the current, incomplete period', () => {
  it('knows where a day, a month and a half hour end, in the result timezone (DST included)', () => {
    const la = 'America/Los_Angeles';
    assert.equal(periodEnd(Date.parse('2026-03-08T08:00:00Z'), 'DAILY', la), Date.parse('2026-03-09T07:00:00Z'));
    assert.equal(periodEnd(Date.parse('2026-11-01T07:00:00Z'), 'MONTHLY', la), Date.parse('2026-12-01T08:00:00Z'));
    assert.equal(periodEnd(Date.parse('2026-11-01T00:00:00Z'), 'MONTHLY', 'UTC'), Date.parse('2026-12-01T00:00:00Z'));
    assert.equal(periodEnd(Date.parse('2026-11-01T10:30:00Z'), 'HALF_HOUR', la), Date.parse('2026-11-01T11:00:00Z'));
    assert.equal(periodEnd(Date.parse('2026-11-01T00:00:00Z'), 'DAILY', 'Not/AZone'), Date.parse('2026-11-02T00:00:00Z'));
  });

  it('flags the bucket of today (and only it) as partial, and a merged bucket holding it', () => {
    const now = T0 + 4 * DAY + 10 * 3_600_000; // day 4, 10:00 UTC
    const r = toColumns(result('messaging', [0, 1, 2, 3, 4].map((d) => pt(d, {}, { sent: 10 * (d + 1), delivered: 9 * (d + 1) }))));
    const set = buildTimeSeries(r, { metric: 'sent', now });
    assert.deepEqual(Array.from(set.partial), [0, 0, 0, 0, 1]);
    assert.deepEqual(Array.from(partialPoints(r, now)), [0, 0, 0, 0, 1]);
    assert.deepEqual(Array.from(rebucket(set, 2).partial), [0, 0, 1]);
    // A day later nothing is under way.
    assert.deepEqual(Array.from(buildTimeSeries(r, { metric: 'sent', now: now + DAY }).partial), [0, 0, 0, 0, 0]);
    assert.equal(isPartialPeriod(T0, 'MONTHLY', 'UTC', T0 + 20 * DAY), true);
    assert.equal(isPartialPeriod(T0, 'MONTHLY', 'UTC', T0 + 31 * DAY), false);
  });

  it('gives template reads and clicks of the last 7 days as a still-counting window, and nothing for sends', () => {
    const now = T0 + 10 * DAY + 3_600_000;
    const r = toColumns(result('template', [0, 2, 4, 6, 8, 10].map((d) => pt(d, { template_id: '1' }, { sent: 10, delivered: 9, read: 5, clicked: 1 }))));
    const w = stillCountingWindow(r, now);
    assert.deepEqual(w && [w.from, w.to], [now - 7 * DAY, T0 + 11 * DAY]);
    assert.deepEqual(buildTimeSeries(r, { metric: 'read', now }).stillCounting, w);
    assert.equal(buildTimeSeries(r, { metric: 'sent', now }).stillCounting, null);
    assert.equal(stillCountingWindow(r, now + 30 * DAY), null);
    assert.equal(stillCountingWindow(toColumns(result('messaging', [pt(10, {}, { sent: 1 })])), now), null);
  });
});

describe('webview model: honest funnel and clicks', () => {
  // As the Meta normalizer gives them: `clicked` = URL + quick-reply clicks; unique URL clicks only in `clicks`.
  const r = toColumns(
    result('template', [
      pt(0, { template_id: '111' }, { sent: 200, delivered: 190, read: 100, clicked: 12 }, [
        { type: 'url_button', button_content: 'Shop now', count: 8 },
        { type: 'unique_url_button', button_content: 'Shop now', count: 6 },
        { type: 'quick_reply_button', button_content: 'Stop', count: 4 },
      ]),
      pt(0, { template_id: '222' }, { sent: 50, delivered: 48, read: 20 }),
    ]),
  );
  const names = { '111': 'spring_sale', '222': 'price_drop' };

  it('gives each step as a share of the step before, and a caption that says so', () => {
    const [row] = templateFunnel(r, names);
    assert.deepEqual(
      row!.steps.map((s) => [s.step, s.value, s.share, s.of]),
      [
        ['sent', 200, null, ''],
        ['delivered', 190, 190 / 200, 'of sent'],
        ['read', 100, 100 / 190, 'of delivered'],
        ['clicked', 12, 12 / 100, 'of read'],
      ],
    );
    assert.ok(row!.steps.every((s) => s.align === 'right'));
    const caption = funnelCaption(templateFunnel(r, names));
    assert.match(caption, /share of the step before \(delivered of sent, read of delivered, clicked of read\)/);
    assert.match(caption, /not people/);
    // A caption states only what is there: no clicks, no word about them.
    const noClicks = funnelCaption(templateFunnel(toColumns(result('template', [pt(0, { template_id: '1' }, { sent: 5, delivered: 5 })]))));
    assert.match(noClicks, /\(delivered of sent\)\.$/);
    assert.doesNotMatch(noClicks, /click|read/i);
  });

  it('never adds unique URL clicks to the clicks: the funnel, the card and the per-button table agree', () => {
    const [row] = templateFunnel(r, names);
    assert.equal(row!.clicked, 12);
    assert.equal(kpi(r, 'clicked').value, 12);
    assert.match(kpi(r, 'clicked').note!, /not people/);
    assert.deepEqual(
      buttonClickSummary(r, names).map((b) => [b.buttonContent, b.typeLabel, b.clicks, b.uniqueClicks]),
      [
        ['Shop now', 'URL button', 8, 6],
        ['Stop', 'Quick reply button', 4, null],
      ],
    );
    const totalClicks = buttonClickSummary(r, names).reduce((n, b) => n + (b.clicks ?? 0), 0);
    assert.equal(totalClicks, row!.clicked);
    assert.match(BUTTON_CLICKS_CAPTION, /different people/);
  });

  it('says click tracking is off when that is why clicks are missing', () => {
    const templates = [
      { id: '111', name: 'spring_sale' },
      { id: '222', name: 'price_drop', clickTrackingOptedOut: true },
      { id: '333', name: 'not_in_result', clickTrackingOptedOut: true },
    ];
    const note = clickTrackingNote(r, templates, names);
    assert.deepEqual(note?.templateIds, ['222']);
    assert.match(note!.text, /Click tracking is turned off for price_drop/);
    const rows = templateFunnel(r, names, templates);
    assert.equal(rows.find((x) => x.templateId === '111')!.clicksNote, undefined);
    assert.match(rows.find((x) => x.templateId === '222')!.clicksNote!, /Click tracking is turned off/);
    const only222 = toColumns(result('template', [pt(0, { template_id: '222' }, { sent: 50, delivered: 48, read: 20 })]));
    const card = computeKpis(only222, { templates }).find((k) => k.metric === 'clicked')!;
    assert.equal(card.value, null);
    assert.match(card.note!, /Click tracking is turned off for price_drop/);
    assert.equal(clickTrackingNote(only222, [{ id: '222' }]), null);
    assert.equal(clickTrackingNote(only222, undefined), null);
  });
});

describe('webview model: series colours', () => {
  for (const [name, theme] of Object.entries(DEFAULT_CHART_THEMES)) {
    it(`${name} theme: up to 12 series, every pair at least ΔE ${MIN_SERIES_DELTA_E} apart (CIE76), none close to the background`, () => {
      for (let n = 1; n <= 12; n++) {
        const p = seriesPalette(n, theme);
        assert.equal(p.length, n);
        for (let i = 0; i < n; i++) {
          assert.ok(deltaE(p[i]!, theme.background) >= 30, `${name} ${p[i]} vs background`);
          for (let j = i + 1; j < n; j++) assert.ok(deltaE(p[i]!, p[j]!) > MIN_SERIES_DELTA_E, `${name} n=${n}: ${p[i]} and ${p[j]} ΔE ${deltaE(p[i]!, p[j]!).toFixed(1)}`);
        }
      }
      // The theme's own colours come first.
      assert.equal(seriesPalette(1, theme)[0], theme.colors[0]);
    });
  }

  it('skips a theme colour nearly identical to one already taken', () => {
    const { light } = DEFAULT_CHART_THEMES;
    // The default light theme's yellow and orange are about ΔE 10 apart.
    assert.ok(deltaE(light.colors[1], light.colors[5]) < MIN_SERIES_DELTA_E);
    assert.ok(!seriesPalette(12, light).includes(light.colors[5]));
    assert.deepEqual(seriesPalette(3, { colors: ['#ff0000', '#fe0101', '#0000ff'] }), ['#ff0000', '#0000ff', seriesPalette(3, { colors: ['#ff0000', '#fe0101', '#0000ff'] })[2]]);
    assert.notEqual(seriesPalette(3, { colors: ['#ff0000', '#fe0101', '#0000ff'] })[2], '#fe0101');
  });
});

describe('webview model: chart caption', () => {
  it('states only what the chart shows', () => {
    const time = makeTimeFormatter('UTC', 'DAILY');
    const now = T0 + 4 * DAY + 3_600_000;
    const m = toColumns(result('messaging', [0, 1, 2, 3, 4].map((d) => pt(d, {}, { sent: 10, delivered: 9 }))));
    assert.equal(chartCaption(buildTimeSeries(m, { metric: 'sent', now: now + DAY }), 'DAILY', time), 'Times in UTC.');
    assert.equal(chartCaption(buildTimeSeries(m, { metric: 'sent', now }), 'DAILY', time), 'Times in UTC. The last day is today so far (not over yet): drawn dashed.');
    const t = toColumns(result('template', [0, 1, 2, 3, 4].map((d) => pt(d, { template_id: '1' }, { sent: 10, read: 5 }))));
    assert.match(chartCaption(buildTimeSeries(t, { metric: 'read', now: now + DAY }), 'DAILY', time), /Shaded: reads and clicks of the last 7 days may still grow\.$/);
    assert.doesNotMatch(chartCaption(buildTimeSeries(t, { metric: 'sent', now: now + DAY }), 'DAILY', time), /Shaded|Other|dashed/);
  });
});
