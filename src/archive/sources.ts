/**
 * Where the days of an answer came from, in words for people: "1 Dec 2025 – 30 Nov 2026 from
 * history · 1 Dec 2026 – today from Meta". Pure (no file system, no Parquet): the CLI prints it and
 * the panel's header (webview/sections/header.ts) shows it.
 */
import { parseIsoDate } from '../core/dates';
import type { DaySource } from '../core/types';
import { providerLabel } from '../core/vocabulary';

/** A day (YYYY-MM-DD) as "1 Dec 2025"; "today" when it is `today`. */
function dayWords(s: string, today: string | undefined): string {
  if (today !== undefined && s === today) return 'today';
  const t = parseIsoDate(s);
  return t === undefined ? s : new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * The runs of days and their source, joined with " · ". `today` (YYYY-MM-DD, UTC): that day is
 * written "today". Archive days read "from history".
 */
export function describeSources(sources: readonly DaySource[], provider: string, options: { today?: string } = {}): string {
  const name = providerLabel(provider);
  return sources
    .map((s) => {
      const from = dayWords(s.from, options.today);
      const range = s.from === s.to ? from : `${from} – ${dayWords(s.to, options.today)}`;
      return `${range} from ${s.source === 'archive' ? 'history' : name}`;
    })
    .join(' · ');
}

/**
 * The panel's "Days" line (webview/sections/header.ts): the sources of a result in words, the day
 * it was fetched (UTC) written "today"; undefined without sources (a result without the archive).
 */
export function daySourcesLine(sources: readonly DaySource[] | undefined, provider: string, fetchedAt?: string): string | undefined {
  if (!sources?.length) return undefined;
  const fetched = fetchedAt ? Date.parse(fetchedAt) : NaN;
  const today = Number.isFinite(fetched) ? new Date(fetched).toISOString().slice(0, 10) : undefined;
  return describeSources(sources, provider, today ? { today } : {});
}
