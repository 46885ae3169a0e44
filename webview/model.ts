/**
 * What the panel shows, computed from a ColumnarResult: KPIs, time series, the template funnel,
 * breakdown tables and the data table. Pure functions, no DOM: tested in node.
 *
 * Absent values are NaN (typed arrays) or null (plain arrays after JSON); both mean "the API gave
 * none" and are never counted as 0. A metric absent in every point is "not available".
 */
import type { ColumnarResult, PanelContext } from '../src/protocol';

export type Kind = ColumnarResult['kind'];
type NumberColumn = ColumnarResult['metrics'][string];
type CodeColumn = ColumnarResult['dims'][string]['codes'];

export const TOP_N = 8;
export const TABLE_PAGE_SIZE = 200;
export const OTHER_KEY = '__other__';
export const TOTAL_KEY = '__total__';

/** A metric value of one point; NaN when absent (NaN, null or missing). */
export function valueAt(col: NumberColumn | undefined, i: number): number {
  if (!col) return NaN;
  const v = col[i];
  return typeof v === 'number' ? v : NaN;
}

function codeAt(col: CodeColumn, i: number): number {
  const v = col[i];
  return typeof v === 'number' ? v : -1;
}

export interface Total {
  total: number;
  /** True when at least one point has a value. */
  present: boolean;
}

export function metricTotal(result: ColumnarResult, metric: string): Total {
  const col = result.metrics[metric];
  let total = 0;
  let present = false;
  if (col) {
    for (let i = 0; i < result.length; i++) {
      const v = valueAt(col, i);
      if (v === v) {
        total += v;
        present = true;
      }
    }
  }
  return { total, present };
}

export function hasMetric(result: ColumnarResult, metric: string): boolean {
  return metricTotal(result, metric).present;
}

// ---- labels ----------------------------------------------------------------------------------

const DIM_LABELS: Record<string, string> = {
  phone_number: 'Phone number',
  country: 'Country',
  tier: 'Tier',
  pricing_category: 'Pricing category',
  pricing_type: 'Pricing type',
  template_id: 'Template',
  conversation_category: 'Conversation category',
  conversation_type: 'Conversation type',
  conversation_direction: 'Conversation direction',
};
const METRIC_LABELS: Record<string, string> = {
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  clicked: 'Clicked',
  cost: 'Cost',
  volume: 'Volume',
  conversation: 'Conversations',
  amount_spent: 'Amount spent',
  cost_per_delivered: 'Cost per delivered',
  cost_per_url_button_click: 'Cost per URL button click',
};
/** Metrics that are ratios: never summed across points or buckets. */
export const RATIO_METRICS = new Set(['cost_per_delivered', 'cost_per_url_button_click']);
/** Metrics that are money. */
export const MONEY_METRICS = new Set(['cost', 'amount_spent', 'cost_per_delivered', 'cost_per_url_button_click']);

function humanize(name: string): string {
  const s = name.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
export function dimensionLabel(dim: string): string {
  return DIM_LABELS[dim] ?? humanize(dim);
}
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? humanize(metric);
}

/** "Name (id)" when the template's name is known, else the id. */
export function templateLabel(id: string, templateNames: Record<string, string> | undefined): string {
  const name = templateNames?.[id];
  return name && name !== id ? `${name} (${id})` : id;
}

/** The label of one dimension value; `undefined` is a point without that dimension. */
export function valueLabel(dim: string, value: string | undefined, templateNames?: Record<string, string>): string {
  if (value === undefined) return dim === 'tier' ? 'free' : '(none)';
  if (dim === 'template_id') return templateLabel(value, templateNames);
  return value;
}

// ---- formatting ------------------------------------------------------------------------------

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

export const NOT_AVAILABLE = 'not available';

