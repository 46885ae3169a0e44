/**
 * What the panel shows, computed from a ColumnarResult: KPIs, time series, the template funnel,
 * breakdown tables and the data table. Pure functions, no DOM: tested in node.
 *
 * Absent values are NaN (typed arrays) or null (plain arrays after JSON); both mean "the API gave
 * none" and are never counted as 0. A metric absent in every point is "not available".
 */
import type { ColumnarResult, PanelContext } from '../src/protocol';
import type { Warning, WarningCode } from '../src/core/warnings';
import type { CLICK_TYPES } from '../src/core/vocabulary';
import * as vocabulary from '../src/core/vocabulary';

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

/** Metrics that are ratios: never summed across points or buckets. */
export const RATIO_METRICS = new Set(['cost_per_delivered', 'cost_per_url_button_click']);
/** Metrics that are money. */
export const MONEY_METRICS = new Set(['cost', 'amount_spent', 'cost_per_delivered', 'cost_per_url_button_click']);

/** A dimension's label ("Pricing category"), from the one vocabulary (src/core/vocabulary.ts). */
export function dimensionLabel(dim: string): string {
  return vocabulary.dimensionLabel(dim);
}
/** A measure's one name ("Messages", "Cost per delivered message"), from the one vocabulary. */
export function metricLabel(metric: string): string {
  return vocabulary.metricLabel(metric);
}

/** "Name (id)" when the template's name is known, else the id. */
export function templateLabel(id: string, templateNames: Record<string, string> | undefined): string {
  const name = templateNames?.[id];
  return name && name !== id ? `${name} (${id})` : id;
}

/**
 * The label of one dimension value ("Marketing", "0–750,000", a template's name); `undefined` is a
 * point without that dimension (a tier: "Free"). The API's value is `apiValue`'s, for a tooltip.
 */
export function valueLabel(dim: string, value: string | undefined, templateNames?: Record<string, string>): string {
  if (dim === 'template_id') return value === undefined ? '(none)' : templateLabel(value, templateNames);
  return vocabulary.valueLabel(dim, value);
}

/** The API's own spelling of a dimension value when its label differs (for a title tooltip); undefined otherwise. */
export function apiValueHint(dim: string, value: string | undefined): string | undefined {
  if (value === undefined || dim === 'template_id') return undefined;
  return vocabulary.valueLabel(dim, value) !== value ? `API value: ${value}` : undefined;
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
/** Significant digits of a cost per message (cost per delivered, per click, per conversation). */
export const UNIT_COST_SIGNIFICANT_DIGITS = 3;
/** Most decimals a cost per message is ever shown with. */
const MAX_UNIT_DECIMALS = 8;

const minorDigitsCache = new Map<string, number>();
/** Decimals of a currency's minor unit (USD 2, JPY 0, BHD 3), as Intl knows it; 2 when unknown or absent. */
export function currencyDigits(currency: string | undefined): number {
  if (!currency) return 2;
  let d = minorDigitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    minorDigitsCache.set(currency, d);
  }
  return d;
}

/** An amount with exactly `decimals` decimals: "$1,234.50", "¥1,235", "3.50 XYZW" (a code Intl does not know). */
function moneyText(v: number, currency: string | undefined, decimals: number, locale: string): string {
  const digits = { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  if (currency) {
    try {
      return numberFormat(locale, { style: 'currency', currency, ...digits }).format(v);
    } catch {
      // Not an ISO 4217 code Intl knows: the number followed by the code.
    }
    return `${numberFormat(locale, digits).format(v)} ${currency}`;
  }
  return numberFormat(locale, digits).format(v);
}

/** A total (cost, amount spent) in the currency's minor units: USD 2 decimals, JPY none. */
export function formatMoney(v: number | null, currency: string | undefined, locale = 'en-US'): string {
  if (v === null || Number.isNaN(v)) return NOT_AVAILABLE;
  return moneyText(v, currency, currencyDigits(currency), locale);
}

/**
 * Decimals that show every value of a column of costs per message with at least
 * UNIT_COST_SIGNIFICANT_DIGITS significant digits (never fewer than the currency's minor unit), so
 * that one column uses one number of decimals.
 */
export function unitCostDecimals(values: Iterable<number | null>, currency: string | undefined, significant = UNIT_COST_SIGNIFICANT_DIGITS): number {
  let smallest = Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || v === 0) continue;
    smallest = Math.min(smallest, Math.abs(v));
  }
  const minor = currencyDigits(currency);
  if (smallest === Infinity) return minor;
  const needed = significant - 1 - Math.floor(Math.log10(smallest));
  return Math.min(MAX_UNIT_DECIMALS, Math.max(minor, needed));
}

/** A cost per message: UNIT_COST_SIGNIFICANT_DIGITS significant digits, or `decimals` (a column's, from unitCostDecimals). */
export function formatUnitCost(v: number | null, currency: string | undefined, locale = 'en-US', decimals?: number): string {
  if (v === null || Number.isNaN(v)) return NOT_AVAILABLE;
  return moneyText(v, currency, decimals ?? unitCostDecimals([v], currency), locale);
}

export function formatMetricValue(metric: string, v: number, currency: string | undefined, locale = 'en-US'): string {
  if (Number.isNaN(v)) return '';
  if (DURATION_METRICS.has(metric)) return formatDuration(v, locale);
  if (RATIO_METRICS.has(metric)) return formatUnitCost(v, currency, locale);
  return MONEY_METRICS.has(metric) ? formatMoney(v, currency, locale) : formatCount(v, locale);
}

/** How a cell's content sits: numbers right (so digits line up), words left. */
export type Align = 'left' | 'right';

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

// ---- the current, incomplete period ----------------------------------------------------------

const HALF_HOUR_MS = 30 * 60_000;
const DAY_MS = 86_400_000;
/** Template reads and clicks keep counting this long after a send. */
export const STILL_COUNTING_MS = 7 * DAY_MS;

