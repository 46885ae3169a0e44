/** Month files are replaced atomically: a failed or killed write leaves the previous file; temps are cleaned. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cleanTemps, isTempName, writeFileAtomic } from '../../../src/archive/atomic';
import { ArchiveError } from '../../../src/archive/errors';
import { rejection, tempDir } from '../helpers';

describe('archive atomic writes', () => {
  it('a write that fails before the rename leaves the previous file and no temp', async () => {
    const dir = await tempDir('waba-atomic-');
    const file = path.join(dir, 'm', 'a.parquet');
    await writeFileAtomic(file, Buffer.from('old'));
    const e = await rejection(
      writeFileAtomic(file, Buffer.from('new'), {
        beforeRename: () => {
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        },
      }),
    );
    assert.ok(e instanceof ArchiveError && e.code === 'io');
    assert.match(e.message, /ENOSPC/);
    assert.equal(await fs.readFile(file, 'utf8'), 'old');
    assert.deepEqual(await fs.readdir(path.join(dir, 'm')), ['a.parquet']);
  });

  it('a process killed mid-write leaves the previous file; its temp is cleaned later', async () => {
    const dir = await tempDir('waba-atomic-');
    const file = path.join(dir, 'provider=meta', 'a.parquet');
    await writeFileAtomic(file, Buffer.from('old'));
    // A real kill: a child process writes the new file and is SIGKILLed between fsync and rename.
    const modulePath = path.resolve(__dirname, '../../../src/archive/atomic.js');
    const script = `require(${JSON.stringify(modulePath)}).writeFileAtomic(${JSON.stringify(file)}, Buffer.alloc(1 << 20, 7), { beforeRename: () => process.kill(process.pid, 'SIGKILL') })`;
    const r = spawnSync(process.execPath, ['-e', script]);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(await fs.readFile(file, 'utf8'), 'old');
    const left = (await fs.readdir(path.dirname(file))).filter(isTempName);
    assert.equal(left.length, 1, 'the killed write left its temp');
    assert.ok(!left[0]!.endsWith('.parquet'), 'a temp is never read as a month file');
    assert.deepEqual(await cleanTemps(dir), [`provider=meta/${left[0]}`]);
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['a.parquet']);
  });
});
