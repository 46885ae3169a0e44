/**
 * The Accounts tree, a view over the AccountsService: Connection -> WABA -> "Phone numbers" /
 * "Templates" (grouped by category, paged, "Load more" on demand) / "Template groups" (when the
 * provider offers template group analytics: each group with its templates). Nodes hold no account data of
 * their own: they read the service's state when VS Code asks for them, and the tree redraws a node
 * when the service says its part changed. A listing that failed shows as an error item with the
 * reason and a Retry (never as "nothing found"); the rest of the tree stays.
 */
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { PhoneNumberInfo, TemplateGroupInfo, TemplateInfo, WabaInfo } from '../core/types';
import { templateStatusLabel, valueLabel } from '../core/vocabulary';
import { providerDescriptor } from '../providers/descriptors';
import type { Warning } from '../core/warnings';
import type { AccountsChange, AccountsService } from './accountsService';
import type { ConnectionMeta } from './connections';

export type TreeNode = ConnectionNode | WabaNode | PhonesNode | PhoneNode | TemplatesNode | CategoryNode | TemplateNode | TemplateGroupsNode | TemplateGroupNode | LoadMoreNode | ErrorNode | InfoNode;

abstract class BaseNode {
  abstract readonly kind: string;
  parent?: TreeNode;
  abstract treeItem(): vscode.TreeItem;
  children(): Promise<TreeNode[]> | TreeNode[] {
    return [];
  }
}

const escapeMarkdown = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');

/** A listing that failed: the reason, and Retry (click, or the inline action). */
export class ErrorNode extends BaseNode {
  readonly kind = 'error';
  constructor(
    readonly what: string,
    readonly error: unknown,
    /** The node whose listing failed (what Retry reloads). */
    readonly retryTarget: TreeNode,
    /** What Retry does (defaults to reloading `retryTarget`). */
    readonly retry: () => unknown,
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const message = describeError(this.error);
    const item = new vscode.TreeItem(`Could not load ${this.what}`, vscode.TreeItemCollapsibleState.None);
    item.description = message;
    item.tooltip = new vscode.MarkdownString(`**Could not load ${this.what}**\n\n${escapeMarkdown(message)}\n\nClick to retry.`);
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    item.contextValue = 'error';
    item.command = { command: 'wabaAnalytics.retryNode', title: 'Retry', arguments: [this] };
    return item;
  }
}

export class InfoNode extends BaseNode {
  readonly kind = 'info';
  constructor(
    readonly label: string,
    readonly tooltip?: string,
    readonly command?: vscode.Command,
    readonly icon = 'info',
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.tooltip = this.tooltip;
    item.contextValue = 'info';
    if (this.command) item.command = this.command;
    return item;
  }
}

/** One row per listing warning (a repeated id dropped, a part refused). */
function warningNodes(warnings: readonly Warning[], parent: TreeNode): InfoNode[] {
  return warnings.map((w) => {
    const n = new InfoNode(w.message, `${w.message} (${w.code})`, undefined, 'warning');
    n.parent = parent;
    return n;
  });
}

export class ConnectionNode extends BaseNode {
  readonly kind = 'connection';
  private readonly wabaNodes = new Map<string, WabaNode>();
  constructor(
    readonly meta: ConnectionMeta,
    readonly tree: AccountsTree,
  ) {
    super();
  }
  get id(): string {
    return `c:${this.meta.id}`;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.meta.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const d = providerDescriptor(this.meta.provider);
    item.description = this.meta.demo ? `demo · ${d.label}` : d.label;
    item.tooltip = `${this.meta.label} (${d.apiLabel}${this.meta.demo ? ', built-in demo sandbox' : ''})`;
    item.iconPath = new vscode.ThemeIcon(this.meta.demo ? 'beaker' : 'plug');
    item.contextValue = `connection.${this.meta.demo ? 'demo' : this.meta.provider}`;
    return item;
  }
  /** The node of a listed WABA (the same node for the same id, so that views keep their state). */
  wabaNode(wabaId: string): WabaNode | undefined {
    return this.wabaNodes.get(wabaId);
  }
  override async children(): Promise<TreeNode[]> {
    const accounts = this.tree.accounts;
    await this.tree.loading(`${this.meta.id}||wabas`, () => accounts.loadWabas(this.meta.id));
    const state = accounts.wabas(this.meta.id);
    if (state.status === 'failed') {
      return [this.tree.adopt(new ErrorNode('WhatsApp Business Accounts', state.error, this, () => this.tree.refresh(this)), this)];
    }
    if (state.status !== 'loaded') return [this.tree.adopt(new InfoNode('Loading…', undefined, undefined, 'loading~spin'), this)];
    const out: TreeNode[] = [];
    if (!state.items.length) {
      out.push(
        this.tree.adopt(
          new InfoNode('No WhatsApp Business Accounts found', 'The credentials reach no WABA. Add a WABA ID by hand from the connection\'s context menu.', {
            command: 'wabaAnalytics.addWabaId',
            title: 'Add WABA ID',
            arguments: [this],
          }),
          this,
        ),
      );
    }
    const seen = new Set<string>();
    for (const w of state.items) {
      seen.add(w.id);
      let node = this.wabaNodes.get(w.id);
      if (!node) {
        node = this.tree.adopt(new WabaNode(w.id, this), this);
        this.wabaNodes.set(w.id, node);
      }
      out.push(node);
    }
    for (const id of [...this.wabaNodes.keys()]) if (!seen.has(id)) this.wabaNodes.delete(id);
    out.push(...warningNodes(state.warnings, this));
    return out;
  }
}