/** The instant of local midnight starting y-m-d in a timezone (m 1-based; d and m may overflow). */
function zonedMidnightMs(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (ms: number) => {
    const p = zonedParts(ms, timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(ms / 60_000) * 60_000;
  };
  const first = guess - offsetAt(guess);
  return guess - offsetAt(first);
}

/**
 * Where the calendar period starting at `start` ends: the next half hour, the next local midnight,
 * or the first of the next month (in the result's timezone; UTC when it is unknown).
 */
export function periodEnd(start: number, granularity: Granularity, timezone: string | undefined): number {
  if (granularity === 'HALF_HOUR') return start + HALF_HOUR_MS;
  let tz = timezone && timezone.trim() ? timezone.trim() : 'UTC';
  try {
    dateTimeFormat(tz);
  } catch {
    tz = 'UTC';
  }
  const p = zonedParts(start, tz);
  const y = Number(p.year);
  const m = Number(p.month);
  const d = Number(p.day);
  return granularity === 'MONTHLY' ? zonedMidnightMs(y, m + 1, 1, tz) : zonedMidnightMs(y, m, d + 1, tz);
}

/** Whether the period starting at `start` is still under way at `now` (today, this month, this half hour). */
export function isPartialPeriod(start: number, granularity: Granularity, timezone: string | undefined, now: number): boolean {
  return Number.isFinite(start) && start <= now && periodEnd(start, granularity, timezone) > now;
}

/** Per point of the result: 1 when its period is still under way at `now` (for the table's rows). */
export function partialPoints(result: ColumnarResult, now = Date.now()): Uint8Array {
  const out = new Uint8Array(result.length);
  const cache = new Map<number, boolean>();
  for (let i = 0; i < result.length; i++) {
    const s = valueAt(result.starts, i);
    let p = cache.get(s);
    if (p === undefined) {
      p = isPartialPeriod(s, result.granularity, result.timezone, now);
      cache.set(s, p);
    }
    if (p) out[i] = 1;
  }
  return out;
}

/** A note for a partial bucket or row, e.g. "Today so far: the day is not over". */
export function partialNote(granularity: Granularity): string {
  return granularity === 'MONTHLY' ? 'This month so far: the month is not over.' : granularity === 'DAILY' ? 'Today so far: the day is not over.' : 'This half hour so far: it is not over.';
}

/**
 * The window in which template reads and clicks may still grow (the last 7 days up to the end of
 * the data), for the chart to shade; null when the result has none of it (not a template result,
 * no read or clicked figures, or older than 7 days). With `metric`, only for read and clicked.
 */
export function stillCountingWindow(result: ColumnarResult, now = Date.now(), metric?: string): { from: number; to: number; label: string } | null {
  if (!FUNNEL_DIMENSION[result.kind]) return null;
  if (metric !== undefined && metric !== 'read' && metric !== 'clicked') return null;
  if (!hasMetric(result, 'read') && !hasMetric(result, 'clicked')) return null;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < result.length; i++) {
    const s = valueAt(result.starts, i);
    const e = valueAt(result.ends, i);
    if (s < first) first = s;
    if (e > last) last = e;
  }
  const from = Math.max(first, now - STILL_COUNTING_MS);
  if (!(last > from)) return null;
  return { from, to: last, label: 'Reads and clicks of the last 7 days may still grow' };
}

// ---- KPIs ------------------------------------------------------------------------------------

export interface Kpi {
  /** Stable id: sent, delivered, read, clicked, volume, conversation, cost, delivery_rate, read_rate, click_rate, cost_per_delivered, cost_per_message. */
  metric: string;
  label: string;
  /** null: not available. */
  value: number | null;
  format: 'count' | 'percent' | 'money' | 'duration';
  currency?: string;
  /** A tooltip (an assumption the figure rests on). */
  title?: string;
  /** Why it is not available, or how it was computed. */
  note?: string;
  /** For a rate: what it is a share of ("of sent", "of delivered", "of read"). */
  basis?: string;
}

/** What the panel knows about a template besides its name (a subset of the core's TemplateInfo). */
export interface TemplateFacts {
  id: string;
  name?: string;
  /** Click tracking of its URL buttons turned off: its clicks are no longer counted. */
  clickTrackingOptedOut?: boolean;
}

/** Why clicks are missing for some templates of a result: click tracking turned off for them. */
export interface ClickTrackingNote {
  templateIds: string[];
  text: string;
}

/** Templates of the result whose click tracking is off, and the sentence that says so; null when none. */
export function clickTrackingNote(result: ColumnarResult, templates: readonly TemplateFacts[] | undefined, templateNames?: Record<string, string>): ClickTrackingNote | null {
  if (result.kind !== 'template' || !templates?.length) return null;
  const inResult = new Set(result.dims.template_id?.values ?? []);
  const off = templates.filter((t) => t.clickTrackingOptedOut && inResult.has(t.id));
  if (!off.length) return null;
  const names = off.map((t) => t.name ?? templateNames?.[t.id] ?? t.id);
  const list = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return {
    templateIds: off.map((t) => t.id),
    text:
      off.length === 1
        ? `Click tracking is turned off for ${list}: its button clicks are not counted since then.`
        : `Click tracking is turned off for ${list}: their button clicks are not counted since then.`,
  };
}

/** What the "Clicked" figures count (every click on a URL or quick-reply button; unique URL clicks are not added). */
export const CLICKED_NOTE = 'every click on a URL or quick-reply button (not people)';

/** The warning that explains a missing cost (code `cost.unavailable`), if the host sent one. */
export function costWarning(warnings: readonly Warning[]): string | undefined {
  return warnings.find((w) => w.code === 'cost.unavailable')?.message;
}

function ratio(num: Total, den: Total, what: string): { value: number | null; note?: string } {
  if (!num.present || !den.present) return { value: null, note: `needs ${what}` };
  if (den.total === 0) return { value: null, note: 'nothing to divide by (0)' };
  return { value: num.total / den.total };
}

/** Why the cost is missing when no `cost.unavailable` warning says so. */
export const COST_REASON_DEFAULT = 'the API returned none for this query (accounts billed through a Solution Partner get no cost here)';

/** What a kind's card definitions are given: the result, totals by metric, and the card makers. */
export interface KpiKit {
  result: ColumnarResult;
  options: KpiOptions;
  t(metric: string): Total;
  count(metric: string, label: string, total: Total): Kpi;
  money(metric: string, label: string, total: Total): Kpi;
  rate(metric: string, label: string, num: Total, den: Total, what: string, basis: string): Kpi;
  /** A cost per unit; none at all when the cost is missing (the cost card says why, once). */
  perUnit(metric: string, label: string, cost: Total, den: Total, what: string): Kpi[];
}

export interface KpiOptions {
  costAsked?: boolean;
  templates?: readonly TemplateFacts[];
  templateNames?: Record<string, string>;
}

/** The unit of `average_duration` is not stated by Meta: seconds are assumed (docs/dialects.md), and the card says so. */
export const DURATION_ASSUMPTION = 'Meta does not state the unit of average_duration; seconds are assumed.';

/**
 * Metrics that are averages over a point (never summed): each is weighted by the metric named
 * (calls) when the result has it, else averaged plainly, and said so.
 */
export const AVERAGE_METRICS: Readonly<Record<string, string>> = { average_duration: 'count' };
/** Metrics that are durations in seconds (shown as "1 min 46 s"). */
export const DURATION_METRICS = new Set(['average_duration']);