export function formatCount(v: number | null, locale = 'en-US'): string {
  if (v === null || Number.isNaN(v)) return NOT_AVAILABLE;
  return numberFormat(locale, { maximumFractionDigits: 2 }).format(v);
}
export function formatPercent(v: number | null, locale = 'en-US'): string {
  if (v === null || Number.isNaN(v)) return NOT_AVAILABLE;
  return numberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
}
export function formatMoney(v: number | null, currency: string | undefined, locale = 'en-US'): string {
  if (v === null || Number.isNaN(v)) return NOT_AVAILABLE;
  const digits = Math.abs(v) > 0 && Math.abs(v) < 1 ? 4 : 2;
  if (currency) {
    try {
      return numberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: digits }).format(v);
    } catch {
      // Not an ISO 4217 code Intl knows: the number followed by the code.
    }
    return `${numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: digits }).format(v)} ${currency}`;
  }
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: digits }).format(v);
}
export function formatMetricValue(metric: string, v: number, currency: string | undefined, locale = 'en-US'): string {
  if (Number.isNaN(v)) return '';
  return MONEY_METRICS.has(metric) ? formatMoney(v, currency, locale) : formatCount(v, locale);
}

// ---- time ------------------------------------------------------------------------------------

export type Granularity = ColumnarResult['granularity'];

export interface TimeFormatter {
  /** The timezone actually used (UTC when the given one is unknown to Intl). */
  timezone: string;
  /** True when the result's timezone was usable. */
  valid: boolean;
  /** A bucket start, as precise as the granularity needs: 2024-11-11 14:30 / 2024-11-11 / 2024-11. */
  bucket(ms: number): string;
  /** Date and time to the minute: 2024-11-11 14:30. */
  dateTime(ms: number): string;
  /** The axis title: "Time (America/Sao_Paulo)". */
  axisTitle: string;
  /** Wall-clock parts in the timezone. */
  parts(ms: number): { year: string; month: string; day: string; hour: string; minute: string };
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dtfCache.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a timezone. */
export function zonedParts(ms: number, timeZone: string): { year: string; month: string; day: string; hour: string; minute: string } {
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of dateTimeFormat(timeZone).formatToParts(ms)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute') out[p.type] = p.value;
  }
  if (out.hour === '24') out.hour = '00';
  return out;
}

