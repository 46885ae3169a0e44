/** Writing result files: atomic (temp file + rename), never overwriting unless asked, never outside a folder. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { WabaError } from './errors';

export interface WriteOptions {
  /** Replace an existing file (default false: an existing file is an error of kind 'input'). */
  overwrite?: boolean;
}

/** Write `data` to `file` atomically: a failure leaves any old file intact. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  if (!options.overwrite) {
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    if (exists) throw new WabaError('input', `${file} already exists.`, { hint: 'Choose another name, or confirm that it may be replaced.' });
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await fs.rename(tmp, file);
    } else {
      // link() fails if the name was taken meanwhile: no silent overwrite even in a race.
      await fs.link(tmp, file).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') throw new WabaError('input', `${file} already exists.`, { hint: 'Choose another name, or confirm that it may be replaced.' });
        if (e.code === 'EPERM' || e.code === 'ENOTSUP' || e.code === 'EXDEV') return fs.rename(tmp, file);
        throw e;
      });
      await fs.rm(tmp, { force: true });
    }
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof WabaError) throw e;
    throw new WabaError('input', `Could not write ${file}: ${(e as Error).message}`, { hint: 'Check the folder exists and is writable.', cause: e });
  }
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
