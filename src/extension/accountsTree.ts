/**
 * The Accounts tree: Connection -> WABA -> "Phone numbers" / "Templates" (grouped by category,
 * paged, "Load more" on demand). Children load lazily; a failing node becomes an error item with
 * the reason and a Retry, and the rest of the tree stays.
 */
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { PhoneNumberInfo, TemplateInfo, WabaInfo } from '../core/types';
import type { ConnectionMeta, ConnectionStore } from './connections';
import { log } from './log';

export type TreeNode = ConnectionNode | WabaNode | PhonesNode | PhoneNode | TemplatesNode | CategoryNode | TemplateNode | LoadMoreNode | ErrorNode | InfoNode;

abstract class BaseNode {
  abstract readonly kind: string;
  parent?: TreeNode;
  abstract treeItem(): vscode.TreeItem;
  children(): Promise<TreeNode[]> | TreeNode[] {
    return [];
  }
  /** Drop cached children so the next expansion loads again. */
  invalidate(): void {}
}

export class ErrorNode extends BaseNode {
  readonly kind = 'error';
  constructor(
    readonly what: string,
    readonly error: unknown,
    readonly retryTarget: TreeNode,
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const message = describeError(this.error);
    const item = new vscode.TreeItem(`Could not load ${this.what}`, vscode.TreeItemCollapsibleState.None);
    item.description = message;
    item.tooltip = new vscode.MarkdownString(`**Could not load ${this.what}**\n\n${message.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')}\n\nClick to retry.`);
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
  ) {
    super();
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('info');
    item.tooltip = this.tooltip;
    item.contextValue = 'info';
    if (this.command) item.command = this.command;
    return item;
  }
}

export class ConnectionNode extends BaseNode {
  readonly kind = 'connection';
  private cached?: Promise<TreeNode[]>;
  constructor(
    readonly meta: ConnectionMeta,
    readonly store: ConnectionStore,
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
    item.description = this.meta.demo ? `demo · ${this.meta.provider === 'meta' ? 'Meta' : 'Vonage'}` : this.meta.provider === 'meta' ? 'Meta' : 'Vonage';
    item.tooltip = `${this.meta.label} (${this.meta.provider === 'meta' ? 'Meta Graph API' : 'Vonage Channel Manager'}${this.meta.demo ? ', built-in demo sandbox' : ''})`;
    item.iconPath = new vscode.ThemeIcon(this.meta.demo ? 'beaker' : 'plug');
    item.contextValue = `connection.${this.meta.demo ? 'demo' : this.meta.provider}`;
    return item;
  }
  override invalidate(): void {
    this.cached = undefined;
  }
  override children(): Promise<TreeNode[]> {
    this.cached ??= (async () => {
      try {
        const provider = await this.store.provider(this.meta.id);
        const wabas = await provider.listWabas();
        if (!wabas.length) {
          return [new InfoNode('No WhatsApp Business Accounts found', 'The credentials reach no WABA. Add a WABA ID by hand from the connection\'s context menu.', { command: 'wabaAnalytics.addWabaId', title: 'Add WABA ID', arguments: [this] })];
        }
        return wabas.map((w) => this.tree.adopt(new WabaNode(w, this), this));
      } catch (e) {
        log.warn(`Listing WABAs of "${this.meta.label}" failed: ${describeError(e)}`);
        this.cached = undefined;
        return [this.tree.adopt(new ErrorNode('WhatsApp Business Accounts', e, this), this)];
      }
    })();
    return this.cached;
  }
}

