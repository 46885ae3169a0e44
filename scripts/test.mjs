// Runs node's test runner over the compiled tests (out-test/), unit tests first, then the
// end-to-end tests in a real VS Code (code-server + Chromium) unless --unit is given.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
function find(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
  });
}
const unit = find('out-test/test/unit').sort();
const e2e = args.includes('--unit') ? [] : find('out-test/test/e2e').sort();
const files = [...unit, ...e2e].filter((f) => !only || f.includes(only));
if (!files.length) {
  console.error('No compiled tests found: run `node esbuild.mjs --tests` first.');
  process.exit(1);
}
// The end-to-end test files run side by side and each installs the extension's .vsix: package it
// once here (a build writes dist/, which a packaging run beside it would read half-written).
const env = { ...process.env };
if (files.some((f) => f.includes(join('test', 'e2e'))) && !env.WABA_E2E_EXTENSION) {
  const p = spawnSync(process.execPath, ['scripts/e2e/package.mjs'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (p.status !== 0) {
    console.error('Building and packaging the extension for the end-to-end tests (node scripts/e2e/package.mjs) failed: see above.');
    process.exit(1);
  }
  env.WABA_E2E_EXTENSION = p.stdout.trim().split('\n').pop();
}
// Unit tests first, on their own: several of them time short retries and timeouts against the
// sandbox, which a code-server starting beside them would make flaky. Then the end-to-end files.
const groups = [files.filter((f) => !f.includes(join('test', 'e2e'))), files.filter((f) => f.includes(join('test', 'e2e')))].filter((g) => g.length);
let status = 0;
for (const group of groups) {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...group], { stdio: 'inherit', env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
