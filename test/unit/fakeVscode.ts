/**
 * A stand-in for the `vscode` module, so that the extension's own code (panels, query service,
 * connections, export) runs under node's test runner. Importing this file installs it: import it
 * before any src/extension module. It records what the extension shows and writes (log lines,
 * notifications, webview HTML and messages, state and secrets) for the tests to inspect. It is no
 * substitute for the extension-host suite (test/extension), which runs the real VS Code.
 *
 * It is also the benchmark's stand-in (bench/startup.cjs, bench/pipeline.ts): enough of the API
 * for `activate()` to run outside VS Code (tree view, panel serializer, CodeLens registration).
 */
import { promises as fs } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

type Listener<T> = (e: T) => unknown;

class EventEmitter<T> {
  private listeners: Array<Listener<T>> = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export class FakeUri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
  static file(p: string): FakeUri {
    return new FakeUri('file', path.resolve(p));
  }
  static joinPath(base: FakeUri, ...parts: string[]): FakeUri {
    return new FakeUri(base.scheme, path.join(base.fsPath, ...parts));
  }
}

export interface FakeWebview {
  html: string;
  options: unknown;
  cspSource: string;
  posted: unknown[];
  asWebviewUri(uri: FakeUri): FakeUri;
  postMessage(m: unknown): Promise<boolean>;
  onDidReceiveMessage(listener: Listener<unknown>): { dispose(): void };
  /** Deliver a message as if the panel app had posted it. */
  receive(m: unknown): void;
}

export interface FakePanel {
  title: string;
  iconPath?: unknown;
  webview: FakeWebview;
  /** In view (visible) and in front (active); `show` changes both as VS Code would. */
  visible: boolean;
  active: boolean;
  revealed: number;
  /** The options it was created with (webview and panel options). */
  options?: unknown;
  onDidDispose(listener: Listener<void>, thisArg?: unknown, disposables?: Array<{ dispose(): void }>): { dispose(): void };
  onDidChangeViewState(listener: Listener<unknown>): { dispose(): void };
  reveal(): void;
  /** Hide or show the panel (a hidden panel's document is dropped in VS Code). */
  show(visible: boolean, active?: boolean): void;
  dispose(): void;
}

function fakeWebview(): FakeWebview {
  const received = new EventEmitter<unknown>();
  return {
    html: '',
    options: {},
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    posted: [],
    asWebviewUri: (uri) => new FakeUri('https', uri.fsPath),
    postMessage(m) {
      this.posted.push(m);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: (l) => received.event(l),
    receive: (m) => received.fire(m),
  };
}

export function fakePanel(title = 'panel'): FakePanel {
  const disposed = new EventEmitter<void>();
  const viewState = new EventEmitter<unknown>();
  const panel: FakePanel = {
    title,
    webview: fakeWebview(),
    visible: true,
    active: true,
    revealed: 0,
    onDidDispose: (l, _thisArg, disposables) => {
      const d = disposed.event(l);
      disposables?.push(d);
      return d;
    },
    onDidChangeViewState: (l) => viewState.event(l),
    reveal() {
      panel.revealed++;
      panel.show(true, true);
    },
    show(visible, active = visible) {
      panel.visible = visible;
      panel.active = active;
      viewState.fire({ webviewPanel: panel });
    },
    dispose: () => disposed.fire(),
  };
  return panel;
}

/** Commands the extension registered, by id: tests run them as VS Code would (a tree item's command, a menu). */
export const registeredCommands = new Map<string, (...args: unknown[]) => unknown>();

/** What the fake records; tests reset it between cases. */
export const recorded = {
  /** Every line written to an output channel, with its level. */
  log: [] as string[],
  /** Every notification text (information, warning, error, progress titles and messages). */
  notifications: [] as string[],
  commands: [] as Array<{ id: string; args: unknown[] }>,
  panels: [] as FakePanel[],
  /** Every quick pick and input box shown (createQuickPick / createInputBox), in order. */
  quickInputs: [] as FakeQuickInput[],
  reset(): void {
    this.quickInputs.length = 0;
    this.log.length = 0;
    this.notifications.length = 0;
    this.commands.length = 0;
    this.panels.length = 0;
  },
};

/** Settings the fake `getConfiguration('wabaAnalytics')` answers (user values), by key. */
export const settings = new Map<string, unknown>();

/** Cancel the progress notifications now running (as the user pressing Cancel). */
const cancellers = new Set<() => void>();
export function cancelProgress(): void {
  for (const c of [...cancellers]) c();
}

/** When set, the next progress notification is cancelled after this many ms. */
export const progress = { cancelAfterMs: undefined as number | undefined };

const channel = (name: string) => {
  const line = (level: string) => (m: string) => recorded.log.push(`[${name}] ${level} ${m}`);
  return {
    name,
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    append: line('append'),
    appendLine: line('appendLine'),
    show: () => undefined,
    dispose: () => undefined,
  };
};

/** What the user answers: the next button pressed on a message, the file picked in a save dialog. */
export const user = {
  buttons: [] as Array<string | undefined>,
  /** Answers to the quick inputs shown next, in order: each gets the input as shown (none left: Escape). */
  quickInputs: [] as Array<(ui: FakeQuickInput) => void | Promise<void>>,
  saveAs: undefined as FakeUri | undefined,
  /** The options of every save dialog shown. */
  saveDialogs: [] as Array<{ defaultUri?: FakeUri }>,
};

const notify = (m: string, ...rest: unknown[]) => {
  recorded.notifications.push(m);
  const answer = user.buttons.shift();
  if (answer === undefined) return Promise.resolve(undefined);
  // Items are strings or MessageItems ({ title }): answer with the item whose title was "clicked".
  const item = rest.find((x) => (typeof x === 'string' ? x === answer : !!x && typeof x === 'object' && (x as { title?: unknown }).title === answer));
  return Promise.resolve(item ?? answer);
};

/** The tree view's value types (what a TreeDataProvider returns), as plain records the tests read. */
class TreeItem {
  id?: string;
  description?: string | boolean;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    readonly label: string,
    readonly collapsibleState: number = 0,
  ) {}
}
class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}
class ThemeColor {
  constructor(readonly id: string) {}
}
class Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}
class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; arguments?: unknown[] },
  ) {}
}
const disposable = () => ({ dispose: () => undefined });

