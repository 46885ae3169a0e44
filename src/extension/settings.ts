/** Reading the extension's settings, with the defaults of package.json. */
import * as vscode from 'vscode';
import type { Granularity } from '../core/types';

export interface Settings {
  metaApiVersion: string;
  metaBaseUrl: string;
  vonageBaseUrl: string;
  defaultRange: '7d' | '30d' | '90d';
  defaultGranularity: Granularity;
  concurrency: number;
  timeoutMs: number;
  cacheTtlMs: number;
  exportFolder: string;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('wabaAnalytics');
  // Base URLs are machine-scoped and restricted in untrusted workspaces (package.json), so a
  // workspace cannot redirect tokens. Read only the user/default value to be doubly sure.
  const machineOnly = (key: string, fallback: string): string => {
    const i = c.inspect<string>(key);
    return (i?.globalValue ?? i?.defaultValue ?? fallback).trim() || fallback;
  };
  return {
    metaApiVersion: c.get<string>('meta.apiVersion', 'v25.0'),
    metaBaseUrl: machineOnly('meta.baseUrl', 'https://graph.facebook.com'),
    vonageBaseUrl: machineOnly('vonage.baseUrl', 'https://api.nexmo.com'),
    defaultRange: c.get<'7d' | '30d' | '90d'>('query.defaultRange', '30d'),
    defaultGranularity: c.get<Granularity>('query.defaultGranularity', 'DAILY'),
    concurrency: Math.max(1, Math.min(16, c.get<number>('network.concurrency', 4))),
    timeoutMs: Math.max(5, c.get<number>('network.timeoutSeconds', 30)) * 1000,
    cacheTtlMs: Math.max(0, c.get<number>('cache.ttlSeconds', 300)) * 1000,
    exportFolder: c.get<string>('export.folder', 'waba-analytics') || 'waba-analytics',
  };
}
