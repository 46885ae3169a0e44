#!/usr/bin/env node
// Builds the end-to-end pieces with esbuild into <repo>/.e2e/ (git-ignored):
//
//   .e2e/host-runner/   the test-only runner extension (test/host-runner): package.json and
//                       extension.js with mocha bundled in
//   .e2e/suite/         the extension-host suite (test/extension): every *.test.ts bundled to cjs
//                       with `vscode` external, plus index.js (the @vscode/test-electron entry)
//                       and runTest.js (the @vscode/test-electron launcher)
//   .e2e/probe-extension/  a test-only extension with a scripted webview (test/e2e/probe-extension),
//                       for the harness's own webview check
//   .e2e/node-tests/    the node:test files of test/e2e (*.test.ts), harness bundled in
//
//   node scripts/e2e/build.mjs [--only=runner,suite,probe,node-tests]
//
// Prints {"runner": ..., "suite": ..., "probe": ..., "nodeTests": ...} (absolute folders) on stdout.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(REPO, '.e2e');
const log = (m) => process.stderr.write(`[e2e build] ${m}\n`);

const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const ALL = ['runner', 'suite', 'probe', 'node-tests'];
const parts = new Set(onlyArg ? onlyArg.slice('--only='.length).split(',') : ALL);
for (const p of parts) {
  if (!ALL.includes(p)) {
    process.stderr.write(`[e2e build] ERROR: unknown part ${p} (${ALL.join(', ')})\n`);
    process.exit(2);
  }
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  absWorkingDir: REPO,
};

const testFiles = (dir) =>
  existsSync(join(REPO, dir))
    ? readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f))
    : [];

async function buildRunner() {
  const out = join(OUT, 'host-runner');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    ...common,
    entryPoints: ['test/host-runner/extension.ts'],
    outfile: join(out, 'extension.js'),
    external: ['vscode'],
    // mocha's optional pieces (parallel mode, watch mode) are never used by the runner.
    logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-dynamic-import': 'silent' },
  });
  copyFileSync(join(REPO, 'test/host-runner/package.json'), join(out, 'package.json'));
  return out;
}

async function buildProbe() {
  const out = join(OUT, 'probe-extension');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await esbuild.build({ ...common, entryPoints: ['test/e2e/probe-extension/extension.ts'], outfile: join(out, 'extension.js'), external: ['vscode'] });
  copyFileSync(join(REPO, 'test/e2e/probe-extension/package.json'), join(out, 'package.json'));
  return out;
}

async function buildSuite() {
  const out = join(OUT, 'suite');
  rmSync(out, { recursive: true, force: true });
  const tests = testFiles('test/extension');
  if (tests.length === 0) throw new Error('no test/extension/*.test.ts file');
  // The test files bundle what they import (src/..., helpers); only `vscode` comes from the host.
  await esbuild.build({ ...common, entryPoints: tests, outdir: out, outbase: 'test/extension', external: ['vscode'] });
  // index.js resolves mocha, runTest.js @vscode/test-electron, from the repository's node_modules.
  await esbuild.build({
    ...common,
    entryPoints: ['test/extension/index.ts', 'test/extension/runTest.ts'],
    outdir: out,
    outbase: 'test/extension',
    packages: 'external',
    external: ['vscode'],
  });
  return out;
}

async function buildNodeTests() {
  const out = join(OUT, 'node-tests');
  rmSync(out, { recursive: true, force: true });
  const tests = testFiles('test/e2e');
  if (tests.length === 0) throw new Error('no test/e2e/*.test.ts file');
  await esbuild.build({ ...common, entryPoints: tests, outdir: out, outbase: 'test/e2e', packages: 'external' });
  return out;
}

try {
  const t0 = Date.now();
  const result = {};
  if (parts.has('runner')) result.runner = await buildRunner();
  if (parts.has('suite')) result.suite = await buildSuite();
  if (parts.has('probe')) result.probe = await buildProbe();
  if (parts.has('node-tests')) result.nodeTests = await buildNodeTests();
  log(`built ${[...parts].join(', ')} in ${Date.now() - t0} ms`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  process.stderr.write(`[e2e build] ERROR: building ${[...parts].join(', ')} failed: ${e?.message ?? e}\n`);
  process.exit(1);
}
