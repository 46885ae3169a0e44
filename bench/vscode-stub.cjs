// A minimal stand-in for the `vscode` module, enough for `activate()` to run outside VS Code:
// every namespace function returns a disposable, classes construct, settings return their default.
// Used by bench/startup.mjs (node --require bench/vscode-stub.cjs).
'use strict';
const Module = require('node:module');

const disposable = () => ({ dispose() {} });
class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (l) => {
      this.listeners.add(l);
      return { dispose: () => this.listeners.delete(l) };
    };
  }
  fire(v) {
    for (const l of this.listeners) l(v);
  }
  dispose() {
    this.listeners.clear();
  }
}
class Uri {
  constructor(scheme, path) {
    this.scheme = scheme;
    this.path = path;
    this.fsPath = path;
  }
  static file(p) {
    return new Uri('file', p);
  }
  static parse(s) {
    return new Uri('file', s);
  }
  static joinPath(u, ...parts) {
    return new Uri(u.scheme, [u.path, ...parts].join('/'));
  }
  toString() {
    return `${this.scheme}://${this.path}`;
  }
  with() {
    return this;
  }
}
class Plain {
  constructor(...args) {
    this.args = args;
  }
}
const noop = () => disposable();
const configuration = { get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => {} };
const treeView = () => ({ ...disposable(), reveal: async () => {}, onDidChangeSelection: noop, onDidChangeVisibility: noop, onDidExpandElement: noop, onDidCollapseElement: noop, selection: [], visible: false });
const outputChannel = () => ({ ...disposable(), append() {}, appendLine() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {}, show() {}, clear() {}, replace() {}, hide() {}, name: 'stub', logLevel: 2, onDidChangeLogLevel: noop });

const vscode = {
  version: '1.95.0',
  EventEmitter,
  Uri,
  Disposable: class Disposable {
    constructor(fn) {
      this.dispose = fn ?? (() => {});
    }
    static from(...d) {
      return { dispose: () => d.forEach((x) => x.dispose()) };
    }
  },
  TreeItem: Plain,
  ThemeIcon: Plain,
  ThemeColor: Plain,
  MarkdownString: Plain,
  CodeLens: Plain,
  Range: Plain,
  Position: Plain,
  RelativePattern: Plain,
  CancellationTokenSource: class {
    constructor() {
      this.token = { isCancellationRequested: false, onCancellationRequested: noop };
    }
    cancel() {}
    dispose() {}
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  window: {
    createTreeView: treeView,
    registerTreeDataProvider: noop,
    registerWebviewPanelSerializer: noop,
    registerUriHandler: noop,
    createOutputChannel: outputChannel,
    createStatusBarItem: () => ({ ...disposable(), show() {}, hide() {} }),
    showInformationMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    withProgress: async (_o, task) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: noop }),
    onDidChangeActiveTextEditor: noop,
    onDidChangeActiveColorTheme: noop,
    activeTextEditor: undefined,
    visibleTextEditors: [],
  },
  commands: { registerCommand: noop, registerTextEditorCommand: noop, executeCommand: async () => undefined },
  workspace: {
    getConfiguration: () => configuration,
    onDidChangeConfiguration: noop,
    onDidSaveTextDocument: noop,
    onDidChangeTextDocument: noop,
    onDidOpenTextDocument: noop,
    onDidCloseTextDocument: noop,
    onDidChangeWorkspaceFolders: noop,
    onDidGrantWorkspaceTrust: noop,
    createFileSystemWatcher: () => ({ ...disposable(), onDidChange: noop, onDidCreate: noop, onDidDelete: noop }),
    workspaceFolders: undefined,
    textDocuments: [],
    isTrusted: true,
    asRelativePath: (p) => String(p),
    fs: {},
  },
  languages: { registerCodeLensProvider: noop, registerHoverProvider: noop, registerCompletionItemProvider: noop },
  env: { clipboard: { writeText: async () => {} }, openExternal: async () => true, language: 'en', machineId: 'stub', uiKind: 1 },
  extensions: { getExtension: () => undefined, all: [] },
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return 'vscode';
  return resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

/** An ExtensionContext with in-memory state and secrets. */
function makeContext(extensionPath) {
  const memento = () => {
    const m = new Map();
    return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync() {} };
  };
  const secrets = new Map();
  return {
    subscriptions: [],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalState: memento(),
    workspaceState: memento(),
    secrets: { get: async (k) => secrets.get(k), store: async (k, v) => void secrets.set(k, v), delete: async (k) => void secrets.delete(k), onDidChange: noop },
    globalStorageUri: Uri.file('/tmp/waba-bench-global'),
    storageUri: undefined,
    logUri: Uri.file('/tmp/waba-bench-log'),
    extensionMode: 1,
    asAbsolutePath: (p) => `${extensionPath}/${p}`,
  };
}

module.exports = { vscode, makeContext };
