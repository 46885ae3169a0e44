/** One sync per archive: the lock file, contention, a stale lock of a dead process. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { ArchiveError } from '../../../src/archive/errors';
import { LOCK_NAME, acquireLock } from '../../../src/archive/lock';
import { rejection, tempDir } from '../helpers';

/** The pid of a process that ran and has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('archive lock', () => {
  it('is held by one holder at a time; the second is told who holds it', async () => {
    const dir = await tempDir('waba-lock-');
    const lock = await acquireLock(dir);
    const text = JSON.parse(await fs.readFile(path.join(dir, LOCK_NAME), 'utf8')) as Record<string, unknown>;
    assert.equal(text.pid, process.pid);
    assert.equal(text.hostname, hostname());
    assert.ok(typeof text.startedAt === 'string');
    const e = await rejection(acquireLock(dir));
    assert.ok(e instanceof ArchiveError && e.code === 'locked');
    assert.match(e.message, new RegExp(`process ${process.pid} on ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await lock.release();
    await assert.rejects(fs.stat(path.join(dir, LOCK_NAME)), { code: 'ENOENT' });
    const again = await acquireLock(dir);
    await again.release();
  });

  it('takes over the stale lock of a process of this host that no longer runs', async () => {
    const dir = await tempDir('waba-lock-');
    const pid = deadPid();
    await fs.writeFile(path.join(dir, LOCK_NAME), JSON.stringify({ pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'old' }));
    const lock = await acquireLock(dir);
    assert.equal(lock.tookOver?.pid, pid);
    assert.equal(JSON.parse(await fs.readFile(path.join(dir, LOCK_NAME), 'utf8')).pid, process.pid);
    await lock.release();
  });

  it('never takes over a lock of another host, nor an unreadable one', async () => {
    const dir = await tempDir('waba-lock-');
    await fs.writeFile(path.join(dir, LOCK_NAME), JSON.stringify({ pid: deadPid(), hostname: 'build-agent-7', startedAt: '2026-01-01T00:00:00.000Z', token: 't' }));
    const e = await rejection(acquireLock(dir));
    assert.ok(e instanceof ArchiveError && e.code === 'locked');
    assert.match(e.message, /on build-agent-7 since 2026-01-01/);
    assert.match(e.message, /delete .*\.lock/);
    await fs.writeFile(path.join(dir, LOCK_NAME), '{"pid":');
    const e2 = await rejection(acquireLock(dir));
    assert.ok(e2 instanceof ArchiveError && e2.code === 'locked');
    assert.match(e2.message, /cannot be read/);
  });

  it('release leaves a lock that is no longer its own', async () => {
    const dir = await tempDir('waba-lock-');
    const lock = await acquireLock(dir);
    const other = JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: 'x', token: 'someone-else' });
    await fs.writeFile(path.join(dir, LOCK_NAME), other);
    await lock.release();
    assert.equal(await fs.readFile(path.join(dir, LOCK_NAME), 'utf8'), other);
  });
});
