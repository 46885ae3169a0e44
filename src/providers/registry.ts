/**
 * The providers known to the project: one line each, here and in ./descriptors (the light half,
 * read at activation). An entry is the provider's descriptor plus how to build it and how to
 * normalize its bodies.
 */
import type { BodyNormalizer, ConnectionSpec, CredentialsByProvider, Provider, ProviderConfig, ProviderDescriptor } from '../core/provider';
import type { ProviderCapabilities } from '../core/query';
import type { ProviderId } from '../core/types';
import { PROVIDERS } from '../core/types';
import { PROVIDER_DESCRIPTORS } from './descriptors';
import { createMetaProvider, normalizeMetaBody } from './meta';
import { createVonageProvider, normalizeVonageBody } from './vonage';

export type { ConnectionSpec } from '../core/provider';

interface ProviderEntry<P extends ProviderId> extends ProviderDescriptor {
  create(credentials: CredentialsByProvider[P], config?: ProviderConfig): Provider;
  normalize: BodyNormalizer;
}

const REGISTRY: { [P in ProviderId]: ProviderEntry<P> } = {
  meta: { ...PROVIDER_DESCRIPTORS.meta, create: createMetaProvider, normalize: normalizeMetaBody },
  vonage: { ...PROVIDER_DESCRIPTORS.vonage, create: createVonageProvider, normalize: normalizeVonageBody },
};

const byProvider = <T>(pick: (e: ProviderEntry<ProviderId>) => T) => Object.fromEntries(PROVIDERS.map((p) => [p, pick(REGISTRY[p] as ProviderEntry<ProviderId>)])) as Record<ProviderId, T>;

export const NORMALIZERS: Record<ProviderId, BodyNormalizer> = byProvider((e) => e.normalize);

export const CAPABILITIES: Record<ProviderId, ProviderCapabilities> = byProvider((e) => e.capabilities);

export function createProvider(spec: ConnectionSpec): Provider {
  const entry = REGISTRY[spec.provider] as ProviderEntry<ProviderId>;
  return entry.create(spec.credentials as never, spec.config);
}