export class WabaNode extends BaseNode {
  readonly kind = 'waba';
  readonly phones: PhonesNode;
  readonly templates: TemplatesNode;
  constructor(
    public info: WabaInfo,
    readonly connection: ConnectionNode,
  ) {
    super();
    this.phones = new PhonesNode(this);
    this.templates = new TemplatesNode(this);
    this.phones.parent = this;
    this.templates.parent = this;
  }
  get id(): string {
    return `${this.connection.id}/w:${this.info.id}`;
  }
  treeItem(): vscode.TreeItem {
    const i = this.info;
    const item = new vscode.TreeItem(i.name ? `${i.name}` : `WABA ${i.id}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const insights = i.insightsEnabled === undefined ? undefined : i.insightsEnabled ? 'insights on' : 'insights off';
    item.description = [i.name ? i.id : undefined, i.currency, i.timezone, insights].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${i.name ?? 'WhatsApp Business Account'}**\n\n`);
    md.appendMarkdown(`- ID: \`${i.id}\`\n- Currency: ${i.currency ?? 'unknown'}\n- Timezone: ${i.timezone ?? 'unknown'}\n`);
    md.appendMarkdown(`- Insights: ${i.insightsEnabled === undefined ? 'unknown' : i.insightsEnabled ? 'enabled' : 'not enabled (needed for template analytics)'}\n`);
    md.appendMarkdown(`- Found: ${i.source === 'manual' ? 'added by hand' : i.source === 'token' ? 'from the token\'s scopes' : i.source === 'business' ? 'through the business' : 'listed by the API'}`);
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon(i.insightsEnabled === false ? 'organization' : 'organization');
    item.contextValue = `waba.${this.connection.meta.provider}.${i.insightsEnabled === false ? 'insightsOff' : i.insightsEnabled ? 'insightsOn' : 'insightsUnknown'}`;
    return item;
  }
  override children(): TreeNode[] {
    return [this.phones, this.templates];
  }
  /** Loads the phone numbers and the first page of templates, at once (neither rejects: a failure shows in its group). */
  async loadGroups(): Promise<void> {
    await Promise.all([this.phones.children(), this.templates.loadFirstPage()]);
  }
  override invalidate(): void {
    this.phones.invalidate();
    this.templates.invalidate();
  }
}

