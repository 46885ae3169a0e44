// Test-only extension (never shipped) for the harness's own checks: a command that opens a
// webview under a strict CSP, whose script says hello to the extension host and shows the reply.
// test/e2e/host-suite.test.ts finds that document among the page's frames.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('wabaAnalyticsE2e.openProbeWebview', () => {
      const panel = vscode.window.createWebviewPanel('wabaAnalyticsE2eProbe', 'E2E Probe', vscode.ViewColumn.One, { enableScripts: true });
      const nonce = randomBytes(16).toString('base64');
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'ping') {
          void panel.webview.postMessage({ type: 'pong', version: vscode.version });
        }
      });
      panel.webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
<title>E2E Probe</title></head>
<body><h1 id="probe" data-state="loading">E2E probe</h1>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  const h = document.getElementById('probe');
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'pong') { h.dataset.state = 'pong'; h.textContent = 'pong from VS Code ' + e.data.version; }
  });
  h.dataset.state = 'script-ran';
  vscode.postMessage({ type: 'ping' });
</script></body></html>`;
    }),
  );
}

export function deactivate(): void {}
