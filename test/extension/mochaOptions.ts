// Mocha settings shared by both ways of running the extension-host suite: the test-only runner
// extension (test/host-runner, under code-server) and @vscode/test-electron (index.ts).
// The suite uses the TDD interface: suite(), test(), suiteSetup(), setup(), teardown().
export const mochaOptions = {
  ui: 'tdd',
  // Generous: the extension host is slow on a 2-core CI machine, and a first activation may
  // load large bundles.
  timeout: 60_000,
  color: false,
  forbidOnly: true,
  forbidPending: true,
} as const;
