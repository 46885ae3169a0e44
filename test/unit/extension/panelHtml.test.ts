import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, renderPanelHtml } from '../../../src/extension/panelHtml';

const input = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'r4nd0mN0nce+/=',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  title: 'Pricing analytics · Acme <b>"Shop"</b> & co · 2024-11-01 → 2024-11-30',
};

function csp(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return m[1]!;
}

describe('panel HTML', () => {
  const html = renderPanelHtml(input);

  it('carries exactly the strict policy', () => {
    assert.equal(
      csp(html),
      `default-src 'none'; script-src 'nonce-${input.nonce}'; style-src ${input.cspSource}; img-src ${input.cspSource} data:; font-src ${input.cspSource};`,
    );
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp(html).replace(input.cspSource, '')), 'no unsafe or wildcard sources');
    assert.equal((html.match(/Content-Security-Policy/g) ?? []).length, 1);
    // The policy comes before anything it governs.
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'));
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'));
  });

  it('loads one module script, with the nonce, and one stylesheet', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    const [, attrs, body] = scripts[0]!;
    assert.match(attrs!, /\btype="module"/);
    assert.match(attrs!, new RegExp(`\\bnonce="${input.nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
    assert.match(attrs!, new RegExp(`\\bsrc="${input.scriptUri.replace(/[.+]/g, (c) => `\\${c}`)}"`));
    assert.equal(body!.trim(), '', 'no inline script body');
    const links = [...html.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(links.length, 1);
    assert.match(links[0]!, /rel="stylesheet"/);
    assert.ok(links[0]!.includes(`href="${input.styleUri}"`));
  });

  it('has nothing inline: no handlers, no style attributes or elements, no javascript: URLs', () => {
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no on* handler attributes');
    assert.ok(!/\sstyle\s*=/i.test(html), 'no style attributes');
    assert.ok(!/<style\b/i.test(html), 'no style elements');
    assert.ok(!/javascript:/i.test(html));
  });

  it('escapes the title', () => {
    assert.ok(html.includes('<title>Pricing analytics · Acme &lt;b&gt;&quot;Shop&quot;&lt;/b&gt; &amp; co · 2024-11-01 → 2024-11-30</title>'));
    assert.ok(!html.includes('<b>'));
    const evil = renderPanelHtml({ ...input, title: '</title><script>alert(1)</script>' });
    assert.equal((evil.match(/<script\b/g) ?? []).length, 1);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('refuses a nonce or source that could break out of the policy', () => {
    assert.throws(() => renderPanelHtml({ ...input, nonce: "abc' 'unsafe-inline" }));
    assert.throws(() => renderPanelHtml({ ...input, nonce: '' }));
    assert.throws(() => renderPanelHtml({ ...input, cspSource: "https://x; script-src 'unsafe-inline'" }));
    assert.throws(() => renderPanelHtml({ ...input, cspSource: "'unsafe-inline' https://x" }));
    // code-server gives a list of sources.
    const listed = renderPanelHtml({ ...input, cspSource: "'self' https://*.vscode-cdn.net" });
    assert.match(listed, /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  });

  it('gives the app its root element', () => {
    assert.match(html, /<main id="app"/);
    assert.match(html, /^<!DOCTYPE html>/);
  });
});
