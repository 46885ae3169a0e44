/** The archive's typed errors and the problems a scan reports by file name. */
import { WabaError } from '../core/errors';
import type { WabaErrorKind } from '../core/errors';

export type ArchiveErrorCode =
  /** Another sync holds the archive's lock. */
  | 'locked'
  /** A file is not a readable Parquet file. */
  | 'corrupt'
  /** A readable Parquet file that this tool did not write (no archive metadata, or other columns). */
  | 'foreign'
  /** A file written by a newer version of the archive schema. */
  | 'newer-schema'
  /** A file or folder where a partition should be, or a partition value that is not valid. */
  | 'layout'
  /** A path segment that would leave the archive (hostile id or name). */
  | 'invalid-path'
  /** Reading or writing failed (permissions, full disk...). */
  | 'io'
  /** A result the archive cannot hold (not DAILY, a point not on a UTC day). */
  | 'unsupported';

const KIND_OF: Record<ArchiveErrorCode, WabaErrorKind> = {
  locked: 'config',
  corrupt: 'config',
  foreign: 'config',
  'newer-schema': 'config',
  layout: 'config',
  'invalid-path': 'security',
  io: 'config',
  unsupported: 'input',
};

/** One error of the archive: a WabaError (one line, what to do) with a code and the file it concerns. */
export class ArchiveError extends WabaError {
  readonly code: ArchiveErrorCode;
  /** The file (or folder) concerned, when there is one. */
  readonly file?: string;
  constructor(code: ArchiveErrorCode, message: string, details: { file?: string; hint?: string; cause?: unknown } = {}) {
    super(KIND_OF[code], message, { hint: details.hint, cause: details.cause });
    this.name = 'ArchiveError';
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
  }
}

/** Something wrong with one file of the archive; the rest stays readable. */
export interface ArchiveProblem {
  code: ArchiveErrorCode;
  /** The file, relative to the archive folder (forward slashes). */
  file: string;
  message: string;
}

export function problemOf(e: unknown, file: string): ArchiveProblem {
  if (e instanceof ArchiveError) return { code: e.code, file, message: e.message };
  return { code: 'io', file, message: e instanceof Error ? e.message : String(e) };
}
