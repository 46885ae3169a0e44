// End-to-end harness: a real VS Code (code-server) on 127.0.0.1, driven by Debian's Chromium
// through playwright-core. See docs/e2e.md.
//
// Every failure names the step that failed (`E2eStepError`), and the code-server log is attached
// to failures of the server steps.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Frame, Page } from 'playwright-core';
import type { TestContext } from 'node:test';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** An error that says which step of the harness failed. */
export class E2eStepError extends Error {
  constructor(
    readonly step: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`e2e step "${step}" failed: ${detail}`, options);
    this.name = 'E2eStepError';
  }
}

/** Runs `fn` as the named step: any error it throws is wrapped in an E2eStepError naming the step. */
export async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof E2eStepError) throw e;
    throw new E2eStepError(name, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

/** The repository root: the nearest folder above this file whose package.json is this project's. */
export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        try {
          if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'waba-analytics' && existsSync(join(dir, 'scripts', 'e2e'))) return dir;
        } catch {
          /* not JSON: keep looking */
        }
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new E2eStepError('finding the repository root', `no folder above ${__dirname} or ${process.cwd()} holds this project's package.json and scripts/e2e/`);
}

/** Runs `node <script> args` in the repository; resolves to the last line of its stdout. */
export function runNodeScript(stepName: string, script: string, args: string[] = [], timeoutMs = 15 * 60_000): Promise<string> {
  return step(stepName, () =>
    new Promise<string>((resolvePromise, reject) => {
      const root = repoRoot();
      execFile(process.execPath, [join(root, script), ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const tail = stderr.trim().split('\n').slice(-40).join('\n');
          reject(new Error(`node ${script} ${args.join(' ')} failed (${err.message.split('\n')[0]})\n${tail}`));
          return;
        }
        const lines = stdout.trim().split('\n');
        resolvePromise(lines[lines.length - 1] ?? '');
      });
    }),
  );
}

let entryPromise: Promise<string> | undefined;

/** code-server's entry script: $WABA_E2E_CODE_SERVER, or what scripts/e2e/setup.mjs installs (seconds when cached). */
export function codeServerEntry(): Promise<string> {
  const fromEnv = process.env.WABA_E2E_CODE_SERVER;
  if (fromEnv) {
    if (!existsSync(fromEnv)) return Promise.reject(new E2eStepError('finding code-server', `WABA_E2E_CODE_SERVER=${fromEnv} does not exist`));
    return Promise.resolve(fromEnv);
  }
  entryPromise ??= runNodeScript('installing code-server (scripts/e2e/setup.mjs)', 'scripts/e2e/setup.mjs');
  return entryPromise;
}

/** Builds and packages an extension project (default: this repository); resolves to the .vsix path. */
export function packageExtension(project?: string): Promise<string> {
  return runNodeScript('building and packaging the extension (scripts/e2e/package.mjs)', 'scripts/e2e/package.mjs', project ? ['--project', project] : []);
}

let vsixPromise: Promise<string> | undefined;

/**
 * The .vsix under test: $WABA_E2E_EXTENSION (a .vsix file, or an extension project folder, built and
 * packaged), else this repository, built and packaged; once per process. scripts/test.mjs packages
 * once and sets $WABA_E2E_EXTENSION, so test files running side by side do not rebuild dist/ under
 * each other.
 */
export function extensionUnderTest(): Promise<string> {
  vsixPromise ??= (async () => {
    const given = process.env.WABA_E2E_EXTENSION;
    if (given && existsSync(given) && statSync(given).isFile()) return resolve(given);
    return packageExtension(given ? resolve(given) : undefined);
  })();
  return vsixPromise;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolvePromise(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface CodeServerOptions {
  /** .vsix files (installed with --install-extension) or unpacked extension folders (copied). */
  extensions: string[];
  /** The folder to open; a fresh empty one under os.tmpdir() when absent. */
  workspace?: string;
  /** Added to code-server's environment, which it passes down to the extension host. */
  env?: Record<string, string>;
  /** Default: a free port. */
  port?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** What code-server printed so far (stdout and stderr). */
  output(): string;
  /** The tail of code-server's output and of its log files, for error messages. */
  diagnostics(lines?: number): string;
  /** Stops code-server and its children, then removes the throwaway folders (kept with WABA_E2E_KEEP=1). */
  stop(): Promise<void>;
  /** Resolves when code-server exits (its exit code, or the signal that ended it). */
  exited: Promise<number | string>;
}

interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
}

function readManifest(folder: string): ExtensionManifest {
  const file = join(folder, 'package.json');
  if (!existsSync(file)) throw new Error(`${folder} is neither a .vsix nor an extension folder (no package.json)`);
  const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<ExtensionManifest>;
  if (!m.name || !m.publisher || !m.version) throw new Error(`${file} lacks name, publisher or version`);
  return { name: m.name, publisher: m.publisher, version: m.version };
}

function tailOf(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function logFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) logFiles(p, out);
    else if (name.endsWith('.log') && st.size > 0) out.push(p);
  }
  return out;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise(true);
    });
  });
}

