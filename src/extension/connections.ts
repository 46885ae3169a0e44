/**
 * Connections: metadata in globalState, secrets in SecretStorage keyed by connection id, and the
 * providers built from them (one per connection, sharing one request limiter). The demo
 * connections use the embedded sandbox, started on first use.
 */
import * as vscode from 'vscode';
import { Semaphore } from '../core/concurrency';
import { credentialProblem } from '../core/credentials';
import { WabaError } from '../core/errors';
import type { CredentialsByProvider, Provider, ProviderConfig } from '../core/provider';
import { forgetSecret, registerSecret } from '../core/redact';
import type { ProviderId } from '../core/types';
import type { Sandbox } from '../sandbox';
import { core, sandbox } from './lazy';
import { log } from './log';
import { allProviderDescriptors, connectionSpec, headerCredentialFields, providerDescriptor, sandboxConnection } from '../providers/descriptors';
import { readProviderSettings, readSettings } from './settings';

export interface ConnectionMeta {
  id: string;
  label: string;
  provider: ProviderId;
  /** Demo connections talk to the embedded sandbox and hold no secret. */
  demo?: boolean;
  manualWabaIds: string[];
  /** Vonage without a JWT: template ids typed by hand, per WABA. */
  manualTemplateIds: Record<string, string[]>;
}

/** A connection's credentials as stored: the provider's id and the fields of its registry entry. */
export type ConnectionSecret = { [P in ProviderId]: { provider: P } & CredentialsByProvider[P] }[ProviderId];

const STATE_KEY = 'wabaAnalytics.connections';
/** Demo WABAs (`provider:id`) whose insights were enabled: the sandbox lives in memory, an enablement must outlive a window reload. */
const DEMO_INSIGHTS_KEY = 'wabaAnalytics.demoInsights';
const secretKey = (id: string) => `wabaAnalytics.connection.${id}`;

let sandboxPromise: Promise<Sandbox> | undefined;

/**
 * For an input box's `validateInput`: a token, key, secret or id with a line break or another
 * control character gets its own message (the value itself is never quoted).
 */
export function credentialInputCheck(what: string): (value: string) => string | undefined {
  return (value) => {
    const problem = credentialProblem(value.trim());
    return problem ? `${what} ${problem}: paste it again without it.` : undefined;
  };
}

/**
 * A secret with a line break or another control character in a token, key, secret or id is
 * refused with its own message, before it is stored and before it is sent (undici would refuse the
 * header, or the provider would answer 401, either way without saying why).
 */
export function checkSecret(secret: ConnectionSecret, label?: string): void {
  // The fields that travel in a header (a key file is PEM text, lines and all).
  for (const { key, name } of headerCredentialFields(providerDescriptor(secret.provider))) {
    const value = (secret as unknown as Record<string, unknown>)[key];
    const problem = typeof value === 'string' ? credentialProblem(value) : undefined;
    if (problem) {
      throw new WabaError('config', `The ${name}${label ? ` of "${label}"` : ''} ${problem}.`, {
        provider: secret.provider,
        hint: label ? 'Use "Edit Credentials…" on the connection to paste it again without it.' : 'Paste it again without it.',
      });
    }
  }
}

/** The embedded sandbox, started in-process on 127.0.0.1 the first time a demo connection is used. */
export function demoSandbox(): Promise<Sandbox> {
  sandboxPromise ??= Promise.resolve().then(async () => {
    const sb = await sandbox().startSandbox({ port: 0 });
    log.info(`Demo sandbox started on ${sb.url}`);
    return sb;
  });
  sandboxPromise.catch(() => (sandboxPromise = undefined));
  return sandboxPromise;
}

export async function stopDemoSandbox(): Promise<void> {
  const p = sandboxPromise;
  sandboxPromise = undefined;
  if (p) await (await p.catch(() => undefined))?.close();
}