/** The mean of an average metric over some points, weighted by their calls when the result has them. */
export function averageOf(result: ColumnarResult, metric: string, points?: Iterable<number>): { value: number | null; weighted: boolean } {
  const values = result.metrics[metric];
  const weights = AVERAGE_METRICS[metric] ? result.metrics[AVERAGE_METRICS[metric]!] : undefined;
  const weighted = !!weights && hasMetric(result, AVERAGE_METRICS[metric]!);
  let sum = 0;
  let n = 0;
  const each = (i: number) => {
    const v = valueAt(values, i);
    if (v !== v) return;
    const w = weighted ? valueAt(weights, i) : 1;
    if (!(w > 0)) return;
    sum += v * w;
    n += w;
  };
  if (points) for (const i of points) each(i);
  else for (let i = 0; i < result.length; i++) each(i);
  return { value: n > 0 ? sum / n : null, weighted };
}

/** The average duration card: weighted by calls (an average of averages would be wrong), as a duration, the unit assumption in its tooltip. */
function durationCard(k: KpiKit): Kpi {
  const { value, weighted } = averageOf(k.result, 'average_duration');
  const card: Kpi = { metric: 'average_duration', label: 'Average duration', value, format: 'duration', title: DURATION_ASSUMPTION };
  if (value === null) card.note = hasMetric(k.result, 'average_duration') ? 'no calls to average over' : 'not returned by the API';
  else card.note = weighted ? 'per call' : 'not weighted by calls (the count was not asked for)';
  return card;
}

/** The funnel and cost cards of template analytics, also those of template groups (per group). */
function funnelCards(k: KpiKit): Kpi[] {
  const sent = k.t('sent');
  const delivered = k.t('delivered');
  const read = k.t('read');
  const clicked = k.t('clicked');
  const costMetric = hasMetric(k.result, 'amount_spent') ? 'amount_spent' : 'cost';
  const cost = k.t(costMetric);
  const tracking = clickTrackingNote(k.result, k.options.templates, k.options.templateNames);
  const clickedCard = k.count('clicked', 'Clicked', clicked);
  if (clicked.present) clickedCard.note = tracking ? `${CLICKED_NOTE}. ${tracking.text}` : CLICKED_NOTE;
  else if (tracking) clickedCard.note = tracking.text;
  const clickRate = k.rate('click_rate', 'Click rate', clicked, read, 'read and clicked', 'of read');
  if (!clicked.present && tracking) clickRate.note = 'click tracking is turned off';
  return [
    k.count('sent', 'Sent', sent),
    k.count('delivered', 'Delivered', delivered),
    k.count('read', 'Read', read),
    clickedCard,
    k.rate('delivery_rate', 'Delivery rate', delivered, sent, 'sent and delivered', 'of sent'),
    k.rate('read_rate', 'Read rate', read, delivered, 'delivered and read', 'of delivered'),
    clickRate,
    k.money('cost', 'Cost (amount spent)', cost),
    ...k.perUnit('cost_per_delivered', 'Cost per delivered message', cost, delivered, 'delivered'),
  ];
}

/** The cards of each kind, in the order shown. */
export const KPI_CARDS: Readonly<Record<Kind, (k: KpiKit) => Kpi[]>> = {
  messaging: (k) => {
    const sent = k.t('sent');
    const delivered = k.t('delivered');
    return [k.count('sent', 'Sent', sent), k.count('delivered', 'Delivered', delivered), k.rate('delivery_rate', 'Delivery rate', delivered, sent, 'sent and delivered', 'of sent')];
  },
  conversation: (k) => [k.count('conversation', 'Conversations', k.t('conversation')), k.money('cost', 'Cost', k.t('cost'))],
  pricing: (k) => {
    const volume = k.t('volume');
    const cost = k.t('cost');
    return [k.count('volume', metricLabel('volume'), volume), k.money('cost', 'Cost', cost), ...k.perUnit('cost_per_message', 'Cost per message', cost, volume, 'volume')];
  },
  template: funnelCards,
  'template-groups': funnelCards,
  calls: (k) => {
    const calls = k.t('count');
    const cost = k.t('cost');
    return [k.count('count', metricLabel('count'), calls), k.money('cost', 'Cost', cost), ...k.perUnit('cost_per_call', 'Cost per call', cost, calls, 'calls'), durationCard(k)];
  },
  groups: (k) => {
    const joined = k.t('joined');
    const left = k.t('left');
    const net: Kpi =
      joined.present && left.present
        ? { metric: 'net_growth', label: 'Net growth', value: joined.total - left.total, format: 'count', basis: 'joined minus left', note: 'participants joined minus left' }
        : { metric: 'net_growth', label: 'Net growth', value: null, format: 'count', note: 'needs participants joined and left' };
    // One message sent to a group is delivered to (and read by) each member: delivered and read
    // count per participant and may exceed sent (Meta's own example: sent 100, delivered 250).
    const delivered = k.count('delivered', 'Delivered', k.t('delivered'));
    const read = k.count('read', 'Read', k.t('read'));
    for (const card of [delivered, read]) if (card.value !== null) card.note = 'per participant: can exceed sent';
    return [
      k.count('sent', 'Sent', k.t('sent')),
      delivered,
      read,
      k.count('joined', metricLabel('joined'), joined),
      k.count('left', metricLabel('left'), left),
      net,
    ];
  },
};

/**
 * The KPI cards of one result (each kind's from KPI_CARDS). Rates and unit costs are computed from
 * totals, never averaged; each rate is a share of the step before (delivered of sent, read of
 * delivered, clicked of read), as the funnel shows them. A missing cost is said once, on the cost
 * card, with its reason (the `cost.unavailable` warning's, by code); the cost-per-unit card is then
 * left out. With `templates`, a missing click count says when click tracking is turned off.
 */
export function computeKpis(result: ColumnarResult, options: KpiOptions = {}): Kpi[] {
  const currency = result.currency;
  const costReason = options.costAsked === false ? 'cost was not asked for (metric types)' : (costWarning(result.warnings) ?? COST_REASON_DEFAULT);
  const kit: KpiKit = {
    result,
    options,
    t: (m) => metricTotal(result, m),
    count: (metric, label, total) => (total.present ? { metric, label, value: total.total, format: 'count' } : { metric, label, value: null, format: 'count', note: 'not returned by the API' }),
    money: (metric, label, total) => {
      const k: Kpi = total.present ? { metric, label, value: total.total, format: 'money' } : { metric, label, value: null, format: 'money', note: costReason };
      if (currency) k.currency = currency;
      else if (total.present) k.note = 'currency unknown';
      return k;
    },
    rate: (metric, label, num, den, what, basis) => {
      const r = ratio(num, den, what);
      return { metric, label, value: r.value, format: 'percent', basis, ...(r.note ? { note: r.note } : {}) };
    },
    perUnit: (metric, label, cost, den, what) => {
      if (!cost.present) return [];
      const r = ratio(cost, den, what);
      const k: Kpi = { metric, label, value: r.value, format: 'money', ...(r.note ? { note: r.note } : {}) };
      if (currency) k.currency = currency;
      return [k];
    },
  };
  return KPI_CARDS[result.kind](kit);
}

