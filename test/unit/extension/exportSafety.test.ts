/**
 * Export: a file is never overwritten without consent, a write is atomic (a failure, even a
 * killed process, leaves the old file intact), and a path never leaves the chosen folder.
 */
import { FakeUri, recorded, settings, user, vscode } from '../fakeVscode';
import assert from 'node:assert/strict';
import { lstat, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WabaError } from '../../../src/core/errors';
import { exportFileName, savedQueryFileName } from '../../../src/core/exportFile';
import { safeJoin, writeFileAtomic } from '../../../src/core/files';
import { exportEntry } from '../../../src/extension/export';
import { rejection, sampleRunEntry, stalledWriter, tempDir as tempFolder } from '../helpers';

const tempDir = () => tempFolder('waba-hard-export-');

/** Data that writes a first chunk, then fails (an I/O error in the middle of a write). */
function failingData(first: string): string {
  async function* chunks() {
    yield Buffer.from(first);
    throw new Error('EIO: simulated failure in the middle of the write');
  }
  return chunks() as unknown as string;
}

describe('export: never overwrite without consent', () => {
  it('writers racing for one new name: exactly one wins, the others are refused, nothing is mixed', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'race.json');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_x, i) => writeFileAtomic(f, `writer ${i} `.repeat(50_000))));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(won.length, 1, 'one writer wins');
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof WabaError && r.reason.kind === 'input' && /already exists/.test(r.reason.message));
    assert.equal(await readFile(f, 'utf8'), `writer ${won[0]} `.repeat(50_000));
    assert.deepEqual(await readdir(dir), ['race.json'], 'no temporary file left');
  });

  it('a symlink in the way is never replaced, and never followed out of its folder, with or without consent', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    const victim = path.join(outside, 'victim.txt');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(dir, 'export.json'));
    await symlink(path.join(outside, 'never-created.txt'), path.join(dir, 'dangling.json'));
    await assert.rejects(writeFileAtomic(path.join(dir, 'export.json'), 'x'), (e: WabaError) => e.kind === 'security');
    await assert.rejects(writeFileAtomic(path.join(dir, 'export.json'), 'x', { overwrite: true }), (e: WabaError) => e.kind === 'security');
    await assert.rejects(writeFileAtomic(path.join(dir, 'dangling.json'), 'x', { overwrite: true }), /which does not exist/);
    assert.deepEqual(await readdir(outside), ['victim.txt'], 'a dangling link is not followed to create a file');
    assert.equal(await readFile(victim, 'utf8'), 'precious', 'the target is untouched');
    assert.ok((await lstat(path.join(dir, 'export.json'))).isSymbolicLink(), 'the link is not replaced either');
    // (core-files.test.ts: a link to a file inside the folder replaces that file, the link stays.)
  });

  it("the extension's export asks before replacing, and a dismissed question keeps the file", async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'result.json');
    await writeFile(target, 'old result');
    recorded.reset();
    user.buttons.push(undefined);
    await assert.rejects(exportEntry(entry(), 'json', { target, noOpen: true }), (e: Error) => e.message === 'dismissed');
    assert.deepEqual(recorded.notifications, ['result.json already exists. Replace it?']);
    assert.equal(await readFile(target, 'utf8'), 'old result');
    user.buttons.push('Replace');
    await exportEntry(entry(), 'json', { target, noOpen: true });
    assert.equal(JSON.parse(await readFile(target, 'utf8')).result.points.length, 1);
    assert.deepEqual(await readdir(dir), ['result.json']);
  });
});

