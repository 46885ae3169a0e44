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
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
