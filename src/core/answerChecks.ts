/**
 * An answer is checked against the question, once, for every analytics result (both providers,
 * every kind, the CLI and the extension alike: `runQuery` and `waba-analytics normalize` call it).
 * Nothing is dropped or accepted silently: each check that changes the answer says so in a
 * warning with its code, naming what and how many.
 *
 * - `answer.impossible-value`: a bucket that ends before (or when) it starts: the point is
 *   DROPPED (it cannot be placed in time). A negative or non-finite count or cost (1e999 parses to
 *   Infinity) is LEFT OUT of its point where it is read (core/normalize `Warnings.value`, used by
 *   both providers' normalizers): the point keeps its other values, and a left-out value is "not
 *   returned", never 0; a click count likewise, with the point's `clicked` total.
 * - `answer.out-of-range`: a point whose bucket does not meet the asked range is dropped. A bucket
 *   meets [startMs, endMs) when it starts before endMs, ends after startMs, and starts at most one
 *   bucket before startMs (a day in a WABA's timezone begins up to 14 hours before UTC midnight; a
 *   month may begin before a mid-month start when the API does not clip it).
 * - `answer.duplicate-point`: two points with the same start, end and dimension values (template
 *   id included; button clicks are part of the point, not of its identity): the first is kept, the
 *   repeats are dropped.
 * - `answer.redacted`: a credential echoed back by the server (in a dimension value, a metric or
 *   button name, the currency, the timezone, a warning, a raw body kept for export) is masked with
 *   the same redaction as errors (core/redact).
 *
 * One pass over the points. Answers list points bucket by bucket, so the bucket's checks run once
 * per run of points with the same start and end; per point there is one lookup of its dimension
 * combination (by identity for the normalizers' shared frozen objects, else by a key string) and
 * one set insertion. Points are changed in place only where a credential is masked.
 */
import { DAY, HALF_HOUR } from './dates';
import { redact } from './redact';
import type { Granularity, Kind, NormalizedResult, Point } from './types';
import type { Warning } from './warnings';
import { WarningSet } from './warnings';

export interface AnswerQuestion {
  granularity: Granularity;
  /** The kind asked: template answers also carry names from the server (cost types, buttons). */
  kind?: Kind;
  /** The asked range [startMs, endMs); absent when there is no question but the body (`normalize`). */
  startMs?: number;
  endMs?: number;
}

/** The longest a bucket of each granularity can be (a month of 31 days; a day with a DST change). */
const MAX_BUCKET_MS: Record<Granularity, number> = { HALF_HOUR: HALF_HOUR, DAILY: DAY + 3_600_000, MONTHLY: 31 * DAY };

/** Metric names the providers write; any other name came from the answer and is redacted once. */
const OWN_METRIC_NAMES = new Set([
  'sent',
  'delivered',
  'read',
  'clicked',
  'volume',
  'cost',
  'conversation',
  'amount_spent',
  'cost_per_delivered',
  'cost_per_url_button_click',
]);

interface DimsInfo {
  id: number;
  /** The dims with credentials masked, when any was found. */
  redacted?: Record<string, string>;
}

/** What a run of points with the same start and end gets: kept (and de-duplicated), or dropped and why. */
const KEEP = 0;
const BACKWARDS = 1;
const OUT_OF_RANGE = 2;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const redactedMessage = (n: number): string => `${plural(n, 'value')} of the answer looked like a credential and ${n === 1 ? 'was' : 'were'} masked.`;

/**
 * Check `points` (in order) against the question; returns the points kept (the same array when
 * nothing was dropped) and the warnings of what was changed.
 */
