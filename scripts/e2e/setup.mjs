#!/usr/bin/env node
// Ensures everything the end-to-end harness needs is on this machine, then prints the path of
// code-server's entry script (the only thing written to stdout; progress goes to stderr).
//
//   node scripts/e2e/setup.mjs            install what is missing, print the entry path
//   node scripts/e2e/setup.mjs --check    install nothing; exit 1 if anything is missing
//
// What it does (see docs/e2e.md):
//  1. Debian packages (chromium, headers for code-server's native modules, ripgrep), through
//     apt-get, only when one of them is missing.
//  2. code-server (pinned version) installed with --ignore-scripts into a cache folder outside the
//     project, keyed on the version: ${WABA_E2E_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/waba-analytics-e2e}/code-server-<version>
//  3. Its post-install, made to work offline: ripgrep comes from Debian's /usr/bin/rg, packed
//     where @vscode/ripgrep looks for a cached download; native modules build against the local
//     node headers.
//  4. `npm rebuild argon2`, a load check of the native modules, then a marker file. Without the
//     marker (an interrupted install) the folder is wiped and the install redone.
//
// Environment: WABA_E2E_CACHE_DIR (parent cache folder), WABA_E2E_SKIP_APT=1 (never call apt).
import { spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, copyFileSync, chmodSync, renameSync, statSync,
} from 'node:fs';
import { homedir, arch } from 'node:os';
import { join, dirname } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'libsecret-1-dev', 'libxkbfile-dev', 'libx11-dev', 'pkg-config', 'ripgrep'];
const MARKER = '.waba-e2e-complete.json';

class SetupError extends Error {}
const CHILD_STDIO = ['ignore', 2, 2];

function log(msg) {
  process.stderr.write(`[e2e setup] ${msg}\n`);
}

function fail(step, detail) {
  throw new SetupError(`${step} failed: ${detail}`);
}

/** Runs a command; throws naming the step when it fails. */
function run(step, cmd, args, opts = {}) {
  const t0 = Date.now();
  log(`${step}: ${cmd} ${args.join(' ')}`);
  // Child output goes to our stderr (fd 2) so stdout stays the single result line.
  const r = spawnSync(cmd, args, { stdio: CHILD_STDIO, ...opts });
  if (r.error) fail(step, `${cmd} could not start (${r.error.message})`);
  if (r.status !== 0) fail(step, `${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  log(`${step}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}

export function cacheRoot() {
  if (process.env.WABA_E2E_CACHE_DIR) return process.env.WABA_E2E_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'waba-analytics-e2e');
}

export function installDir() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

export function entryPath() {
  return join(installDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function missingDebianPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...DEBIAN_PACKAGES], { encoding: 'utf8' });
  if (r.error) fail('checking Debian packages', `dpkg-query is not available (${r.error.message}); this harness needs Debian/Ubuntu, or set WABA_E2E_SKIP_APT=1 and provide ${DEBIAN_PACKAGES.join(', ')} yourself`);
  const installed = new Set(
    r.stdout.split('\n').map((l) => l.trim().split(' ')).filter(([, s]) => s === 'installed').map(([p]) => p.split(':')[0]),
  );
  return DEBIAN_PACKAGES.filter((p) => !installed.has(p));
}