class MarkdownString {
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
}

// ---- quick inputs (createQuickPick / createInputBox) -----------------------------------------

const BackButton = { iconPath: 'back', tooltip: 'Back' };

/** A quick pick or input box as shown, for a test script to answer (as the user would). */
export class FakeQuickInput {
  kind: 'pick' | 'input';
  title?: string;
  placeholder?: string;
  prompt?: string;
  value = '';
  validationMessage?: string;
  items: Array<{ label: string; description?: string; detail?: string; picked?: boolean; value?: unknown }> = [];
  activeItems: FakeQuickInput['items'] = [];
  selectedItems: FakeQuickInput['items'] = [];
  canSelectMany = false;
  ignoreFocusOut = false;
  matchOnDescription = false;
  matchOnDetail = false;
  buttons: unknown[] = [];
  disposed = false;
  hidden = false;
  private readonly accepted = new EventEmitter<void>();
  private readonly hiddenEvent = new EventEmitter<void>();
  private readonly button = new EventEmitter<unknown>();
  private readonly changed = new EventEmitter<string>();
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hiddenEvent.event;
  readonly onDidTriggerButton = this.button.event;
  readonly onDidChangeValue = this.changed.event;
  readonly onDidChangeSelection = new EventEmitter<unknown>().event;
  readonly onDidChangeActive = new EventEmitter<unknown>().event;
  constructor(kind: 'pick' | 'input') {
    this.kind = kind;
  }
  show(): void {
    recorded.quickInputs.push(this);
    const script = user.quickInputs.shift();
    setImmediate(() => {
      if (script) void script(this);
      else this.escape();
    });
  }
  hide(): void {
    if (this.hidden) return;
    this.hidden = true;
    this.hiddenEvent.fire();
  }
  dispose(): void {
    this.disposed = true;
    this.hide();
  }
  /** Whether the Back button is shown. */
  get hasBack(): boolean {
    return this.buttons.includes(BackButton);
  }
  /** The item labelled `label` (exactly, or after a `$(icon) ` prefix). */
  item(label: string): FakeQuickInput['items'][number] {
    const found = this.items.find((i) => i.label === label || i.label.replace(/^\$\([\w-]+\)\s*/, '') === label);
    if (!found) throw new Error(`no item "${label}" in "${this.title}" (items: ${this.items.map((i) => i.label).join(', ')})`);
    return found;
  }
  /** Single pick: the item labelled so, accepted. Many: exactly these checked, accepted. */
  pick(...labels: string[]): void {
    if (this.canSelectMany) this.selectedItems = labels.map((l) => this.item(l));
    else this.activeItems = labels.map((l) => this.item(l));
    this.accepted.fire();
  }
  /** Enter with what is there now (the proposed selection of a multi-pick, the active item, the typed value). */
  accept(): void {
    this.accepted.fire();
  }
  /** Type a value (filter text of a pick, the text of an input box); `enter` accepts it. */
  type(value: string, enter = true): void {
    this.value = value;
    this.changed.fire(value);
    if (this.kind === 'pick' && !this.canSelectMany) this.activeItems = this.items.filter((i) => i.label.toLowerCase().includes(value.toLowerCase()));
    if (enter) this.accepted.fire();
  }
  back(): void {
    this.button.fire(BackButton);
  }
  escape(): void {
    this.hide();
  }
}