/** Sends `signal` to the process group led by `child` (code-server and the hosts it spawned). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

// Servers still running when this process exits (a test timed out, an after hook never ran) are
// ended with it: they run in their own process group, so nothing else would stop them.
const liveServers = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackServer(child: ChildProcess): void {
  liveServers.add(child);
  child.once('exit', () => liveServers.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveServers) killGroup(c, 'SIGKILL');
    });
  }
}

async function installVsixFiles(entry: string, vsixFiles: string[], extensionsDir: string, userDataDir: string): Promise<void> {
  if (vsixFiles.length === 0) return;
  await new Promise<void>((resolvePromise, reject) => {
    const args = [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
    for (const f of vsixFiles) args.push('--install-extension', f);
    execFile(process.execPath, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      const out = `${stdout}\n${stderr}`;
      if (err || /Failed Installing/i.test(out)) {
        // Stack frames say little here; the lines that matter are "Error: Unable to install ...".
        const said = out.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
        reject(new Error(`code-server --install-extension ${vsixFiles.map((f) => basename(f)).join(', ')} failed: ${said.slice(-12).join('\n')}`));
      } else {
        resolvePromise();
      }
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering:\n${tailOf(output(), 30)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${last}):\n${tailOf(output(), 30)}`);
}

/**
 * Starts code-server with fresh user-data and extensions folders, the given extensions installed,
 * on 127.0.0.1. Resolves once it answers HTTP. The extension host only starts when a browser opens
 * the workbench (see openWorkbench).
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const entry = await codeServerEntry();
  const base = mkdtempSync(join(tmpdir(), 'waba-e2e-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  const workspace = options.workspace ? resolve(options.workspace) : join(base, 'workspace');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const keep = process.env.WABA_E2E_KEEP === '1';
  const cleanup = () => {
    if (!keep) rmSync(base, { recursive: true, force: true });
  };

  try {
    await step('installing extensions into code-server', async () => {
      const vsix: string[] = [];
      for (const ext of options.extensions) {
        const p = resolve(ext);
        if (!existsSync(p)) throw new Error(`${p} does not exist`);
        if (statSync(p).isDirectory()) {
          const m = readManifest(p);
          cpSync(p, join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`), { recursive: true, dereference: true });
        } else if (p.endsWith('.vsix')) {
          vsix.push(p);
        } else {
          throw new Error(`${p} is neither a .vsix nor a folder`);
        }
      }
      await installVsixFiles(entry, vsix, extensionsDir, userDataDir);
    });
  } catch (e) {
    cleanup();
    throw e;
  }

  const port = options.port ?? (await step('choosing a port', freePort));
  const url = `http://127.0.0.1:${port}`;
  // Settings that keep the workbench quiet and deterministic in tests.
  const settingsDir = join(userDataDir, 'User');
  mkdirSync(settingsDir, { recursive: true });
  writeFileSync(
    join(settingsDir, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'window.restoreWindows': 'none',
        'chat.commandCenter.enabled': false,
      },
      null,
      2,
    ),
  );
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ];
  let out = '';
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also ends the hosts it spawns
  });
  trackServer(child);
  const exited = new Promise<number | string>((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown')));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out;
  const diagnostics = (lines = 40) => {
    const parts = [`--- code-server output (last ${lines} lines) ---\n${tailOf(out, lines)}`];
    for (const f of logFiles(join(userDataDir, 'logs'))) {
      parts.push(`--- ${f.slice(userDataDir.length + 1)} ---\n${tailOf(readFileSync(f, 'utf8'), lines)}`);
    }
    return parts.join('\n');
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      killGroup(child, 'SIGKILL');
      await waitForExit(child, 5_000);
    }
    // The group may outlive its leader for a moment (extension host, pty host).
    killGroup(child, 'SIGKILL');
    cleanup();
  };

  try {
    await step(`starting code-server on ${url}`, () => waitForHttp(`${url}/healthz`, child, output, 60_000));
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, workspace, userDataDir, extensionsDir, output, diagnostics, stop, exited };
}

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Opens the workbench for `folder` in headless Chromium (1400x900 unless `viewport`) and waits for `.monaco-workbench`. */
export async function openWorkbench(url: string, folder: string, options: { timeoutMs?: number; viewport?: { width: number; height: number } } = {}): Promise<Workbench> {
  const timeout = options.timeoutMs ?? 90_000;
  const browser = await step('launching Chromium', () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing (run node scripts/e2e/setup.mjs)`);
    return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  const close = async () => {
    await browser.close().catch(() => undefined);
  };
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const target = `${url}/?folder=${encodeURIComponent(folder)}`;
    await step(`opening ${target}`, () => page.goto(target, { timeout, waitUntil: 'domcontentloaded' }));
    await step('waiting for the workbench (.monaco-workbench)', () => page.waitForSelector('.monaco-workbench', { timeout }));
    return { browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The folder screenshots (and copied logs) go to: <repo>/test-artifacts (git-ignored). */
export function artifactsDir(): string {
  const dir = join(repoRoot(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves a full-page screenshot as test-artifacts/<name>.png; resolves to its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(artifactsDir(), `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await step(`screenshot ${name}`, () => page.screenshot({ path: file, fullPage: true }));
  return file;
}

/** Writes text (e.g. CodeServer.diagnostics()) to test-artifacts/<name>; resolves to its path. */
export function saveArtifact(name: string, text: string): string {
  const file = join(artifactsDir(), name.replace(/[^\w.-]+/g, '-'));
  writeFileSync(file, text);
  return file;
}

/** A journey's step: `snap(what)` takes a screenshot along the way (test-artifacts/<step>-<what>.png). */
export type JourneyStep = (name: string, fn: (snap: (what: string) => Promise<string>) => Promise<void>) => Promise<void>;

/**
 * The steps of a journey, run in order as subtests of `t` ("NN. name"), with a screenshot after each
 * (test-artifacts/<prefix>-NN-<name>.png). A failed step leaves a screenshot and a log with the
 * server's diagnostics (…-FAILED.png/.log) and fails as an E2eStepError naming it; every later
 * step then fails without being attempted, saying which step it needed.
 */
export function journeySteps(t: TestContext, page: Page, server: CodeServer, prefix: string): JourneyStep {
  let stepNo = 0;
  let failed: string | undefined;
  return async (name, fn) => {
    const n = String(++stepNo).padStart(2, '0');
    const slug = `${prefix}-${n}-${name}`;
    await t.test(`${n}. ${name}`, async () => {
      if (failed) {
        const skipped = new E2eStepError(name, `not attempted: the earlier step "${failed}" failed`);
        skipped.stack = skipped.message;
        throw skipped;
      }
      try {
        await fn((what) => screenshot(page, `${slug}-${what}`));
      } catch (e) {
        failed = name;
        await screenshot(page, `${slug}-FAILED`).catch(() => undefined);
        saveArtifact(`${slug}-FAILED.log`, `${e instanceof Error ? e.stack : String(e)}\n\n${server.diagnostics(80)}`);
        throw e instanceof E2eStepError && e.step === name
          ? e
          : new E2eStepError(name, `${e instanceof Error ? e.message : String(e)}\n(screenshot and logs: test-artifacts/${slug.replace(/[^\w.-]+/g, '-')}-FAILED.*)`, { cause: e });
      }
      await screenshot(page, slug);
    });
  };
}

/** Opens the command palette (F1) and types `text` after the `>` prefix; resolves to the palette rows' labels. */
export async function paletteSearch(page: Page, text: string, timeoutMs = 15_000): Promise<string[]> {
  return step(`command palette search "${text}"`, async () => {
    const input = page.locator('.quick-input-widget .quick-input-box input');
    if (!(await input.isVisible())) {
      await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
      await page.keyboard.press('F1');
    }
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${text}`);
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const deadline = Date.now() + timeoutMs;
    let labels: string[] = [];
    // The list fills asynchronously; wait until it shows a match or the time is up.
    while (Date.now() < deadline) {
      labels = (await rows.locator('.label-name').allTextContents()).map((l) => l.trim());
      if (labels.some((l) => l.toLowerCase().includes(text.toLowerCase()))) break;
      await page.waitForTimeout(200);
    }
    return labels;
  });
}

/** Runs a command by its palette title (F1, type, Enter on the exact entry); fails when no entry has that title. */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await step(`running command "${title}" from the palette`, async () => {
    const labels = await paletteSearch(page, title, timeoutMs);
    const index = labels.findIndex((l) => l === title);
    if (index < 0) {
      await page.keyboard.press('Escape');
      throw new Error(`no palette entry titled "${title}" (entries: ${labels.slice(0, 10).map((l) => JSON.stringify(l)).join(', ') || 'none'})`);
    }
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(index);
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
  });
}

/**
 * The first frame (webviews are nested iframes) that holds an element matching `selector`;
 * waits up to `timeoutMs`.
 */
export async function findFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return step(`finding a frame with "${selector}"`, async () => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of page.frames()) {
        if (await frame.$(selector).then((h) => h !== null, () => false)) return frame;
      }
      await page.waitForTimeout(250);
    }
    throw new Error(`no frame holds ${selector} after ${timeoutMs / 1000} s (${page.frames().length} frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
  });
}

/** All frames of the page (the workbench and every webview document). */
export function frames(page: Page): Frame[] {
  return page.frames();
}

/** Polls for a file until it exists; the error names what was waited for. */
export async function waitForFile(file: string, what: string, timeoutMs: number, abortIf?: () => string | undefined): Promise<void> {
  await step(`waiting for ${what}`, async () => {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(file)) {
      const reason = abortIf?.();
      if (reason) throw new Error(`${reason} (while waiting for ${file})`);
      if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
}