/** A duration in seconds as people read it: "45 s", "1 min 46 s", "2 min", "1 h 5 min". */
export function formatDuration(seconds: number | null, locale = 'en-US'): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return NOT_AVAILABLE;
  const total = Math.round(seconds);
  if (total < 60) return `${formatCount(total, locale)} s`;
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return min ? `${formatCount(h, locale)} h ${min} min` : `${formatCount(h, locale)} h`;
  return s ? `${min} min ${s} s` : `${min} min`;
}

export function formatKpi(k: Kpi, locale = 'en-US'): string {
  if (k.value === null) return NOT_AVAILABLE;
  if (k.format === 'percent') return formatPercent(k.value, locale);
  if (k.format === 'duration') return formatDuration(k.value, locale);
  if (k.format === 'money') return k.metric.startsWith('cost_per_') ? formatUnitCost(k.value, k.currency, locale) : formatMoney(k.value, k.currency, locale);
  return formatCount(k.value, locale);
}

// ---- pickers ---------------------------------------------------------------------------------

/** Dimensions with at least one value, in the result's order. */
export function presentDimensions(result: ColumnarResult): string[] {
  return Object.keys(result.dims).filter((d) => result.dims[d]!.values.length > 0);
}

/** Metrics that can be charted (present, additive: not ratios, not averages such as the average call duration). */
export function chartableMetrics(result: ColumnarResult): string[] {
  return Object.keys(result.metrics).filter((m) => !RATIO_METRICS.has(m) && !(m in AVERAGE_METRICS) && hasMetric(result, m));
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
  calls: ['count', 'cost', 'average_duration'],
  'template-groups': ['sent', 'delivered', 'read', 'clicked', 'amount_spent'],
  groups: ['sent', 'delivered', 'read', 'joined', 'left'],
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
  /** Per bucket: 1 when its period is still under way (today, this month, this half hour): draw it dashed, not as a drop. */
  partial: Uint8Array;
  /** Template reads/clicks: the time range that may still grow (shade it); null otherwise. */
  stillCounting: { from: number; to: number; label: string } | null;
}

export interface TimeSeriesOptions {
  metric: string;
  breakdown?: string | null;
  topN?: number;
  templateNames?: Record<string, string>;
  /** The clock, for the partial period and the still-counting window (default Date.now()). */
  now?: number;
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
  const now = options.now ?? Date.now();
  const partial = new Uint8Array(nb);
  for (let b = 0; b < nb; b++) if (isPartialPeriod(buckets[b]!, result.granularity, result.timezone, now)) partial[b] = 1;
  const stillCounting = stillCountingWindow(result, now, metric);
  const empty: TimeSeriesSet = { metric, breakdown: dim, buckets, series: [], total: 0, groups: 0, partial, stillCounting };
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
  return { metric, breakdown: dim, buckets, series, total, groups: groups.length, partial, stillCounting };
}

/**
 * The sentences under the chart, only about what it shows: the timezone, the series summed into
 * "Other" (when some are), the period still under way (when there is one), the still-counting
 * window (when shaded).
 */
export function chartCaption(set: TimeSeriesSet, granularity: Granularity, time: Pick<TimeFormatter, 'timezone' | 'valid'>, partialMark = 'drawn dashed'): string {
  const out = [`Times in ${time.timezone}${time.valid ? '' : ' (the result\'s timezone is unknown here)'}.`];
  const other = set.series.find((x) => x.other);
  if (other) out.push(`The ${set.groups - set.series.length + 1} smallest of ${set.groups} are summed into “Other”.`);
  const partialAt = set.partial.indexOf(1);
  if (partialAt >= 0) {
    const what = granularity === 'MONTHLY' ? 'this month' : granularity === 'DAILY' ? 'today' : 'the current half hour';
    out.push(`The last ${granularity === 'MONTHLY' ? 'month' : granularity === 'DAILY' ? 'day' : 'half hour'} is ${what} so far (not over yet): ${partialMark}.`);
  }
  if (set.stillCounting) out.push(`Shaded: ${set.stillCounting.label.charAt(0).toLowerCase()}${set.stillCounting.label.slice(1)}.`);
  return out.join(' ');
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
  // A merged bucket holding a partial one is partial.
  const partial = new Uint8Array(nb);
  for (let b = 0; b < set.buckets.length; b++) if (set.partial?.[b]) partial[Math.floor(b / f)] = 1;
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
  return { ...set, buckets, series, partial };
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
  /** sent → delivered → read → clicked, each with its share of the step before (as FUNNEL_CAPTION says). */
  steps: FunnelStep[];
  /** Why this template has no clicks (click tracking turned off), when templates were given. */
  clicksNote?: string;
}

export type FunnelStepName = (typeof FUNNEL_METRICS)[number];

export interface FunnelStep {
  step: FunnelStepName;
  label: string;
  value: number | null;
  /** value / the step before's value; null for the first step, or when either is missing or the step before is 0. */
  share: number | null;
  /** What the share is of: "of sent", "of delivered", "of read"; '' for the first step. */
  of: string;
  /** value / sent (for a bar as long as the step), null when either is missing. */
  ofFirst: number | null;
  align: Align;
}

const STEP_LABELS: Record<FunnelStepName, string> = { sent: 'Sent', delivered: 'Delivered', read: 'Read', clicked: 'Clicked' };

/** The steps of a funnel, each as a share of the step before. */
export function funnelSteps(row: Pick<FunnelRow, FunnelStepName>): FunnelStep[] {
  const out: FunnelStep[] = [];
  FUNNEL_METRICS.forEach((step, k) => {
    const value = row[step];
    const prevName = k > 0 ? FUNNEL_METRICS[k - 1]! : null;
    const prev = prevName ? row[prevName] : null;
    const first = row.sent;
    out.push({
      step,
      label: STEP_LABELS[step],
      value,
      share: prevName && value !== null && prev !== null && prev > 0 ? value / prev : null,
      of: prevName ? `of ${prevName}` : '',
      ofFirst: value !== null && first !== null && first > 0 ? value / first : null,
      align: 'right',
    });
  });
  return out;
}

