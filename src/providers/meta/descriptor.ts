/** What the extension and the CLI know of Meta without loading the provider (its registry entry). */
import type { ProviderDescriptor } from '../../core/provider';
import { PROVIDER_LABELS } from '../../core/vocabulary';
import { META_CAPABILITIES, META_DEFAULT_API_VERSION, META_DEFAULT_BASE_URL } from './capabilities';

export const META_DESCRIPTOR: ProviderDescriptor = {
  id: 'meta',
  label: PROVIDER_LABELS.meta,
  apiLabel: 'Meta Graph API',
  addCommand: 'wabaAnalytics.addMetaConnection',
  capabilities: META_CAPABILITIES,
  credentials: [
    {
      key: 'accessToken',
      name: 'access token',
      what: 'The token',
      prompt: "Access token (system user token with whatsapp_business_management). Kept in VS Code's secret storage.",
      editPrompt: 'New access token',
      secret: true,
      env: 'WABA_META_TOKEN',
      sandbox: 'metaToken',
    },
  ],
  manualWabaIds: true,
  manualTemplateIds: false,
  clickTracking: true,
  defaultBaseUrl: META_DEFAULT_BASE_URL,
  defaultApiVersion: META_DEFAULT_API_VERSION,
  env: { baseUrl: 'WABA_META_BASE_URL', apiVersion: 'WABA_META_API_VERSION' },
  settings: { baseUrl: 'meta.baseUrl', apiVersion: 'meta.apiVersion' },
  sandboxBaseUrl: 'metaBaseUrl',
};
