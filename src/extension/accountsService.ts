/**
 * The one place the extension keeps account state: per connection its WABAs, per WABA its phone
 * numbers and its templates (paged), each with its load status, its error and its warnings; and
 * the template names seen anywhere. The Accounts tree is a view over it; the query flow, the
 * panels and the commands read it and update it through it. Every change fires `onDidChange`.
 *
 * A listing that fails keeps its error (shown by the tree with a Retry) until it is retried or
 * refreshed: a failure never reads as an empty list.
 */
import * as vscode from 'vscode';
import { WabaError, describeError } from '../core/errors';
import { IdDeduper, TEMPLATE_ENDPOINT, listingGuard } from '../core/listing';
import type { PageGuard } from '../core/pageGuard';
import type { Kind, PhoneNumberInfo, TemplateGroupInfo, TemplateInfo, WabaInfo } from '../core/types';
import type { Warning } from '../core/warnings';
import type { ConnectionMeta, ConnectionStore } from './connections';
import { log } from './log';
import { providerLabel } from '../core/vocabulary';

export type LoadStatus = 'idle' | 'loading' | 'loaded' | 'failed';

/** What a view reads of one listing. */
export interface ListState<T> {
  readonly status: LoadStatus;
  readonly items: readonly T[];
  /** Why the (first) load failed, when `status` is 'failed'. */
  readonly error?: unknown;
  /** Repeated ids dropped, parts refused (codes from core/warnings). */
  readonly warnings: readonly Warning[];
}

export interface TemplatesState extends ListState<TemplateInfo> {
  /** The cursor of the next page; absent once every page is loaded. */
  readonly next?: string;
  /** Why the last "load more" failed (the pages already loaded stay). */
  readonly moreError?: unknown;
  /** A page is being loaded. */
  readonly loading: boolean;
}

export type AccountsPart = 'wabas' | 'waba' | 'phones' | 'templates' | 'templateGroups';

export interface LoadOptions {
  /** Ask again when the last load failed (an explicit user action); by default a failure stays until `invalidate`. */
  retryFailed?: boolean;
}

/** What changed: nothing set means everything (connections added, removed or edited too). */
export interface AccountsChange {
  connectionId?: string;
  wabaId?: string;
  part?: AccountsPart;
}

class Slot<T> implements ListState<T> {
  status: LoadStatus = 'idle';
  items: T[] = [];
  error?: unknown;
  warnings: Warning[] = [];
  promise?: Promise<void>;
}

class TemplatesSlot extends Slot<TemplateInfo> implements TemplatesState {
  next?: string;
  moreError?: unknown;
  guard?: PageGuard;
  ids?: IdDeduper;
  count = 0;
  get loading(): boolean {
    return this.promise !== undefined;
  }
}

interface WabaEntry {
  phones: Slot<PhoneNumberInfo>;
  templates: TemplatesSlot;
  /** Meta's template groups (`GET /<WABA>/template_groups`); a refusal stays as the error, never as "no groups". */
  templateGroups: Slot<TemplateGroupInfo>;
}

interface ConnectionEntry {
  wabas: Slot<WabaInfo>;
  byWaba: Map<string, WabaEntry>;
  /** WABAs known otherwise than from the list (picked, typed, restored panels). */
  extra: Map<string, WabaInfo>;
}

const EMPTY_TEMPLATES: TemplatesState = { status: 'idle', items: [], warnings: [], loading: false };

