// `npm run demo` (scripts/demo.mjs), bounded: it starts code-server with the extension, prints the
// URL, the page it names is VS Code with the demo connections already in the WABA Analytics view
// (WABA_ANALYTICS_DEMO=1, no "Try the Demo" click), and Ctrl+C (SIGINT) stops it all. The port
// asked for is taken here, so the fallback to a free port is exercised too.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { extensionUnderTest, openWorkbench, repoRoot, saveArtifact, screenshot, step } from './harness';
import type { Workbench } from './harness';
import { expandRow, waitForRow } from './ui';

test('npm run demo: VS Code with the extension and its demo connections, at the URL it prints, until Ctrl+C', { timeout: 5 * 60_000 }, async (t: TestContext) => {
  const vsix = await extensionUnderTest();
  const workspace = mkdtempSync(join(tmpdir(), 'waba-demo-test-'));
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => busy.close(() => r())));
  const busyPort = (busy.address() as AddressInfo).port;

  const child = spawn(process.execPath, ['scripts/demo.mjs', '--port', String(busyPort), '--workspace', workspace, '--vsix', vsix], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  let workbench: Workbench | undefined;
  t.after(async () => {
    await workbench?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
      if (!done) child.kill('SIGKILL');
    }
  });
  t.after(() => saveArtifact('demo-output.log', said()));
  const said = () => `\n--- demo stdout ---\n${stdout}\n--- demo stderr (last lines) ---\n${stderr.trim().split('\n').slice(-20).join('\n')}`;

  const url = await step('waiting for the demo to print its URL', async () => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const m = /Open (http:\/\/127\.0\.0\.1:(\d+)\/\?folder=\S+)/.exec(stdout);
      if (m) return { full: m[1]!, port: Number(m[2]) };
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the demo exited (${child.exitCode ?? child.signalCode}) without printing a URL${said()}`);
      if (Date.now() > deadline) throw new Error(`no URL printed within 180 s${said()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  await t.test('it prints the URL of a free port when the one asked for is taken, with the workspace folder', () => {
    assert.notEqual(url.port, busyPort);
    assert.match(stderr, new RegExp(`port ${busyPort} is taken: using ${url.port} instead`));
    assert.equal(new URL(url.full).searchParams.get('folder'), workspace);
    assert.match(stdout, /Press Ctrl\+C to stop/);
  });

  await t.test('the first screen is quiet: no npm warnings or file lists printed, no git toast from a parent folder', () => {
    assert.doesNotMatch(`${stdout}\n${stderr}`, /npm warn|unsafe-perm|allowScripts|\.vsix \(\d+ files/i, said());
    assert.ok(stderr.trim().split('\n').length <= 12, `the demo printed ${stderr.trim().split('\n').length} progress lines${said()}`);
    const settings = JSON.parse(readFileSync(join(workspace, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(settings['git.openRepositoryInParentFolders'], 'never');
  });

  await t.test('the URL answers with VS Code', async () => {
    const res = await step(`fetching ${url.full}`, () => fetch(url.full, { signal: AbortSignal.timeout(10_000) }));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /workbench/i);
  });

  await t.test('the WABA Analytics view holds the demo connections from the start, and they work', async () => {
    workbench = await openWorkbench(new URL(url.full).origin, workspace);
    const page = workbench.page;
    await step('opening the WABA Analytics view', () => page.locator('.activitybar .action-label[aria-label="WABA Analytics"]').click());
    await step('finding the demo connections (no "Try the Demo" click)', () => waitForRow(page, ['Demo (Vonage)']));
    const wabas = await step('expanding Demo (Meta)', () => expandRow(page, ['Demo (Meta)']));
    assert.ok(wabas.some((w) => w.label === 'Acme Outdoor US'), `Demo (Meta) lists ${wabas.map((w) => w.label).join(', ')}`);
    await screenshot(page, 'demo-01-the-view-with-the-demo-connections');
  });

  await t.test('Ctrl+C (SIGINT) stops code-server and the demo', async () => {
    await workbench?.close();
    workbench = undefined;
    child.kill('SIGINT');
    const code = await step('waiting for the demo to stop', () =>
      Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 20 s after SIGINT${said()}`)), 20_000).unref())]),
    );
    assert.equal(code, 0, `the demo exited with ${code}${said()}`);
    assert.match(stdout, /The WABA Analytics demo stopped\./);
    const after = await fetch(url.full, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => `HTTP ${r.status}`,
      () => 'no answer',
    );
    assert.equal(after, 'no answer', 'code-server still answers after the demo stopped');
  });
});