export class PhonesNode extends BaseNode {
  readonly kind = 'phones';
  private cached?: Promise<TreeNode[]>;
  count?: number;
  constructor(readonly waba: WabaNode) {
    super();
  }
  get id(): string {
    return `${this.waba.id}/phones`;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Phone numbers', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.count === undefined ? undefined : String(this.count);
    item.iconPath = new vscode.ThemeIcon('device-mobile');
    item.contextValue = `phones.${this.waba.connection.meta.provider}`;
    return item;
  }
  override invalidate(): void {
    this.cached = undefined;
    this.count = undefined;
  }
  override children(): Promise<TreeNode[]> {
    this.cached ??= (async () => {
      try {
        const provider = await this.waba.connection.store.provider(this.waba.connection.meta.id);
        const phones = await provider.listPhoneNumbers(this.waba.info.id);
        this.count = phones.length;
        if (!phones.length) return [new InfoNode('No phone numbers')];
        return phones.map((p) => {
          const n = new PhoneNode(p, this.waba);
          n.parent = this;
          return n;
        });
      } catch (e) {
        this.cached = undefined;
        const n = new ErrorNode('phone numbers', e, this);
        n.parent = this;
        return [n];
      }
    })();
    return this.cached;
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
  loaded: TemplateInfo[] = [];
  nextCursor?: string;
  private started = false;
  private loading?: Promise<void>;
  private error?: unknown;
  private categories = new Map<string, CategoryNode>();
  constructor(readonly waba: WabaNode) {
    super();
  }
  get id(): string {
    return `${this.waba.id}/templates`;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Templates', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = this.started && !this.loading ? `${this.loaded.length}${this.nextCursor ? '+' : ''}` : undefined;
    item.iconPath = new vscode.ThemeIcon('symbol-file');
    item.contextValue = `templates.${this.waba.connection.meta.provider}`;
    return item;
  }
  override invalidate(): void {
    this.loaded = [];
    this.nextCursor = undefined;
    this.started = false;
    this.error = undefined;
    this.categories.clear();
  }
  /** Load the first page unless it is loaded (or failed: the error shows when the group is expanded). */
  async loadFirstPage(): Promise<void> {
    if (!this.started && !this.error) await this.loadMore();
  }

  /** Load the next page (the first one when nothing is loaded). */
  async loadMore(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const provider = await this.waba.connection.store.provider(this.waba.connection.meta.id);
        const page = await provider.listTemplates(this.waba.info.id, { cursor: this.started ? this.nextCursor : undefined });
        const known = new Set(this.loaded.map((t) => t.id));
        this.loaded.push(...page.items.filter((t) => !known.has(t.id)));
        this.nextCursor = page.next;
        this.started = true;
        this.error = undefined;
        for (const t of page.items) rememberTemplate(t);
      } catch (e) {
        this.error = e;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
  override async children(): Promise<TreeNode[]> {
    await this.loadFirstPage();
    const out: TreeNode[] = [];
    if (!this.started && this.error) {
      const n = new ErrorNode('templates', this.error, this);
      n.parent = this;
      this.error = undefined;
      return [n];
    }
    if (!this.loaded.length) {
      const info =
        this.waba.connection.meta.provider === 'vonage'
          ? new InfoNode('No templates: add template IDs…', 'Vonage lists templates only with an application id and private key; otherwise add template ids by hand.', {
              command: 'wabaAnalytics.addTemplateIds',
              title: 'Add Template IDs',
              arguments: [this.waba],
            })
          : new InfoNode('No templates');
      return [info];
    }
    const byCategory = new Map<string, TemplateInfo[]>();
    for (const t of this.loaded) {
      const c = (t.category ?? 'UNCATEGORIZED').toUpperCase();
      if (!byCategory.has(c)) byCategory.set(c, []);
      byCategory.get(c)!.push(t);
    }
    for (const [category, list] of [...byCategory].sort((a, b) => a[0].localeCompare(b[0]))) {
      let node = this.categories.get(category);
      if (!node) {
        node = new CategoryNode(category, this);
        node.parent = this;
        this.categories.set(category, node);
      }
      node.templates = list.sort((a, b) => a.name.localeCompare(b.name));
      out.push(node);
    }
    if (this.nextCursor) {
      const more = new LoadMoreNode(this);
      more.parent = this;
      out.push(more);
    }
    if (this.error) {
      const n = new ErrorNode('more templates', this.error, this);
      n.parent = this;
      this.error = undefined;
      out.push(n);
    }
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
    const label = this.category.charAt(0) + this.category.slice(1).toLowerCase();
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `${this.group.id}/cat:${this.category}`;
    item.description = String(this.templates.length);
    item.iconPath = new vscode.ThemeIcon('folder');
    item.contextValue = 'category';
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
    item.id = `${this.waba.id}/t:${t.id}`;
    item.description = [t.language, t.status, t.clickTrackingOptedOut ? 'click tracking off' : undefined].filter(Boolean).join(' · ');
    item.tooltip = `${t.name} (${t.id})\nLanguage: ${t.language ?? 'unknown'}\nCategory: ${t.category ?? 'unknown'}\nStatus: ${t.status ?? 'unknown'}${t.qualityScore ? `\nQuality: ${t.qualityScore}` : ''}${t.buttons?.length ? `\nButtons: ${t.buttons.join(', ')}` : ''}`;
    const status = (t.status ?? '').toUpperCase();
    item.iconPath = new vscode.ThemeIcon(
      status === 'APPROVED' ? 'pass' : status === 'REJECTED' ? 'error' : status === 'PAUSED' ? 'debug-pause' : 'clock',
      status === 'REJECTED' ? new vscode.ThemeColor('list.errorForeground') : undefined,
    );
    const provider = this.waba.connection.meta.provider;
    const tracking = provider === 'meta' && this.hasButtons ? (t.clickTrackingOptedOut ? '.notracking' : '.tracking') : '';
    item.contextValue = `template.${provider}${tracking}`;
    item.command = undefined;
    return item;
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

/** Template names seen anywhere, so that ids are always shown with their names. */
const templateNames = new Map<string, string>();
export function rememberTemplate(t: TemplateInfo): void {
  if (t.name && t.name !== t.id) templateNames.set(t.id, t.name);
}
export function templateName(id: string): string | undefined {
  return templateNames.get(id);
}
export function knownTemplateNames(ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    const n = templateNames.get(id);
    if (n) out[id] = n;
  }
  return out;
}

export class AccountsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ConnectionNode[] = [];
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: ConnectionStore) {
    this.rebuildRoots();
    this.sub = store.onDidChange(() => {
      this.rebuildRoots();
      this.emitter.fire(undefined);
    });
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
    this.roots = this.store.list().map((meta) => {
      const prev = old.get(meta.id);
      if (prev && JSON.stringify(prev.meta) === JSON.stringify(meta)) return prev;
      return new ConnectionNode(meta, this.store, this);
    });
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

  /** Reload a node (or everything). */
  refresh(node?: TreeNode): void {
    if (!node) {
      for (const r of this.roots) r.invalidate();
      this.store.reset();
      this.emitter.fire(undefined);
      return;
    }
    node.invalidate();
    if (node instanceof ConnectionNode) this.store.reset(node.meta.id);
    this.emitter.fire(node);
  }

  /** Show a node's new label/description (after insights or tracking changed). */
  changed(node: TreeNode): void {
    this.emitter.fire(node);
  }

  /** Every loaded WABA node. */
  async wabaNodes(connection: ConnectionNode): Promise<WabaNode[]> {
    const kids = await connection.children();
    return kids.filter((k): k is WabaNode => k instanceof WabaNode);
  }
}
