#!/usr/bin/env node
// Builds an extension project and packages it as a .vsix with @vscode/vsce; prints the .vsix path
// (the only line on stdout).
//
//   node scripts/e2e/package.mjs [--project DIR] [--out FILE] [--no-build]
//
//   --project DIR  the extension project (default: this repository); `node esbuild.mjs --production` is run in it
//   --out FILE     where to write the .vsix (default: <repo>/.e2e/<name>-<version>.vsix)
//   --no-build     package what is already in dist/
//
// vsce runs as `vsce package --no-dependencies --allow-missing-repository --skip-license
// --no-rewrite-relative-links`: the bundles in dist/ carry the dependencies, and the README's
// relative links (its screenshots, docs/images/*.png, packed beside it by .vscodeignore) stay
// relative: vsce would otherwise rewrite them against the repository URL, and refuse them
// without one (the manifest has no "repository"). When the manifest would make vsce fail, or the project
// has neither a .vscodeignore nor a "files" list (vsce would then pack src/, test/, ...), the
// package is made from a staging copy (.e2e/package-stage-*/, removed afterwards) holding the manifest (patched when
// needed) and only the files an installed extension uses (dist/, media/, README/CHANGELOG/LICENSE,
// and every file the manifest names, e.g. icons and JSON schemas); what was patched is printed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Files and folders an installed extension may use; everything else stays out of a staged package.
const STAGED_PATHS = ['dist', 'media', 'resources', 'images', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'package.nls.json'];

class PackageError extends Error {}
const log = (m) => process.stderr.write(`[e2e package] ${m}\n`);
const fail = (step, detail) => { throw new PackageError(`${step} failed: ${detail}`); };

function parseArgs(argv) {
  const opts = { project: REPO, out: undefined, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail('reading arguments', `${a} needs a value`);
      return v;
    };
    if (a === '--project') opts.project = resolve(value());
    else if (a === '--out') opts.out = resolve(value());
    else if (a === '--no-build') opts.build = false;
    else fail('reading arguments', `unknown argument ${a} (usage: package.mjs [--project DIR] [--out FILE] [--no-build])`);
  }
  return opts;
}

/** Runs a step; with `quiet`, its output (vsce's file tree) is shown only when it fails (the last lines). */
function run(step, cmd, args, cwd, { quiet = false } = {}) {
  const t0 = Date.now();
  log(`${step}: ${cmd === process.execPath ? 'node' : cmd} ${args.map((a) => (isAbsolute(a) ? relative(cwd, a) || '.' : a)).join(' ')} (in ${cwd})`);
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', quiet ? 'pipe' : 2, quiet ? 'pipe' : 2], timeout: 180_000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(step, r.error.message);
  if (r.status !== 0) {
    const tail = quiet ? `; its last lines:\n${`${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n')}` : '';
    fail(step, `exited with ${r.status ?? r.signal}${tail}`);
  }
  log(`${step}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Paths the manifest points at (icons, JSON schemas, grammars, walkthrough media, ...): every string
 * value that looks like a relative path and names something in the project.
 */
function referencedPaths(manifest, project) {
  const found = new Set();
  const visit = (v) => {
    if (typeof v === 'string') {
      const p = v.replace(/^\.\//, '');
      if (/^[\w@.][\w@./-]*$/.test(p) && (p.includes('/') || /\.\w+$/.test(p)) && !p.split('/').includes('..') && existsSync(join(project, p))) found.add(p);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(manifest);
  found.delete('package.json');
  return [...found];
}

/** Mirrors vsce's rule: a `main` or `browser` entry needs activation events, explicit or implied (VS Code >= 1.74). */
function manifestPatches(manifest) {
  const c = manifest.contributes ?? {};
  const implied = !!(c.languages || c.commands || c.authentication || c.customEditors || c.views);
  const patches = {};
  if ((manifest.main || manifest.browser) && !manifest.activationEvents && !implied) {
    patches.activationEvents = [];
  }
  return patches;
}

export function packageExtension({ project = REPO, out, build = true } = {}) {
  const t0 = Date.now();
  if (!existsSync(join(project, 'package.json'))) fail('reading the manifest', `${project}/package.json does not exist`);
  if (build) {
    if (!existsSync(join(project, 'esbuild.mjs'))) fail('building', `${project}/esbuild.mjs does not exist (use --no-build to package dist/ as it is)`);
    // The production bundles (minified, no source maps): what users get, and what the benchmark measures.
    run('building (node esbuild.mjs --production)', process.execPath, ['esbuild.mjs', '--production'], project);
  }
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  for (const key of ['name', 'publisher', 'version']) if (!manifest[key]) fail('reading the manifest', `package.json has no "${key}"`);
  if (manifest.main) {
    const main = resolve(project, manifest.main);
    if (![main, `${main}.js`].some((p) => existsSync(p))) fail('checking the build', `"main" is ${manifest.main} but ${main} does not exist: does src/extension/extension.ts exist and did \`node esbuild.mjs\` build it?`);
  }
  out ??= join(REPO, '.e2e', `${manifest.name}-${manifest.version}.vsix`);
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });

  const patches = manifestPatches(manifest);
  const hasIgnore = existsSync(join(project, '.vscodeignore'));
  const hasFiles = Array.isArray(manifest.files) && manifest.files.length > 0;
  let cwd = project;
  let stage;
  if (Object.keys(patches).length > 0 || (!hasIgnore && !hasFiles)) {
    for (const [k, v] of Object.entries(patches)) {
      log(`NOTE: vsce would refuse this manifest; packaging a copy with "${k}": ${JSON.stringify(v)} added (add it to package.json, or contribute commands/views, to package in place)`);
    }
    if (!hasIgnore && !hasFiles) log('NOTE: the project has neither a .vscodeignore nor a "files" list; packaging a staging copy with only dist/, media/, the docs and the files the manifest names');
    // One staging folder per run, so that packaging runs can overlap.
    mkdirSync(join(REPO, '.e2e'), { recursive: true });
    cwd = mkdtempSync(join(REPO, '.e2e', 'package-stage-'));
    stage = cwd;
    const paths = hasFiles ? manifest.files : [...new Set([...STAGED_PATHS, ...referencedPaths(manifest, project)])];
    for (const p of paths) {
      if (/[*?[{]/.test(p)) fail('staging the package', `"files" entry ${p} is a glob; the staging copy only handles plain paths`);
      const src = join(project, p);
      if (existsSync(src)) cpSync(src, join(cwd, p), { recursive: true, dereference: true });
    }
    if (hasIgnore) cpSync(join(project, '.vscodeignore'), join(cwd, '.vscodeignore'));
    else if (!hasFiles) writeFileSync(join(cwd, '.vscodeignore'), '# staging copy made by scripts/e2e/package.mjs: it holds only what the package needs\n');
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ ...manifest, ...patches }, null, 2));
  }
  const vsce = join(dirname(createRequire(join(REPO, 'package.json')).resolve('@vscode/vsce/package.json')), 'vsce');
  try {
    run('packaging (vsce package)', process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], cwd, { quiet: true });
  } finally {
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
  if (!existsSync(out)) fail('packaging', `vsce reported success but ${out} does not exist`);
  log(`packaged ${manifest.publisher}.${manifest.name}@${manifest.version} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const file = packageExtension(parseArgs(process.argv.slice(2)));
    process.stdout.write(`${file}\n`);
  } catch (e) {
    process.stderr.write(`[e2e package] ERROR: ${e instanceof PackageError ? e.message : e?.stack ?? e}\n`);
    process.exit(1);
  }
}
