/**
 * One sync at a time per archive: `<root>/.lock` holds `{pid, hostname, startedAt}` of the holder.
 * It is created complete or not at all (written to a temp file, then hard-linked to `.lock`, which
 * fails when the name exists). A lock whose holder is a process of this host that no longer runs
 * is stale and taken over; any other lock is an error naming its holder.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { processAlive } from '../core/files';
import { ArchiveError } from './errors';

export const LOCK_NAME = '.lock';

export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time. */
  startedAt: string;
  /** Random, so a holder releases only its own lock. */
  token: string;
}

export interface ArchiveLock {
  readonly info: LockInfo;
  /** Whether a stale lock was taken over; its holder. */
  readonly tookOver?: LockInfo;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Tests: whether a pid runs (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

async function readLock(file: string): Promise<LockInfo | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string') return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, token: String(v.token ?? '') };
  } catch {
    /* below */
  }
  return 'unreadable';
}

/** Take the archive's lock, or throw an ArchiveError `locked` naming the holder. The folder is created. */
export async function acquireLock(root: string, options: LockOptions = {}): Promise<ArchiveLock> {
  const isAlive = options.isAlive ?? processAlive;
  const file = path.join(root, LOCK_NAME);
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date((options.now ?? Date.now)()).toISOString(), token: randomBytes(8).toString('hex') };
  try {
    await fs.mkdir(root, { recursive: true });
  } catch (e) {
    throw new ArchiveError('io', `Could not create the archive folder ${root}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { file: root, hint: 'Choose a folder you can write to.', cause: e });
  }
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = path.join(root, `.lock.${process.pid}-${randomBytes(6).toString('hex')}.waba-tmp`);
    try {
      await fs.writeFile(tmp, JSON.stringify(info), { flag: 'wx' });
      await fs.link(tmp, file);
      const lock: ArchiveLock = {
        info,
        ...(tookOver ? { tookOver } : {}),
        release: async () => {
          const now = await readLock(file);
          if (now && now !== 'unreadable' && now.token === info.token) await fs.rm(file, { force: true });
        },
      };
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ArchiveError('io', `Could not create the lock file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { file, hint: 'Check the permissions of the archive folder.', cause: e });
      }
    } finally {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
    const holder = await readLock(file);
    if (holder === undefined) continue; // released meanwhile
    if (holder === 'unreadable') {
      throw new ArchiveError('locked', `The archive ${root} has a lock file ${LOCK_NAME} that cannot be read.`, { file, hint: `If no sync is running, delete ${file} and sync again.` });
    }
    const here = holder.hostname === hostname();
    if (here && !isAlive(holder.pid)) {
      // Stale: remove it only if it is still the same lock (another taker may have replaced it).
      const again = await readLock(file);
      if (again && again !== 'unreadable' && again.token === holder.token && again.pid === holder.pid) await fs.rm(file, { force: true });
      tookOver = holder;
      continue;
    }
    throw new ArchiveError('locked', `The archive ${root} is being synced by process ${holder.pid} on ${holder.hostname} since ${holder.startedAt}.`, {
      file,
      hint: here ? 'Wait for that sync to end, or stop it.' : `Wait for that sync to end; if that process no longer runs on ${holder.hostname}, delete ${file}.`,
    });
  }
  throw new ArchiveError('locked', `The lock of the archive ${root} changed hands repeatedly.`, { file, hint: 'Another sync is starting; wait for it to end.' });
}