/** The kinds with a funnel, by what one row is: a template, or a template group (a campaign's templates as one unit). */
export const FUNNEL_DIMENSION: Readonly<Partial<Record<Kind, { dim: string; unit: string; column: string }>>> = {
  template: { dim: 'template_id', unit: 'template', column: 'Template' },
  'template-groups': { dim: 'template_group_id', unit: 'template group', column: 'Template group' },
};

/** The funnel table's columns for a kind (the first names what a row is). */
export function funnelColumns(kind: Kind): ReadonlyArray<{ key: string; label: string; align: Align }> {
  const column = FUNNEL_DIMENSION[kind]?.column;
  return column ? FUNNEL_COLUMNS.map((c) => (c.key === 'template' ? { ...c, label: column } : c)) : FUNNEL_COLUMNS;
}

/** The funnel's caption, naming only the steps there are: "Each step as a share of the step before: …". */
export function funnelCaption(rows: readonly Pick<FunnelRow, FunnelStepName>[], unit = 'template'): string {
  const has = (m: FunnelStepName) => rows.some((r) => r[m] !== null);
  const pairs: string[] = [];
  for (let k = 1; k < FUNNEL_METRICS.length; k++) {
    const a = FUNNEL_METRICS[k]!;
    const b = FUNNEL_METRICS[k - 1]!;
    if (has(a) && has(b)) pairs.push(`${a} of ${b}`);
  }
  const base = pairs.length ? `Per ${unit}: messages at each step, and each as a share of the step before (${pairs.join(', ')}).` : `Per ${unit}: messages at each step.`;
  return has('clicked') ? `${base} Clicked counts ${CLICKED_NOTE}.` : base;
}

/** The funnel table's columns (numbers align right). */
export const FUNNEL_COLUMNS: ReadonlyArray<{ key: string; label: string; align: Align }> = [
  { key: 'template', label: 'Template', align: 'left' },
  { key: 'sent', label: 'Sent', align: 'right' },
  { key: 'delivered', label: 'Delivered', align: 'right' },
  { key: 'read', label: 'Read', align: 'right' },
  { key: 'clicked', label: 'Clicked', align: 'right' },
  { key: 'cost', label: 'Cost', align: 'right' },
];

const FUNNEL_METRICS = ['sent', 'delivered', 'read', 'clicked'] as const;

/**
 * Per template: sent → delivered → read → clicked (null where the API gave none), by sent.
 * Clicked is the API's `clicked` (URL and quick-reply clicks; unique URL clicks are never added).
 */
