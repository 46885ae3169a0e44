// Runs the extension-host mocha suite (test/extension) inside a real VS Code (code-server) and
// reports each mocha test as a node:test subtest; then drives the same workbench from Chromium
// (palette, editor, and a webview opened by the test-only probe extension, test/e2e/probe-extension).
//
// The extension under test is this repository (built with `node esbuild.mjs`, packaged with vsce),
// or $WABA_E2E_EXTENSION: a .vsix file, or an extension project folder to build and package the
// same way.
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { HostSuiteResults } from '../host-runner/results';
import { doneMarker } from '../host-runner/results';
import {
  E2eStepError,
  extensionUnderTest,
  findFrame,
  openWorkbench,
  paletteSearch,
  runCommand,
  runNodeScript,
  saveArtifact,
  screenshot,
  startCodeServer,
  step,
  waitForFile,
} from './harness';
import type { CodeServer, Workbench } from './harness';

const RESULTS_TIMEOUT_MS = Number(process.env.WABA_E2E_RESULTS_TIMEOUT_MS ?? 180_000);

interface Manifest {
  publisher: string;
  name: string;
  contributes?: {
    commands?: Array<{ command: string; title: string; category?: string }>;
    menus?: { commandPalette?: Array<{ command: string; when?: string }> };
  };
}

/** The manifest of an extension as code-server installed it (<extensions-dir>/<id>-<version>/package.json). */
function manifestOf(server: CodeServer, id: string): Manifest {
  const dir = resolve(server.extensionsDir);
  const folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  for (const d of folders) {
    const file = join(dir, d.name, 'package.json');
    if (!existsSync(file)) continue;
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (`${m.publisher}.${m.name}`.toLowerCase() === id.toLowerCase()) return m;
  }
  throw new E2eStepError('reading the installed manifest', `${id} is not in ${dir} (${folders.map((d) => d.name).join(', ')})`);
}

test('VS Code (code-server): extension-host suite and workbench', { timeout: 10 * 60_000 }, async (t: TestContext) => {
  const vsix = await extensionUnderTest();
  const built = JSON.parse(await runNodeScript('building the runner and the suite (scripts/e2e/build.mjs)', 'scripts/e2e/build.mjs', ['--only=runner,suite,probe'])) as {
    runner: string;
    suite: string;
    probe: string;
  };
  const scratch = mkdtempSync(join(tmpdir(), 'waba-e2e-results-'));
  const resultsPath = join(scratch, 'results.json');
  const probe = randomUUID();

  const server = await startCodeServer({
    extensions: [vsix, built.runner, built.probe],
    env: { WABA_E2E_SUITE: built.suite, WABA_E2E_RESULTS: resultsPath, WABA_E2E_PROBE: probe },
  });
  let workbench: Workbench | undefined;
  t.after(async () => {
    await workbench?.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const keepEvidence = async (name: string) => {
    saveArtifact(`${name}.log`, [server.diagnostics(60), existsSync(`${resultsPath}.log`) ? readFileSync(`${resultsPath}.log`, 'utf8') : '(no runner log)'].join('\n'));
    if (workbench) await screenshot(workbench.page, name).catch(() => undefined);
  };

  let results: HostSuiteResults;
  try {
    // The extension host (and so the runner) only starts once a client opens the workbench.
    workbench = await openWorkbench(server.url, server.workspace);
    await waitForFile(doneMarker(resultsPath), `the extension-host suite results (${resultsPath}, written by test/host-runner with WABA_E2E_SUITE=${built.suite})`, RESULTS_TIMEOUT_MS);
    results = await step('reading the suite results', () => JSON.parse(readFileSync(resultsPath, 'utf8')) as HostSuiteResults);
  } catch (e) {
    await keepEvidence('host-suite-failure');
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(`${detail}\n(logs and screenshot in test-artifacts/host-suite-failure.*)\n${server.diagnostics(25)}`, { cause: e });
  }

  await t.test('code-server passes its environment down to the extension host', () => {
    assert.equal(results.probe, probe, 'WABA_E2E_PROBE seen in the extension host differs from the one given to code-server');
  });

  await t.test('the extension-host suite loaded and ran tests', () => {
    assert.equal(results.loadError, undefined, `the suite could not run: ${results.loadError}`);
    assert.ok(results.tests.length > 0, `no mocha test ran (files: ${results.files.join(', ')})`);
  });

  // One node:test subtest per mocha test, so they count in the total.
  for (const r of results.tests) {
    await t.test(`[extension host] ${r.fullTitle}`, (st: TestContext) => {
      st.diagnostic(`ran in the extension host in ${r.durationMs} ms${r.file ? ` (${r.file})` : ''}`);
      if (r.state === 'pending') throw new Error('pending (skipped) mocha test: the suite does not allow skipping');
      if (r.state === 'failed') {
        const err = new Error(r.error?.message ?? 'failed without a message');
        if (r.error?.stack) err.stack = r.error.stack;
        throw err;
      }
      assert.equal(r.state, 'passed');
    });
  }

  const page = workbench.page;
  await t.test('workbench: a built-in command runs from the palette', async () => {
    await runCommand(page, 'File: New Untitled Text File');
    await step('waiting for the Untitled-1 editor tab', () => page.locator('.tabs-container .tab', { hasText: 'Untitled-1' }).waitFor({ timeout: 15_000 }));
  });

  await t.test('workbench: the palette lists every command the extension contributes', async () => {
    const manifest = manifestOf(server, 'waba-analytics.waba-analytics');
    // Commands given a `when` in menus.commandPalette may be hidden there (item-only commands).
    const hidden = new Set((manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when !== undefined).map((m) => m.command));
    const commands = (manifest.contributes?.commands ?? []).filter((c) => !hidden.has(c.command));
    assert.ok(commands.length > 0, 'the extension contributes no command shown in the palette');
    for (const c of commands) {
      const title = c.category ? `${c.category}: ${c.title}` : c.title;
      const labels = await paletteSearch(page, title);
      assert.ok(labels.includes(title), `palette has no "${title}" (${c.command}); it shows: ${labels.slice(0, 8).join(' | ')}`);
    }
    await page.keyboard.press('Escape');
    await screenshot(page, 'host-suite-workbench');
  });

  await t.test('workbench: a webview document is reachable among the frames, scripts and messaging work', async () => {
    await runCommand(page, 'WABA E2E: Open Probe Webview');
    const frame = await findFrame(page, '#probe[data-state="pong"]');
    assert.match((await frame.textContent('#probe')) ?? '', /^pong from VS Code 1\.\d+/);
  });

  if (results.tests.some((r) => r.state !== 'passed')) await keepEvidence('host-suite-mocha-failures');
});
