/**
 * Replacing a file so that a kill, a crash or a full disk at any moment leaves either the old file
 * or the new one, never a mix: the bytes go to a temp file in the same folder, are flushed to disk
 * (fsync), and the temp is renamed over the target (atomic on one file system); the folder is
 * flushed so the rename survives a power cut. A temp left by a killed write has our own name
 * (`.<file>.<pid>-<random>.waba-tmp`, never `*.parquet`, so engines never read it) and is removed
 * by `cleanTemps` while the archive's lock is held.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ArchiveError } from './errors';

export const TEMP_SUFFIX = '.waba-tmp';
const TEMP = /^\..+\.\d+-[0-9a-f]{12}\.waba-tmp$/;

export interface AtomicWriteOptions {
  /** Tests only: runs after the temp file is complete and flushed, before the rename. */
  beforeRename?: (tempFile: string) => void | Promise<void>;
}

export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

export async function writeFileAtomic(file: string, data: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(tmp);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError('io', `Could not write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the previous file, if any, is unchanged.`, {
      file,
      hint: 'Check the free space and permissions of the archive folder, then sync again.',
      cause: e,
    });
  }
  await syncDir(dir);
}

/** Flush a folder's entries (a no-op where folders cannot be opened, as on Windows). */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    /* not supported here */
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Remove every temp file of ours under `root` (call it holding the archive's lock: no write of
 * ours is running then). Returns their paths relative to root.
 */
export async function cleanTemps(root: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 4) await walk(path.join(dir, e.name), r, depth + 1);
      else if (e.isFile() && isTempName(e.name)) {
        await fs.rm(path.join(dir, e.name), { force: true }).then(() => removed.push(r), () => undefined);
      }
    }
  };
  await walk(root, '', 0);
  return removed;
}
