/**
 * The sandbox's value engine. Every metric is defined per half-hour slot by a fast integer hash of
 * (seed, WABA, combination, slot) shaped by a daily/weekly rhythm, so any coarser bucket is the
 * exact sum of its half-hours and any range split into windows sums to the same totals.
 * Costs are kept in ten-thousandths (integers) so that sums stay exact.
 */

export const SLOT_MS = 30 * 60_000;
export const DAY_MS = 24 * 60 * 60_000;
/** Data exists from this many days before today (UTC) up to the last complete half-hour. */
export const HISTORY_DAYS = 400;

export type SandboxGranularity = 'HALF_HOUR' | 'DAILY' | 'MONTHLY';

// ---------------------------------------------------------------------------------------------
// Hashing

/** Mix two 32-bit integers into one well-spread unsigned 32-bit integer. */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/** FNV-1a of a string, mixed with a seed. */
export function hashString(text: string, seed = 0): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h >>> 0, seed);
}

/** A small deterministic PRNG (mulberry32), uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Rhythm: 336 half-hours of a week, index 0 = Sunday 00:00 local time.

const RHYTHM = new Float64Array(336);
for (let i = 0; i < 336; i++) {
  const dow = Math.floor(i / 48);
  const hour = (i % 48) / 2;
  const day = hour >= 7 && hour <= 22 ? 0.12 + 0.88 * Math.sin((Math.PI * (hour - 7)) / 15) : 0.12;
  RHYTHM[i] = day * (dow === 0 || dow === 6 ? 0.55 : 1);
}
/** Slot 0 (1970-01-01 00:00 UTC) was a Thursday. */
const EPOCH_WEEK_OFFSET = 4 * 48;

// ---------------------------------------------------------------------------------------------
// Combinations

/** One base combination of dimension values on one WABA for one kind of analytics. */
export interface Combo {
  /** Point keys (phone_number, country, pricing_category, ...) to values. */
  dims: Record<string, string>;
  key: number;
  /** Mean messages per half-hour at the busiest hour. */
  weight: number;
  /** Cost per message in ten-thousandths of the WABA currency (0 when free). */
  rate4: number;
  /** Offset of the WABA's local time from UTC, in half-hours (for the rhythm). */
  tzSlots: number;
  /** The slots [activeFrom, activeTo) in which the combination has messages (absent: always); e.g. a billing change ends one and starts another. */
  activeFrom?: number;
  activeTo?: number;
  /**
   * A share of a monthly free tier: the combination counts the messages of flow `index` of the
   * tier that fall inside the free allowance (`inside`) or beyond it (`beyond`). Both shares use
   * the flow's key and weight, so together they are exactly the flow's messages.
   */
  freeTier?: { tier: FreeTier; part: 'inside' | 'beyond'; index: number };
}

/**
 * A free allowance per UTC calendar month from `fromSlot` on (e.g. 1,000 service messages per
 * phone number per month): the first `limit` messages of the flows, taken slot by slot in flow
 * order, are free; the rest are charged. Before `fromSlot` every message is inside.
 */
export interface FreeTier {
  fromSlot: number;
  limit: number;
  /** The flows sharing the allowance (their key, weight and tzSlots give their messages). */
  flows: Array<Pick<Combo, 'key' | 'weight' | 'tzSlots'>>;
  /** Per month's first slot: the slot where the allowance runs out and what is left of it there. */
  cache?: Map<number, { slot: number; left: number }>;
}

/** Whether a combination has messages at some slot of [from, to). */
export function activeIn(c: Combo, from: number, to: number): boolean {
  return (c.activeFrom === undefined || c.activeFrom < to) && (c.activeTo === undefined || c.activeTo > from);
}

export type SeriesKind = 'messaging' | 'conversation' | 'pricing';

/** Metric names filled by a slot function, in accumulator order. */
export const SERIES_METRICS: Record<SeriesKind, readonly string[]> = {
  messaging: ['sent', 'delivered'],
  conversation: ['conversation', 'cost4'],
  pricing: ['volume', 'cost4'],
};

export type SlotFn = (c: Combo, slot: number, acc: Float64Array) => void;

function base(c: Pick<Combo, 'weight' | 'tzSlots'>, slot: number, h: number): number {
  return Math.floor(c.weight * RHYTHM[(slot + c.tzSlots + EPOCH_WEEK_OFFSET) % 336]! * (0.5 + (h & 0xffff) / 65536));
}