export function checkAnswerPoints(points: Point[], q: AnswerQuestion): { points: Point[]; warnings: Warning[]; redacted: number } {
  const warnings = new WarningSet();
  const ranged = q.startMs !== undefined && q.endMs !== undefined;
  const startMs = q.startMs ?? 0;
  const endMs = q.endMs ?? 0;
  const earliest = startMs - MAX_BUCKET_MS[q.granularity];
  const names = q.kind === undefined || q.kind === 'template';

  // Buckets (start, end) with the ids of the dimension combinations kept in them. A combination
  // is stamped with the number of the run it was last seen in: the same stamp again is a repeat.
  const buckets = new Map<string, number[]>();
  let stamp = new Int32Array(1024).fill(-1);
  let runNo = -1;
  const sharedDims = new Map<Record<string, string>, DimsInfo>();
  const dimsByKey = new Map<string, DimsInfo>();
  const nameCache = new Map<string, string>();
  let redactedStrings = 0;
  /** A string from the answer, masked (each distinct string checked once). */
  const clean = (s: string): string => {
    let out = nameCache.get(s);
    if (out === undefined) {
      out = redact(s);
      if (out !== s) redactedStrings++;
      nameCache.set(s, out);
    }
    return out;
  };
  /** The combinations whose values were masked, by id. */
  const redactedDims = new Map<number, DimsInfo>();
  const dimsInfoOf = (d: Record<string, string>): DimsInfo => {
    const frozen = Object.isFrozen(d);
    if (frozen) {
      const hit = sharedDims.get(d);
      if (hit) return hit;
    }
    let key = '';
    for (const k in d) key += `${k}\u0002${d[k]}\u0003`;
    let info = dimsByKey.get(key);
    if (!info) {
      info = { id: dimsByKey.size };
      let changed = false;
      const masked: Record<string, string> = {};
      for (const k in d) {
        const k2 = clean(k);
        const v2 = clean(d[k]!);
        if (k2 !== k || v2 !== d[k]) changed = true;
        masked[k2] = v2;
      }
      if (changed) {
        info.redacted = frozen ? Object.freeze(masked) : masked;
        redactedDims.set(info.id, info);
      }
      dimsByKey.set(key, info);
    }
    if (frozen) sharedDims.set(d, info);
    return info;
  };

  let kept: Point[] | undefined;
  let outOfRange = 0;
  let duplicates = 0;
  let backwards = 0;
  // The current run of points of one bucket, and the combinations of the run before by position
  // (the k-th point of a bucket mostly has the combination of the k-th point of the bucket before).
  let runStart: string | undefined;
  let runEnd: string | undefined;
  let fate: number = KEEP;
  let ids: number[] = [];
  let k = 0;
  const posDims: Array<Record<string, string>> = [];
  const posIds: number[] = [];

  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.start !== runStart || p.end !== runEnd) {
      runStart = p.start;
      runEnd = p.end;
      const s = Date.parse(p.start);
      const e = Date.parse(p.end);
      fate = !(e > s) ? BACKWARDS : ranged && (s >= endMs || e <= startMs || s < earliest) ? OUT_OF_RANGE : KEEP;
      if (fate === KEEP) {
        runNo++;
        k = 0;
        const key = `${p.start}|${p.end}`;
        const known = buckets.get(key);
        if (known) {
          // The bucket again, later (a page answered twice): what it kept counts as seen.
          ids = known;
          for (let j = 0; j < known.length; j++) stamp[known[j]!] = runNo;
        } else buckets.set(key, (ids = []));
      }
    }
    let drop = true;
    if (fate === BACKWARDS) backwards++;
    else if (fate === OUT_OF_RANGE) outOfRange++;
    else {
      let id: number;
      let info: DimsInfo | undefined;
      if (posDims[k] === p.dims) id = posIds[k]!;
      else {
        info = dimsInfoOf(p.dims);
        id = info.id;
        posDims[k] = p.dims;
        posIds[k] = id;
      }
      k++;
      if (id >= stamp.length) {
        const grown = new Int32Array(Math.max(stamp.length * 2, id + 1)).fill(-1);
        grown.set(stamp);
        stamp = grown;
      }
      if (stamp[id] === runNo) duplicates++;
      else {
        stamp[id] = runNo;
        ids.push(id);
        drop = false;
        if (redactedDims.size) {
          info ??= redactedDims.get(id);
          if (info?.redacted) p.dims = info.redacted;
        }
      }
    }
    if (drop) {
      if (!kept) kept = points.slice(0, i);
      continue;
    }
    // Names from the answer (template cost types, buttons): masked, each distinct one checked once.
    if (names) maskNames(p, clean);
    if (kept) kept.push(p);
  }

  if (backwards) {
    warnings.add('answer.impossible-value', `${plural(backwards, 'point')} whose bucket ends before (or when) it starts ${backwards === 1 ? 'was' : 'were'} dropped.`);
  }
  if (outOfRange) {
    warnings.add(
      'answer.out-of-range',
      `${plural(outOfRange, 'point')} outside the asked range (${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()}) ${outOfRange === 1 ? 'was' : 'were'} dropped.`,
    );
  }
  if (duplicates) {
    warnings.add('answer.duplicate-point', `${plural(duplicates, 'repeated point')} (same bucket and dimension values) ${duplicates === 1 ? 'was' : 'were'} dropped; the first of each was kept.`);
  }
  if (redactedStrings) warnings.add('answer.redacted', redactedMessage(redactedStrings));
  return { points: kept ?? points, warnings: warnings.list(), redacted: redactedStrings };
}

