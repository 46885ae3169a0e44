/**
 * Writing result files. The rules, shared by the CLI's `--out` and the extension's exports:
 * - a regular file is replaced atomically (temp file + rename in its folder), never without
 *   consent; a failed or killed write leaves the old file as it was;
 * - a symbolic link is followed only to a regular file inside the allowed folder (the folder of
 *   the path as given, or the one the caller names: the workspace); the file it leads to is what
 *   is replaced, never the link; a dangling link, a loop, or a link elsewhere is refused;
 * - a character device (/dev/null), a FIFO or a file descriptor (/dev/stdout, /dev/fd/N) is
 *   opened and written like a shell redirect when the caller allows it (the CLI), refused
 *   otherwise (the extension); a folder, a socket or a block device is always refused;
 * - the temp files of a killed write are removed by the next write to that folder (only ours:
 *   their owner process is gone, or they are a day old).
 */
import type * as NodeCrypto from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { WabaError } from './errors';

export interface WriteOptions {
  /** Replace an existing file (default false: an existing file is an error of kind 'input'). */
  overwrite?: boolean;
  /** The folder the file must stay in once links are resolved (default: the folder of the path as given). */
  within?: string;
  /** Devices, FIFOs and file descriptors: written through like a shell redirect, or refused (default). */
  special?: 'through' | 'refuse';
}

/** Where a write goes: a regular file at its real path (new or existing), or a stream written through. */
export type WriteTarget = { mode: 'replace'; path: string; exists: boolean } | { mode: 'through'; path: string; what: string };

