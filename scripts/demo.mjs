#!/usr/bin/env node
// `npm run demo`: a real VS Code (code-server, in your browser) with the WABA Analytics extension
// installed and its demo connections ready (a built-in sandbox with synthetic data: no
// credentials, no network). Prints the URL to open, and runs until Ctrl+C.
//
//   node scripts/demo.mjs [--port N] [--workspace DIR] [--vsix FILE]
//
//   --port N         port on 127.0.0.1 (default 8080; a free one when it is taken)
//   --workspace DIR  the folder VS Code opens (default ~/.cache/waba-analytics-demo/workspace, outside
//                    the repository; exports and saved queries land there and stay). Its
//                    .vscode/settings.json gets "git.openRepositoryInParentFolders": "never", so the
//                    first screen has no toast about a git repository in a parent folder.
//   --vsix FILE      install this package instead of building and packaging the repository
//
// What it does: the end-to-end harness's setup (scripts/e2e/setup.mjs: Debian packages and
// code-server 4.100.3 in ~/.cache/waba-analytics-e2e, minutes the first time, seconds afterwards),
// builds and packages the extension (scripts/e2e/package.mjs), then starts code-server through the
// harness (test/e2e/harness.ts) with fresh user data, the extension installed and
// WABA_ANALYTICS_DEMO=1 in its environment: on activation the extension adds the connections
// "Demo (Meta)" and "Demo (Vonage)" when there is none. Ctrl+C stops code-server and removes its
// temporary folders.
//
// The steps' own output (npm's warnings, vsce's file list) is kept out of the way: one line per
// step here, and the tail of a step's output only when it fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PORT = 8080;
const DEFAULT_WORKSPACE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'waba-analytics-demo', 'workspace');
/** Lines of a failed step's output shown. */
const TAIL_LINES = 40;
const log = (m) => process.stderr.write(`[demo] ${m}\n`);

function fail(step, detail) {
  process.stderr.write(`[demo] ERROR: ${step} failed: ${detail}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { port: DEFAULT_PORT, portGiven: false, workspace: DEFAULT_WORKSPACE, vsix: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail('reading the arguments', `${flag} needs a value`);
      return v;
    };
    if (flag === '--port') {
      opts.port = Number(value());
      opts.portGiven = true;
      if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) fail('reading the arguments', `--port wants a port number, not ${opts.port}`);
    } else if (flag === '--workspace') opts.workspace = resolve(value());
    else if (flag === '--vsix') opts.vsix = resolve(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: node scripts/demo.mjs [--port N] [--workspace DIR] [--vsix FILE]   (npm run demo -- --port 9000)\n');
      process.exit(0);
    } else fail('reading the arguments', `unknown argument ${argv[i]} (usage: node scripts/demo.mjs [--port N] [--workspace DIR] [--vsix FILE])`);
  }
  return opts;
}

/**
 * Runs one of the harness scripts with its output captured (npm warnings, vsce's file list are
 * noise when it works); on failure, the tail of that output. Returns the last line of its stdout.
 */
function runScript(step, script, args = []) {
  log(`${step}…`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(REPO, script), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(step, r.error.message);
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n').slice(-TAIL_LINES).join('\n');
    fail(step, `node ${script} exited with ${r.status ?? r.signal}; the last lines it wrote:\n${tail}`);
  }
  log(`${step.replace(/ \(.*$/, '')}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.stdout.trim().split('\n').pop() ?? '';
}

/**
 * The workspace's .vscode/settings.json says "git.openRepositoryInParentFolders": "never" (kept
 * with whatever else it holds; a file that is not JSON is left alone).
 */
function quietGit(workspace) {
  const dir = join(workspace, '.vscode');
  const file = join(dir, 'settings.json');
  let settings = {};
  if (existsSync(file)) {
    try {
      settings = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    if (!settings || typeof settings !== 'object' || Array.isArray(settings) || settings['git.openRepositoryInParentFolders'] === 'never') return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...settings, 'git.openRepositoryInParentFolders': 'never' }, null, 2)}\n`);
}

function portIsFree(port) {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePort(true)));
  });
}

/** The harness (test/e2e/harness.ts), bundled for node: the same code-server start-up as the tests. */
async function loadHarness() {
  const outfile = join(REPO, '.e2e', 'demo', 'harness.cjs');
  await esbuild.build({
    entryPoints: [join(REPO, 'test/e2e/harness.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    absWorkingDir: REPO,
  });
  return createRequire(import.meta.url)(outfile);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const entry = runScript('installing what code-server needs (scripts/e2e/setup.mjs; minutes the first time)', 'scripts/e2e/setup.mjs');
  const vsix = opts.vsix ?? runScript('building and packaging the extension (scripts/e2e/package.mjs)', 'scripts/e2e/package.mjs');
  const harness = await loadHarness();

  let port = opts.port;
  if (!(await portIsFree(port))) {
    port = await harness.freePort();
    log(`port ${opts.port} is taken: using ${port} instead${opts.portGiven ? '' : ' (choose one with --port N)'}`);
  }
  mkdirSync(opts.workspace, { recursive: true });
  quietGit(opts.workspace);
  process.env.WABA_E2E_CODE_SERVER = entry;
  log(`starting code-server on 127.0.0.1:${port}…`);
  let server;
  try {
    server = await harness.startCodeServer({ extensions: [vsix], workspace: opts.workspace, env: { WABA_ANALYTICS_DEMO: '1' }, port });
  } catch (e) {
    fail('starting code-server', e?.message ?? String(e));
  }

  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping code-server…`);
    await server.stop();
    process.stdout.write('The WABA Analytics demo stopped.\n');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(signal));
  server.exited.then(async (code) => {
    if (stopping) return;
    process.stderr.write(`[demo] ERROR: code-server exited (${code}):\n${server.diagnostics(30)}\n`);
    await server.stop();
    process.exit(1);
  });

  const url = `${server.url}/?folder=${encodeURIComponent(server.workspace)}`;
  process.stdout.write(
    [
      '',
      'WABA Analytics demo: VS Code with the extension and its demo connections is running.',
      '',
      `  Open ${url}`,
      '',
      'In VS Code, click the WABA Analytics icon in the activity bar: the connections "Demo (Meta)" and',
      '"Demo (Vonage)" are there (a built-in sandbox with synthetic data; no credentials needed).',
      'Expand a WABA to see its phone numbers, templates and template groups, or press F1 and run',
      '"WABA Analytics: Pricing Analytics…" (or Messaging, Conversation, Template, Call, Template',
      'Group or WhatsApp Group analytics). "WABA Analytics: Sync History" keeps every final day as',
      'Parquet files in the workspace\'s waba-archive folder.',
      `Exports and saved queries go to ${join(server.workspace, 'waba-analytics')}.`,
      `Browser on another machine? Forward the port first: ssh -L ${port}:127.0.0.1:${port} <this machine>`,
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((e) => fail('the demo', e?.stack ?? String(e)));