describe('export: atomic writes', () => {
  it('a failure in the middle of a write leaves the old file as it was, and no temporary file', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'a.json');
    await writeFileAtomic(f, 'old');
    await assert.rejects(writeFileAtomic(f, failingData('new, half written'), { overwrite: true }), (e: unknown) => e instanceof WabaError && /Could not write/.test(e.message));
    assert.equal(await readFile(f, 'utf8'), 'old');
    await assert.rejects(writeFileAtomic(path.join(dir, 'b.json'), failingData('half')), WabaError);
    assert.deepEqual(await readdir(dir), ['a.json'], 'no half-written file under any name');
  });

  it('a reader never sees a half-written file while it is replaced', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'big.json');
    const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(4 * 1024 * 1024));
    await writeFileAtomic(f, versions[0]!);
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const text = await readFile(f, 'utf8');
        reads++;
        assert.ok(versions.includes(text), `a torn read of ${text.length} bytes`);
      }
    })();
    for (const v of versions.slice(1)) await writeFileAtomic(f, v, { overwrite: true });
    reading = false;
    await reader;
    assert.ok(reads > 0);
    assert.equal(await readFile(f, 'utf8'), versions.at(-1));
  });

  it('a process killed in the middle of a write leaves the old file intact', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 'kept.json');
    await writeFile(f, 'old content');
    const { child } = await stalledWriter(dir, 'kept.json', 'new content, never finished');
    try {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      assert.equal(await readFile(f, 'utf8'), 'old content');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('export: a path never leaves the chosen folder', () => {
  const dir = path.resolve(tmpdir(), 'chosen');
  const nasty = fc.oneof(
    fc.string(),
    fc.array(fc.constantFrom('..', '.', '', 'a', '/', '\\', '..\\..', '%2e%2e', 'C:', '\0', '~', ' ', 'x/../..'), { maxLength: 6 }).map((p) => p.join('/')),
    fc.array(fc.constantFrom('..', 'a', 'b.json', '.'), { minLength: 1, maxLength: 5 }).map((p) => p.join(path.sep)),
  );

  it('safeJoin: inside the folder, or a security error', () => {
    fc.assert(
      fc.property(nasty, (name) => {
        let out: string;
        try {
          out = safeJoin(dir, name);
        } catch (e) {
          assert.ok(e instanceof WabaError && e.kind === 'security', String(e));
          return;
        }
        const rel = path.relative(dir, out);
        assert.ok(rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel), `${JSON.stringify(name)} -> ${out}`);
        assert.ok(out.startsWith(dir + path.sep));
      }),
      { numRuns: 1000 },
    );
  });

  it('file names made from any query are plain names in the folder', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom('../../etc/passwd', '..', '.', '/abs', 'a\\b', 'C:\\x', '\u202e', 'con', ''));
    fc.assert(
      fc.property(fc.constantFrom('messaging', 'conversation', 'pricing', 'template'), fc.constantFrom('meta', 'vonage'), text, text, text, (kind, provider, wabaId, from, to) => {
        const q = { kind, provider, wabaId, from, to } as Parameters<typeof exportFileName>[0];
        for (const name of [exportFileName(q, 'json'), exportFileName(q, 'csv'), savedQueryFileName(q)]) {
          assert.ok(!/[/\\\0]/.test(name) && name !== '.' && name !== '..' && !name.startsWith('.'), name);
          assert.equal(path.dirname(safeJoin(dir, name)), dir);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("the extension: a relative target may not leave the workspace, nor may the export folder setting", async () => {
    const ws = await tempDir();
    const outside = path.dirname(ws);
    vscode.workspace.workspaceFolders = [{ uri: FakeUri.file(ws), name: 'ws', index: 0 }];
    try {
      const e = await rejection(exportEntry(entry(), 'json', { target: '../escaped.json', noOpen: true }));
      assert.equal(e.kind, 'security');
      await assert.rejects(readFile(path.join(outside, 'escaped.json')));
      // A workspace-relative target inside is fine.
      await exportEntry(entry(), 'json', { target: 'sub/ok.json', noOpen: true });
      assert.equal(JSON.parse(await readFile(path.join(ws, 'sub', 'ok.json'), 'utf8')).partial, false);

      for (const folder of ['../../outside', '/etc', '..', 'a/../../b', 'C:\\Windows']) {
        settings.set('export.folder', folder);
        user.saveDialogs.length = 0;
        user.saveAs = undefined;
        await assert.rejects(exportEntry(entry(), 'csv', {}), (x: Error) => x.message === 'dismissed');
        const proposed = user.saveDialogs[0]!.defaultUri!.fsPath;
        assert.ok(proposed.startsWith(path.join(ws, 'waba-analytics') + path.sep), `${folder}: proposed ${proposed}`);
      }
      settings.set('export.folder', 'reports/2026');
      await assert.rejects(exportEntry(entry(), 'csv', {}));
      assert.ok(user.saveDialogs.at(-1)!.defaultUri!.fsPath.startsWith(path.join(ws, 'reports', '2026') + path.sep));
    } finally {
      vscode.workspace.workspaceFolders = undefined;
      settings.clear();
    }
  });
});

const entry = sampleRunEntry;
