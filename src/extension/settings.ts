/** Reading the extension's settings, with the defaults of package.json. */
import * as vscode from 'vscode';
import type { ProviderDescriptor } from '../core/provider';
import type { Granularity } from '../core/types';

export interface Settings {
  defaultRange: '7d' | '30d' | '90d';
  defaultGranularity: Granularity;
  concurrency: number;
  timeoutMs: number;
  cacheTtlMs: number;
  exportFolder: string;
}

/**
 * A provider's base URL and API version, from the settings its registry entry names. Base URLs
 * are machine-scoped and restricted in untrusted workspaces (package.json), so a workspace cannot
 * redirect tokens: only the user/default value is read, to be doubly sure.
 */
export function readProviderSettings(d: Pick<ProviderDescriptor, 'settings' | 'defaultBaseUrl' | 'defaultApiVersion'>): { baseUrl: string; apiVersion?: string } {
  const c = vscode.workspace.getConfiguration('wabaAnalytics');
  const i = c.inspect<string>(d.settings.baseUrl);
  const baseUrl = (i?.globalValue ?? i?.defaultValue ?? d.defaultBaseUrl).trim() || d.defaultBaseUrl;
  return d.settings.apiVersion ? { baseUrl, apiVersion: c.get<string>(d.settings.apiVersion, d.defaultApiVersion ?? '') } : { baseUrl };
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('wabaAnalytics');
  return {
    defaultRange: c.get<'7d' | '30d' | '90d'>('query.defaultRange', '30d'),
    defaultGranularity: c.get<Granularity>('query.defaultGranularity', 'DAILY'),
    concurrency: Math.max(1, Math.min(16, c.get<number>('network.concurrency', 4))),
    timeoutMs: Math.max(5, c.get<number>('network.timeoutSeconds', 30)) * 1000,
    cacheTtlMs: Math.max(0, c.get<number>('cache.ttlSeconds', 300)) * 1000,
    exportFolder: c.get<string>('export.folder', 'waba-analytics') || 'waba-analytics',
  };
}
