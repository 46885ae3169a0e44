/**
 * Credentials as typed or pasted: what is wrong with one, in words that never quote it, and a
 * private key file (a provider's key-file credential) read without hanging on a FIFO or a device.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { WabaError } from './errors';

/** How a key file is spoken of in messages. */
export interface KeyFileWords {
  /** "the private.key file of the Vonage application" */
  expected: string;
  /** "the private.key file Vonage gave for the application" */
  given: string;
  /** Name of the open dialog. */
  dialogTitle: string;
}

/** What is wrong with a token, key, secret or id (never quoting it), or undefined when nothing is. */
export function credentialProblem(value: string): string | undefined {
  if (/[\r\n\u2028\u2029]/.test(value)) return 'contains a line break';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains a control character';
  if (/[^\u0020-\u007e]/.test(value)) return 'contains a character that is not plain ASCII (pasted from formatted text?)';
  return undefined;
}

/**
 * Throw a config error naming `name` (an environment variable or a field) when the credential is
 * unusable; `what` names it for the sentence ("the token"). Leading and trailing blanks are the
 * caller's to trim.
 */
export function checkCredential(name: string, value: string | undefined, what = 'it'): void {
  if (value === undefined) return;
  const problem = credentialProblem(value);
  if (problem) throw new WabaError('config', `${name} ${problem}: paste ${what} again without it.`);
}

/** The largest private key file read (a PEM RSA key is 2-4 KB). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Read a private key file named by `name` (an environment variable, or "The private key file"): a
 * regular file of sane size holding a PEM key; `words` say which file is expected (the provider's
 * credential field). A folder, a FIFO (never waited on), a device or a huge file gets its own
 * message. The key itself never appears in a message.
 */
export function readPrivateKeyFile(file: string, name: string, words: Pick<KeyFileWords, 'expected' | 'given'>): string {
  const checkPath = `Check the path: it should be ${words.expected}.`;
  const refuse = (why: string, hint = 'Set it to the PEM text of the key, or to the path of the key file.') => new WabaError('config', `${name} ${why}.`, { hint });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refuse(`is neither a PEM key nor the path of a file (${file} does not exist)`);
    if (code === 'EISDIR') throw refuse(`names a folder (${file}), not a key file`);
    throw refuse(`names ${file}, which cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw refuse(`names a folder (${file}), not a key file`);
    if (!st.isFile()) {
      const what = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw refuse(`names ${file}, which is ${what}, not a key file`);
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw refuse(`names ${file}, a file of ${Math.round(st.size / 1024)} KB; a private key file is a few KB`, checkPath);
    const buf = Buffer.alloc(Math.min(st.size, MAX_KEY_FILE_BYTES) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n >= buf.length) throw refuse(`names ${file}, which grew while it was read`, checkPath);
    }
    const text = buf.subarray(0, n).toString('utf8');
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw refuse(`names ${file}, which holds no PEM private key`, `Use ${words.given}, a PEM file whose first line names a private key.`);
    }
    return text;
  } finally {
    closeSync(fd);
  }
}