export class AccountsService implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AccountsChange>();
  readonly onDidChange = this.emitter.event;
  private readonly entries = new Map<string, ConnectionEntry>();
  private readonly templateNameMap = new Map<string, string>();
  private metas = new Map<string, string>();
  private readonly sub: vscode.Disposable;

  constructor(readonly store: ConnectionStore) {
    this.metas = this.snapshot();
    this.sub = store.onDidChange(() => this.connectionsChanged());
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }

  // ---- connections ----------------------------------------------------------------------------

  connections(): ConnectionMeta[] {
    return this.store.list();
  }

  connection(id: string): ConnectionMeta | undefined {
    return this.store.get(id);
  }

  private snapshot(): Map<string, string> {
    return new Map(this.store.list().map((m) => [m.id, JSON.stringify(m)]));
  }

  /** A connection removed or edited (label, WABA ids by hand…) forgets what was loaded for it. */
  private connectionsChanged(): void {
    const now = this.snapshot();
    for (const [id, json] of this.metas) if (now.get(id) !== json) this.entries.delete(id);
    this.metas = now;
    this.emitter.fire({});
  }

  private entry(connectionId: string): ConnectionEntry {
    let e = this.entries.get(connectionId);
    if (!e) {
      e = { wabas: new Slot(), byWaba: new Map(), extra: new Map() };
      this.entries.set(connectionId, e);
    }
    return e;
  }

  private wabaEntry(connectionId: string, wabaId: string): WabaEntry {
    const e = this.entry(connectionId);
    let w = e.byWaba.get(wabaId);
    if (!w) {
      w = { phones: new Slot(), templates: new TemplatesSlot(), templateGroups: new Slot() };
      e.byWaba.set(wabaId, w);
    }
    return w;
  }

  private fire(change: AccountsChange): void {
    this.emitter.fire(change);
  }

  // ---- WABAs ----------------------------------------------------------------------------------

  wabas(connectionId: string): ListState<WabaInfo> {
    return this.entries.get(connectionId)?.wabas ?? new Slot<WabaInfo>();
  }

  /**
   * The connection's WABAs, loaded once (again after `invalidate`). Rejects with the provider's
   * error when the listing fails; the error stays in the state until retried.
   */
  async loadWabas(connectionId: string, options: LoadOptions = {}): Promise<readonly WabaInfo[]> {
    const slot = this.entry(connectionId).wabas;
    if (options.retryFailed && slot.status === 'failed') this.entry(connectionId).wabas = new Slot();
    await this.load(this.entry(connectionId).wabas, { connectionId, part: 'wabas' }, async () => {
      const provider = await this.store.provider(connectionId);
      const warnings: Warning[] = [];
      const items = await provider.listWabas(undefined, (w) => warnings.push(w));
      return { items, warnings };
    });
    return this.result(this.entry(connectionId).wabas);
  }

  /** What is known of a WABA, without asking the API. */
  waba(connectionId: string, wabaId: string): WabaInfo | undefined {
    const e = this.entries.get(connectionId);
    return e?.wabas.items.find((w) => w.id === wabaId) ?? e?.extra.get(wabaId);
  }

  /** A WABA's details, loading the connection's WABAs if needed; undefined when unknown or the listing fails (logged). */
  async findWaba(connectionId: string, wabaId: string): Promise<WabaInfo | undefined> {
    const known = this.waba(connectionId, wabaId);
    if (known) return known;
    try {
      await this.loadWabas(connectionId);
    } catch (e) {
      log.warn(`WABA ${wabaId}: its details could not be read: ${describeError(e)}`);
    }
    return this.waba(connectionId, wabaId);
  }

  /** Keep a WABA's details seen elsewhere (a picker, a restored panel); replaces the listed one when newer. */
  rememberWaba(connectionId: string, info: WabaInfo): void {
    const e = this.entry(connectionId);
    const i = e.wabas.items.findIndex((w) => w.id === info.id);
    if (i >= 0) {
      if (JSON.stringify(e.wabas.items[i]) === JSON.stringify(info)) return;
      e.wabas.items[i] = info;
      this.fire({ connectionId, wabaId: info.id, part: 'waba' });
    } else e.extra.set(info.id, info);
  }

  /** Change what is known of a WABA (insights enabled…), and tell the views. */
  updateWaba(connectionId: string, wabaId: string, patch: Partial<WabaInfo>, fallback?: WabaInfo): WabaInfo {
    const base = this.waba(connectionId, wabaId) ?? fallback ?? ({ provider: this.connection(connectionId)?.provider ?? 'meta', id: wabaId, source: 'manual' } as WabaInfo);
    const updated: WabaInfo = { ...base, ...patch };
    const e = this.entry(connectionId);
    const i = e.wabas.items.findIndex((w) => w.id === wabaId);
    if (i >= 0) e.wabas.items[i] = updated;
    else e.extra.set(wabaId, updated);
    this.fire({ connectionId, wabaId, part: 'waba' });
    return updated;
  }

  /** The connection able to run a query on this WABA: one that lists it, else the first of the provider. */
  async resolveConnection(q: { provider: string; wabaId: string }): Promise<string | undefined> {
    const candidates = this.connections().filter((c) => c.provider === q.provider);
    for (const c of candidates) if (this.waba(c.id, q.wabaId)) return c.id;
    for (const c of candidates) {
      try {
        if ((await this.loadWabas(c.id)).some((w) => w.id === q.wabaId)) return c.id;
      } catch (e) {
        log.warn(`"${c.label}" could not list its WABAs while looking for WABA ${q.wabaId}: ${describeError(e)}`);
      }
    }
    return candidates[0]?.id;
  }

  // ---- phone numbers --------------------------------------------------------------------------

  phones(connectionId: string, wabaId: string): ListState<PhoneNumberInfo> {
    return this.entries.get(connectionId)?.byWaba.get(wabaId)?.phones ?? new Slot<PhoneNumberInfo>();
  }

  async loadPhones(connectionId: string, wabaId: string, options: LoadOptions = {}): Promise<readonly PhoneNumberInfo[]> {
    const entry = this.wabaEntry(connectionId, wabaId);
    if (options.retryFailed && entry.phones.status === 'failed') entry.phones = new Slot();
    const slot = entry.phones;
    await this.load(slot, { connectionId, wabaId, part: 'phones' }, async () => {
      const provider = await this.store.provider(connectionId);
      const warnings: Warning[] = [];
      const items = await provider.listPhoneNumbers(wabaId, undefined, (w) => warnings.push(w));
      return { items, warnings };
    });
    return this.result(slot);
  }

  // ---- template groups ------------------------------------------------------------------------

  /** Whether the connection's provider offers a kind of query (its capabilities; false when the provider cannot be made). */
  async offers(connectionId: string, kind: Kind): Promise<boolean> {
    try {
      return !!(await this.store.provider(connectionId)).capabilities[kind];
    } catch (e) {
      log.warn(`"${this.label(connectionId)}": its provider could not be read: ${describeError(e)}`);
      return false;
    }
  }

  templateGroups(connectionId: string, wabaId: string): ListState<TemplateGroupInfo> {
    return this.entries.get(connectionId)?.byWaba.get(wabaId)?.templateGroups ?? new Slot<TemplateGroupInfo>();
  }

  /**
   * A WABA's template groups (Meta: `GET /<WABA>/template_groups`, an edge of the SDK only). Rejects
   * with the provider's error when the listing is refused: the caller says so and lets ids be typed.
   */
  async loadTemplateGroups(connectionId: string, wabaId: string, options: LoadOptions = {}): Promise<readonly TemplateGroupInfo[]> {
    const entry = this.wabaEntry(connectionId, wabaId);
    if (options.retryFailed && entry.templateGroups.status === 'failed') entry.templateGroups = new Slot();
    const slot = entry.templateGroups;
    await this.load(slot, { connectionId, wabaId, part: 'templateGroups' }, async () => {
      const provider = await this.store.provider(connectionId);
      if (!provider.listTemplateGroups) throw new WabaError('input', `${providerLabel(provider.id)} has no template groups.`);
      const items = await provider.listTemplateGroups(wabaId);
      // Group names read like template names wherever an id is shown (panels, exports).
      for (const g of items) if (g.name && g.name !== g.id) this.templateNameMap.set(g.id, g.name);
      return { items, warnings: [] };
    });
    return this.result(slot);
  }

  // ---- templates ------------------------------------------------------------------------------

  templates(connectionId: string, wabaId: string): TemplatesState {
    return this.entries.get(connectionId)?.byWaba.get(wabaId)?.templates ?? EMPTY_TEMPLATES;
  }

  /** The first page of templates, unless loaded (or failed: retry with `invalidate`). Rejects on failure. */
  async loadTemplates(connectionId: string, wabaId: string, options: LoadOptions = {}): Promise<TemplatesState> {
    const entry = this.wabaEntry(connectionId, wabaId);
    if (options.retryFailed && entry.templates.status === 'failed') entry.templates = new TemplatesSlot();
    const slot = entry.templates;
    if (slot.status === 'idle' || slot.status === 'loading') await this.templatePage(connectionId, wabaId, slot);
    if (slot.status === 'failed') throw slot.error;
    return slot;
  }

  /** The next page of templates (the first when none is loaded). Rejects on failure; the pages loaded stay. */
  async loadMoreTemplates(connectionId: string, wabaId: string): Promise<TemplatesState> {
    const slot = this.wabaEntry(connectionId, wabaId).templates;
    if (slot.status !== 'loaded') return this.loadTemplates(connectionId, wabaId);
    if (slot.next !== undefined || slot.moreError !== undefined) await this.templatePage(connectionId, wabaId, slot);
    if (slot.moreError !== undefined) throw slot.moreError;
    return slot;
  }

  /** Every template of a WABA (every page; for pickers). Rejects on failure. */
  async allTemplates(connectionId: string, wabaId: string, options: LoadOptions = {}): Promise<readonly TemplateInfo[]> {
    let state = await this.loadTemplates(connectionId, wabaId, options);
    while (state.next !== undefined) state = await this.loadMoreTemplates(connectionId, wabaId);
    return state.items;
  }

  /** One page: the first (status idle/failed) or the next. One page at a time per WABA. */
  private templatePage(connectionId: string, wabaId: string, slot: TemplatesSlot): Promise<void> {
    slot.promise ??= (async () => {
      const first = slot.status !== 'loaded';
      const change: AccountsChange = { connectionId, wabaId, part: 'templates' };
      if (first) {
        slot.status = 'loading';
        slot.items = [];
        slot.warnings = [];
        slot.error = undefined;
        slot.count = 0;
        slot.next = undefined;
      }
      slot.moreError = undefined;
      try {
        const provider = await this.store.provider(connectionId);
        const endpoint = TEMPLATE_ENDPOINT[provider.id];
        if (first) {
          slot.guard = listingGuard('templates', provider.id, endpoint);
          slot.ids = new IdDeduper('template', provider.id, endpoint);
        }
        const page = await provider.listTemplates(wabaId, first ? {} : { cursor: slot.next });
        slot.count += page.items.length;
        slot.guard!.next(page.next, slot.count);
        const fresh = slot.ids!.keep(page.items);
        slot.items.push(...fresh);
        for (const t of fresh) this.rememberTemplateName(t);
        slot.next = page.next;
        slot.status = 'loaded';
        const w = slot.ids!.warning();
        slot.warnings = w ? [w] : [];
      } catch (e) {
        log.warn(`Listing the templates of WABA ${wabaId} failed: ${describeError(e)}`);
        if (first) {
          slot.status = 'failed';
          slot.error = e;
        } else slot.moreError = e;
      } finally {
        slot.promise = undefined;
      }
      this.fire(change);
    })();
    return slot.promise;
  }

  /** Change what is known of a template (click tracking…), and tell the views. */
  updateTemplate(connectionId: string, wabaId: string, templateId: string, patch: Partial<TemplateInfo>): void {
    const slot = this.entries.get(connectionId)?.byWaba.get(wabaId)?.templates;
    const i = slot ? slot.items.findIndex((t) => t.id === templateId) : -1;
    if (!slot || i < 0) return;
    slot.items[i] = { ...slot.items[i]!, ...patch };
    this.fire({ connectionId, wabaId, part: 'templates' });
  }

  /** Template names seen anywhere (analytics return ids only). */
  templateNames(ids: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of ids) {
      const n = this.templateNameMap.get(id);
      if (n) out[id] = n;
    }
    return out;
  }

  /** Keep the names of templates listed outside the tree (a picker). */
  rememberTemplateNames(templates: Iterable<TemplateInfo>): void {
    for (const t of templates) this.rememberTemplateName(t);
  }

  private rememberTemplateName(t: TemplateInfo): void {
    if (t.name && t.name !== t.id) this.templateNameMap.set(t.id, t.name);
  }

  /** Loads template pages of a WABA (at most 5) until these ids have names; a failure is logged (names are cosmetic). */
  async ensureTemplateNames(connectionId: string, wabaId: string, ids: readonly string[]): Promise<void> {
    const missing = () => ids.filter((id) => !this.templateNameMap.has(id));
    if (!missing().length) return;
    try {
      let state = await this.loadTemplates(connectionId, wabaId);
      for (let i = 0; i < 5 && missing().length && state.next !== undefined; i++) state = await this.loadMoreTemplates(connectionId, wabaId);
    } catch (e) {
      log.warn(`Template names could not be read: ${describeError(e)}`);
    }
  }

  // ---- refresh --------------------------------------------------------------------------------

  /**
   * Forget what was loaded, so that the next read asks the API again: everything (and every
   * provider is rebuilt), one connection (its provider too), one WABA, or one part of a WABA.
   */
  invalidate(connectionId?: string, wabaId?: string, part?: 'phones' | 'templates' | 'templateGroups'): void {
    if (connectionId === undefined) {
      this.entries.clear();
      this.store.reset();
      this.fire({});
      return;
    }
    const e = this.entries.get(connectionId);
    if (wabaId === undefined) {
      if (e) {
        e.wabas = new Slot();
        e.byWaba.clear();
      }
      this.store.reset(connectionId);
      this.fire({ connectionId, part: 'wabas' });
      return;
    }
    const w = e?.byWaba.get(wabaId);
    if (w) {
      if (part === undefined || part === 'phones') w.phones = new Slot();
      if (part === undefined || part === 'templates') w.templates = new TemplatesSlot();
      if (part === undefined || part === 'templateGroups') w.templateGroups = new Slot();
    }
    this.fire(part ? { connectionId, wabaId, part } : { connectionId, wabaId });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private label(connectionId: string): string {
    return this.connection(connectionId)?.label ?? connectionId;
  }

  /** Run a load once for a slot (joining one in progress); the state records the outcome, then views are told. */
  private load<T>(slot: Slot<T>, change: AccountsChange & { part: AccountsPart }, run: () => Promise<{ items: T[]; warnings: Warning[] }>): Promise<void> {
    if (slot.status === 'loaded' || slot.status === 'failed') return Promise.resolve();
    slot.promise ??= (async () => {
      slot.status = 'loading';
      try {
        const { items, warnings } = await run();
        slot.items = items;
        slot.warnings = warnings;
        slot.error = undefined;
        slot.status = 'loaded';
        for (const w of warnings) log.warn(w.message);
      } catch (e) {
        log.warn(`Listing the ${change.part === 'wabas' ? 'WABAs' : change.part === 'templateGroups' ? 'template groups' : 'phone numbers'} of ${change.wabaId ? `WABA ${change.wabaId}` : `"${this.label(change.connectionId!)}"`} failed: ${describeError(e)}`);
        slot.items = [];
        slot.warnings = [];
        slot.error = e;
        slot.status = 'failed';
      } finally {
        slot.promise = undefined;
      }
      this.fire(change);
    })();
    return slot.promise;
  }

  private result<T>(slot: Slot<T>): readonly T[] {
    if (slot.status === 'failed') throw slot.error;
    return slot.items;
  }
}