export function makeTimeFormatter(timezone: string | undefined, granularity: Granularity): TimeFormatter {
  let tz = timezone && timezone.trim() ? timezone.trim() : 'UTC';
  let valid = true;
  try {
    dateTimeFormat(tz);
  } catch {
    tz = 'UTC';
    valid = false;
  }
  const dateTime = (ms: number) => {
    if (!Number.isFinite(ms)) return '';
    const p = zonedParts(ms, tz);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
  const bucket = (ms: number) => {
    if (!Number.isFinite(ms)) return '';
    const p = zonedParts(ms, tz);
    if (granularity === 'MONTHLY') return `${p.year}-${p.month}`;
    if (granularity === 'DAILY' && p.hour === '00' && p.minute === '00') return `${p.year}-${p.month}-${p.day}`;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
  return { timezone: tz, valid, bucket, dateTime, axisTitle: `Time (${tz})`, parts: (ms: number) => zonedParts(ms, tz) };
}

/**
 * Where to put time-axis ticks: bucket starts only, on round instants when the range is long
 * (midnights for half-hours over more than two days, first days of months for long daily ranges),
 * about one per `maxTicks`, with labels as short as those instants allow.
 */
export function timeTicks(buckets: ArrayLike<number>, granularity: Granularity, time: TimeFormatter, maxTicks: number): { values: number[]; label: (ms: number) => string } {
  const n = buckets.length;
  if (n === 0) return { values: [], label: time.bucket };
  const span = buckets[n - 1]! - buckets[0]!;
  let candidates: number[] = [];
  let label = time.bucket;
  const all = () => Array.from(buckets);
  if (granularity === 'HALF_HOUR' && span > 2 * 86_400_000) {
    candidates = all().filter((ms) => {
      const p = time.parts(ms);
      return p.hour === '00' && p.minute === '00';
    });
    label = (ms) => {
      const p = time.parts(ms);
      return `${p.year}-${p.month}-${p.day}`;
    };
  } else if (granularity === 'DAILY' && span > 120 * 86_400_000) {
    candidates = all().filter((ms) => time.parts(ms).day === '01');
    label = (ms) => {
      const p = time.parts(ms);
      return `${p.year}-${p.month}`;
    };
  }
  if (candidates.length < 2) {
    candidates = all();
    label = time.bucket;
  }
  const step = Math.max(1, Math.ceil(candidates.length / Math.max(1, maxTicks)));
  const values: number[] = [];
  for (let i = 0; i < candidates.length; i += step) values.push(candidates[i]!);
  return { values, label };
}

// ---- KPIs ------------------------------------------------------------------------------------

export interface Kpi {
  /** Stable id: sent, delivered, read, clicked, volume, conversation, cost, delivery_rate, read_rate, click_rate, cost_per_delivered, cost_per_message. */
  metric: string;
  label: string;
  /** null: not available. */
  value: number | null;
  format: 'count' | 'percent' | 'money';
  currency?: string;
  /** Why it is not available, or how it was computed. */
  note?: string;
}

/** The warning that explains a missing cost, if the host sent one. */
export function costWarning(warnings: readonly string[]): string | undefined {
  return warnings.find((w) => /\bcosts?\b/i.test(w) && /(not available|unavailable|no cost|without cost|partner)/i.test(w));
}

function ratio(num: Total, den: Total, what: string): { value: number | null; note?: string } {
  if (!num.present || !den.present) return { value: null, note: `needs ${what}` };
  if (den.total === 0) return { value: null, note: 'nothing to divide by (0)' };
  return { value: num.total / den.total };
}

/** The KPI cards of one result. Rates and unit costs are computed from totals, never averaged. */
export function computeKpis(result: ColumnarResult, options: { costAsked?: boolean } = {}): Kpi[] {
  const t = (m: string) => metricTotal(result, m);
  const currency = result.currency;
  const costReason =
    options.costAsked === false ? 'cost was not asked for (metric types)' : (costWarning(result.warnings) ?? 'the API returned no cost for this query');
  const count = (metric: string, label: string, total: Total): Kpi =>
    total.present ? { metric, label, value: total.total, format: 'count' } : { metric, label, value: null, format: 'count', note: 'not returned by the API' };
  const money = (metric: string, label: string, total: Total, reason = costReason): Kpi => {
    const k: Kpi = total.present ? { metric, label, value: total.total, format: 'money' } : { metric, label, value: null, format: 'money', note: reason };
    if (currency) k.currency = currency;
    else if (total.present) k.note = 'currency unknown';
    return k;
  };
  const rate = (metric: string, label: string, num: Total, den: Total, what: string): Kpi => {
    const r = ratio(num, den, what);
    return { metric, label, value: r.value, format: 'percent', ...(r.note ? { note: r.note } : {}) };
  };
  const perUnit = (metric: string, label: string, cost: Total, den: Total, what: string): Kpi => {
    const r = cost.present ? ratio(cost, den, what) : { value: null, note: costReason };
    const k: Kpi = { metric, label, value: r.value, format: 'money', ...(r.note ? { note: r.note } : {}) };
    if (currency) k.currency = currency;
    return k;
  };

  switch (result.kind) {
    case 'messaging': {
      const sent = t('sent');
      const delivered = t('delivered');
      return [count('sent', 'Sent', sent), count('delivered', 'Delivered', delivered), rate('delivery_rate', 'Delivery rate', delivered, sent, 'sent and delivered')];
    }
    case 'template': {
      const sent = t('sent');
      const delivered = t('delivered');
      const read = t('read');
      const clicked = t('clicked');
      const costMetric = hasMetric(result, 'amount_spent') ? 'amount_spent' : 'cost';
      const cost = t(costMetric);
      return [
        count('sent', 'Sent', sent),
        count('delivered', 'Delivered', delivered),
        count('read', 'Read', read),
        count('clicked', 'Clicked', clicked),
        rate('delivery_rate', 'Delivery rate', delivered, sent, 'sent and delivered'),
        rate('read_rate', 'Read rate', read, delivered, 'delivered and read'),
        rate('click_rate', 'Click rate', clicked, delivered, 'delivered and clicked'),
        money('cost', 'Cost (amount spent)', cost),
        perUnit('cost_per_delivered', 'Cost per delivered', cost, delivered, 'delivered'),
      ];
    }
    case 'pricing': {
      const volume = t('volume');
      const cost = t('cost');
      return [count('volume', 'Volume', volume), money('cost', 'Cost', cost), perUnit('cost_per_message', 'Cost per message', cost, volume, 'volume')];
    }
    case 'conversation': {
      const conv = t('conversation');
      const cost = t('cost');
      return [count('conversation', 'Conversations', conv), money('cost', 'Cost', cost)];
    }
  }
}

export function formatKpi(k: Kpi, locale = 'en-US'): string {
  if (k.value === null) return NOT_AVAILABLE;
  if (k.format === 'percent') return formatPercent(k.value, locale);
  if (k.format === 'money') return formatMoney(k.value, k.currency, locale);
  return formatCount(k.value, locale);
}

// ---- pickers ---------------------------------------------------------------------------------

/** Dimensions with at least one value, in the result's order. */
export function presentDimensions(result: ColumnarResult): string[] {
  return Object.keys(result.dims).filter((d) => result.dims[d]!.values.length > 0);
}

/** Metrics that can be charted (present, additive). */
export function chartableMetrics(result: ColumnarResult): string[] {
  return Object.keys(result.metrics).filter((m) => !RATIO_METRICS.has(m) && hasMetric(result, m));
}

export function defaultBreakdown(result: ColumnarResult): string | null {
  const dims = presentDimensions(result);
  if (result.kind === 'template' && dims.includes('template_id')) return 'template_id';
  return dims[0] ?? null;
}

const DEFAULT_METRICS: Record<Kind, string[]> = {
  messaging: ['sent', 'delivered'],
  template: ['sent', 'delivered', 'read', 'clicked', 'amount_spent', 'cost'],
  pricing: ['cost', 'volume'],
  conversation: ['conversation', 'cost'],
};
export function defaultMetric(result: ColumnarResult): string | null {
  const metrics = chartableMetrics(result);
  return DEFAULT_METRICS[result.kind].find((m) => metrics.includes(m)) ?? metrics[0] ?? null;
}

// ---- time series -----------------------------------------------------------------------------

export interface Series {
  key: string;
  label: string;
  /** Sum over all buckets. */
  total: number;
  /** One value per bucket; NaN where the series has no data in that bucket. */
  values: Float64Array;
  other?: boolean;
}

export interface TimeSeriesSet {
  metric: string;
  breakdown: string | null;
  /** Sorted union of the points' starts, epoch ms. */
  buckets: Float64Array;
  series: Series[];
  /** Sum of the metric over every point. */
  total: number;
  /** Number of distinct values of the breakdown (before top-N). */
  groups: number;
}

export interface TimeSeriesOptions {
  metric: string;
  breakdown?: string | null;
  topN?: number;
  templateNames?: Record<string, string>;
}

/** The sorted distinct starts and, per point, its bucket index (-1 for a point without a start). */
export function alignBuckets(result: ColumnarResult): { buckets: Float64Array; index: Int32Array } {
  const n = result.length;
  const seen = new Set<number>();
  let sorted = true;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = valueAt(result.starts, i);
    if (s !== s) continue;
    if (s < prev) sorted = false;
    prev = s;
    seen.add(s);
  }
  const buckets = Float64Array.from(seen);
  if (!sorted) buckets.sort();
  const pos = new Map<number, number>();
  for (let b = 0; b < buckets.length; b++) pos.set(buckets[b]!, b);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = valueAt(result.starts, i);
    index[i] = s === s ? pos.get(s)! : -1;
  }
  return { buckets, index };
}