export class WabaNode extends BaseNode {
  readonly kind = 'waba';
  readonly phones: PhonesNode;
  readonly templates: TemplatesNode;
  readonly templateGroups: TemplateGroupsNode;
  /** Whether the provider offers template group analytics (known once `loadGroups` ran). */
  private offersTemplateGroups = false;
  private last?: WabaInfo;
  constructor(
    readonly wabaId: string,
    readonly connection: ConnectionNode,
  ) {
    super();
    this.phones = new PhonesNode(this);
    this.templates = new TemplatesNode(this);
    this.templateGroups = new TemplateGroupsNode(this);
    this.phones.parent = this;
    this.templates.parent = this;
    this.templateGroups.parent = this;
  }
  /** What the service knows of this WABA now. */
  get info(): WabaInfo {
    const known = this.connection.tree.accounts.waba(this.connection.meta.id, this.wabaId);
    if (known) this.last = known;
    return known ?? this.last ?? { provider: this.connection.meta.provider, id: this.wabaId, source: 'list' };
  }
  get id(): string {
    return `${this.connection.id}/w:${this.wabaId}`;
  }
  treeItem(): vscode.TreeItem {
    const i = this.info;
    const item = new vscode.TreeItem(i.name ? `${i.name}` : `WABA ${i.id}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    // "insights off" first, so the default sidebar width still shows it (with its icon); "on" is the tooltip's.
    const off = i.insightsEnabled === false;
    item.description = [off ? 'insights off' : undefined, i.name ? i.id : undefined, i.currency, i.timezone].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${i.name ?? 'WhatsApp Business Account'}**\n\n`);
    md.appendMarkdown(`- ID: \`${i.id}\`\n- Currency: ${i.currency ?? 'unknown'}\n- Timezone: ${i.timezone ?? 'unknown'}\n`);
    md.appendMarkdown(`- Insights: ${i.insightsEnabled === undefined ? 'unknown' : i.insightsEnabled ? 'enabled' : 'not enabled (needed for template analytics)'}\n`);
    md.appendMarkdown(`- Found: ${i.source === 'manual' ? 'added by hand' : i.source === 'token' ? 'from the token\'s scopes' : i.source === 'business' ? 'through the business' : 'listed by the API'}`);
    item.tooltip = md;
    item.iconPath = off ? new vscode.ThemeIcon('eye-closed', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('organization');
    // `.manual`: added by hand, so it can be removed (package.json menus read these).
    const manual = this.connection.meta.manualWabaIds.includes(this.wabaId) ? '.manual' : '';
    item.contextValue = `waba.${this.connection.meta.provider}.${i.insightsEnabled === false ? 'insightsOff' : i.insightsEnabled ? 'insightsOn' : 'insightsUnknown'}${manual}`;
    return item;
  }
  override children(): TreeNode[] {
    return this.offersTemplateGroups ? [this.phones, this.templates, this.templateGroups] : [this.phones, this.templates];
  }
  /**
   * Loads the phone numbers and the first page of templates, at once (neither rejects: a failure
   * shows in its group), and reads whether the provider offers template groups (listed on expand).
   */
  async loadGroups(): Promise<void> {
    const accounts = this.connection.tree.accounts;
    const [offers] = await Promise.all([accounts.offers(this.connection.meta.id, 'template-groups'), this.phones.load(), this.templates.load()]);
    this.offersTemplateGroups = offers;
  }
}

export class PhonesNode extends BaseNode {
  readonly kind = 'phones';
  constructor(readonly waba: WabaNode) {
    super();
  }
  get id(): string {
    return `${this.waba.id}/phones`;
  }
  private get state() {
    return this.waba.connection.tree.accounts.phones(this.waba.connection.meta.id, this.waba.wabaId);
  }
  /** Phone numbers listed, when loaded. */
  get count(): number | undefined {
    const s = this.state;
    return s.status === 'loaded' ? s.items.length : undefined;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Phone numbers', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const count = this.count;
    item.description = count === undefined ? undefined : String(count);
    item.iconPath = new vscode.ThemeIcon('device-mobile');
    item.contextValue = `phones.${this.waba.connection.meta.provider}`;
    return item;
  }
  load(): Promise<void> {
    const c = this.waba.connection.meta.id;
    return this.waba.connection.tree.loading(`${c}|${this.waba.wabaId}|phones`, () => this.waba.connection.tree.accounts.loadPhones(c, this.waba.wabaId));
  }
  override async children(): Promise<TreeNode[]> {
    await this.load();
    const s = this.state;
    const adopt = <T extends TreeNode>(n: T): T => {
      n.parent = this;
      return n;
    };
    if (s.status === 'failed') return [adopt(new ErrorNode('phone numbers', s.error, this, () => this.waba.connection.tree.refresh(this)))];
    if (s.status !== 'loaded') return [adopt(new InfoNode('Loading…', undefined, undefined, 'loading~spin'))];
    const out: TreeNode[] = s.items.length ? s.items.map((p) => adopt(new PhoneNode(p, this.waba))) : [adopt(new InfoNode('No phone numbers'))];
    out.push(...warningNodes(s.warnings, this));
    return out;
  }
}

export class PhoneNode extends BaseNode {
  readonly kind = 'phone';
  constructor(
    readonly info: PhoneNumberInfo,
    readonly waba: WabaNode,
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.info.displayPhoneNumber, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.waba.id}/p:${this.info.id}`;
    item.description = [this.info.verifiedName, this.info.qualityRating ? `quality ${this.info.qualityRating}` : undefined].filter(Boolean).join(' · ');
    item.tooltip = `${this.info.displayPhoneNumber}\nVerified name: ${this.info.verifiedName ?? 'unknown'}\nQuality: ${this.info.qualityRating ?? 'unknown'}\nID: ${this.info.id}`;
    const q = (this.info.qualityRating ?? '').toUpperCase();
    item.iconPath = new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor(q === 'RED' ? 'charts.red' : q === 'YELLOW' ? 'charts.yellow' : q === 'GREEN' ? 'charts.green' : 'disabledForeground'));
    item.contextValue = `phone.${this.waba.connection.meta.provider}`;
    return item;
  }
  /** Digits of the display number: what analytics filters take. */
  get digits(): string {
    return this.info.displayPhoneNumber.replace(/\D/g, '');
  }
}

export class TemplatesNode extends BaseNode {
  readonly kind = 'templates';
  private readonly categories = new Map<string, CategoryNode>();
  constructor(readonly waba: WabaNode) {
    super();
  }
  get id(): string {
    return `${this.waba.id}/templates`;
  }
  private get accounts(): AccountsService {
    return this.waba.connection.tree.accounts;
  }
  get state() {
    return this.accounts.templates(this.waba.connection.meta.id, this.waba.wabaId);
  }
  /** The templates loaded so far. */
  get loaded(): readonly TemplateInfo[] {
    return this.state.items;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Templates', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const s = this.state;
    item.description = s.status === 'loaded' && !s.loading ? `${s.items.length}${s.next !== undefined ? '+' : ''}` : undefined;
    item.iconPath = new vscode.ThemeIcon('symbol-file');
    item.contextValue = `templates.${this.waba.connection.meta.provider}`;
    return item;
  }
  /** Load the first page unless it is loaded (or failed: the error shows until Retry). */
  load(): Promise<void> {
    const c = this.waba.connection.meta.id;
    return this.waba.connection.tree.loading(`${c}|${this.waba.wabaId}|templates`, () => this.accounts.loadTemplates(c, this.waba.wabaId));
  }
  /** Load the next page (the first one when nothing is loaded). */
  async loadMore(): Promise<void> {
    await this.accounts.loadMoreTemplates(this.waba.connection.meta.id, this.waba.wabaId).catch(() => undefined);
  }
  override async children(): Promise<TreeNode[]> {
    await this.load();
    const s = this.state;
    const tree = this.waba.connection.tree;
    const adopt = <T extends TreeNode>(n: T): T => {
      n.parent = this;
      return n;
    };
    if (s.status === 'failed') return [adopt(new ErrorNode('templates', s.error, this, () => tree.refresh(this)))];
    if (s.status !== 'loaded') return [adopt(new InfoNode('Loading…', undefined, undefined, 'loading~spin'))];
    const out: TreeNode[] = [];
    if (!s.items.length) {
      out.push(
        adopt(
          providerDescriptor(this.waba.connection.meta.provider).manualTemplateIds
            ? new InfoNode('No templates: add template IDs…', 'Vonage lists templates only with an application id and private key; otherwise add template ids by hand.', {
                command: 'wabaAnalytics.addTemplateIds',
                title: 'Add Template IDs',
                arguments: [this.waba],
              })
            : new InfoNode('No templates'),
        ),
      );
    }
    const byCategory = new Map<string, TemplateInfo[]>();
    for (const t of s.items) {
      const c = (t.category ?? 'UNCATEGORIZED').toUpperCase();
      if (!byCategory.has(c)) byCategory.set(c, []);
      byCategory.get(c)!.push(t);
    }
    for (const [category, list] of [...byCategory].sort((a, b) => a[0].localeCompare(b[0]))) {
      let node = this.categories.get(category);
      if (!node) {
        node = adopt(new CategoryNode(category, this));
        this.categories.set(category, node);
      }
      node.templates = [...list].sort((a, b) => a.name.localeCompare(b.name));
      out.push(node);
    }
    if (s.next !== undefined) out.push(adopt(new LoadMoreNode(this)));
    if (s.moreError !== undefined) out.push(adopt(new ErrorNode('more templates', s.moreError, this, () => this.loadMore())));
    out.push(...warningNodes(s.warnings, this));
    return out;
  }
}

export class CategoryNode extends BaseNode {
  readonly kind = 'category';
  templates: TemplateInfo[] = [];
  constructor(
    readonly category: string,
    readonly group: TemplatesNode,
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const label = valueLabel('pricing_category', this.category);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `${this.group.id}/cat:${this.category}`;
    item.description = String(this.templates.length);
    item.iconPath = new vscode.ThemeIcon('folder');
    // A group: what applies to all its templates (template analytics of the category), not Copy ID.
    item.contextValue = `category.${this.group.waba.connection.meta.provider}`;
    return item;
  }
  override children(): TreeNode[] {
    return this.templates.map((t) => {
      const n = new TemplateNode(t, this.group.waba);
      n.parent = this;
      return n;
    });
  }
}

export class TemplateNode extends BaseNode {
  readonly kind = 'template';
  constructor(
    readonly info: TemplateInfo,
    readonly waba: WabaNode,
  ) {
    super();
  }
  get hasButtons(): boolean {
    return (this.info.buttons ?? []).some((b) => /URL|QUICK_REPLY/i.test(b));
  }
  treeItem(): vscode.TreeItem {
    const t = this.info;
    const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.None);
    // Under a template group too: an id of its own there (VS Code refuses one id twice in a tree).
    item.id = `${this.parent instanceof TemplateGroupNode ? this.parent.id : this.waba.id}/t:${t.id}`;
    // "click tracking off" first, so a narrow sidebar still shows it.
    item.description = [t.clickTrackingOptedOut ? 'click tracking off' : undefined, t.language, t.status ? templateStatusLabel(t.status) : undefined].filter(Boolean).join(' · ');
    item.tooltip = `${t.name} (${t.id})\nLanguage: ${t.language ?? 'unknown'}\nCategory: ${t.category ? valueLabel('pricing_category', t.category) : 'unknown'}\nStatus: ${t.status ? `${templateStatusLabel(t.status)} (${t.status})` : 'unknown'}${t.qualityScore ? `\nQuality: ${t.qualityScore}` : ''}${t.buttons?.length ? `\nButtons: ${t.buttons.join(', ')}` : ''}`;
    const status = (t.status ?? '').toUpperCase();
    item.iconPath = new vscode.ThemeIcon(
      status === 'APPROVED' ? 'pass' : status === 'REJECTED' ? 'error' : status === 'PAUSED' ? 'debug-pause' : 'clock',
      status === 'REJECTED' ? new vscode.ThemeColor('list.errorForeground') : undefined,
    );
    const provider = this.waba.connection.meta.provider;
    const tracking = providerDescriptor(provider).clickTracking && this.hasButtons ? (t.clickTrackingOptedOut ? '.notracking' : '.tracking') : '';
    item.contextValue = `template.${provider}${tracking}`;
    item.command = undefined;
    return item;
  }
}

/**
 * "Template groups" of a WABA (Meta: `GET /<WABA>/template_groups`, an edge of the SDK only). A
 * refusal is an error item with its reason and Retry, plus a row to type group ids: never "no groups".
 */
export class TemplateGroupsNode extends BaseNode {
  readonly kind = 'templateGroups';
  /** The description last drawn (its row is redrawn once the listing it describes is there). */
  private drawn?: string;
  constructor(readonly waba: WabaNode) {
    super();
  }
  get id(): string {
    return `${this.waba.id}/templateGroups`;
  }
  get state() {
    return this.waba.connection.tree.accounts.templateGroups(this.waba.connection.meta.id, this.waba.wabaId);
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Template groups', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.description();
    this.drawn = item.description;
    item.tooltip = 'Campaigns: templates analysed as one unit (template group analytics). Group ids can be typed when the groups cannot be listed.';
    item.iconPath = new vscode.ThemeIcon('files');
    item.contextValue = `templateGroups.${this.waba.connection.meta.provider}`;
    return item;
  }
  private description(): string | undefined {
    const s = this.state;
    return s.status === 'loaded' ? String(s.items.length) : s.status === 'failed' ? 'not listed' : undefined;
  }
  load(): Promise<void> {
    const c = this.waba.connection.meta.id;
    return this.waba.connection.tree.loading(`${c}|${this.waba.wabaId}|templateGroups`, () => this.waba.connection.tree.accounts.loadTemplateGroups(c, this.waba.wabaId));
  }
  /** The row that runs template group analytics with ids typed by hand. */
  private typeIds(label: string): InfoNode {
    const n = new InfoNode(label, 'Template group analytics for group ids you type (from WhatsApp Manager or the API).', { command: 'wabaAnalytics.queryTemplateGroups', title: 'Template Group Analytics…', arguments: [this] }, 'edit');
    n.parent = this;
    return n;
  }
  override async children(): Promise<TreeNode[]> {
    await this.load();
    const s = this.state;
    const tree = this.waba.connection.tree;
    // Listed on expand: the row's count (or "not listed") is drawn again, once (the same description draws nothing new).
    if (this.description() !== this.drawn) tree.changed(this);
    const adopt = <T extends TreeNode>(n: T): T => {
      n.parent = this;
      return n;
    };
    if (s.status === 'failed') return [adopt(new ErrorNode('template groups', s.error, this, () => tree.refresh(this))), this.typeIds('Type template group ids…')];
    if (s.status !== 'loaded') return [adopt(new InfoNode('Loading…', undefined, undefined, 'loading~spin'))];
    if (!s.items.length) return [adopt(new InfoNode('No template groups', 'The API lists no template group for this WABA.')), this.typeIds('Type template group ids…')];
    return [...s.items.map((g) => adopt(new TemplateGroupNode(g, this))), ...warningNodes(s.warnings, this)];
  }
}

/** One template group: its templates as children (names from the templates listed, else the id). */
export class TemplateGroupNode extends BaseNode {
  readonly kind = 'templateGroup';
  constructor(
    readonly info: TemplateGroupInfo,
    readonly group: TemplateGroupsNode,
  ) {
    super();
  }
  get waba(): WabaNode {
    return this.group.waba;
  }
  get id(): string {
    return `${this.group.id}/g:${this.info.id}`;
  }
  treeItem(): vscode.TreeItem {
    const g = this.info;
    const n = g.templateIds.length;
    const item = new vscode.TreeItem(g.name ?? `Template group ${g.id}`, n ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${n} template${n === 1 ? '' : 's'}${g.name ? ` · ${g.id}` : ''}`;
    item.tooltip = `${g.name ?? 'Template group'} (${g.id})\nTemplates: ${n}`;
    item.iconPath = new vscode.ThemeIcon('folder-library');
    item.contextValue = `templateGroup.${this.waba.connection.meta.provider}`;
    return item;
  }
  override children(): TreeNode[] {
    const accounts = this.waba.connection.tree.accounts;
    const listed = accounts.templates(this.waba.connection.meta.id, this.waba.wabaId).items;
    return this.info.templateIds.map((id) => {
      const t = listed.find((x) => x.id === id) ?? { id, name: accounts.templateNames([id])[id] ?? `Template ${id}` };
      const n = new TemplateNode(t, this.waba);
      n.parent = this;
      return n;
    });
  }
}

