/** The providers known to the project: one line each. */
import type { Semaphore } from '../core/concurrency';
import type { BodyNormalizer, MetaCredentials, Provider, ProviderConfig, VonageCredentials } from '../core/provider';
import type { ProviderCapabilities } from '../core/query';
import type { ProviderId } from '../core/types';
import { META_CAPABILITIES, createMetaProvider, normalizeMetaBody } from './meta';
import { VONAGE_CAPABILITIES, createVonageProvider, normalizeVonageBody } from './vonage';

export type ProviderSettings = ProviderConfig & { concurrency?: number | Semaphore };

export type ConnectionSpec =
  | { provider: 'meta'; credentials: MetaCredentials; config?: ProviderSettings }
  | { provider: 'vonage'; credentials: VonageCredentials; config?: ProviderSettings };

export const NORMALIZERS: Record<ProviderId, BodyNormalizer> = {
  meta: normalizeMetaBody,
  vonage: normalizeVonageBody,
};

export const CAPABILITIES: Record<ProviderId, ProviderCapabilities> = {
  meta: META_CAPABILITIES,
  vonage: VONAGE_CAPABILITIES,
};

export function createProvider(spec: ConnectionSpec): Provider {
  switch (spec.provider) {
    case 'meta':
      return createMetaProvider(spec.credentials, spec.config);
    case 'vonage':
      return createVonageProvider(spec.credentials, spec.config);
  }
}
