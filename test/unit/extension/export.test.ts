/**
 * The extension's exports and saved queries never damage a file nor ignore their input: a FIFO,
 * a device, a folder or a socket is refused (nothing asked, nothing hangs, nothing renamed over);
 * a link is followed only to a regular file inside the workspace (or, outside one, the folder
 * chosen); a saved query with an unknown key is refused by name; a credential with a line break is
 * refused before it is stored or sent. Through the vscode stand-in, on real files.
 */
import { FakeUri, fakeContext, recorded, settings, user, vscode } from '../fakeVscode';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { parseQuery } from '../../../src/core/query';
import { ConnectionStore, credentialInputCheck } from '../../../src/extension/connections';
import { exportEntry, saveQueryFile } from '../../../src/extension/export';
import { readSavedQuery } from '../../../src/extension/savedQueries';
import { listenUnix, mkfifo, rejection, sampleRunEntry, startHostileServer, tempDir } from '../helpers';

const entry = sampleRunEntry;

async function workspace(): Promise<string> {
  const ws = await tempDir('waba-ws-');
  vscode.workspace.workspaceFolders = [{ uri: FakeUri.file(ws), name: 'ws', index: 0 }];
  return ws;
}

afterEach(() => {
  vscode.workspace.workspaceFolders = undefined;
  user.saveAs = undefined;
  user.buttons.length = 0;
  settings.clear();
  recorded.reset();
});

describe('extension export: only a regular file is replaced', () => {
  it('a FIFO, /dev/null, a folder or a socket is refused with its own message, before any question; nothing is renamed over', { timeout: 10_000 }, async () => {
    const ws = await workspace();
    const fifo = await mkfifo(path.join(ws, 'pipe.json'));
    await mkdir(path.join(ws, 'folder.json'));
    const sock = path.join(ws, 'app.sock');
    const server = await listenUnix(sock);
    try {
      for (const [target, words] of [
        [fifo, /pipe\.json is a FIFO \(named pipe\), not a regular file/],
        ['/dev/null', /\/dev\/null is a character device, not a regular file/],
        ['/dev/stdout', /\/dev\/stdout is a file descriptor, not a regular file/],
        [path.join(ws, 'folder.json'), /folder\.json is a folder, not a file/],
        [sock, /app\.sock is a socket, not a file/],
      ] as const) {
        // Given as a target (with or without consent), or picked in the save dialog.
        for (const run of [
          () => exportEntry(entry(), 'json', { target, noOpen: true }),
          () => exportEntry(entry(), 'csv', { target, overwrite: true, noOpen: true }),
          () => {
            user.saveAs = FakeUri.file(target);
            return exportEntry(entry(), 'json', { noOpen: true });
          },
          () => saveQueryFile(entry().query, 'T', { target, overwrite: true, noOpen: true }),
        ]) {
          const e = await rejection(run());
          assert.equal(e.kind, 'input');
          assert.match(e.message, words);
        }
      }
      assert.deepEqual(recorded.notifications, [], 'nobody was asked to replace anything');
      assert.ok((await lstat(fifo)).isFIFO());
      assert.ok((await lstat(sock)).isSocket());
      assert.ok((await lstat(path.join(ws, 'folder.json'))).isDirectory());
      assert.deepEqual((await readdir(ws)).sort(), ['app.sock', 'folder.json', 'pipe.json']);
    } finally {
      await server.close();
    }
  });

  it('a link in the workspace leading out of it is refused (security) before any question; a link to a file inside asks, then replaces that file', async () => {
    const ws = await workspace();
    const outside = await tempDir('waba-outside-');
    await writeFile(path.join(outside, 'victim.txt'), 'precious');
    await mkdir(path.join(ws, 'waba-analytics'));
    await symlink(path.join(outside, 'victim.txt'), path.join(ws, 'waba-analytics', 'latest.json'));
    for (const options of [{ target: 'waba-analytics/latest.json' }, { target: path.join(ws, 'waba-analytics', 'latest.json'), overwrite: true }]) {
      const e = await rejection(exportEntry(entry(), 'json', { ...options, noOpen: true }));
      assert.equal(e.kind, 'security');
      assert.match(e.message, /latest\.json is a link to .*victim\.txt, outside /);
    }
    user.saveAs = FakeUri.file(path.join(ws, 'waba-analytics', 'latest.json'));
    assert.equal((await rejection(exportEntry(entry(), 'json', { noOpen: true }))).kind, 'security');
    assert.deepEqual(recorded.notifications, []);
    assert.equal(await readFile(path.join(outside, 'victim.txt'), 'utf8'), 'precious');

    // Inside the workspace (another folder of it): the file the link leads to is replaced, after consent.
    await mkdir(path.join(ws, 'reports'));
    await writeFile(path.join(ws, 'reports', 'pricing.json'), 'old');
    await symlink('../reports/pricing.json', path.join(ws, 'waba-analytics', 'pricing.json'));
    user.buttons.push('Replace');
    await exportEntry(entry(), 'json', { target: 'waba-analytics/pricing.json', noOpen: true });
    assert.deepEqual(recorded.notifications, ['pricing.json already exists. Replace it?']);
    assert.equal(JSON.parse(await readFile(path.join(ws, 'reports', 'pricing.json'), 'utf8')).result.points.length, 1);
    assert.ok((await lstat(path.join(ws, 'waba-analytics', 'pricing.json'))).isSymbolicLink(), 'the link stays a link');
  });

  it('an export folder that leads out of the workspace through a link is refused; nothing is created outside', async () => {
    const ws = await workspace();
    const outside = await tempDir('waba-outside-');
    await symlink(outside, path.join(ws, 'waba-analytics'));
    user.saveAs = undefined;
    // The save dialog proposes the export folder; the user accepts what it proposes.
    const shown = exportEntry(entry(), 'csv', { noOpen: true });
    await assert.rejects(shown, (e: Error) => e.message === 'dismissed');
    const proposed = user.saveDialogs.at(-1)!.defaultUri!;
    user.saveAs = proposed;
    const e = await rejection(exportEntry(entry(), 'csv', { noOpen: true }));
    assert.equal(e.kind, 'security');
    assert.match(e.message, /leads to .*, outside /);
    settings.set('export.folder', 'waba-analytics/2026');
    user.saveAs = FakeUri.file(path.join(ws, 'waba-analytics', '2026', 'r.csv'));
    assert.equal((await rejection(exportEntry(entry(), 'csv', { noOpen: true }))).kind, 'security');
    assert.deepEqual(await readdir(outside), [], 'no file and no folder created outside');
  });

  it('outside any workspace, the folder chosen in the dialog is the limit', async () => {
    const chosen = await tempDir('waba-chosen-');
    const elsewhere = await tempDir('waba-elsewhere-');
    await writeFile(path.join(elsewhere, 'victim.txt'), 'precious');
    await symlink(path.join(elsewhere, 'victim.txt'), path.join(chosen, 'out.json'));
    user.saveAs = FakeUri.file(path.join(chosen, 'out.json'));
    assert.equal((await rejection(exportEntry(entry(), 'json', { noOpen: true }))).kind, 'security');
    assert.equal(await readFile(path.join(elsewhere, 'victim.txt'), 'utf8'), 'precious');
    user.saveAs = FakeUri.file(path.join(chosen, 'plain.json'));
    await exportEntry(entry(), 'json', { noOpen: true });
    assert.equal(JSON.parse(await readFile(path.join(chosen, 'plain.json'), 'utf8')).partial, false);
  });
});