/**
 * One series per value of the breakdown dimension (or one "Total" series), values summed per
 * bucket; the top N by total are kept and the rest summed into "Other", so the sum over all series
 * always equals the total of the metric.
 */
export function buildTimeSeries(result: ColumnarResult, options: TimeSeriesOptions): TimeSeriesSet {
  const { metric } = options;
  const topN = Math.max(1, options.topN ?? TOP_N);
  const { buckets, index } = alignBuckets(result);
  const nb = buckets.length;
  const col = result.metrics[metric];
  const dim = options.breakdown && result.dims[options.breakdown] ? options.breakdown : null;
  const empty: TimeSeriesSet = { metric, breakdown: dim, buckets, series: [], total: 0, groups: 0 };
  if (!col) return empty;

  const dimCol = dim ? result.dims[dim]! : undefined;
  const groupCount = dimCol ? dimCol.values.length + 1 : 1; // last slot: points without the dimension
  const values: (Float64Array | undefined)[] = new Array(groupCount);
  const totals = new Float64Array(groupCount);
  let total = 0;
  for (let i = 0; i < result.length; i++) {
    const v = valueAt(col, i);
    if (v !== v) continue;
    const b = index[i]!;
    if (b < 0) continue;
    let g = 0;
    if (dimCol) {
      const c = codeAt(dimCol.codes, i);
      g = c >= 0 && c < groupCount - 1 ? c : groupCount - 1;
    }
    let arr = values[g];
    if (!arr) {
      arr = new Float64Array(nb).fill(NaN);
      values[g] = arr;
    }
    const cur = arr[b]!;
    arr[b] = cur === cur ? cur + v : v;
    totals[g] += v;
    total += v;
  }

  const groups: Series[] = [];
  for (let g = 0; g < groupCount; g++) {
    const arr = values[g];
    if (!arr) continue;
    let key: string;
    let label: string;
    if (!dimCol) {
      key = TOTAL_KEY;
      label = metricLabel(metric);
    } else if (g === groupCount - 1) {
      key = '';
      label = valueLabel(dim!, undefined);
    } else {
      key = dimCol.values[g]!;
      label = valueLabel(dim!, key, options.templateNames);
    }
    groups.push({ key, label, total: totals[g]!, values: arr });
  }
  groups.sort((a, b) => b.total - a.total || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));

  let series = groups;
  if (groups.length > topN + 1) {
    series = groups.slice(0, topN);
    const other = new Float64Array(nb).fill(NaN);
    let otherTotal = 0;
    for (const s of groups.slice(topN)) {
      otherTotal += s.total;
      for (let b = 0; b < nb; b++) {
        const v = s.values[b]!;
        if (v === v) {
          const cur = other[b]!;
          other[b] = cur === cur ? cur + v : v;
        }
      }
    }
    series.push({ key: OTHER_KEY, label: `Other (${groups.length - topN})`, total: otherTotal, values: other, other: true });
  }
  return { metric, breakdown: dim, buckets, series, total, groups: groups.length };
}

