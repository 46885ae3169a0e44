/**
 * A stand-in for the `vscode` module, so that the extension's own code (panels, query service,
 * connections, export) runs under node's test runner. Importing this file installs it: import it
 * before any src/extension module. It records what the extension shows and writes (log lines,
 * notifications, webview HTML and messages, state and secrets) for the tests to inspect. It is no
 * substitute for the extension-host suite (test/extension), which runs the real VS Code.
 */
import { promises as fs } from 'node:fs';
import Module from 'node:module';
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
  onDidDispose(listener: Listener<void>): { dispose(): void };
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
  return { title, webview: fakeWebview(), onDidDispose: (l) => disposed.event(l), dispose: () => disposed.fire() };
}

/** What the fake records; tests reset it between cases. */
export const recorded = {
  /** Every line written to an output channel, with its level. */
  log: [] as string[],
  /** Every notification text (information, warning, error, progress titles and messages). */
  notifications: [] as string[],
  commands: [] as Array<{ id: string; args: unknown[] }>,
  panels: [] as FakePanel[],
  reset(): void {
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
  saveAs: undefined as FakeUri | undefined,
  /** The options of every save dialog shown. */
  saveDialogs: [] as Array<{ defaultUri?: FakeUri }>,
};

const notify = (m: string) => {
  recorded.notifications.push(m);
  return Promise.resolve(user.buttons.shift());
};

export const vscode = {
  EventEmitter,
  CancellationError,
  Uri: FakeUri,
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  window: {
    createOutputChannel: (name: string) => channel(name),
    showInformationMessage: notify,
    showWarningMessage: notify,
    showErrorMessage: notify,
    showSaveDialog: (options: { defaultUri?: FakeUri }) => {
      user.saveDialogs.push(options);
      return Promise.resolve(user.saveAs);
    },
    createWebviewPanel: (_type: string, title: string) => {
      const p = fakePanel(title);
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
    fs: {
      stat: (uri: FakeUri) => fs.stat(uri.fsPath),
      writeFile: (uri: FakeUri, data: Uint8Array) => fs.writeFile(uri.fsPath, data),
    },
  },
  commands: {
    executeCommand: (id: string, ...args: unknown[]) => {
      recorded.commands.push({ id, args });
      return Promise.resolve(undefined);
    },
    registerCommand: () => ({ dispose: () => undefined }),
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
export function fakeContext() {
  const state = new Map<string, unknown>();
  const secrets = new Map<string, string>();
  const secretChanged = new EventEmitter<{ key: string }>();
  return {
    state,
    secrets: secrets,
    context: {
      subscriptions: [] as Array<{ dispose(): unknown }>,
      extensionUri: FakeUri.file('/ext'),
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