/**
 * `x` rounded down or up at random (by the hash `h`), so that the mean is `x` itself: counts per
 * half-hour are small, and flooring them would bias every ratio down (1 sent, 0.93 delivered -> 0).
 */
function roundAt(x: number, h: number): number {
  return Math.floor(x + (h >>> 0) / 4294967296);
}

/** A healthy account: 2-10% of the sends are not delivered (the demo's delivery rate is in the 90s). */
function deliveredOf(sent: number, h: number): number {
  return sent - roundAt(sent * (0.02 + 0.08 * ((h >>> 16) / 65536)), mix(h, 0xde11));
}

const messagingSlot: SlotFn = (c, slot, acc) => {
  const h = mix(c.key, slot);
  const sent = base(c, slot, h);
  acc[0] += sent;
  acc[1] += deliveredOf(sent, h);
};

const volumeSlot: SlotFn = (c, slot, acc) => {
  if ((c.activeFrom !== undefined && slot < c.activeFrom) || (c.activeTo !== undefined && slot >= c.activeTo)) return;
  let v = base(c, slot, mix(c.key, slot));
  if (c.freeTier && v > 0) v = tierShare(c.freeTier, slot, v);
  acc[0] += v;
  acc[1] += v * c.rate4;
};

/** The UTC month holding a slot: [first slot, first slot of the next month). */
function monthSlots(slot: number): [number, number] {
  const d = new Date(slot * SLOT_MS);
  return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / SLOT_MS, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / SLOT_MS];
}

/** Where a month's free allowance runs out: the slot, and how much of the allowance is left at its start. */
function allowanceEnd(tier: FreeTier, slot: number): { slot: number; left: number } {
  const [m0, m1] = monthSlots(slot);
  const from = Math.max(m0, tier.fromSlot);
  tier.cache ??= new Map();
  let hit = tier.cache.get(from);
  if (!hit) {
    hit = { slot: Infinity, left: 0 };
    let used = 0;
    for (let s = from; s < m1; s++) {
      let n = 0;
      for (const f of tier.flows) n += base(f, s, mix(f.key, s));
      if (used + n >= tier.limit) {
        hit = { slot: s, left: tier.limit - used };
        break;
      }
      used += n;
    }
    tier.cache.set(from, hit);
  }
  return hit;
}

/** How many of a flow's `v` messages at `slot` this share counts. */
function tierShare(share: NonNullable<Combo['freeTier']>, slot: number, v: number): number {
  const { tier, part, index } = share;
  let free = v;
  if (slot >= tier.fromSlot) {
    const end = allowanceEnd(tier, slot);
    if (slot > end.slot) free = 0;
    else if (slot === end.slot) {
      // The slot where the allowance runs out: what is left goes to the flows in order.
      let left = end.left;
      for (let i = 0; i < index; i++) left -= base(tier.flows[i]!, slot, mix(tier.flows[i]!.key, slot));
      free = Math.max(0, Math.min(v, left));
    }
  }
  return part === 'inside' ? free : v - free;
}

export const SLOT_FNS: Record<SeriesKind, SlotFn> = { messaging: messagingSlot, conversation: volumeSlot, pricing: volumeSlot };

// ---------------------------------------------------------------------------------------------
// Templates

export interface TemplateValues {
  key: number;
  /** Mean sends per half-hour at the busiest hour (0 for templates never approved). */
  weight: number;
  /** Cost per delivered message, ten-thousandths. */
  rate4: number;
  tzSlots: number;
  /** Clickable buttons (URL and QUICK_REPLY), in template order. */
  clickButtons: Array<{ type: 'URL' | 'QUICK_REPLY'; text: string }>;
}

/** Accumulator layout of a template: [sent, delivered, read, amount4, clicks per button..., unique per button...]. */
export function templateAccSize(t: TemplateValues): number {
  return 4 + 2 * t.clickButtons.length;
}

