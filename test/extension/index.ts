// Entry of the extension-host suite for @vscode/test-electron (`extensionTestsPath`): VS Code calls
// run() inside the extension host. It runs every *.test.js next to this file (after
// scripts/e2e/build.mjs, that is .e2e/suite/). Under code-server the test-only runner extension
// (test/host-runner) loads the same files with the same mocha options instead.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mochaOptions } from './mochaOptions';

export function run(): Promise<void> {
  const mocha = new Mocha({ ...mochaOptions, reporter: 'spec' });
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js file in ${__dirname}`));
  for (const f of files) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