/**
 * Sum consecutive buckets in groups of `factor` (for bar charts wider than the canvas). The x of
 * a merged bucket is its first bucket; sums are preserved.
 */
export function rebucket(set: TimeSeriesSet, factor: number): TimeSeriesSet {
  const f = Math.max(1, Math.floor(factor));
  if (f === 1) return set;
  const nb = Math.ceil(set.buckets.length / f);
  const buckets = new Float64Array(nb);
  for (let b = 0; b < nb; b++) buckets[b] = set.buckets[b * f]!;
  const series = set.series.map((s) => {
    const values = new Float64Array(nb).fill(NaN);
    for (let b = 0; b < s.values.length; b++) {
      const v = s.values[b]!;
      if (v !== v) continue;
      const t = Math.floor(b / f);
      const cur = values[t]!;
      values[t] = cur === cur ? cur + v : v;
    }
    return { ...s, values };
  });
  return { ...set, buckets, series };
}

// ---- template funnel -------------------------------------------------------------------------

export interface FunnelRow {
  templateId: string;
  label: string;
  sent: number | null;
  delivered: number | null;
  read: number | null;
  clicked: number | null;
  cost: number | null;
}

const FUNNEL_METRICS = ['sent', 'delivered', 'read', 'clicked'] as const;

/** Per template: sent → delivered → read → clicked (null where the API gave none), by sent. */
export function templateFunnel(result: ColumnarResult, templateNames?: Record<string, string>): FunnelRow[] {
  const dim = result.dims.template_id;
  const slots = (dim?.values.length ?? 0) + 1;
  const costMetric = hasMetric(result, 'amount_spent') ? 'amount_spent' : 'cost';
  const metrics = [...FUNNEL_METRICS, costMetric];
  const sums = metrics.map(() => new Float64Array(slots));
  const present = metrics.map(() => new Uint8Array(slots));
  const seen = new Uint8Array(slots);
  for (let i = 0; i < result.length; i++) {
    const c = dim ? codeAt(dim.codes, i) : -1;
    const g = c >= 0 && c < slots - 1 ? c : slots - 1;
    seen[g] = 1;
    metrics.forEach((m, k) => {
      const v = valueAt(result.metrics[m], i);
      if (v === v) {
        sums[k]![g] += v;
        present[k]![g] = 1;
      }
    });
  }
  const rows: FunnelRow[] = [];
  for (let g = 0; g < slots; g++) {
    if (!seen[g]) continue;
    const id = g < slots - 1 ? dim!.values[g]! : '';
    const get = (k: number) => (present[k]![g] ? sums[k]![g]! : null);
    rows.push({
      templateId: id,
      label: id ? templateLabel(id, templateNames) : '(no template id)',
      sent: get(0),
      delivered: get(1),
      read: get(2),
      clicked: get(3),
      cost: get(4),
    });
  }
  rows.sort((a, b) => (b.sent ?? -1) - (a.sent ?? -1) || a.label.localeCompare(b.label));
  return rows;
}