export const vscode = {
  EventEmitter,
  CancellationError,
  Uri: FakeUri,
  TreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  Range,
  CodeLens,
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickInputButtons: { Back: BackButton },
  window: {
    createQuickPick: () => new FakeQuickInput('pick'),
    createInputBox: () => new FakeQuickInput('input'),
    createOutputChannel: (name: string) => channel(name),
    createTreeView: () => ({ ...disposable(), reveal: () => Promise.resolve(), onDidChangeSelection: disposable, onDidChangeVisibility: disposable, selection: [], visible: false }),
    registerWebviewPanelSerializer: disposable,
    showInformationMessage: notify,
    showWarningMessage: notify,
    showErrorMessage: notify,
    showSaveDialog: (options: { defaultUri?: FakeUri }) => {
      user.saveDialogs.push(options);
      return Promise.resolve(user.saveAs);
    },
    createWebviewPanel: (_type: string, title: string, _column: unknown, options?: unknown) => {
      const p = fakePanel(title);
      p.options = options;
      recorded.panels.push(p);
      return p;
    },
    withProgress: async <T>(options: { title?: string }, task: (p: { report(v: { message?: string }): void }, token: unknown) => Promise<T>): Promise<T> => {
      if (options.title) recorded.notifications.push(options.title);
      const cancelled = new EventEmitter<void>();
      const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
      const cancel = () => {
        token.isCancellationRequested = true;
        cancelled.fire();
      };
      cancellers.add(cancel);
      const timer = progress.cancelAfterMs !== undefined ? setTimeout(cancel, progress.cancelAfterMs) : undefined;
      progress.cancelAfterMs = undefined;
      try {
        return await task({ report: (v) => v.message && recorded.notifications.push(v.message) }, token);
      } finally {
        if (timer) clearTimeout(timer);
        cancellers.delete(cancel);
      }
    },
  },
  workspace: {
    workspaceFolders: undefined as Array<{ uri: FakeUri; name: string; index: number }> | undefined,
    getConfiguration: () => ({
      get: <T>(key: string, fallback?: T): T | undefined => (settings.has(key) ? (settings.get(key) as T) : fallback),
      inspect: <T>(key: string) => ({ key, globalValue: settings.get(key) as T | undefined, defaultValue: undefined }),
      update: () => Promise.reject(new Error('the extension must not write settings')),
    }),
    onDidChangeConfiguration: () => ({ dispose: () => undefined }),
    asRelativePath: (uri: FakeUri | string) => (typeof uri === 'string' ? uri : uri.fsPath),
    openTextDocument: () => Promise.resolve({}),
    /** Documents open in editors (saved queries are read from an open editor first). */
    textDocuments: [] as Array<{ uri: FakeUri; getText(): string }>,
    fs: {
      stat: (uri: FakeUri) => fs.stat(uri.fsPath),
      readFile: (uri: FakeUri) => fs.readFile(uri.fsPath),
      writeFile: (uri: FakeUri, data: Uint8Array) => fs.writeFile(uri.fsPath, data),
    },
  },
  languages: { registerCodeLensProvider: disposable },
  env: { clipboard: { writeText: () => Promise.resolve() }, openExternal: () => Promise.resolve(true) },
  commands: {
    executeCommand: (id: string, ...args: unknown[]) => {
      recorded.commands.push({ id, args });
      return Promise.resolve(undefined);
    },
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      registeredCommands.set(id, handler);
      return { dispose: () => registeredCommands.delete(id) };
    },
  },
};

// Install: `require('vscode')` in the compiled extension code now answers the fake.
const mod = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
const cached = new Module('vscode');
cached.filename = 'vscode';
cached.loaded = true;
cached.exports = vscode;
require.cache.vscode = cached;

/** A minimal ExtensionContext: globalState and secrets in memory, both inspectable. */
export function fakeContext(extensionPath = '/ext') {
  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const secretChanged = new EventEmitter<{ key: string }>();
  return {
    state,
    secrets: secrets,
    context: {
      subscriptions: [] as Array<{ dispose(): unknown }>,
      extensionUri: FakeUri.file(extensionPath),
      logUri: FakeUri.file(path.join(tmpdir(), 'waba-fake-log')),
      globalState: {
        get: <T>(key: string, fallback?: T) => (state.has(key) ? (structuredClone(state.get(key)) as T) : fallback),
        update: (key: string, value: unknown) => {
          state.set(key, structuredClone(value));
          return Promise.resolve();
        },
        keys: () => [...state.keys()],
      },
      secrets: {
        get: (key: string) => Promise.resolve(secrets.get(key)),
        store: (key: string, value: string) => {
          secrets.set(key, value);
          secretChanged.fire({ key });
          return Promise.resolve();
        },
        delete: (key: string) => {
          secrets.delete(key);
          secretChanged.fire({ key });
          return Promise.resolve();
        },
        onDidChange: secretChanged.event,
      },
    },
  };
}
