// Runs the extension-host suite in a desktop VS Code downloaded by @vscode/test-electron (needs
// the internet, so not on the CI machines of this project, where test/e2e/host-suite.test.ts runs
// the same suite under code-server). Build first: node esbuild.mjs && node scripts/e2e/build.mjs
// then: node .e2e/suite/runTest.js
import { runTests } from '@vscode/test-electron';
import { resolve } from 'node:path';

async function main(): Promise<void> {
  // This file is bundled to <repo>/.e2e/suite/runTest.js, next to index.js and the *.test.js files.
  const extensionDevelopmentPath = resolve(__dirname, '..', '..');
  const extensionTestsPath = resolve(__dirname, 'index.js');
  await runTests({
    extensionDevelopmentPath,
    extensionTestsPath,
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((err: unknown) => {
  console.error('extension-host tests failed:', err);
  process.exit(1);
});