export interface ButtonClickRow {
  templateId: string;
  template: string;
  buttonContent: string;
  type: string;
  count: number;
}

/** Clicks per (template, button content, type), summed over the points, most clicked first. */
export function buttonClicks(result: ColumnarResult, templateNames?: Record<string, string>): ButtonClickRow[] {
  const dim = result.dims.template_id;
  const map = new Map<string, ButtonClickRow>();
  for (const c of result.clicks ?? []) {
    const code = dim && c.point >= 0 && c.point < result.length ? codeAt(dim.codes, c.point) : -1;
    const id = code >= 0 ? (dim!.values[code] ?? '') : '';
    const key = JSON.stringify([id, c.button_content, c.type]);
    const row = map.get(key);
    if (row) row.count += c.count;
    else map.set(key, { templateId: id, template: id ? templateLabel(id, templateNames) : '(no template id)', buttonContent: c.button_content, type: c.type, count: c.count });
  }
  return [...map.values()].sort((a, b) => b.count - a.count || a.template.localeCompare(b.template) || a.buttonContent.localeCompare(b.buttonContent));
}

// ---- breakdown tables ------------------------------------------------------------------------

export interface BreakdownRow {
  key: string;
  label: string;
  /** Per metric asked for: the sum, or null when no point of this group had it. */
  values: Record<string, number | null>;
}
export interface Breakdown {
  dimension: string;
  title: string;
  metrics: string[];
  rows: BreakdownRow[];
}

/** Sums of `metrics` per value of `dimension` (points without it: "free" for tier, "(none)" otherwise). */
export function breakdownBy(result: ColumnarResult, dimension: string, metrics: string[], templateNames?: Record<string, string>): Breakdown {
  const dim = result.dims[dimension];
  const slots = (dim?.values.length ?? 0) + 1;
  const sums = metrics.map(() => new Float64Array(slots));
  const present = metrics.map(() => new Uint8Array(slots));
  const seen = new Uint8Array(slots);
  const cols = metrics.map((m) => result.metrics[m]);
  for (let i = 0; i < result.length; i++) {
    const c = dim ? codeAt(dim.codes, i) : -1;
    const g = c >= 0 && c < slots - 1 ? c : slots - 1;
    seen[g] = 1;
    for (let k = 0; k < metrics.length; k++) {
      const v = valueAt(cols[k], i);
      if (v === v) {
        sums[k]![g] += v;
        present[k]![g] = 1;
      }
    }
  }
  const rows: BreakdownRow[] = [];
  for (let g = 0; g < slots; g++) {
    if (!seen[g]) continue;
    const key = g < slots - 1 ? dim!.values[g]! : '';
    const values: Record<string, number | null> = {};
    metrics.forEach((m, k) => (values[m] = present[k]![g] ? sums[k]![g]! : null));
    rows.push({ key, label: valueLabel(dimension, g < slots - 1 ? key : undefined, templateNames), values });
  }
  const first = metrics[0];
  rows.sort((a, b) => (first ? (b.values[first] ?? -1) - (a.values[first] ?? -1) : 0) || a.label.localeCompare(b.label));
  return { dimension, title: `By ${dimensionLabel(dimension).toLowerCase()}`, metrics, rows };
}