/** Mask metric names and button texts that came from the answer (a new object only when one changed). */
function maskNames(p: Point, clean: (s: string) => string): void {
  let foreign = false;
  for (const m in p.metrics) {
    if (!OWN_METRIC_NAMES.has(m) && clean(m) !== m) foreign = true;
  }
  if (foreign) {
    const metrics: Record<string, number> = {};
    for (const m in p.metrics) metrics[OWN_METRIC_NAMES.has(m) ? m : clean(m)] = p.metrics[m]!;
    p.metrics = metrics;
  }
  if (p.clicks && p.clicks.some((c) => clean(c.type) !== c.type || clean(c.button_content) !== c.button_content)) {
    p.clicks = p.clicks.map((c) => ({ type: clean(c.type), button_content: clean(c.button_content), count: c.count }));
  }
}

/**
 * A whole result checked: its points (above), and its other strings from the answer (currency,
 * timezone, warnings' messages) masked; one `answer.redacted` warning counts every masked value.
 */
export function checkAnswer(result: NormalizedResult, q: AnswerQuestion): NormalizedResult {
  const checked = checkAnswerPoints(result.points, q);
  const out = new WarningSet();
  let masked = 0;
  const mask = (s: string): string => {
    const r = redact(s);
    if (r !== s) masked++;
    return r;
  };
  for (const w of result.warnings) out.add(w.code, mask(w.message));
  const currency = result.currency === undefined ? undefined : mask(result.currency);
  const timezone = mask(result.timezone);
  const wabaId = result.wabaId === null ? null : mask(result.wabaId);
  for (const w of checked.warnings) if (w.code !== 'answer.redacted') out.add(w.code, w.message);
  if (masked + checked.redacted > 0) out.add('answer.redacted', redactedMessage(masked + checked.redacted));
  return {
    ...result,
    wabaId,
    timezone,
    ...(currency !== undefined ? { currency } : {}),
    points: checked.points,
    warnings: out.list(),
  };
}

/**
 * Raw bodies (kept for export) with every string, keys included, masked. Returns the same value
 * when nothing was found, and whether anything was.
 */
export function redactRaw(raw: unknown[]): { raw: unknown[]; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redact(v);
      if (r !== v) changed = true;
      return r;
    }
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const w = walk(v[i]);
        if (w !== v[i]) (copy ??= v.slice())[i] = w;
      }
      return copy ?? v;
    }
    if (v && typeof v === 'object') {
      let copy: Record<string, unknown> | undefined;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const k2 = walk(k) as string;
        const w = walk(o[k]);
        if (k2 !== k || w !== o[k]) {
          copy ??= { ...o };
          if (k2 !== k) delete copy[k];
          copy[k2] = w;
        }
      }
      return copy ?? v;
    }
    return v;
  };
  const out = raw.map(walk);
  return { raw: changed ? out : raw, changed };
}
