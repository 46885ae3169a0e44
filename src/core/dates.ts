import type { RelativeRange } from './vocabulary';
/** Date helpers. Everything is UTC; instants are epoch milliseconds. */
import type { Granularity } from './types';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const HALF_HOUR = 30 * MINUTE;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parse `YYYY-MM-DD` as 00:00 UTC; undefined when it is not a real calendar date. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms;
}

/** `YYYY-MM-DD` of an instant, in UTC. */
export function formatIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO 8601 UTC with seconds and a Z, without milliseconds: `2024-11-11T00:00:00Z`. */
export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function startOfDayUtc(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function startOfMonthUtc(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The start of the bucket holding `ms`. */
export function bucketStart(ms: number, g: Granularity): number {
  switch (g) {
    case 'HALF_HOUR':
      return Math.floor(ms / HALF_HOUR) * HALF_HOUR;
    case 'DAILY':
      return startOfDayUtc(ms);
    case 'MONTHLY':
      return startOfMonthUtc(ms);
  }
}

/** The start of the bucket after the one starting at `ms`. */
export function nextBucket(ms: number, g: Granularity): number {
  switch (g) {
    case 'HALF_HOUR':
      return ms + HALF_HOUR;
    case 'DAILY':
      return ms + DAY;
    case 'MONTHLY':
      return addMonthsUtc(startOfMonthUtc(ms), 1);
  }
}

/** Instants a time from an API may take: 1970 to the end of year 9999 (what ISO 8601 `YYYY` can write). */
const LAST_MS = Date.UTC(10000, 0, 1);
const inRange = (ms: number): number | undefined => (Number.isFinite(ms) && ms >= 0 && ms < LAST_MS ? ms : undefined);

/**
 * Turn what an API gives as a time (epoch seconds as number or string, epoch milliseconds,
 * ISO 8601 with or without zone, `YYYY-MM-DD`) into epoch milliseconds; undefined if it is none
 * (or lies outside 1970 to 9999).
 */
export function parseApiTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return inRange(value > 1e11 ? Math.round(value) : Math.round(value * 1000));
  }
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^\d{1,13}(\.\d+)?$/.test(s)) return parseApiTime(Number(s));
  if (ISO_DATE.test(s)) return parseIsoDate(s);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s)) {
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
    return inRange(Date.parse(withZone.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
  }
  return undefined;
}

/**
 * A relative range as UTC days, both inclusive, on the day of `now`: `last-30-days` ends today,
 * `this-month` runs from the 1st to today, `previous-month` is the whole month before.
 */
export function resolveRelativeRange(range: RelativeRange, now: number = Date.now()): { from: string; to: string } {
  const today = startOfDayUtc(now);
  switch (range) {
    case 'last-7-days':
      return { from: formatIsoDate(today - 6 * DAY), to: formatIsoDate(today) };
    case 'last-30-days':
      return { from: formatIsoDate(today - 29 * DAY), to: formatIsoDate(today) };
    case 'last-90-days':
      return { from: formatIsoDate(today - 89 * DAY), to: formatIsoDate(today) };
    case 'this-month':
      return { from: formatIsoDate(startOfMonthUtc(now)), to: formatIsoDate(today) };
    case 'previous-month':
      return { from: formatIsoDate(addMonthsUtc(startOfMonthUtc(now), -1)), to: formatIsoDate(startOfMonthUtc(now) - DAY) };
  }
}