const BREAKDOWN_DIMS: Partial<Record<Kind, string[]>> = {
  pricing: ['pricing_category', 'pricing_type', 'country', 'tier', 'phone_number'],
  conversation: ['conversation_category', 'conversation_type', 'conversation_direction', 'country', 'phone_number'],
};

/** The breakdown tables of a pricing or conversation result (cost first, then the volume). */
export function breakdowns(result: ColumnarResult, templateNames?: Record<string, string>): Breakdown[] {
  const dims = BREAKDOWN_DIMS[result.kind];
  if (!dims) return [];
  const volume = result.kind === 'pricing' ? 'volume' : 'conversation';
  const metrics = ['cost', volume].filter((m) => m in result.metrics);
  if (!metrics.length) return [];
  return dims.filter((d) => result.dims[d] && result.dims[d]!.values.length > 0).map((d) => breakdownBy(result, d, metrics, templateNames));
}

// ---- data table ------------------------------------------------------------------------------

export interface TableColumn {
  /** start, end, dim.<name>, metric.<name> */
  key: string;
  label: string;
  type: 'time' | 'dim' | 'metric';
  name: string;
}

export function tableColumns(result: ColumnarResult): TableColumn[] {
  const cols: TableColumn[] = [
    { key: 'start', label: 'Start', type: 'time', name: 'start' },
    { key: 'end', label: 'End', type: 'time', name: 'end' },
  ];
  for (const d of Object.keys(result.dims)) cols.push({ key: `dim.${d}`, label: dimensionLabel(d), type: 'dim', name: d });
  for (const m of Object.keys(result.metrics)) cols.push({ key: `metric.${m}`, label: metricLabel(m), type: 'metric', name: m });
  return cols;
}

export type SortDirection = 'asc' | 'desc';

/**
 * Point indices sorted by one column. Absent values (no dimension, no metric) go last in both
 * directions; ties keep the original order.
 */
export function sortRows(result: ColumnarResult, key: string, direction: SortDirection, templateNames?: Record<string, string>): Uint32Array {
  const n = result.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const sign = direction === 'asc' ? 1 : -1;
  const numeric = (col: NumberColumn | undefined) => {
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = valueAt(col, i);
    return vals;
  };
  let vals: Float64Array;
  if (key === 'start') vals = numeric(result.starts);
  else if (key === 'end') vals = numeric(result.ends);
  else if (key.startsWith('metric.')) vals = numeric(result.metrics[key.slice(7)]);
  else if (key.startsWith('dim.')) {
    const name = key.slice(4);
    const dim = result.dims[name];
    vals = new Float64Array(n).fill(NaN);
    if (dim) {
      // Rank each value by its label once, then sort by rank.
      const labels = dim.values.map((v, c) => ({ c, label: valueLabel(name, v, templateNames) }));
      labels.sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
      const rank = new Float64Array(dim.values.length);
      labels.forEach((l, r) => (rank[l.c] = r));
      for (let i = 0; i < n; i++) {
        const c = codeAt(dim.codes, i);
        if (c >= 0 && c < rank.length) vals[i] = rank[c]!;
      }
    }
  } else return idx;
  idx.sort((a, b) => {
    const va = vals[a]!;
    const vb = vals[b]!;
    const na = va !== va;
    const nb = vb !== vb;
    if (na || nb) return na && nb ? a - b : na ? 1 : -1;
    return va === vb ? a - b : (va - vb) * sign;
  });
  return idx;
}

