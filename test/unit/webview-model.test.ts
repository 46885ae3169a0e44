import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toColumns } from '../../src/core/columns';
import type { NormalizedResult, Point } from '../../src/core/types';
import type { ColumnarResult } from '../../src/protocol';
import {
  OTHER_KEY,
  TABLE_PAGE_SIZE,
  alignBuckets,
  breakdownBy,
  breakdowns,
  buildTimeSeries,
  buttonClicks,
  cellText,
  chartableMetrics,
  classifyWarning,
  computeKpis,
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
} from '../../webview/model';

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
    assert.equal(kpi(r, 'click_rate').value, 19 / 100);
    assert.equal(kpi(r, 'cost').value, 14);
    assert.equal(kpi(r, 'cost').currency, 'USD');
    // 14 / 100 = 0.14, not the mean of 0.1 and 0.5 (0.3).
    assert.ok(Math.abs(kpi(r, 'cost_per_delivered').value! - 0.14) < 1e-12);
    assert.equal(formatKpi(kpi(r, 'cost')), '$14.00');
    assert.equal(formatKpi(kpi(r, 'delivery_rate')), '90.9%');
  });

  it('shows an absent cost as not available, never 0, with the reason a warning gives', () => {
    const partner = 'Cost is not available: this WhatsApp Business Account is billed through a Solution Partner; ask your partner for charges.';
    const r = toColumns(result('pricing', [pt(0, { country: 'BR' }, { volume: 50 }), pt(1, { country: 'US' }, { volume: 30 })], { warnings: [partner] }));
    const cost = kpi(r, 'cost');
    assert.equal(cost.value, null);
    assert.equal(cost.note, partner);
    assert.equal(formatKpi(cost), 'not available');
    assert.equal(kpi(r, 'cost_per_message').value, null);
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
    assert.ok(panelWarnings(r, undefined).some((w) => w.kind === 'cost'));
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
    assert.equal(formatMoney(0.0123, 'USD'), '$0.0123');
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

  it('labels points without a tier "free" and keeps their volume with no cost', () => {
    const b = breakdownBy(r, 'tier', ['cost', 'volume']);
    const byLabel = Object.fromEntries(b.rows.map((x) => [x.label, x.values]));
    assert.deepEqual(byLabel.free, { cost: null, volume: 40 });
    assert.deepEqual(byLabel['0:750000'], { cost: 8.5, volume: 110 });
    assert.deepEqual(byLabel['750001:MAX'], { cost: 0.1, volume: 5 });
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
    assert.equal(cellText(p, 1, tierCol, time), 'free');
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
  it('keeps every host warning, classified, and adds what the panel can tell', () => {
    const host = [
      'Unknown pricing_category value "MARKETING_X" (kept as is).',
      'Cost is not available: this WhatsApp Business Account is billed through a Solution Partner; ask your partner for charges.',
      'Reads and clicks stop counting 7 days after a send: figures for the last 7 days may still grow.',
      'No conversation data: conversation analytics is legacy since per-message pricing (1 July 2025); an account billed per message has none here: use pricing analytics.',
      'Partial result: 1 of 3 requests failed (first: boom). The data shown is incomplete; run the query again to fetch the rest.',
    ];
    assert.deepEqual(
      host.map(classifyWarning),
      ['unknown-value', 'cost', 'engagement', 'legacy', 'partial'],
    );
    const r = toColumns(result('pricing', [pt(0, {}, { volume: 1 })], { warnings: host }));
    const w = panelWarnings(r, { partial: true });
    assert.equal(w.length, host.length);
    assert.deepEqual(
      w.map((x) => x.text),
      host,
    );
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
