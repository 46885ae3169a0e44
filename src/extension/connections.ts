/**
 * Connections: metadata in globalState, secrets in SecretStorage keyed by connection id, and the
 * providers built from them (one per connection, sharing one request limiter). The demo
 * connections use the embedded sandbox, started on first use.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { Semaphore } from '../core/concurrency';
import { credentialProblem } from '../core/credentials';
import { WabaError } from '../core/errors';
import type { MetaCredentials, Provider, VonageCredentials } from '../core/provider';
import { forgetSecret, registerSecret } from '../core/redact';
import type { ProviderId } from '../core/types';
import { createProvider } from '../providers/registry';
import type { Sandbox } from '../sandbox';
import { log } from './log';
import { readSettings } from './settings';

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

export type ConnectionSecret = ({ provider: 'meta' } & MetaCredentials) | ({ provider: 'vonage' } & VonageCredentials);

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

/** The fields of a secret that travel in a header (the private key is PEM text, lines and all). */
const CREDENTIAL_FIELDS: Record<string, string> = { accessToken: 'access token', apiKey: 'API key', apiSecret: 'API secret', applicationId: 'application id' };

/**
 * A secret with a line break or another control character in a token, key, secret or id is
 * refused with its own message, before it is stored and before it is sent (undici would refuse the
 * header, or the provider would answer 401, either way without saying why).
 */
export function checkSecret(secret: ConnectionSecret, label?: string): void {
  for (const [field, name] of Object.entries(CREDENTIAL_FIELDS)) {
    const value = (secret as unknown as Record<string, unknown>)[field];
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
  sandboxPromise ??= import('../sandbox').then(async ({ startSandbox }) => {
    const sb = await startSandbox({ port: 0 });
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
    return randomUUID();
  }

  async add(meta: ConnectionMeta, secret?: ConnectionSecret): Promise<void> {
    if (secret) checkSecret(secret);
    if (secret) await this.context.secrets.store(secretKey(meta.id), JSON.stringify(secret));
    await this.save([...this.list().filter((c) => c.id !== meta.id), meta]);
  }

  /** Adds the demo connections (Meta and Vonage, backed by the embedded sandbox) that are missing; resolves to the ids of all demo connections. */
  async addDemoConnections(): Promise<string[]> {
    const existing = this.list().filter((c) => c.demo);
    if (!existing.some((c) => c.provider === 'meta')) await this.add({ id: this.newId(), label: 'Demo (Meta)', provider: 'meta', demo: true, manualWabaIds: [], manualTemplateIds: {} });
    if (!existing.some((c) => c.provider === 'vonage')) await this.add({ id: this.newId(), label: 'Demo (Vonage)', provider: 'vonage', demo: true, manualWabaIds: [], manualTemplateIds: {} });
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
    const common = {
      manualWabaIds: meta.manualWabaIds,
      manualTemplateIds: meta.manualTemplateIds,
      concurrency: this.limiter,
      timeoutMs: settings.timeoutMs,
      logger: log,
    };
    if (meta.demo) {
      const sb = await demoSandbox();
      for (const key of this.context.globalState.get<string[]>(DEMO_INSIGHTS_KEY, [])) {
        const [provider, wabaId] = key.split(':') as [ProviderId, string];
        const waba = sb.data.waba(provider, wabaId);
        if (waba) waba.insightsEnabled = true;
      }
      if (meta.provider === 'meta') {
        return createProvider({ provider: 'meta', credentials: { accessToken: sb.credentials.metaToken }, config: { ...common, baseUrl: sb.metaBaseUrl, apiVersion: settings.metaApiVersion } });
      }
      return createProvider({
        provider: 'vonage',
        credentials: {
          apiKey: sb.credentials.vonageApiKey,
          apiSecret: sb.credentials.vonageApiSecret,
          applicationId: sb.credentials.vonageApplicationId,
          privateKey: sb.credentials.vonagePrivateKey,
        },
        config: { ...common, baseUrl: sb.vonageBaseUrl },
      });
    }
    if (!secret) {
      throw new WabaError('config', `The credentials of "${meta.label}" are missing from VS Code's secret storage.`, {
        hint: 'Use "Edit Credentials…" on the connection to enter them again.',
      });
    }
    // Stored before this check existed, or edited elsewhere: refused with its own message, never sent.
    checkSecret(secret, meta.label);
    if (secret.provider === 'meta') {
      registerSecret(secret.accessToken);
      return createProvider({ provider: 'meta', credentials: { accessToken: secret.accessToken }, config: { ...common, baseUrl: settings.metaBaseUrl, apiVersion: settings.metaApiVersion } });
    }
    registerSecret(secret.apiSecret);
    registerSecret(secret.privateKey);
    return createProvider({
      provider: 'vonage',
      credentials: { apiKey: secret.apiKey, apiSecret: secret.apiSecret, applicationId: secret.applicationId, privateKey: secret.privateKey },
      config: { ...common, baseUrl: settings.vonageBaseUrl },
    });
  }

  private async build(id: string): Promise<Provider> {
    const meta = this.get(id);
    if (!meta) throw new WabaError('input', 'That connection no longer exists.', { hint: 'Refresh the Accounts view.' });
    return this.buildFrom(meta, meta.demo ? undefined : await this.readSecret(id));
  }
}