/** The text of one cell. */
export function cellText(result: ColumnarResult, i: number, col: TableColumn, time: TimeFormatter, templateNames?: Record<string, string>, locale = 'en-US'): string {
  switch (col.type) {
    case 'time':
      return time.dateTime(valueAt(col.name === 'start' ? result.starts : result.ends, i));
    case 'dim': {
      const dim = result.dims[col.name];
      if (!dim) return '';
      const c = codeAt(dim.codes, i);
      return c >= 0 && c < dim.values.length ? valueLabel(col.name, dim.values[c], templateNames) : col.name === 'tier' ? 'free' : '';
    }
    case 'metric':
      return formatMetricValue(col.name, valueAt(result.metrics[col.name], i), result.currency, locale);
  }
}

/** Rows shown on one page (never the whole of a large result). */
export function pageRows(order: Uint32Array | null, length: number, page: number, size = TABLE_PAGE_SIZE): { rows: number[]; page: number; pages: number; from: number; to: number } {
  const pages = Math.max(1, Math.ceil(length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const from = p * size;
  const to = Math.min(length, from + size);
  const rows: number[] = [];
  for (let k = from; k < to; k++) rows.push(order ? order[k]! : k);
  return { rows, page: p, pages, from, to };
}

/** False when the query names metric types without COST (then a missing cost is expected). */
export function costAsked(query: Readonly<Record<string, unknown>> | undefined): boolean {
  const m = query?.["metricTypes"];
  if (!Array.isArray(m) || m.length === 0) return true;
  return m.some((x) => String(x).trim().toUpperCase() === 'COST');
}

// ---- warnings --------------------------------------------------------------------------------

export type WarningKind = 'cost' | 'engagement' | 'legacy' | 'partial' | 'unknown-value' | 'other';

export interface PanelWarning {
  kind: WarningKind;
  text: string;
}

export function classifyWarning(text: string): WarningKind {
  if (/^partial result/i.test(text) || /incomplete/i.test(text)) return 'partial';
  if (/^unknown /i.test(text) || /kept as is/i.test(text)) return 'unknown-value';
  if (/\b7 days\b|still grow/i.test(text)) return 'engagement';
  if (/per.message|conversation analytics is legacy|no conversation data/i.test(text)) return 'legacy';
  if (costWarning([text])) return 'cost';
  return 'other';
}

export const PARTIAL_NOTE = 'Partial result: some requests failed and the data shown is incomplete; run the query again to fetch the rest.';
export const ENGAGEMENT_NOTE = 'Reads and clicks stop counting 7 days after a send: figures for the last 7 days may still grow.';
export const LEGACY_NOTE =
  'No conversation data: conversation analytics is legacy on accounts billed per message (since 1 July 2025); use pricing analytics.';
export const COST_NOTE = 'Cost is not available for this query (the API returned none; accounts billed through a Solution Partner get no cost here).';

/**
 * Every warning of the result, plus what the panel can tell on its own (partial result, figures
 * still counting, no conversation data, no cost), each once.
 */
export function panelWarnings(
  result: ColumnarResult,
  context: Pick<PanelContext, 'partial'> | undefined,
  options: { now?: number; costAsked?: boolean } = {},
): PanelWarning[] {
  const now = options.now ?? Date.now();
  const out: PanelWarning[] = result.warnings.map((text) => ({ kind: classifyWarning(text), text }));
  const has = (k: WarningKind) => out.some((w) => w.kind === k);
  if (context?.partial && !has('partial')) out.push({ kind: 'partial', text: PARTIAL_NOTE });
  if (result.kind === 'template' && !has('engagement') && (hasMetric(result, 'read') || hasMetric(result, 'clicked'))) {
    let lastEnd = -Infinity;
    for (let i = 0; i < result.length; i++) {
      const e = valueAt(result.ends, i);
      if (e > lastEnd) lastEnd = e;
    }
    if (lastEnd > now - 7 * 86_400_000) out.push({ kind: 'engagement', text: ENGAGEMENT_NOTE });
  }
  if (result.kind === 'conversation' && result.length === 0 && !has('legacy')) out.push({ kind: 'legacy', text: LEGACY_NOTE });
  if ((result.kind === 'pricing' || result.kind === 'conversation') && result.length > 0 && options.costAsked !== false && !hasMetric(result, 'cost') && !has('cost')) {
    out.push({ kind: 'cost', text: COST_NOTE });
  }
  return out;
}
