/**
 * The history archive's code as the extension host uses it (src/archive: hyparquet and
 * hyparquet-writer), built as its own bundle, dist/archive.js, loaded through `archive()` in ./lazy
 * on the first "Sync History", or the first query answered with an archive folder
 * (../queryService.ts): activation does not pay for it.
 */
export { answerWithArchive } from '../archive/answer';
export { settledReuseWrites } from '../archive/reuse';
export { syncArchive } from '../archive/sync';