export function templateFunnel(result: ColumnarResult, templateNames?: Record<string, string>, templates?: readonly TemplateFacts[]): FunnelRow[] {
  const trackingOff = new Set(clickTrackingNote(result, templates, templateNames)?.templateIds ?? []);
  const by = FUNNEL_DIMENSION[result.kind] ?? FUNNEL_DIMENSION.template!;
  const costMetric = hasMetric(result, 'amount_spent') ? 'amount_spent' : 'cost';
  const { dim, slots, seen, sum } = groupSums(result, by.dim, [...FUNNEL_METRICS, costMetric]);
  const rows: FunnelRow[] = [];
  for (let g = 0; g < slots; g++) {
    if (!seen[g]) continue;
    const id = g < slots - 1 ? dim!.values[g]! : '';
    const get = (k: number) => sum(k, g);
    const counts = { sent: get(0), delivered: get(1), read: get(2), clicked: get(3) };
    const row: FunnelRow = {
      templateId: id,
      label: id ? templateLabel(id, templateNames) : `(no ${by.unit} id)`,
      ...counts,
      cost: get(4),
      steps: funnelSteps(counts),
    };
    if (trackingOff.has(id)) row.clicksNote = 'Click tracking is turned off for this template: its button clicks are not counted since then.';
    rows.push(row);
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
  const by = FUNNEL_DIMENSION[result.kind] ?? FUNNEL_DIMENSION.template!;
  const dim = result.dims[by.dim];
  const map = new Map<string, ButtonClickRow>();
  for (const c of result.clicks ?? []) {
    const code = dim && c.point >= 0 && c.point < result.length ? codeAt(dim.codes, c.point) : -1;
    const id = code >= 0 ? (dim!.values[code] ?? '') : '';
    const key = JSON.stringify([id, c.button_content, c.type]);
    const row = map.get(key);
    if (row) row.count += c.count;
    else map.set(key, { templateId: id, template: id ? templateLabel(id, templateNames) : `(no ${by.unit} id)`, buttonContent: c.button_content, type: c.type, count: c.count });
  }
  return [...map.values()].sort((a, b) => b.count - a.count || a.template.localeCompare(b.template) || a.buttonContent.localeCompare(b.buttonContent));
}

/** Labels of the click types (`clicked[].type`) the API names. */
const CLICK_TYPE_LABELS: Record<(typeof CLICK_TYPES)[number], string> = {
  url_button: 'URL button',
  unique_url_button: 'URL button',
  quick_reply_button: 'Quick reply button',
};

/** One button of one template: its clicks, and for a URL button the distinct people who clicked. */
export interface ButtonClickSummary {
  templateId: string;
  template: string;
  buttonContent: string;
  /** "URL button", "Quick reply button", or the API's type when unknown. */
  typeLabel: string;
  /** The API's type of the clicks (url_button, quick_reply_button, ...). */
  type: string;
  /** Every click (url_button / quick_reply_button); null when the API gave only unique clicks. */
  clicks: number | null;
  /** Distinct people who clicked (unique_url_button; URL buttons only); null when not given. */
  uniqueClicks: number | null;
}

/** What the clicks table's two figures are (never added together). */
export const BUTTON_CLICKS_CAPTION =
  'Clicks: every click on the button. Unique clicks (URL buttons only): the number of different people who clicked; part of the clicks, not added to them.';

/** Clicks per (template, button): total and unique side by side, one row per button, most clicked first. */
export function buttonClickSummary(result: ColumnarResult, templateNames?: Record<string, string>): ButtonClickSummary[] {
  const map = new Map<string, ButtonClickSummary>();
  for (const row of buttonClicks(result, templateNames)) {
    const unique = row.type.startsWith('unique_');
    const baseType = unique ? row.type.slice('unique_'.length) : row.type;
    const key = JSON.stringify([row.templateId, row.buttonContent, baseType]);
    let s = map.get(key);
    if (!s) {
      s = {
        templateId: row.templateId,
        template: row.template,
        buttonContent: row.buttonContent,
        type: baseType,
        typeLabel: CLICK_TYPE_LABELS[row.type as keyof typeof CLICK_TYPE_LABELS] ?? row.type,
        clicks: null,
        uniqueClicks: null,
      };
      map.set(key, s);
    }
    if (unique) s.uniqueClicks = (s.uniqueClicks ?? 0) + row.count;
    else s.clicks = (s.clicks ?? 0) + row.count;
  }
  return [...map.values()].sort((a, b) => (b.clicks ?? b.uniqueClicks ?? 0) - (a.clicks ?? a.uniqueClicks ?? 0) || a.template.localeCompare(b.template) || a.buttonContent.localeCompare(b.buttonContent));
}

/** The clicks table's columns. */
export const BUTTON_CLICK_COLUMNS: ReadonlyArray<{ key: keyof ButtonClickSummary; label: string; align: Align }> = [
  { key: 'template', label: 'Template', align: 'left' },
  { key: 'buttonContent', label: 'Button', align: 'left' },
  { key: 'typeLabel', label: 'Type', align: 'left' },
  { key: 'clicks', label: 'Clicks', align: 'right' },
  { key: 'uniqueClicks', label: 'Unique clicks (people)', align: 'right' },
];

// ---- breakdown tables ------------------------------------------------------------------------

export interface BreakdownRow {
  key: string;
  label: string;
  /** Per metric asked for: the sum, or null when no point of this group had it. */
  values: Record<string, number | null>;
  /** Cost per message (or conversation) of this row, when the breakdown has `unit`. */
  unitCost?: number | null;
}
export interface Breakdown {
  dimension: string;
  title: string;
  metrics: string[];
  rows: BreakdownRow[];
  /** The table's columns: the dimension's label (left), then each metric and the unit cost (right). */
  columns: Array<{ key: string; label: string; align: Align }>;
  /** The cost-per-unit column: its label and the one number of decimals of the whole column. */
  unit?: { label: string; decimals: number };
}

/** A column's heading for a metric: "Cost (USD)" for money with a known currency. */
export function metricColumnLabel(metric: string, currency: string | undefined): string {
  // A duration column shows "1 min 46 s", so its label drops the "(s)" that the CSV header keeps.
  if (DURATION_METRICS.has(metric)) return metricLabel(metric).replace(/ \(s\)$/, '');
  return MONEY_METRICS.has(metric) && currency ? `${metricLabel(metric)} (${currency})` : metricLabel(metric);
}

/**
 * The one group-and-sum pass of the panel's tables: `metrics` summed per value of `dimension`,
 * rows without the dimension in the last slot. `sum(k, g)` is null where no row of group `g` had
 * metric `k` (never a made-up zero); `seen[g]` marks the groups that have rows.
 */
function groupSums(result: ColumnarResult, dimension: string, metrics: readonly string[]) {
  const dim = result.dims[dimension];
  const slots = (dim?.values.length ?? 0) + 1;
  const sums = metrics.map(() => new Float64Array(slots));
  const present = metrics.map(() => new Uint8Array(slots));
  const seen = new Uint8Array(slots);
  const cols = metrics.map((m) => result.metrics[m]);
  const groupOf = (i: number) => {
    const c = dim ? codeAt(dim.codes, i) : -1;
    return c >= 0 && c < slots - 1 ? c : slots - 1;
  };
  for (let i = 0; i < result.length; i++) {
    const g = groupOf(i);
    seen[g] = 1;
    for (let k = 0; k < metrics.length; k++) {
      const v = valueAt(cols[k], i);
      if (v === v) {
        sums[k]![g] += v;
        present[k]![g] = 1;
      }
    }
  }
  return { dim, slots, seen, groupOf, sum: (k: number, g: number): number | null => (present[k]![g] ? sums[k]![g]! : null) };
}

/** Sums of `metrics` per value of `dimension` (points without it: "free" for tier, "(none)" otherwise). */
export function breakdownBy(result: ColumnarResult, dimension: string, metrics: string[], templateNames?: Record<string, string>): Breakdown {
  const { dim, slots, seen, sum, groupOf } = groupSums(result, dimension, metrics);
  // Averages (the average call duration) are weighted per row, never summed.
  const members = metrics.some((m) => m in AVERAGE_METRICS) ? Array.from({ length: slots }, () => [] as number[]) : null;
  if (members) for (let i = 0; i < result.length; i++) members[groupOf(i)]!.push(i);
  const rows: BreakdownRow[] = [];
  for (let g = 0; g < slots; g++) {
    if (!seen[g]) continue;
    const key = g < slots - 1 ? dim!.values[g]! : '';
    const values: Record<string, number | null> = {};
    metrics.forEach((m, k) => (values[m] = m in AVERAGE_METRICS ? averageOf(result, m, members![g]).value : sum(k, g)));
    rows.push({ key, label: valueLabel(dimension, g < slots - 1 ? key : undefined, templateNames), values });
  }
  const first = metrics[0];
  rows.sort((a, b) => (first ? (b.values[first] ?? -1) - (a.values[first] ?? -1) : 0) || a.label.localeCompare(b.label));
  const columns: Breakdown['columns'] = [
    { key: 'label', label: dimensionLabel(dimension), align: 'left' },
    ...metrics.map((m) => ({ key: m, label: DURATION_METRICS.has(m) ? 'Average duration' : metricColumnLabel(m, result.currency), align: 'right' as const })),
  ];
  // "By call direction", but "By WhatsApp group" (a word with capitals inside keeps them).
  const label = dimensionLabel(dimension);
  return { dimension, title: `By ${/^[A-Z][a-z]+(\s|$)/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label}`, metrics, rows, columns };
}

/** Add the cost per unit (message or conversation) to a breakdown with `cost` and `per`: one value per row, one number of decimals. */
function withUnitCost(b: Breakdown, per: string, label: string, currency: string | undefined): Breakdown {
  if (!b.metrics.includes('cost') || !b.metrics.includes(per)) return b;
  if (!b.rows.some((r) => r.values.cost !== null)) return b; // no cost at all: the cost card says why, once
  for (const r of b.rows) {
    const c = r.values.cost;
    const v = r.values[per];
    r.unitCost = c !== null && c !== undefined && v ? c / v : null;
  }
  const decimals = unitCostDecimals(
    b.rows.map((r) => r.unitCost ?? null),
    currency,
  );
  return { ...b, columns: [...b.columns, { key: 'unitCost', label: currency ? `${label} (${currency})` : label, align: 'right' }], unit: { label, decimals } };
}

/** The breakdown tables of each kind: by which dimensions, which metrics (the first sorts the rows), and the cost per what. */
export const BREAKDOWN_SPECS: Readonly<Partial<Record<Kind, { dims: string[]; metrics: string[]; unit?: { per: string; label: string }; several?: boolean }>>> = {
  pricing: { dims: ['pricing_category', 'pricing_type', 'country', 'tier', 'phone_number'], metrics: ['cost', 'volume'], unit: { per: 'volume', label: 'Cost per message' } },
  conversation: { dims: ['conversation_category', 'conversation_type', 'conversation_direction', 'country', 'phone_number'], metrics: ['cost', 'conversation'], unit: { per: 'conversation', label: 'Cost per conversation' } },
  calls: { dims: ['direction', 'country', 'phone_number', 'tier'], metrics: ['count', 'cost', 'average_duration'], unit: { per: 'count', label: 'Cost per call' } },
  // Per WhatsApp group only when several were asked for (one would repeat the cards).
  groups: { dims: ['group_id'], metrics: ['sent', 'delivered', 'read', 'joined', 'left'], several: true },
};

/** The breakdown tables of a result (pricing and conversation: cost first, then the volume; calls: by direction, country, phone, tier). */
export function breakdowns(result: ColumnarResult, templateNames?: Record<string, string>): Breakdown[] {
  const spec = BREAKDOWN_SPECS[result.kind];
  if (!spec) return [];
  const metrics = spec.metrics.filter((m) => m in result.metrics);
  if (!metrics.length) return [];
  return spec.dims
    .filter((d) => result.dims[d] && result.dims[d]!.values.length > (spec.several ? 1 : 0))
    .map((d) => {
      const b = breakdownBy(result, d, metrics, templateNames);
      return spec.unit ? withUnitCost(b, spec.unit.per, spec.unit.label, result.currency) : b;
    });
}

/** The text of a breakdown cell (`key` as in its columns): counts, money in minor units, unit costs with the column's decimals. */
export function breakdownCellText(b: Breakdown, row: BreakdownRow, key: string, currency: string | undefined, locale = 'en-US'): string {
  if (key === 'label') return row.label;
  if (key === 'unitCost') return formatUnitCost(row.unitCost ?? null, currency, locale, b.unit?.decimals);
  const v = row.values[key] ?? null;
  if (DURATION_METRICS.has(key)) return formatDuration(v, locale);
  return MONEY_METRICS.has(key) ? formatMoney(v, currency, locale) : formatCount(v, locale);
}

// ---- data table ------------------------------------------------------------------------------

export interface TableColumn {
  /** start, end, dim.<name>, metric.<name> */
  key: string;
  label: string;
  type: 'time' | 'dim' | 'metric';
  name: string;
  /** Numbers right, words and times left. */
  align: Align;
}

export function tableColumns(result: ColumnarResult): TableColumn[] {
  const cols: TableColumn[] = [
    { key: 'start', label: 'Start', type: 'time', name: 'start', align: 'left' },
    { key: 'end', label: 'End', type: 'time', name: 'end', align: 'left' },
  ];
  for (const d of Object.keys(result.dims)) cols.push({ key: `dim.${d}`, label: dimensionLabel(d), type: 'dim', name: d, align: 'left' });
  for (const m of Object.keys(result.metrics)) cols.push({ key: `metric.${m}`, label: metricColumnLabel(m, result.currency), type: 'metric', name: m, align: 'right' });
  return cols;
}

const unitDecimalsCache = new WeakMap<ColumnarResult, Map<string, number>>();
/** The one number of decimals of a column of costs per message (cost_per_delivered, ...) in the data table. */
export function columnUnitDecimals(result: ColumnarResult, metric: string): number {
  let m = unitDecimalsCache.get(result);
  if (!m) {
    m = new Map();
    unitDecimalsCache.set(result, m);
  }
  let d = m.get(metric);
  if (d === undefined) {
    const col = result.metrics[metric];
    const values: number[] = [];
    for (let i = 0; i < result.length; i++) values.push(valueAt(col, i));
    d = unitCostDecimals(values, result.currency);
    m.set(metric, d);
  }
  return d;
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
      return c >= 0 && c < dim.values.length ? valueLabel(col.name, dim.values[c], templateNames) : col.name === 'tier' ? valueLabel('tier', undefined) : '';
    }
    case 'metric': {
      const v = valueAt(result.metrics[col.name], i);
      if (RATIO_METRICS.has(col.name)) return Number.isNaN(v) ? '' : formatUnitCost(v, result.currency, locale, columnUnitDecimals(result, col.name));
      return formatMetricValue(col.name, v, result.currency, locale);
    }
  }
}

