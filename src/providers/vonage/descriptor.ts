/** What the extension and the CLI know of Vonage without loading the provider (its registry entry). */
import type { ProviderDescriptor } from '../../core/provider';
import { PROVIDER_LABELS } from '../../core/vocabulary';
import { VONAGE_CAPABILITIES, VONAGE_DEFAULT_BASE_URL, VONAGE_TEMPLATE_METRICS } from './capabilities';

export const VONAGE_DESCRIPTOR: ProviderDescriptor = {
  id: 'vonage',
  label: PROVIDER_LABELS.vonage,
  apiLabel: 'Vonage Channel Manager',
  addCommand: 'wabaAnalytics.addVonageConnection',
  capabilities: VONAGE_CAPABILITIES,
  metricTypes: { template: VONAGE_TEMPLATE_METRICS },
  credentials: [
    { key: 'apiKey', name: 'API key', prompt: 'Vonage API key', keepOnEdit: true, secret: false, env: 'VONAGE_API_KEY', sandbox: 'vonageApiKey' },
    { key: 'apiSecret', name: 'API secret', prompt: "Vonage API secret. Kept in VS Code's secret storage.", secret: true, env: 'VONAGE_API_SECRET', sandbox: 'vonageApiSecret' },
    { key: 'applicationId', name: 'application id', prompt: 'Vonage application id', optional: true, secret: false, env: 'VONAGE_APPLICATION_ID', sandbox: 'vonageApplicationId' },
    {
      key: 'privateKey',
      name: 'private key',
      prompt: 'Private key of the application',
      optional: true,
      secret: true,
      keyFile: {
        expected: 'the private.key file of the Vonage application',
        given: 'the private.key file Vonage gave for the application',
        dialogTitle: 'Private key of the application',
      },
      env: 'VONAGE_PRIVATE_KEY',
      sandbox: 'vonagePrivateKey',
    },
  ],
  optionalCredentials: {
    question: 'Add an application id and private key (needed to list templates)?',
    without: 'Template ids are typed by hand',
    with: 'Add an application id and private key to list templates',
  },
  manualWabaIds: false,
  manualTemplateIds: true,
  clickTracking: false,
  insightsEnabledNote: ' (Vonage: allow a few minutes to propagate)',
  defaultBaseUrl: VONAGE_DEFAULT_BASE_URL,
  env: { baseUrl: 'VONAGE_BASE_URL' },
  settings: { baseUrl: 'vonage.baseUrl' },
  sandboxBaseUrl: 'vonageBaseUrl',
};