export function templateSlot(t: TemplateValues, slot: number, acc: Float64Array): void {
  if (t.weight === 0) return;
  const h = mix(t.key, slot);
  const sent = Math.floor(t.weight * RHYTHM[(slot + t.tzSlots + EPOCH_WEEK_OFFSET) % 336]! * (0.5 + (h & 0xffff) / 65536));
  if (sent === 0) return;
  const h2 = mix(h, 0x51ed27);
  const delivered = deliveredOf(sent, h);
  // Reads: 40-80% of the delivered messages (about 60% on average).
  const read = roundAt(delivered * (0.4 + 0.4 * ((h2 & 0xffff) / 65536)), mix(h2, 0x7ead));
  acc[0] += sent;
  acc[1] += delivered;
  acc[2] += read;
  acc[3] += delivered * t.rate4;
  const n = t.clickButtons.length;
  for (let i = 0; i < n; i++) {
    const hb = mix(h2, i + 1);
    // Total clicks of all buttons: 2-14% of the reads (a small share, as in a healthy account).
    const clicks = roundAt((read * (0.02 + 0.12 * ((hb & 0xffff) / 65536))) / n, mix(hb, 0xc11c));
    acc[4 + i] += clicks;
    // Unique clicks (distinct people): 60-95% of the clicks, never more than the clicks.
    if (t.clickButtons[i]!.type === 'URL') acc[4 + n + i] += clicks - roundAt(clicks * (0.05 + 0.35 * ((hb >>> 16) / 65536)), mix(hb, 0x0b1c));
  }
}

// ---------------------------------------------------------------------------------------------
// Time: slots, calendars, buckets

export function dataStartMs(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS) * DAY_MS - HISTORY_DAYS * DAY_MS;
}

/**
 * The half-hour slots of [startMs, endMs) that hold data: slot start within the range, at or after
 * the data start, and complete before now. Returns [first slot, end slot) as slot indices.
 */
export function slotSpan(startMs: number, endMs: number, nowMs: number): [number, number] {
  const from = Math.ceil(Math.max(startMs, dataStartMs(nowMs)) / SLOT_MS);
  const to = Math.min(Math.ceil(endMs / SLOT_MS), Math.floor(nowMs / SLOT_MS));
  return [from, Math.max(from, to)];
}

/** Where buckets start and end. */
export interface Calendar {
  floor(ms: number): number;
  /** The start of the bucket after the one starting at `ms`. */
  next(ms: number): number;
}

