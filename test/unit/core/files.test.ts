/**
 * core/files: what a write may replace. Real files, folders, FIFOs (mkfifo), sockets, devices
 * (/dev/null, /dev/full), file descriptors and symbolic links in temp folders; a killed writer is
 * a real child process.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { WabaError } from '../../../src/core/errors';
import { cleanStaleTempFiles, planWrite, writeFileAtomic } from '../../../src/core/files';
import { listenUnix, mkfifo, readFifo, rejection, stalledWriter, tempDir } from '../helpers';

const through = { special: 'through' } as const;

describe('core files: what a write replaces', () => {
  it('a regular file: created, refused without consent, replaced atomically with consent, keeping its permissions', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'r.json');
    assert.deepEqual(await writeFileAtomic(f, 'one'), { mode: 'replace', path: f, exists: false });
    const e = await rejection(writeFileAtomic(f, 'two'));
    assert.equal(e.kind, 'input');
    assert.match(e.message, /already exists/);
    await chmod(f, 0o640);
    assert.deepEqual(await writeFileAtomic(f, 'three', { overwrite: true }), { mode: 'replace', path: f, exists: true });
    assert.equal(await readFile(f, 'utf8'), 'three');
    assert.equal((await stat(f)).mode & 0o777, 0o640, 'the replaced file keeps its permissions');
    assert.deepEqual(await readdir(dir), ['r.json'], 'no temp file left');
  });

  it('a folder, a socket, an empty name or a name ending in a separator: refused, with or without consent', async () => {
    const dir = await tempDir();
    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    await writeFile(path.join(sub, 'inside.txt'), 'kept');
    const sock = path.join(dir, 's.sock');
    const server = await listenUnix(sock);
    try {
      for (const [target, words] of [
        [sub, /is a folder, not a file/],
        [sock, /is a socket, not a file/],
        ['', /empty, not a file name/],
        [`${dir}/new/`, /folder name, not a file name/],
        [`${sub}/.`, /is a folder/],
      ] as const) {
        for (const options of [{}, { overwrite: true }, { overwrite: true, ...through }]) {
          const e = await rejection(writeFileAtomic(target, 'x', options));
          assert.equal(e.kind, 'input', target);
          assert.match(e.message, words, target);
        }
      }
      assert.ok((await lstat(sub)).isDirectory());
      assert.equal(await readFile(path.join(sub, 'inside.txt'), 'utf8'), 'kept');
      assert.ok((await lstat(sock)).isSocket(), 'the socket was not renamed over');
      assert.deepEqual((await readdir(dir)).sort(), ['s.sock', 'sub']);
    } finally {
      await server.close();
    }
  });

  it('a FIFO is written through like a shell redirect (never renamed over), or refused when the caller does not allow it', async () => {
    const dir = await tempDir();
    const fifo = await mkfifo(path.join(dir, 'pipe'));
    const refused = await rejection(writeFileAtomic(fifo, 'x', { overwrite: true }));
    assert.match(refused.message, /is a FIFO \(named pipe\), not a regular file/);
    const read = readFifo(fifo);
    const target = await writeFileAtomic(fifo, 'through the pipe\n', through);
    assert.deepEqual(target, { mode: 'through', path: fifo, what: 'a FIFO (named pipe)' });
    assert.equal(await read, 'through the pipe\n');
    assert.ok((await lstat(fifo)).isFIFO(), 'still a FIFO');
    assert.deepEqual(await readdir(dir), ['pipe'], 'no temp file');
  });

  it('/dev/null is written through (no consent needed: nothing is replaced); /dev/full fails with one clear error', async () => {
    assert.deepEqual(await writeFileAtomic('/dev/null', 'gone', through), { mode: 'through', path: '/dev/null', what: 'a character device' });
    assert.ok((await lstat('/dev/null')).isCharacterDevice());
    const refused = await rejection(writeFileAtomic('/dev/null', 'x', { overwrite: true }));
    assert.match(refused.message, /is a character device, not a regular file/);
    const full = await rejection(writeFileAtomic('/dev/full', 'x'.repeat(100_000), through));
    assert.equal(full.kind, 'input');
    assert.equal(full.message.split('\n').length, 1);
    assert.match(full.message, /^Could not write \/dev\/full: no space left on the device \(ENOSPC\)/);
  });

  it('a file descriptor (/dev/fd/N) is written through, appending to what it names', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'fd.txt');
    await writeFile(f, 'before;');
    const fd = openSync(f, 'a');
    try {
      const target = await writeFileAtomic(`/dev/fd/${fd}`, 'after', through);
      assert.equal(target.mode, 'through');
      assert.equal(readFileSync(f, 'utf8'), 'before;after');
      await assert.rejects(writeFileAtomic(`/proc/self/fd/${fd}`, 'x'), /is a file descriptor, not a regular file/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('core files: links are followed only to a regular file inside the folder', () => {
  it('a link to a file in the same folder or below: that file is replaced atomically, the link stays a link', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'data'));
    const real = path.join(dir, 'data', 'real.json');
    await writeFile(real, 'old');
    const link = path.join(dir, 'out.json');
    await symlink('data/real.json', link);
    assert.match((await rejection(writeFileAtomic(link, 'new'))).message, /already exists/);
    assert.deepEqual(await writeFileAtomic(link, 'new', { overwrite: true }), { mode: 'replace', path: real, exists: true });
    assert.ok((await lstat(link)).isSymbolicLink(), 'the link itself is not replaced');
    assert.equal(await readFile(real, 'utf8'), 'new');
    assert.deepEqual(await readdir(path.join(dir, 'data')), ['real.json'], 'no temp file');
  });

  it('a link leading out of the folder is refused (security), with or without consent; neither the link nor its target changes', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    const victim = path.join(outside, 'victim.txt');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(dir, 'export.json'));
    await symlink('../' + path.basename(outside) + '/victim.txt', path.join(dir, 'relative.json'));
    for (const name of ['export.json', 'relative.json']) {
      for (const options of [{}, { overwrite: true }, { overwrite: true, ...through }]) {
        const e = await rejection(writeFileAtomic(path.join(dir, name), 'x', options));
        assert.equal(e.kind, 'security');
        assert.match(e.message, /is a link to .*victim\.txt, outside /);
      }
      assert.ok((await lstat(path.join(dir, name))).isSymbolicLink());
    }
    assert.equal(await readFile(victim, 'utf8'), 'precious');
    assert.deepEqual((await readdir(dir)).sort(), ['export.json', 'relative.json']);
  });

  it('a dangling link, a loop, a link to a folder, a FIFO or a device: refused, nothing created through them', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await symlink(path.join(outside, 'never-created.txt'), path.join(dir, 'dangling.json'));
    await symlink('loop-b', path.join(dir, 'loop-a'));
    await symlink('loop-a', path.join(dir, 'loop-b'));
    await mkdir(path.join(dir, 'folder'));
    await symlink('folder', path.join(dir, 'to-folder'));
    await mkfifo(path.join(dir, 'fifo'));
    await symlink('fifo', path.join(dir, 'to-fifo'));
    await symlink('/dev/null', path.join(dir, 'to-null'));
    for (const [name, words] of [
      ['dangling.json', /is a link to .*never-created\.txt, which does not exist/],
      ['loop-a', /is a link that loops/],
      ['to-folder', /is a link to a folder .*followed only to a regular file/],
      ['to-fifo', /is a link to a FIFO .*followed only to a regular file/],
      ['to-null', /is a link to a character device .*followed only to a regular file/],
    ] as const) {
      const e = await rejection(writeFileAtomic(path.join(dir, name), 'x', { overwrite: true, ...through }));
      assert.match(e.message, words, name);
      assert.ok((await lstat(path.join(dir, name))).isSymbolicLink(), `${name} is still the link`);
    }
    assert.deepEqual(await readdir(outside), [], 'a dangling link is not followed to create a file');
    assert.deepEqual(await readdir(path.join(dir, 'folder')), []);
  });

  it('a folder on the way that leads out of the allowed folder is refused before anything is created', async () => {
    const ws = await tempDir();
    const outside = await tempDir();
    await symlink(outside, path.join(ws, 'reports'));
    const e = await rejection(writeFileAtomic(path.join(ws, 'reports', 'new', 'x.json'), 'x', { within: ws }));
    assert.equal(e.kind, 'security');
    assert.match(e.message, /leads to .*, outside /);
    assert.deepEqual(await readdir(outside), [], 'no folder created outside');
    // Without `within`, the folder as given is the user's choice: the write goes where it points.
    await writeFileAtomic(path.join(ws, 'reports', 'ok.json'), 'fine');
    assert.equal(await readFile(path.join(outside, 'ok.json'), 'utf8'), 'fine');
    assert.deepEqual(await planWrite(path.join(ws, 'reports', 'ok.json')), { mode: 'replace', path: path.join(outside, 'ok.json'), exists: true });
  });
});

describe('core files: temp files of a killed write', () => {
  it("the next write to the folder removes a killed writer's temp file, keeps a live writer's, and leaves what is not ours", async () => {
    const dir = await tempDir();
    const killed = await stalledWriter(dir, 'a.json');
    const live = await stalledWriter(dir, 'b.json');
    try {
      killed.child.kill('SIGKILL');
      await new Promise((r) => killed.child.once('exit', r));
      const notOurs = ['.notes.tmp', 'data.tmp', '.a.json.waba-zz-1-000000000000.tmp'];
      for (const n of notOurs) await writeFile(path.join(dir, n), 'user file');
      // A temp file of another machine (a shared folder): kept while recent, removed once a day old.
      const foreignFresh = '.c.json.waba-000000-1-aaaaaaaaaaaa.tmp';
      const foreignOld = '.d.json.waba-000000-1-bbbbbbbbbbbb.tmp';
      await writeFile(path.join(dir, foreignFresh), 'x');
      await writeFile(path.join(dir, foreignOld), 'x');
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      await utimes(path.join(dir, foreignOld), twoDaysAgo, twoDaysAgo);

      await writeFileAtomic(path.join(dir, 'next.json'), 'next');
      const left = new Set(await readdir(dir));
      assert.ok(!left.has(killed.temp), 'the killed writer’s temp file is removed');
      assert.ok(left.has(live.temp), 'a live writer’s temp file stays');
      for (const n of [...notOurs, foreignFresh]) assert.ok(left.has(n), `${n} stays`);
      assert.ok(!left.has(foreignOld), 'a day-old temp file is removed');
      assert.equal(await readFile(path.join(dir, 'next.json'), 'utf8'), 'next');
      assert.deepEqual(await cleanStaleTempFiles(dir), [], 'nothing more to clean while the live writer runs');
    } finally {
      killed.child.kill('SIGKILL');
      live.child.kill('SIGKILL');
    }
    await new Promise((r) => (live.child.exitCode !== null || live.child.signalCode !== null ? r(undefined) : live.child.once('exit', r)));
    assert.deepEqual(await cleanStaleTempFiles(dir), [live.temp], 'once its writer is gone, it goes too');
  });

  it('an error is a WabaError naming the file, never a raw Node error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'file'), 'x');
    const e = await rejection(writeFileAtomic(path.join(dir, 'file', 'below.json'), 'x'));
    assert.ok(e instanceof WabaError);
    assert.match(e.message, /^Could not write .*below\.json: a part of the path is not a folder \(ENOTDIR\)/);
  });
});
