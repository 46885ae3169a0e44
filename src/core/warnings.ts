/**
 * Warnings are data: a code from one closed list, and a message for people. Everything that
 * decides something about a warning (the panel's icons and cost explanation, the CSV/JSON
 * exports, the CLI) reads the code; the message is only shown.
 */

/** Every warning code, with what it means. Add a code here (and only here) before emitting it. */
export const WARNING_CODES = {
  /** The asked end date lies in the future; the range was cut at now. */
  'range.future-end': 'The end date is in the future; the range ends now.',
  /** The same template (or other) id was asked for more than once. */
  'query.repeated-ids': 'Repeated ids were asked for once.',
  /** A dimension, click or cost type value the known lists do not hold (kept as is). */
  'value.unknown': 'An unknown value was kept as is.',
  /** A value the answer writes differently from the filter that selects it (FREE_ENTRY_POINT / FREE_ENTRY). */
  'value.alias': 'A value is written differently in the answer and in the filter.',
  /** The answer named a granularity we do not know. */
  'answer.unknown-granularity': 'An unknown granularity in the answer.',
  /** Points whose bucket lies outside the asked range were dropped. */
  'answer.out-of-range': 'Points outside the asked range were dropped.',
  /** A second point for the same bucket and dimension values was dropped. */
  'answer.duplicate-point': 'Repeated points were dropped.',
  /** A negative count, a non-finite number or a bucket ending before it starts. */
  'answer.impossible-value': 'The answer held impossible values.',
  /** A numeric field of a data point that is not a known metric, kept under its own name. */
  'answer.unknown-metric': 'An unknown metric was kept under its own name.',
  /** A listing (WABAs, numbers, templates) repeated an id; the repeat was dropped. */
  'listing.duplicate-id': 'A listing repeated an id.',
  /**
   * Part of a listing was refused by the provider (a discovery route without permission, one
   * WABA's details): what could be read is shown, and this says what is missing.
   */
  'listing.incomplete': 'Part of a listing could not be read.',
  /** A credential echoed back by the server was removed from the result. */
  'answer.redacted': 'A credential in the answer was removed.',
  /** The range spans 1 Oct 2026, from when service and in-window utility messages are charged. */
  'pricing.billing-change-2026-10': 'Service and in-window utility messages are charged from 1 Oct 2026.',
  /** Costs are not available for this account (billed through a partner, or not returned). */
  'cost.unavailable': 'Cost is not available.',
  /** The currency of the WABA could not be read; costs are shown without it. */
  'cost.currency-unknown': 'The currency could not be read.',
  /** Conversation analytics are legacy for an account billed per message. */
  'conversation.legacy': 'No conversation data: the account is billed per message.',
  /** Template reads and clicks still grow for 7 days after a send. */
  'engagement.still-counting': 'Reads and clicks of the last days may still grow.',
  /** The WABA's timezone was asked for but not named; UTC shown. */
  'timezone.missing': 'The timezone was not named; UTC shown.',
  /** Some requests failed: the result holds only part of the data. */
  'result.partial': 'Partial result.',
  /** The previous period (for the comparison) could not be fetched: beyond the lookback, or its requests failed. */
  'comparison.unavailable': 'No comparison with the previous period.',
  /** History archive (src/archive): days beyond the API's lookback were answered from the archive. */
  'archive.beyond-lookback': 'Days beyond the API lookback come from the history archive.',
  /** History archive: days beyond the lookback that the archive does not hold were left out. */
  'archive.days-missing': 'Some days are neither in the history archive nor still kept by the API.',
  /** History archive: a file of the archive could not be read; its days were fetched from the API. */
  'archive.unreadable': 'A file of the history archive could not be read.',
  /** History archive sync: template analytics of a WABA with insights off were skipped (not a failure). */
  'archive.insights-off': 'Template analytics skipped: insights are off.',
} as const satisfies Record<string, string>;

export type WarningCode = keyof typeof WARNING_CODES;
export const WARNING_CODE_LIST = Object.keys(WARNING_CODES) as WarningCode[];

export interface Warning {
  code: WarningCode;
  message: string;
}

export function isWarningCode(value: unknown): value is WarningCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WARNING_CODES, value);
}

export function warning(code: WarningCode, message: string): Warning {
  return { code, message };
}

/** Where a listing reports its warnings (the CLI prints them, the extension shows and logs them). */
export type WarningSink = (w: Warning) => void;

/** One line for a terminal: `warning [code]: message` (the CLI writes these on stderr). */
export function warningLine(w: Warning): string {
  return `warning [${w.code}]: ${w.message}`;
}

/** Collects warnings once each (same code and message). */
export class WarningSet {
  private readonly map = new Map<string, Warning>();
  add(code: WarningCode, message: string): void {
    const key = `${code}\u0000${message}`;
    if (!this.map.has(key)) this.map.set(key, { code, message });
  }
  addAll(list: Iterable<Warning>): void {
    for (const w of list) this.add(w.code, w.message);
  }
  has(code: WarningCode): boolean {
    for (const w of this.map.values()) if (w.code === code) return true;
    return false;
  }
  list(): Warning[] {
    return [...this.map.values()];
  }
}