/** The tooltip of a dimension cell: the API's value when the label differs from it. */
export function cellHint(result: ColumnarResult, i: number, col: TableColumn): string | undefined {
  if (col.type !== 'dim') return undefined;
  const dim = result.dims[col.name];
  if (!dim) return undefined;
  const c = codeAt(dim.codes, i);
  return c >= 0 && c < dim.values.length ? apiValueHint(col.name, dim.values[c]) : undefined;
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
  code: WarningCode;
  text: string;
}

/** How the panel shows each code (its icon and place); a code not named here shows as 'other'. */
const KIND_OF_CODE: Partial<Record<WarningCode, WarningKind>> = {
  'result.partial': 'partial',
  'value.unknown': 'unknown-value',
  'engagement.still-counting': 'engagement',
  'conversation.legacy': 'legacy',
  'cost.unavailable': 'cost',
};

/** The panel's kind of a warning, from its code (never from its words). */
export function classifyWarning(w: Pick<Warning, 'code'>): WarningKind {
  return KIND_OF_CODE[w.code] ?? 'other';
}

export const PARTIAL_NOTE = 'Partial result: some requests failed and the data shown is incomplete; run the query again to fetch the rest.';
export const ENGAGEMENT_NOTE = 'Reads and clicks stop counting 7 days after a send: figures for the last 7 days may still grow.';
export const LEGACY_NOTE =
  'No conversation data: conversation analytics is legacy on accounts billed per message (since 1 July 2025); use pricing analytics.';
export const COST_NOTE = 'Cost is not available for this query (the API returned none; accounts billed through a Solution Partner get no cost here).';

/**
 * Every warning of the result, plus what the panel can tell on its own (partial result, figures
 * still counting, no conversation data), each once. "Cost not available" is said once: on the
 * cost card (computeKpis, with the `cost.unavailable` warning's reason) when the result has one
 * and its cost is missing, so such warnings are left out here; otherwise once here.
 */
