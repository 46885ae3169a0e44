// Adding a connection checks its credentials with one cheap call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WabaError } from '../../../src/core/errors';
import { createProvider } from '../../../src/providers/registry';
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