export class ConnectionStore implements vscode.Disposable {
  private readonly providers = new Map<string, Promise<Provider>>();
  private readonly limiter = new Semaphore(readSettings().concurrency);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('wabaAnalytics')) {
          this.limiter.setLimit(readSettings().concurrency);
          this.providers.clear();
        }
      }),
      context.secrets.onDidChange((e) => {
        const id = e.key.startsWith('wabaAnalytics.connection.') ? e.key.slice('wabaAnalytics.connection.'.length) : undefined;
        if (id) this.providers.delete(id);
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  list(): ConnectionMeta[] {
    return this.context.globalState.get<ConnectionMeta[]>(STATE_KEY, []).map((c) => ({ ...c, manualWabaIds: c.manualWabaIds ?? [], manualTemplateIds: c.manualTemplateIds ?? {} }));
  }

  get(id: string): ConnectionMeta | undefined {
    return this.list().find((c) => c.id === id);
  }

  private async save(list: ConnectionMeta[]): Promise<void> {
    await this.context.globalState.update(STATE_KEY, list);
    this.changed.fire();
  }

  newId(): string {
    return crypto.randomUUID();
  }

  async add(meta: ConnectionMeta, secret?: ConnectionSecret): Promise<void> {
    if (secret) checkSecret(secret);
    if (secret) await this.context.secrets.store(secretKey(meta.id), JSON.stringify(secret));
    await this.save([...this.list().filter((c) => c.id !== meta.id), meta]);
  }

  /** Adds the demo connections (Meta and Vonage, backed by the embedded sandbox) that are missing; resolves to the ids of all demo connections. */
  async addDemoConnections(): Promise<string[]> {
    const existing = this.list().filter((c) => c.demo);
    for (const d of allProviderDescriptors()) {
      if (!existing.some((c) => c.provider === d.id)) await this.add({ id: this.newId(), label: `Demo (${d.label})`, provider: d.id, demo: true, manualWabaIds: [], manualTemplateIds: {} });
    }
    return this.list().filter((c) => c.demo).map((c) => c.id);
  }

  /** Remembers that insights were enabled on a demo connection's WABA (nothing for other connections). */
  async rememberInsightsEnabled(connectionId: string, wabaId: string): Promise<void> {
    const meta = this.get(connectionId);
    if (!meta?.demo) return;
    const known = this.context.globalState.get<string[]>(DEMO_INSIGHTS_KEY, []);
    const key = `${meta.provider}:${wabaId}`;
    if (!known.includes(key)) await this.context.globalState.update(DEMO_INSIGHTS_KEY, [...known, key]);
  }

  async update(id: string, patch: Partial<Omit<ConnectionMeta, 'id' | 'provider'>>): Promise<ConnectionMeta> {
    const list = this.list();
    const i = list.findIndex((c) => c.id === id);
    if (i < 0) throw new WabaError('input', 'That connection no longer exists.', { hint: 'Refresh the Accounts view.' });
    list[i] = { ...list[i]!, ...patch };
    this.providers.delete(id);
    await this.save(list);
    return list[i]!;
  }

  async setSecret(id: string, secret: ConnectionSecret): Promise<void> {
    checkSecret(secret);
    await this.context.secrets.store(secretKey(id), JSON.stringify(secret));
    this.providers.delete(id);
    this.changed.fire();
  }

  async remove(id: string): Promise<void> {
    const old = await this.readSecret(id).catch(() => undefined);
    if (old) for (const v of Object.values(old)) if (typeof v === 'string') forgetSecret(v);
    await this.context.secrets.delete(secretKey(id));
    this.providers.delete(id);
    await this.save(this.list().filter((c) => c.id !== id));
  }

  async readSecret(id: string): Promise<ConnectionSecret | undefined> {
    const text = await this.context.secrets.get(secretKey(id));
    if (!text) return undefined;
    try {
      const s = JSON.parse(text) as ConnectionSecret;
      for (const v of Object.values(s)) if (typeof v === 'string' && v !== s.provider) registerSecret(v);
      return s;
    } catch {
      return undefined;
    }
  }

  /** Forget built providers (after Refresh, so credentials and settings are read again). */
  reset(id?: string): void {
    if (id) this.providers.delete(id);
    else this.providers.clear();
  }

  /** The provider of a connection (built once, rebuilt after edits or settings changes). */
  provider(id: string): Promise<Provider> {
    let p = this.providers.get(id);
    if (!p) {
      p = this.build(id);
      this.providers.set(id, p);
      p.catch(() => this.providers.delete(id));
    }
    return p;
  }

  /** Build a provider from a metadata + secret pair that is not stored (to check credentials before saving). */
  async buildFrom(meta: ConnectionMeta, secret: ConnectionSecret | undefined): Promise<Provider> {
    const settings = readSettings();
    const d = providerDescriptor(meta.provider);
    const { baseUrl, apiVersion } = readProviderSettings(d);
    const common: ProviderConfig = {
      manualWabaIds: meta.manualWabaIds,
      manualTemplateIds: meta.manualTemplateIds,
      concurrency: this.limiter,
      timeoutMs: settings.timeoutMs,
      logger: log,
      ...(apiVersion !== undefined ? { apiVersion } : {}),
    };
    if (meta.demo) {
      const sb = await demoSandbox();
      for (const key of this.context.globalState.get<string[]>(DEMO_INSIGHTS_KEY, [])) {
        const [provider, wabaId] = key.split(':') as [ProviderId, string];
        const waba = sb.data.waba(provider, wabaId);
        if (waba) waba.insightsEnabled = true;
      }
      const demo = sandboxConnection(d, sb);
      return core().createProvider(connectionSpec(d.id, demo.credentials, { ...common, baseUrl: demo.baseUrl }));
    }
    if (!secret) {
      throw new WabaError('config', `The credentials of "${meta.label}" are missing from VS Code's secret storage.`, {
        hint: 'Use "Edit Credentials…" on the connection to enter them again.',
      });
    }
    // Stored before this check existed, or edited elsewhere: refused with its own message, never sent.
    checkSecret(secret, meta.label);
    const stored = secret as unknown as Record<string, string | undefined>;
    const credentials = Object.fromEntries(d.credentials.map((f) => [f.key, stored[f.key]]));
    for (const f of d.credentials) if (f.secret) registerSecret(credentials[f.key]);
    return core().createProvider(connectionSpec(d.id, credentials, { ...common, baseUrl }));
  }

  private async build(id: string): Promise<Provider> {
    const meta = this.get(id);
    if (!meta) throw new WabaError('input', 'That connection no longer exists.', { hint: 'Refresh the Accounts view.' });
    return this.buildFrom(meta, meta.demo ? undefined : await this.readSecret(id));
  }
}