describe('extension saved queries: an unknown key is refused by name', () => {
  it('a saved file reads back as the same query; an unknown key in it, or around it, is refused naming the key', async () => {
    const ws = await workspace();
    const saved = await saveQueryFile(entry().query, 'Daily pricing', { target: 'q.waba-query.json', noOpen: true });
    const back = await readSavedQuery(saved as never);
    assert.deepEqual(back, { query: entry().query, title: 'Daily pricing' });

    const query = { kind: 'pricing', provider: 'meta', wabaId: '102290129340398', from: '2026-10-22', to: '2026-10-22' };
    for (const [content, words] of [
      [{ query: { ...query, countrys: ['US'] } }, /the query has an unknown key "countrys"\. A pricing query takes: /],
      [{ query: { ...query, templateIds: ['1'], extra: 1 } }, /the query has an unknown key "templateIds", "extra"/],
      [{ titel: 'typo', query }, /has an unknown key "titel"\. A saved query file holds "\$schema", "title", "query"/],
      [{ ...query }, /has no "query" object/],
    ] as const) {
      const file = path.join(ws, 'bad.waba-query.json');
      await writeFile(file, JSON.stringify(content));
      const e = await rejection(readSavedQuery(FakeUri.file(file) as never));
      assert.equal(e.kind, 'input');
      assert.match(e.message, words);
    }
    const file = path.join(ws, 'ok.waba-query.json');
    await writeFile(file, JSON.stringify({ $schema: './schemas/waba-query.schema.json', title: 'x', query }));
    assert.deepEqual((await readSavedQuery(FakeUri.file(file) as never)).query, parseQuery(query));
  });
});

describe('extension connections: a credential with a line break', () => {
  it('gets its own message in the input box, and is refused before it is stored or sent; the value is never shown', async () => {
    const secret = 'SENTINELsec' + 'ret98765';
    const check = credentialInputCheck('The token');
    assert.equal(check(`${secret}\n${secret}`), 'The token contains a line break: paste it again without it.');
    assert.equal(check(`\t${secret}\u0007`), 'The token contains a control character: paste it again without it.');
    assert.equal(check(` ${secret}\n`), undefined, 'blanks around it are trimmed, not refused');

    const server = await startHostileServer(() => ({ status: 200, body: { data: [] } }));
    settings.set('meta.baseUrl', server.url);
    settings.set('vonage.baseUrl', server.url);
    const { context, secrets } = fakeContext();
    const store = new ConnectionStore(context as never);
    try {
      const meta = { id: 'm1', label: 'Meta prod', provider: 'meta' as const, manualWabaIds: ['1'], manualTemplateIds: {} };
      const e1 = await rejection(store.add(meta, { provider: 'meta', accessToken: `${secret}\r\n${secret}` }));
      assert.equal(e1.kind, 'config');
      assert.equal(e1.message, 'The access token contains a line break. Paste it again without it.');
      assert.equal(secrets.size, 0, 'nothing stored');
      await store.add(meta, { provider: 'meta', accessToken: secret });
      const e2 = await rejection(store.setSecret('m1', { provider: 'vonage', apiKey: 'key', apiSecret: `${secret}\n` + 'x' }));
      assert.match(e2.message, /^The API secret contains a line break/);

      // Stored before this check existed: refused with its own message when used, never sent.
      secrets.set('wabaAnalytics.connection.m1', JSON.stringify({ provider: 'meta', accessToken: `${secret}\n${secret}` }));
      store.reset();
      const e3 = await rejection(store.provider('m1'));
      assert.equal(e3.kind, 'config');
      assert.equal(e3.message, 'The access token of "Meta prod" contains a line break. Use "Edit Credentials…" on the connection to paste it again without it.');
      for (const e of [e1, e2, e3]) assert.ok(!e.message.includes(secret));
      assert.equal(server.requests.length, 0, 'nothing was sent');
    } finally {
      store.dispose();
      await server.close();
    }
  });
});
