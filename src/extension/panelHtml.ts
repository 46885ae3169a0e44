/**
 * The HTML of the analytics panel: a strict content security policy, one nonce'd module script
 * (dist/webview.js), one stylesheet (media/panel.css), and nothing inline. Pure: no `vscode` here,
 * so it is tested with node alone.
 */

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random value per load (base64 or hex). */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/panel.css)`, as a string. */
  styleUri: string;
  title: string;
}

/** Escape text for HTML text and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The exact policy: nothing but the nonce'd script, and styles, images and fonts from the extension. */
export function panelCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; img-src ${cspSource} data:; font-src ${cspSource};`;
}

export function renderPanelHtml(input: PanelHtmlInput): string {
  const { cspSource, nonce, scriptUri, styleUri, title } = input;
  // A nonce or source that could break out of the policy or an attribute is a bug upstream.
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('renderPanelHtml: the nonce must be base64 or hex.');
  // VS Code gives one source (`https://*.vscode-cdn.net`) or, in some hosts such as code-server,
  // a list (`'self' https://*.vscode-cdn.net`): accept source expressions, refuse anything else.
  const sources = cspSource.trim().split(/[ \t]+/);
  if (!cspSource.trim() || !sources.every((t) => t === "'self'" || /^[^\s;'"<>,]+$/.test(t))) throw new Error('renderPanelHtml: unexpected cspSource.');
  const csp = panelCsp(sources.join(' '), nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" aria-busy="true">
<p id="boot" class="muted">Loading the panel…</p>
<p id="boot-stuck" role="alert">The panel did not start. Choose Reload in the notification, or close this tab and run the query again.</p>
</main>
<script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