const utcHalfHour: Calendar = { floor: (ms) => Math.floor(ms / SLOT_MS) * SLOT_MS, next: (ms) => ms + SLOT_MS };
const utcDay: Calendar = { floor: (ms) => Math.floor(ms / DAY_MS) * DAY_MS, next: (ms) => ms + DAY_MS };
const utcMonth: Calendar = {
  floor: (ms) => {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  },
  next: (ms) => {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  },
};

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    dtfCache.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a time zone. */
function zoned(ms: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of dtf(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

/** Offset of a time zone from UTC at an instant, in ms. */
export function tzOffsetMs(ms: number, tz: string): number {
  const z = zoned(ms, tz);
  return Date.UTC(z.y, z.mo - 1, z.d, z.h, z.mi, z.s) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of local midnight starting the calendar day y-mo-d in a time zone. */
export function zonedMidnight(y: number, mo: number, d: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d);
  let t = guess - tzOffsetMs(guess, tz);
  t = guess - tzOffsetMs(t, tz);
  return t;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function zonedDate(ms: number, tz: string): string {
  const z = zoned(ms, tz);
  return `${String(z.y).padStart(4, '0')}-${String(z.mo).padStart(2, '0')}-${String(z.d).padStart(2, '0')}`;
}

function zonedDayCalendar(tz: string): Calendar {
  return {
    floor: (ms) => {
      const z = zoned(ms, tz);
      return zonedMidnight(z.y, z.mo, z.d, tz);
    },
    next: (ms) => {
      const z = zoned(ms + 12 * 3_600_000, tz);
      const n = new Date(Date.UTC(z.y, z.mo - 1, z.d + 1));
      return zonedMidnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), tz);
    },
  };
}

/** Buckets of a granularity; DAILY in a time zone other than UTC when `tz` is given. */
export function calendarOf(g: SandboxGranularity, tz?: string): Calendar {
  if (g === 'HALF_HOUR') return utcHalfHour;
  if (g === 'MONTHLY') return utcMonth;
  return tz && tz !== 'UTC' ? zonedDayCalendar(tz) : utcDay;
}

export interface Bucket {
  /** Bounds reported for the point (the bucket clipped to the asked range when `clip`). */
  startMs: number;
  endMs: number;
  /** Slots summed: [slotFrom, slotTo). */
  slotFrom: number;
  slotTo: number;
}

/** The buckets of [startMs, endMs) that hold at least one slot with data. */
export function makeBuckets(startMs: number, endMs: number, nowMs: number, cal: Calendar, clip = true): Bucket[] {
  const [sFrom, sTo] = slotSpan(startMs, endMs, nowMs);
  const out: Bucket[] = [];
  if (sFrom >= sTo) return out;
  const lastMs = sTo * SLOT_MS;
  for (let b = cal.floor(sFrom * SLOT_MS); b < lastMs; ) {
    const n = cal.next(b);
    const slotFrom = Math.max(sFrom, Math.ceil(b / SLOT_MS));
    const slotTo = Math.min(sTo, Math.ceil(n / SLOT_MS));
    if (slotFrom < slotTo) {
      out.push({ startMs: clip ? Math.max(b, startMs) : b, endMs: clip ? Math.min(n, endMs) : n, slotFrom, slotTo });
    }
    b = n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Series: groups of combinations (by the dimensions asked) x buckets, indexed bucket-major.

export interface Group {
  /** The asked dimensions of this group (a dimension a member lacks, e.g. tier of free messages, is absent). */
  dims: Record<string, string>;
  members: Combo[];
  /** `,"key":"value"` pairs of the dims, ready to splice into a JSON object. */
  json: string;
  jsonBytes: Buffer;
}

export function groupCombos(combos: readonly Combo[], dimKeys: readonly string[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const c of combos) {
    const dims: Record<string, string> = {};
    let key = '';
    for (const k of dimKeys) {
      const v = c.dims[k];
      key += `${v ?? ''}\u0001`;
      if (v !== undefined) dims[k] = v;
    }
    let g = byKey.get(key);
    if (!g) {
      let json = '';
      for (const [k, v] of Object.entries(dims)) json += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
      g = { dims, members: [], json, jsonBytes: Buffer.from(json, 'utf8') };
      byKey.set(key, g);
    }
    g.members.push(c);
  }
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

export class Series {
  readonly groups: Group[];
  readonly slotFn: SlotFn;
  readonly acc: Float64Array;

  constructor(
    kind: SeriesKind,
    combos: readonly Combo[],
    dimKeys: readonly string[],
    readonly buckets: Bucket[],
  ) {
    // A combination without messages anywhere in these buckets (it ended or began at a billing change) is no group of the answer.
    const from = buckets[0]?.slotFrom;
    const to = buckets[buckets.length - 1]?.slotTo;
    this.groups = groupCombos(from === undefined || to === undefined ? combos : combos.filter((c) => activeIn(c, from, to)), dimKeys);
    this.slotFn = SLOT_FNS[kind];
    this.acc = new Float64Array(SERIES_METRICS[kind].length);
  }

  get length(): number {
    return this.groups.length * this.buckets.length;
  }

  /** Compute point `i` (bucket-major) into `this.acc`; returns its group and bucket. */
  compute(i: number): { group: Group; bucket: Bucket } {
    const nG = this.groups.length;
    const group = this.groups[i % nG]!;
    const bucket = this.buckets[Math.floor(i / nG)]!;
    const acc = this.acc;
    acc.fill(0);
    const fn = this.slotFn;
    for (const m of group.members) for (let s = bucket.slotFrom; s < bucket.slotTo; s++) fn(m, s, acc);
    return { group, bucket };
  }
}

/** Sum a kind's metrics over combinations and a slot span. */
export function sumCombos(kind: SeriesKind, combos: readonly Combo[], sFrom: number, sTo: number): Float64Array {
  const acc = new Float64Array(SERIES_METRICS[kind].length);
  const fn = SLOT_FNS[kind];
  for (const c of combos) for (let s = sFrom; s < sTo; s++) fn(c, s, acc);
  return acc;
}

/** A cost in ten-thousandths as a number with at most 4 decimals. */
export function money(cost4: number): number {
  return Math.round(cost4) / 10000;
}

/** A few recent Series, so that the pages of one query do not rebuild groups and buckets. */
export class SeriesCache {
  private readonly map = new Map<string, Series>();
  constructor(private readonly size = 16) {}
  get(key: string, make: () => Series): Series {
    let s = this.map.get(key);
    if (s) {
      this.map.delete(key);
    } else {
      s = make();
      if (this.map.size >= this.size) this.map.delete(this.map.keys().next().value!);
    }
    this.map.set(key, s);
    return s;
  }
}
