// Fast checks of the harness pieces that need no workbench: the test-only runner extension (run in a
// plain node process, where its suite needs no `vscode`), and the harness's failure messages.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HostSuiteResults } from '../host-runner/results';
import { doneMarker } from '../host-runner/results';
import { E2eStepError, extensionUnderTest, repoRoot, runNodeScript, startCodeServer, step, waitForFile } from './harness';

let runnerDir = '';
let scratch = '';

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'waba-e2e-runner-test-'));
  const built = JSON.parse(await runNodeScript('building the runner', 'scripts/e2e/build.mjs', ['--only=runner'])) as { runner: string };
  runnerDir = built.runner;
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** Activates the built runner in a child node process, as the extension host would, and reads its results. */
function runRunner(suite: string, name: string): Promise<HostSuiteResults> {
  const results = join(scratch, `${name}.json`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', `require(${JSON.stringify(join(runnerDir, 'extension.js'))}).activate()`],
      { env: { ...process.env, WABA_E2E_SUITE: suite, WABA_E2E_RESULTS: results, WABA_E2E_PROBE: `probe-${name}` }, timeout: 60_000 },
      (err, _stdout, stderr) => {
        if (err) return reject(new Error(`runner process failed: ${err.message}\n${stderr}`));
        if (!existsSync(doneMarker(results))) return reject(new Error(`runner wrote no done marker for ${results}`));
        resolve(JSON.parse(readFileSync(results, 'utf8')) as HostSuiteResults);
      },
    );
  });
}

test('runner: records passed and failed mocha tests (TDD interface) with titles and errors', async () => {
  const suite = join(scratch, 'suite-mixed');
  mkdirSync(join(suite, 'nested'), { recursive: true });
  writeFileSync(
    join(suite, 'a.test.js'),
    `const assert = require('node:assert/strict');
suite('outer', () => {
  test('passes', () => assert.equal(1, 1));
  test('fails', () => assert.equal(1, 2, 'one is not two'));
});`,
  );
  writeFileSync(join(suite, 'nested', 'b.test.js'), `suite('nested', () => { test('async passes', async () => { await new Promise((r) => setTimeout(r, 5)); }); });`);
  writeFileSync(join(suite, 'helper.js'), 'throw new Error("helper.js is not a test file and must not be loaded");');

  const r = await runRunner(suite, 'mixed');
  assert.equal(r.loadError, undefined);
  assert.equal(r.probe, 'probe-mixed');
  assert.deepEqual(r.files.map((f) => f.slice(suite.length + 1)), ['a.test.js', join('nested', 'b.test.js')]);
  assert.deepEqual(
    r.tests.map((x) => [x.fullTitle, x.state]),
    [
      ['outer passes', 'passed'],
      ['outer fails', 'failed'],
      ['nested async passes', 'passed'],
    ],
  );
  assert.match(r.tests[1]?.error?.message ?? '', /one is not two/);
  assert.deepEqual(r.stats, { tests: 3, passes: 2, failures: 1, pending: 0 });
  assert.ok(r.tests.every((x) => typeof x.durationMs === 'number'));
});

test('runner: a skipped test and a failing hook are reported, not lost', async () => {
  const suite = join(scratch, 'suite-hooks');
  mkdirSync(suite, { recursive: true });
  writeFileSync(
    join(suite, 'hooks.test.js'),
    `suite('with hook', () => {
  suiteSetup(() => { throw new Error('setup broke'); });
  test('never runs', () => {});
});`,
  );
  const r = await runRunner(suite, 'hooks');
  assert.equal(r.tests.length, 1);
  assert.equal(r.tests[0]?.state, 'failed');
  assert.match(r.tests[0]?.fullTitle ?? '', /before all/);
  assert.match(r.tests[0]?.error?.message ?? '', /setup broke/);

  const skipped = join(scratch, 'suite-skip');
  mkdirSync(skipped, { recursive: true });
  writeFileSync(join(skipped, 'skip.test.js'), `suite('s', () => { test.skip('skipped', () => {}); test('runs', () => {}); });`);
  const s = await runRunner(skipped, 'skip');
  // forbidPending: a skipped test fails the run instead of passing silently.
  assert.deepEqual(
    s.tests.map((x) => [x.fullTitle, x.state, x.error?.message]),
    [
      ['s skipped', 'failed', 'Pending test forbidden'],
      ['s runs', 'passed', undefined],
    ],
  );
});

