// Adding a connection checks its credentials with one cheap call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WabaError } from '../../../src/core/errors';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_LABELS } from '../../../src/core/vocabulary';
import { allProviderDescriptors, connectionSpec, sandboxConnection } from '../../../src/providers/descriptors';
import { CAPABILITIES, createProvider } from '../../../src/providers/registry';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox.close();
});

describe('credential check', () => {
  it('Meta: one debug_token call says what the token is granted', async () => {
    const p = createProvider({ provider: 'meta', credentials: { accessToken: sandbox.credentials.metaToken }, config: { baseUrl: sandbox.metaBaseUrl } });
    sandbox.stats.reset();
    const text = await p.checkCredentials();
    assert.equal(sandbox.stats.requests, 1);
    assert.match(text, new RegExp(`granted ${sandbox.data.wabas.meta.length} WhatsApp Business Accounts`));
  });

  it('Vonage: one page of one WABA says how many the key reaches', async () => {
    const p = createProvider({ provider: 'vonage', credentials: { apiKey: sandbox.credentials.vonageApiKey, apiSecret: sandbox.credentials.vonageApiSecret }, config: { baseUrl: sandbox.vonageBaseUrl } });
    sandbox.stats.reset();
    const text = await p.checkCredentials();
    assert.equal(sandbox.stats.requests, 1);
    assert.match(text, new RegExp(`reach ${sandbox.data.wabas.vonage.length} WhatsApp Business Accounts`));
  });

  it('wrong credentials fail the check with what to do', async () => {
    const meta = createProvider({ provider: 'meta', credentials: { accessToken: 'wrong-token-xyz' }, config: { baseUrl: sandbox.metaBaseUrl, maxRetries: 0 } });
    await assert.rejects(meta.checkCredentials(), (e: unknown) => e instanceof WabaError && /replace it/.test(e.message));
    const vonage = createProvider({ provider: 'vonage', credentials: { apiKey: 'k', apiSecret: 'wrong-secret-xyz' }, config: { baseUrl: sandbox.vonageBaseUrl, maxRetries: 0 } });
    await assert.rejects(vonage.checkCredentials(), (e: unknown) => e instanceof WabaError && e.status === 401 && /check them/i.test(e.message));
  });
});

describe('registry entries', () => {
  it('each provider carries what the extension and the CLI read: a label, an add command package.json declares, credentials the sandbox can stand for', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }>; configuration: { properties: Record<string, unknown> } } };
    const commands = pkg.contributes.commands.map((c) => c.command);
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const d of allProviderDescriptors()) {
      assert.equal(d.label, PROVIDER_LABELS[d.id]);
      assert.ok(commands.includes(d.addCommand), `${d.addCommand} is declared`);
      assert.ok(settings.includes(`wabaAnalytics.${d.settings.baseUrl}`), `wabaAnalytics.${d.settings.baseUrl} is declared`);
      if (d.settings.apiVersion) assert.ok(settings.includes(`wabaAnalytics.${d.settings.apiVersion}`));
      assert.deepEqual(d.capabilities, CAPABILITIES[d.id]);
      assert.ok(d.credentials.some((f) => f.secret), 'at least one credential is a secret');
      // The demo's credentials, read by the entry's field names, build a provider whose check passes.
      const demo = sandboxConnection(d, sandbox);
      for (const f of d.credentials) assert.equal(typeof demo.credentials[f.key], 'string', `${d.id}.${f.key} has a sandbox credential`);
      const p = createProvider(connectionSpec(d.id, demo.credentials, { baseUrl: demo.baseUrl }));
      assert.equal(p.id, d.id);
      assert.match(await p.checkCredentials(), /\d+ WhatsApp Business Accounts/);
    }
  });
});
