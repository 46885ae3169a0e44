/**
 * The archive's table: one row per UTC day and dimension combination, the same columns for every
 * kind (a column a kind does not have is null), so one `read_parquet('<dir>/**\/*.parquet')` reads
 * the whole archive. docs/archive.md documents every column; change it with the schema version.
 */
import { POINT_DIMENSIONS } from '../core/vocabulary';

/** Written into every file's key-value metadata (`waba_archive.schema_version`). */
export const ARCHIVE_SCHEMA_VERSION = 1;

/**
 * The archive's kinds: the core's four, plus template button clicks (one row per button) and
 * messaging per phone number (`messaging` holds the WABA's totals, so summing a kind never counts twice).
 */
export const ARCHIVE_KINDS = ['messaging', 'messaging_phone', 'conversation', 'pricing', 'template', 'template_clicks'] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];

/** Dimension columns (strings; null when the row has no such dimension). Point `dims` keys. */
export const DIMENSION_COLUMNS = [
  ...POINT_DIMENSIONS,
  'template_id',
  // template_clicks only: the clicked button's type (url_button, unique_url_button, quick_reply_button) and text.
  'button_type',
  'button_content',
] as const;
export type DimensionColumn = (typeof DIMENSION_COLUMNS)[number];

/** Count metrics (INT64). Point `metrics` keys; in template_clicks rows `clicked` is the button's count. */
export const COUNT_COLUMNS = ['sent', 'delivered', 'read', 'clicked', 'volume', 'conversation'] as const;
/** Money metrics (DOUBLE), in the row's `currency`. */
export const MONEY_COLUMNS = ['cost', 'amount_spent', 'cost_per_delivered', 'cost_per_url_button_click'] as const;
export type CountColumn = (typeof COUNT_COLUMNS)[number];
export type MoneyColumn = (typeof MONEY_COLUMNS)[number];

/** One row as the archive holds it (null: absent). */
export interface ArchiveRow {
  /** Start of the UTC day, epoch ms. */
  day: number;
  currency: string | null;
  dims: Partial<Record<DimensionColumn, string>>;
  metrics: Partial<Record<CountColumn | MoneyColumn, number>>;
  /**
   * Dimensions and metrics the schema has no column for (a value the API added later), kept as
   * JSON in the `extra` column rather than dropped; a count that is not a safe integer goes here too.
   */
  extra?: {
    dims?: Record<string, string>;
    metrics?: Record<string, number>;
    /** A template point whose answer had an empty click list (no template_clicks row says so). */
    emptyClicks?: true;
    /** Reused query days (src/archive/reuse.ts) only: the point's button clicks, its exact start and end when not the row's day and bucket. */
    clicks?: Array<{ type: string; button_content: string; count: number }>;
    start?: string;
    end?: string;
  };
}

/** The column names in file order. */
export const COLUMN_ORDER: readonly string[] = ['day', ...DIMENSION_COLUMNS, ...COUNT_COLUMNS, ...MONEY_COLUMNS, 'currency', 'extra'];

/** The parquet schema of a month file (hyparquet's SchemaElement shape). */
export function parquetSchema(): Array<Record<string, unknown>> {
  const str = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'OPTIONAL' });
  return [
    { name: 'root', num_children: COLUMN_ORDER.length },
    { name: 'day', type: 'INT64', repetition_type: 'REQUIRED', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
    ...DIMENSION_COLUMNS.map(str),
    ...COUNT_COLUMNS.map((name) => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' })),
    ...MONEY_COLUMNS.map((name) => ({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' })),
    str('currency'),
    // JSON text (a string column, so every engine reads it without a JSON extension).
    str('extra'),
  ];
}

export function isArchiveKind(v: unknown): v is ArchiveKind {
  return typeof v === 'string' && (ARCHIVE_KINDS as readonly string[]).includes(v);
}
export function isDimensionColumn(v: string): v is DimensionColumn {
  return (DIMENSION_COLUMNS as readonly string[]).includes(v);
}
export function isCountColumn(v: string): v is CountColumn {
  return (COUNT_COLUMNS as readonly string[]).includes(v);
}
export function isMoneyColumn(v: string): v is MoneyColumn {
  return (MONEY_COLUMNS as readonly string[]).includes(v);
}