export class LoadMoreNode extends BaseNode {
  readonly kind = 'loadMore';
  constructor(readonly group: TemplatesNode) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more templates…', vscode.TreeItemCollapsibleState.None);
    item.id = `${this.group.id}/more:${this.group.loaded.length}`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'loadMore';
    item.command = { command: 'wabaAnalytics.loadMoreTemplates', title: 'Load More Templates', arguments: [this] };
    return item;
  }
}

export class AccountsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ConnectionNode[] = [];
  private readonly sub: vscode.Disposable;
  /** Parts the tree is loading itself (`connection|waba|part`): their nodes draw the outcome, no redraw needed. */
  private readonly busy = new Map<string, number>();

  constructor(readonly accounts: AccountsService) {
    this.rebuildRoots();
    this.sub = accounts.onDidChange((c) => this.onChange(c));
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }

  adopt<T extends TreeNode>(node: T, parent: TreeNode): T {
    node.parent = parent;
    return node;
  }

  private rebuildRoots(): void {
    const old = new Map(this.roots.map((r) => [r.meta.id, r]));
    this.roots = this.accounts.connections().map((meta) => {
      const prev = old.get(meta.id);
      if (prev && JSON.stringify(prev.meta) === JSON.stringify(meta)) return prev;
      return new ConnectionNode(meta, this);
    });
  }

  /** Run a load the tree starts for a node (the service's own change event for it is then not needed). Never rejects. */
  async loading(key: string, run: () => Promise<unknown>): Promise<void> {
    this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
    try {
      await run();
    } catch {
      // The state holds the error; the node shows it.
    } finally {
      const n = (this.busy.get(key) ?? 1) - 1;
      if (n) this.busy.set(key, n);
      else this.busy.delete(key);
    }
  }

  /** Redraw what the service says changed. */
  private onChange(c: AccountsChange): void {
    if (c.connectionId === undefined) {
      this.rebuildRoots();
      this.emitter.fire(undefined);
      return;
    }
    if (this.busy.has(`${c.connectionId}|${c.wabaId ?? ''}|${c.part ?? ''}`)) return;
    const conn = this.roots.find((r) => r.meta.id === c.connectionId);
    if (!conn) return;
    if (c.wabaId === undefined) {
      this.emitter.fire(conn);
      return;
    }
    const waba = conn.wabaNode(c.wabaId);
    if (!waba) return;
    this.emitter.fire(c.part === 'phones' ? waba.phones : c.part === 'templates' ? waba.templates : c.part === 'templateGroups' ? waba.templateGroups : waba);
  }

  get connections(): readonly ConnectionNode[] {
    return this.roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.treeItem();
  }

  getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    if (!node) return this.roots;
    // A WABA's two groups are loaded before VS Code shows them, so that their rows show their
    // counts (a refresh of a group right after VS Code fetched its children can lose them).
    if (node instanceof WabaNode) return node.loadGroups().then(() => node.children());
    return node.children();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** Reload a node's listing (or everything): the service forgets it, and the node redraws. */
  refresh(node?: TreeNode): void {
    if (!node) return this.accounts.invalidate();
    if (node instanceof ConnectionNode) return this.accounts.invalidate(node.meta.id);
    const waba = node instanceof WabaNode ? node : node instanceof PhonesNode || node instanceof TemplatesNode || node instanceof TemplateGroupsNode ? node.waba : undefined;
    if (!waba) {
      this.emitter.fire(node);
      return;
    }
    const part = node instanceof PhonesNode ? 'phones' : node instanceof TemplatesNode ? 'templates' : node instanceof TemplateGroupsNode ? 'templateGroups' : undefined;
    this.accounts.invalidate(waba.connection.meta.id, waba.wabaId, part);
  }

  /** Retry what an error item stands for. */
  async retry(node: ErrorNode): Promise<void> {
    await node.retry();
  }

  /** Redraw a node (its label or description changed). */
  changed(node: TreeNode): void {
    this.emitter.fire(node);
  }

  /** The WABA nodes of a connection, loading its WABAs if needed ([] when the listing failed: the tree shows why). */
  async wabaNodes(connection: ConnectionNode): Promise<WabaNode[]> {
    const kids = await connection.children();
    return kids.filter((k): k is WabaNode => k instanceof WabaNode);
  }
}