test('runner: a suite that cannot load is reported as loadError', async () => {
  const missing = await runRunner(join(scratch, 'no-such-suite'), 'missing');
  assert.match(missing.loadError ?? '', /does not exist/);
  assert.deepEqual(missing.tests, []);

  const broken = join(scratch, 'suite-broken');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'syntax.test.js'), 'suite("x", () => { test("y", () => { );');
  const b = await runRunner(broken, 'broken');
  assert.match(b.loadError ?? '', /SyntaxError/);
});

test('runner: does nothing without WABA_E2E_SUITE', async () => {
  const results = join(scratch, 'unset.json');
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['-e', `require(${JSON.stringify(join(runnerDir, 'extension.js'))}).activate()`],
      { env: { ...process.env, WABA_E2E_SUITE: '', WABA_E2E_RESULTS: results } },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  assert.equal(existsSync(results), false);
  assert.equal(existsSync(doneMarker(results)), false);
});

test('harness: step() names the failed step and keeps the cause', async () => {
  const cause = new Error('boom');
  const err = await step('doing the thing', () => Promise.reject(cause)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof E2eStepError);
  assert.equal(err.step, 'doing the thing');
  assert.match(err.message, /"doing the thing" failed: boom/);
  assert.equal(err.cause, cause);
});

test('harness: waitForFile times out with a message naming what it waited for', async () => {
  const file = join(scratch, 'never.json');
  await assert.rejects(waitForFile(file, 'the never file', 300), (e: unknown) => {
    assert.ok(e instanceof E2eStepError);
    assert.match(e.message, /waiting for the never file/);
    assert.ok(e.message.includes(file));
    return true;
  });
});

test('harness: startCodeServer refuses an extension that does not exist, naming the step, and leaves no folders', async () => {
  // A private TMPDIR, so that the check "no throwaway folder left" sees only this test's folders.
  const tmp = join(scratch, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await assert.rejects(startCodeServer({ extensions: [join(scratch, 'nope.vsix')] }), (e: unknown) => {
      assert.ok(e instanceof E2eStepError, String(e));
      assert.equal(e.step, 'installing extensions into code-server');
      assert.match(e.message, /nope\.vsix does not exist/);
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.deepEqual(readdirSync(tmp), []);
});

test('harness: an extension code-server refuses (engine too new) fails the install step with its reason', async () => {
  const ext = join(scratch, 'too-new');
  mkdirSync(join(ext, 'dist'), { recursive: true });
  writeFileSync(join(ext, 'dist', 'extension.js'), 'exports.activate = () => {};\n');
  writeFileSync(
    join(ext, 'package.json'),
    JSON.stringify({ name: 'too-new', publisher: 'waba-analytics', version: '0.0.1', license: 'MIT', engines: { vscode: '^1.999.0' }, main: './dist/extension.js', activationEvents: [] }),
  );
  const vsix = await runNodeScript('packaging the too-new extension', 'scripts/e2e/package.mjs', ['--project', ext, '--no-build', '--out', join(scratch, 'too-new.vsix')]);
  assert.ok(existsSync(vsix));
  await assert.rejects(startCodeServer({ extensions: [vsix] }), (e: unknown) => {
    assert.ok(e instanceof E2eStepError, String(e));
    assert.equal(e.step, 'installing extensions into code-server');
    assert.match(e.message, /not compatible with VS Code/);
    return true;
  });
});

test('package: the README shows its screenshots from inside the package (links kept relative)', async () => {
  const vsix = await extensionUnderTest();
  const files = await new Promise<string[]>((resolve, reject) =>
    execFile('unzip', ['-Z1', vsix], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim().split('\n')))),
  );
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.deepEqual(images, ['docs/images/panel-light.png', 'docs/images/panel-dark.png'], 'the README shows the two panel screenshots');
  for (const img of images) {
    assert.ok(existsSync(join(repoRoot(), img)), `${img} is missing from the repository`);
    assert.ok(files.includes(`extension/${img}`), `${img} is not in the package (${files.length} files)`);
  }
  const packed = await new Promise<string>((resolve, reject) => execFile('unzip', ['-p', vsix, 'extension/readme.md'], (err, stdout) => (err ? reject(err) : resolve(stdout))));
  for (const img of images) assert.ok(packed.includes(`](${img})`), `the packaged README links ${img} relatively`);
});