/** A failed read or write in words: `no space left on the device (ENOSPC)`. */
export function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const words: Record<string, string> = {
    EPIPE: 'the reading end was closed',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    EIO: 'input/output error',
    EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ENAMETOOLONG: 'the name is too long',
    ELOOP: 'too many levels of links',
    ENXIO: 'no reader is connected',
    EAGAIN: 'the stream is not ready',
    ERR_STREAM_DESTROYED: 'the stream is closed',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  const message = e instanceof Error ? e.message : String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function exists(file: string): WabaError {
  return new WabaError('input', `${file} already exists.`, { hint: 'Choose another name, or confirm that it may be replaced.' });
}

function couldNotWrite(file: string, e: unknown): WabaError {
  if (e instanceof WabaError) return e;
  return new WabaError('input', `Could not write ${file}: ${describeIoError(e)}.`, { hint: 'Check the folder exists and is writable.', cause: e });
}

/** What a file system object is, in words. */
function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a link';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`: names of an open file descriptor (POSIX). */
export function fileDescriptorOf(file: string): number | undefined {
  if (process.platform === 'win32') return undefined;
  const abs = path.resolve(file);
  const named = { '/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2 }[abs];
  if (named !== undefined) return named;
  const m = /^\/(?:dev|proc\/(?:self|thread-self|\d+))\/fd\/(\d+)$/.exec(abs);
  return m ? Number(m[1]) : undefined;
}

/** The real path of `p`: its longest existing part with links resolved, the rest (not yet created) appended. */
async function realish(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

function isInside(folder: string, p: string): boolean {
  const rel = path.relative(folder, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Decide where a write of `file` goes, following the rules above, without writing anything.
 * Throws a WabaError ('input', or 'security' for a link that leads out of the allowed folder).
 */
export async function planWrite(file: string, options: WriteOptions = {}): Promise<WriteTarget> {
  if (!file || /[/\\]$/.test(file)) {
    throw new WabaError('input', `"${file}" is ${file ? 'a folder name' : 'empty'}, not a file name.`, { hint: 'Give the name of the file to write.' });
  }
  const abs = path.resolve(file);
  const through = options.special === 'through';
  const special = (what: string, at: string): WriteTarget => {
    if (through) return { mode: 'through', path: at, what };
    throw new WabaError('input', `${file} is ${what}, not a regular file.`, { hint: 'Choose a file name.' });
  };
  if (fileDescriptorOf(abs) !== undefined) return special('a file descriptor', abs);
  try {
    const root = await realish(path.resolve(options.within ?? path.dirname(abs)));
    const dir = await realish(path.dirname(abs));
    if (dir !== root && !isInside(root, dir)) {
      throw new WabaError('security', `${file} leads to ${dir}, outside ${root}.`, { hint: `Choose a file inside ${root}.` });
    }
    const at = path.join(dir, path.basename(abs));
    let st: Stats;
    try {
      st = await fs.lstat(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { mode: 'replace', path: at, exists: false };
      throw e;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      let target: Stats;
      try {
        real = await fs.realpath(at);
        target = await fs.stat(real);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          throw new WabaError('input', `${file} is a link to ${await fs.readlink(at).catch(() => 'a missing file')}, which does not exist.`, { hint: 'Remove the link, or choose another name.' });
        }
        if (code === 'ELOOP') throw new WabaError('input', `${file} is a link that loops.`, { hint: 'Remove the link, or choose another name.' });
        throw e;
      }
      if (!target.isFile()) {
        throw new WabaError('input', `${file} is a link to ${kindOf(target)} (${real}); a link is followed only to a regular file.`, { hint: 'Choose a file name.' });
      }
      if (!isInside(root, real)) {
        throw new WabaError('security', `${file} is a link to ${real}, outside ${root}.`, { hint: 'A link is followed only to a file in the same folder; write to the file itself.' });
      }
      return { mode: 'replace', path: real, exists: true };
    }
    if (st.isFile()) return { mode: 'replace', path: at, exists: true };
    if (st.isCharacterDevice() || st.isFIFO()) return special(kindOf(st), at);
    throw new WabaError('input', `${file} is ${kindOf(st)}, not a file; it is never replaced.`, {
      hint: st.isDirectory() ? 'Give the name of a file inside it.' : 'Choose a file name.',
    });
  } catch (e) {
    throw couldNotWrite(file, e);
  }
}

/** Open an existing device, FIFO or descriptor and write into it, like `> file` in a shell. */
async function writeThrough(file: string, target: Extract<WriteTarget, { mode: 'through' }>, data: string | Uint8Array): Promise<void> {
  try {
    // No O_CREAT: if it vanished meanwhile, nothing is created in its place. A FIFO waits for a reader, as a shell would.
    const handle = await fs.open(target.path, constants.O_WRONLY | constants.O_APPEND | (constants.O_NOCTTY ?? 0));
    try {
      const st = await handle.stat();
      if (st.isDirectory() || st.isBlockDevice() || (target.what !== 'a file descriptor' && !st.isCharacterDevice() && !st.isFIFO())) {
        throw new WabaError('input', `${file} changed while it was opened (now ${kindOf(st)}); nothing was written.`, { hint: 'Try again.' });
      }
      await handle.writeFile(data);
    } finally {
      await handle.close().catch(() => undefined);
    }
  } catch (e) {
    throw couldNotWrite(file, e);
  }
}

// node:crypto is required on the first write, not when this module loads (at the extension's activation).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto = () => require('node:crypto') as typeof NodeCrypto;
let hostTag: string | undefined;
const host = (): string => (hostTag ??= nodeCrypto().createHash('sha256').update(hostname()).digest('hex').slice(0, 6));
/** Our temp files: `.<name>.waba-<host>-<pid>-<random>.tmp`. */
const TEMP = /^\..*\.waba-([0-9a-f]{6})-(\d+)-[0-9a-f]{12}\.tmp$/;
/** A temp file this old is left over whoever wrote it (no write takes a day). */
const STALE_MS = 24 * 3600_000;

function tempName(base: string): string {
  return `.${base.slice(0, 40)}.waba-${host()}-${process.pid}-${nodeCrypto().randomBytes(6).toString('hex')}.tmp`;
}

/** A process with this id runs on this machine (one of another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temp files a killed write left in `dir`: ours by name, written on this machine by a
 * process that is gone, or a day old. A live writer's temp file (this process or another) stays.
 * Returns the names removed.
 */
export async function cleanStaleTempFiles(dir: string, now: number = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = TEMP.exec(name);
    if (!m) continue;
    const p = path.join(dir, name);
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st?.isFile()) continue;
    const pid = Number(m[2]);
    const here = m[1] === host();
    if (here && pid === process.pid) continue;
    const ownerGone = here && !processAlive(pid);
    if (ownerGone || now - st.mtimeMs > STALE_MS) {
      await fs.rm(p, { force: true }).then(() => removed.push(name), () => undefined);
    }
  }
  return removed;
}

/**
 * Write `data` to `file` following the rules above: a regular file atomically (a failure leaves
 * any old file intact), a device or FIFO through when `special: 'through'`. Resolves to where it went.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<WriteTarget> {
  const target = await planWrite(file, options);
  if (target.mode === 'through') {
    await writeThrough(file, target, data);
    return target;
  }
  if (target.exists && !options.overwrite) throw exists(file);
  const dir = path.dirname(target.path);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw couldNotWrite(file, e);
  }
  await cleanStaleTempFiles(dir).catch(() => undefined);
  const tmp = path.join(dir, tempName(path.basename(target.path)));
  try {
    const handle = await fs.open(tmp, 'wx', 0o666);
    try {
      // A replaced file keeps its permissions.
      const old = target.exists ? await fs.stat(target.path).catch(() => undefined) : undefined;
      if (old) await handle.chmod(old.mode & 0o777);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      // Whatever took the name since the plan: a regular file or nothing is replaced, anything else is not.
      const now = await fs.lstat(target.path).catch(() => undefined);
      if (now && !now.isFile()) throw new WabaError('input', `${file} became ${kindOf(now)} while it was written; it was left as it is.`, { hint: 'Try again.' });
      await fs.rename(tmp, target.path);
    } else {
      // link() fails if the name was taken meanwhile: no silent overwrite even in a race.
      await fs.link(tmp, target.path).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') throw exists(file);
        if (e.code === 'EPERM' || e.code === 'ENOTSUP' || e.code === 'EXDEV') return fs.rename(tmp, target.path);
        throw e;
      });
      await fs.rm(tmp, { force: true });
    }
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw couldNotWrite(file, e);
  }
  return target;
}

/** Resolve `name` inside `folder`; refuse anything that would leave it (.., absolute paths, separators). */
export function safeJoin(folder: string, name: string): string {
  const base = path.resolve(folder);
  const target = path.resolve(base, name);
  const rel = path.relative(base, target);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new WabaError('security', `The file name "${name}" would leave the folder ${base}.`, { hint: 'Use a plain file name.' });
  }
  return target;
}

/** A file-name-safe slug. */
export function slug(text: string, max = 60): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, max) || 'result'
  );
}
