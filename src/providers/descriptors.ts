/**
 * The light half of the provider registry: what the extension host and the CLI know of each
 * provider without loading it (labels, credential fields and how to ask for them, where the CLI
 * and the demo find them, capabilities). No zod, no HTTP client: dist/extension.js carries this at
 * activation. The heavy half, src/providers/registry.ts, adds how to build and normalize; a new
 * provider is one line in each (TypeScript refuses a registry that lacks one).
 */
import type { ConnectionSpec, CredentialField, ProviderConfig, ProviderDescriptor } from '../core/provider';
import type { ProviderId } from '../core/types';
import { PROVIDERS } from '../core/types';
import { META_DESCRIPTOR } from './meta/descriptor';
import { VONAGE_DESCRIPTOR } from './vonage/descriptor';

export const PROVIDER_DESCRIPTORS: Readonly<Record<ProviderId, ProviderDescriptor>> = {
  meta: META_DESCRIPTOR,
  vonage: VONAGE_DESCRIPTOR,
};

/** The registry entry of a provider. */
export function providerDescriptor(id: ProviderId): ProviderDescriptor {
  return PROVIDER_DESCRIPTORS[id];
}

/** Every provider's entry, in the order of PROVIDERS. */
export function allProviderDescriptors(): ProviderDescriptor[] {
  return PROVIDERS.map((p) => PROVIDER_DESCRIPTORS[p]);
}

/** The fields that travel in a header (all but key files): what a line break or control character would break. */
export function headerCredentialFields(d: ProviderDescriptor): CredentialField[] {
  return d.credentials.filter((f) => !f.keyFile);
}

/** What a credential's check calls it in a prompt: "The token", "The API key". */
export function credentialWhat(f: CredentialField): string {
  return f.what ?? `The ${f.name}`;
}

/** The provider's credentials and base URL in the demo sandbox (whose credentials are named in each field). */
export function sandboxConnection(d: ProviderDescriptor, sandbox: { credentials: object } & object): { credentials: Record<string, string>; baseUrl: string } {
  const creds = sandbox.credentials as Record<string, string>;
  return {
    credentials: Object.fromEntries(d.credentials.map((f) => [f.key, creds[f.sandbox]!])),
    baseUrl: (sandbox as Record<string, unknown>)[d.sandboxBaseUrl] as string,
  };
}

/**
 * A connection spec from credentials read by the descriptor's fields (a stored secret, the
 * environment, the sandbox); the provider checks what is missing when it is built.
 */
export function connectionSpec(provider: ProviderId, credentials: Readonly<Record<string, string | undefined>>, config?: ProviderConfig): ConnectionSpec {
  return { provider, credentials, config } as unknown as ConnectionSpec;
}
