// First extension-host suite: the real extension is installed, activates, and registers every
// command its manifest contributes. Runs inside VS Code (code-server via test/host-runner, or
// @vscode/test-electron via index.ts); TDD interface (suite/test).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'waba-analytics.waba-analytics';

interface ContributedCommand {
  command: string;
  title: string;
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code (installed: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ')})`);
  return ext;
}

function contributedCommands(ext: vscode.Extension<unknown>): ContributedCommand[] {
  const manifest = ext.packageJSON as { contributes?: { commands?: ContributedCommand[] } };
  return manifest.contributes?.commands ?? [];
}

suite('smoke: WABA Analytics extension', () => {
  test('is installed', () => {
    const ext = extension();
    assert.equal(ext.id.toLowerCase(), EXTENSION_ID);
  });

  test('activates', async () => {
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('contributes at least one command', () => {
    const ids = contributedCommands(extension()).map((c) => c.command);
    assert.ok(ids.length >= 1, 'package.json contributes no command');
  });

  test('registers every command it contributes', async () => {
    const ext = extension();
    await ext.activate();
    const contributed = contributedCommands(ext).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered after activation: ${missing.join(', ')}`);
  });
});