function ensureDebianPackages(checkOnly) {
  if (process.env.WABA_E2E_SKIP_APT === '1') {
    log('WABA_E2E_SKIP_APT=1: not checking Debian packages');
    return [];
  }
  const missing = missingDebianPackages();
  if (missing.length === 0) {
    log(`Debian packages present: ${DEBIAN_PACKAGES.join(' ')}`);
    return [];
  }
  if (checkOnly) return missing;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    fail('installing Debian packages', `missing ${missing.join(' ')} and not root (no password-less sudo); run: sudo apt-get update && sudo apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  run('apt-get update', cmd, [...pre, 'update'], { env, stdio: CHILD_STDIO });
  run(`apt-get install (${missing.join(' ')})`, cmd, [...pre, 'install', '-y', '--no-install-recommends', ...DEBIAN_PACKAGES], { env, stdio: CHILD_STDIO });
  const still = missingDebianPackages();
  if (still.length) fail('installing Debian packages', `still missing after apt-get install: ${still.join(' ')}`);
  return [];
}

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

function markerIsValid(dir) {
  const m = readMarker(dir);
  return !!m && m.version === CODE_SERVER_VERSION && m.nodeModules === process.versions.modules && existsSync(entryPath());
}

/** A lock folder so two runs (e.g. parallel test files) do not install into the same place. */
async function withLock(dir, fn) {
  const lock = `${dir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = NaN;
      try { pid = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (pid > 0) {
        try { process.kill(pid, 0); alive = true; } catch { alive = false; }
      }
      // No pid after 10 s: the holder died between creating the lock and writing its pid.
      let orphan = false;
      if (!(pid > 0)) {
        try { orphan = Date.now() - statSync(lock).mtimeMs > 10_000; } catch { continue; }
      }
      if ((pid > 0 && !alive) || orphan) {
        log(`removing stale lock ${lock} (${orphan ? 'no pid recorded' : `pid ${pid} is gone`})`);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) fail('waiting for the install lock', `${lock} is still held by pid ${pid}`);
      if (!announced) {
        log(`another setup (pid ${pid}) is installing into ${dir}: waiting for it`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function nodeHeadersDir() {
  // node-gyp would download headers from nodejs.org, which is not reachable; point it at the
  // headers installed with node (Debian/NodeSource: /usr/include/node).
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) return prefix;
  return undefined;
}

function npmVersion() {
  const r = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) fail('finding npm', 'npm --version did not run');
  return r.stdout.trim();
}

/** The ripgrep release that @vscode/ripgrep@<version> downloads, read from its own postinstall. */
function ripgrepRelease(pkgVersion, scratch) {
  mkdirSync(scratch, { recursive: true });
  run(`fetching @vscode/ripgrep@${pkgVersion} from the npm registry`, 'npm', ['pack', `@vscode/ripgrep@${pkgVersion}`, '--silent', '--pack-destination', scratch], { stdio: CHILD_STDIO });
  const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (!tgz) fail('reading @vscode/ripgrep', 'npm pack produced no tarball');
  run('unpacking @vscode/ripgrep', 'tar', ['xzf', join(scratch, tgz), '-C', scratch, 'package/lib/postinstall.js'], { stdio: CHILD_STDIO });
  const src = readFileSync(join(scratch, 'package', 'lib', 'postinstall.js'), 'utf8');
  const m = /const VERSION = '([^']+)'/.exec(src);
  if (!m) fail('reading @vscode/ripgrep', 'no VERSION constant in lib/postinstall.js');
  return m[1];
}

function ripgrepTarget() {
  switch (arch()) {
    case 'x64': return 'x86_64-unknown-linux-musl';
    case 'arm64': return 'aarch64-unknown-linux-musl';
    default: return fail('choosing the ripgrep target', `unsupported architecture ${arch()}`);
  }
}

async function install() {
  const dir = installDir();
  const t0 = Date.now();
  if (existsSync(dir)) {
    log(`${dir} has no completion marker (interrupted or outdated install): starting over`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'waba-analytics-e2e-code-server', private: true }, null, 2));
  const tmp = join(dir, '.tmp');
  mkdirSync(tmp, { recursive: true });

  const baseEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  run(`npm install code-server@${CODE_SERVER_VERSION}`, 'npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`],
    { cwd: dir, env: baseEnv, stdio: CHILD_STDIO });

  const cs = join(dir, 'node_modules', 'code-server');
  if (!existsSync(join(cs, 'postinstall.sh'))) fail('npm install code-server', `${cs}/postinstall.sh is missing`);

  // ripgrep: @vscode/ripgrep's postinstall uses $TMPDIR/vscode-ripgrep-cache-<pkg version>/<asset>
  // when it exists, instead of asking GitHub.
  const shrinkwrap = JSON.parse(readFileSync(join(cs, 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8'));
  const rgPkg = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!rgPkg) fail('reading lib/vscode/npm-shrinkwrap.json', 'no node_modules/@vscode/ripgrep entry');
  const rgRelease = ripgrepRelease(rgPkg, join(tmp, 'rgpkg'));
  const rgCache = join(tmp, `vscode-ripgrep-cache-${rgPkg}`);
  const rgStage = join(tmp, 'rgstage');
  mkdirSync(rgCache, { recursive: true });
  mkdirSync(rgStage, { recursive: true });
  if (!existsSync('/usr/bin/rg')) fail('packing ripgrep', '/usr/bin/rg is missing (Debian package ripgrep)');
  copyFileSync('/usr/bin/rg', join(rgStage, 'rg'));
  chmodSync(join(rgStage, 'rg'), 0o755);
  const asset = `ripgrep-${rgRelease}-${ripgrepTarget()}.tar.gz`;
  run(`packing /usr/bin/rg as ${asset}`, 'tar', ['czf', join(rgCache, asset), '-C', rgStage, 'rg'], { stdio: CHILD_STDIO });
  log(`@vscode/ripgrep ${rgPkg} will use ${join(rgCache, asset)}`);

  const nodedir = nodeHeadersDir();
  if (!nodedir) log('warning: no local node headers found; node-gyp may try to download them');
  const postEnv = {
    ...baseEnv,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_user_agent: `npm/${npmVersion()} node/${process.version} linux ${arch()}`,
    ...(nodedir ? { npm_config_nodedir: nodedir } : {}),
  };
  run('code-server postinstall.sh (VS Code dependencies and native modules)', 'sh', ['./postinstall.sh'], { cwd: cs, env: postEnv, stdio: CHILD_STDIO });
  run('npm rebuild argon2', 'npm', ['rebuild', 'argon2'], { cwd: dir, env: postEnv, stdio: CHILD_STDIO });

  verify(dir);
  rmSync(tmp, { recursive: true, force: true });
  const marker = {
    version: CODE_SERVER_VERSION,
    node: process.version,
    nodeModules: process.versions.modules,
    ripgrep: { package: rgPkg, release: rgRelease, from: '/usr/bin/rg' },
    installedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  // Written last, atomically: its presence means the install is complete.
  writeFileSync(join(dir, `${MARKER}.tmp`), JSON.stringify(marker, null, 2));
  renameSync(join(dir, `${MARKER}.tmp`), join(dir, MARKER));
  log(`code-server ${CODE_SERVER_VERSION} installed in ${marker.seconds} s`);
}

/** Loads the native modules the server needs, so a broken build fails here and not in a test. */
function verify(dir) {
  const cs = join(dir, 'node_modules', 'code-server');
  const rg = join(cs, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!existsSync(rg)) fail('verifying the install', `${rg} is missing`);
  const checks = [
    [dir, 'argon2'],
    [join(cs, 'lib', 'vscode'), 'node-pty'],
    [join(cs, 'lib', 'vscode'), '@vscode/spdlog'],
    [join(cs, 'lib', 'vscode'), '@parcel/watcher'],
  ];
  for (const [cwd, mod] of checks) {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(mod)})`], { cwd, encoding: 'utf8' });
    if (r.status !== 0) fail('verifying the install', `require('${mod}') in ${cwd} failed: ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  }
  if (!existsSync(entryPath())) fail('verifying the install', `${entryPath()} is missing`);
}

async function main() {
  const checkOnly = process.argv.includes('--check');
  const t0 = Date.now();
  const missing = ensureDebianPackages(checkOnly);
  if (checkOnly) {
    const problems = [];
    if (missing.length) problems.push(`Debian packages missing: ${missing.join(' ')}`);
    if (!markerIsValid(installDir())) problems.push(`code-server ${CODE_SERVER_VERSION} is not installed in ${installDir()}`);
    if (problems.length) {
      log(problems.join('; '));
      process.exit(1);
    }
  } else if (!markerIsValid(installDir())) {
    await withLock(installDir(), async () => {
      if (!markerIsValid(installDir())) await install();
    });
  } else {
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${installDir()}`);
  }
  if (!existsSync('/usr/bin/chromium')) fail('checking Chromium', '/usr/bin/chromium is missing (Debian package chromium)');
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.stdout.write(`${entryPath()}\n`);
}

main().catch((e) => {
  process.stderr.write(`[e2e setup] ERROR: ${e instanceof SetupError ? e.message : e?.stack ?? e}\n`);
  process.exit(1);
});