export function panelWarnings(
  result: ColumnarResult,
  context: Pick<PanelContext, 'partial'> | undefined,
  options: { now?: number; costAsked?: boolean } = {},
): PanelWarning[] {
  const now = options.now ?? Date.now();
  const costCard = result.kind !== 'messaging' && !hasMetric(result, 'cost') && !hasMetric(result, 'amount_spent');
  const out: PanelWarning[] = [];
  for (const w of result.warnings) {
    const kind = classifyWarning(w);
    if (kind === 'cost' && (costCard || out.some((x) => x.kind === 'cost'))) continue;
    out.push({ kind, code: w.code, text: w.message });
  }
  const has = (k: WarningKind) => out.some((w) => w.kind === k);
  if (context?.partial && !has('partial')) out.push({ kind: 'partial', code: 'result.partial', text: PARTIAL_NOTE });
  if (result.kind === 'template' && !has('engagement') && (hasMetric(result, 'read') || hasMetric(result, 'clicked'))) {
    let lastEnd = -Infinity;
    for (let i = 0; i < result.length; i++) {
      const e = valueAt(result.ends, i);
      if (e > lastEnd) lastEnd = e;
    }
    if (lastEnd > now - 7 * 86_400_000) out.push({ kind: 'engagement', code: 'engagement.still-counting', text: ENGAGEMENT_NOTE });
  }
  if (result.kind === 'conversation' && result.length === 0 && !has('legacy')) out.push({ kind: 'legacy', code: 'conversation.legacy', text: LEGACY_NOTE });
  return out;
}

// ---- colours ---------------------------------------------------------------------------------

/** The theme's chart colours, in the order series take them (CSS variables of the webview). */
export const CHART_COLOR_VARIABLES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-purple', '--vscode-charts-yellow'] as const;

/** VS Code's default chart colours (in CHART_COLOR_VARIABLES order) and editor background, for tests and as a fallback. */
export const DEFAULT_CHART_THEMES = {
  light: { colors: ['#1a85ff', '#d18616', '#388a34', '#e51400', '#652d90', '#bf8803'], background: '#ffffff' },
  dark: { colors: ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#cca700'], background: '#1f1f1f' },
} as const;

/** Two series colours at least this far apart (CIE76 ΔE) are told apart at a glance. */
export const MIN_SERIES_DELTA_E = 20;
/** A series colour at least this far from the background. */
const MIN_BACKGROUND_DELTA_E = 30;

type Rgb = [number, number, number];
type Lab = [number, number, number];

/** A CSS colour (#rgb, #rrggbb, #rrggbbaa, rgb()/rgba()) as 0-255 channels; null when not one of these. */
export function parseColor(text: string | undefined): Rgb | null {
  if (!text) return null;
  const t = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4})$/.exec(t);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1]![i]! + m![1]![i]!, 16)) as Rgb;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(t);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1]!.slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(t);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])].map((v) => Math.max(0, Math.min(255, v))) as Rgb;
  return null;
}

function toLinear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}
function fromLinear(v: number): number {
  const c = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(Math.max(0, Math.min(1, c)) * 255);
}
const WHITE = [0.95047, 1, 1.08883] as const;
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
const labFInv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));

/** sRGB (0-255) to CIE L*a*b* (D65). */
export function rgbToLab([r, g, b]: Rgb): Lab {
  const R = toLinear(r);
  const G = toLinear(g);
  const B = toLinear(b);
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / WHITE[0];
  const y = (0.2126 * R + 0.7152 * G + 0.0722 * B) / WHITE[1];
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / WHITE[2];
  const fx = labF(x);
  const fy = labF(y);
  const fz = labF(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function labToRgb([L, a, b]: Lab): Rgb {
  const fy = (L + 16) / 116;
  const x = labFInv(fy + a / 500) * WHITE[0];
  const y = labFInv(fy) * WHITE[1];
  const z = labFInv(fy - b / 200) * WHITE[2];
  return [fromLinear(3.2406 * x - 1.5372 * y - 0.4986 * z), fromLinear(-0.9689 * x + 1.8758 * y + 0.0415 * z), fromLinear(0.0557 * x - 0.204 * y + 1.057 * z)];
}

/** CIE76 colour difference of two CSS colours (Infinity when either does not parse). */
export function deltaE(a: string, b: string): number {
  const x = parseColor(a);
  const y = parseColor(b);
  if (!x || !y) return Infinity;
  return labDistance(rgbToLab(x), rgbToLab(y));
}
function labDistance(p: Lab, q: Lab): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * `count` series colours, pairwise at least MIN_SERIES_DELTA_E apart (CIE76) when the colour space
 * allows: the theme's chart colours first (a theme colour too close to one already taken, e.g. a
 * yellow next to an orange, is skipped), then lighter, darker and hue-shifted variations of them and
 * of a spread of hues, always the one farthest from every colour taken and from the background.
 */
export function seriesPalette(count: number, theme: { colors: readonly string[]; background?: string }): string[] {
  const bg = parseColor(theme.background);
  const bgLab = bg ? rgbToLab(bg) : null;
  const dark = bgLab ? bgLab[0] < 50 : false;
  const chosen: Array<{ hex: string; lab: Lab }> = [];
  const distance = (lab: Lab) => Math.min(...chosen.map((c) => labDistance(c.lab, lab)));
  const farFromBackground = (lab: Lab) => !bgLab || labDistance(lab, bgLab) >= MIN_BACKGROUND_DELTA_E;
  const bases: Lab[] = [];
  for (const c of theme.colors) {
    const rgb = parseColor(c);
    if (!rgb) continue;
    const lab = rgbToLab(rgb);
    bases.push(lab);
    if (chosen.length < count && farFromBackground(lab) && (chosen.length === 0 || distance(lab) >= MIN_SERIES_DELTA_E)) chosen.push({ hex: hex(rgb), lab });
  }
  if (chosen.length >= count) return chosen.slice(0, count).map((c) => c.hex);
  // Variations: the theme colours lighter and darker, and an even spread of hues at readable lightness.
  const candidates: Lab[] = [];
  const add = (lab: Lab) => {
    const rgb = labToRgb(lab);
    const real = rgbToLab(rgb); // back from the gamut
    if (farFromBackground(real)) candidates.push(real);
  };
  for (const [L, a, b] of bases) for (const dL of [-30, -18, 18, 30]) add([Math.max(10, Math.min(95, L + dL)), a, b]);
  const lightness = dark ? [50, 65, 80] : [35, 50, 65];
  for (const L of lightness) for (const C of [35, 60]) for (let h = 0; h < 360; h += 20) add([L, C * Math.cos((h * Math.PI) / 180), C * Math.sin((h * Math.PI) / 180)]);
  while (chosen.length < count && candidates.length) {
    let best = -1;
    let bestD = -Infinity;
    candidates.forEach((lab, i) => {
      const d = chosen.length ? distance(lab) : Infinity;
      if (d > bestD) {
        bestD = d;
        best = i;
      }
    });
    const lab = candidates.splice(best, 1)[0]!;
    chosen.push({ hex: hex(labToRgb(lab)), lab });
  }
  return chosen.map((c) => c.hex);
}
