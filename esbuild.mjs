// Builds the three bundles (extension host, CLI, webview) and, with --tests, transpiles
// src/ and test/ file by file into out-test/ for node's test runner.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
// --dist=DIR writes the bundles elsewhere than dist/ (the benchmark builds into a scratch folder).
const distArg = process.argv.find((a) => a.startsWith('--dist='));
const dist = distArg ? distArg.slice('--dist='.length) : 'dist';

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: `${dist}/extension.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: `${dist}/cli.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: `${dist}/webview.js`,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
].filter((b) => existsSync(b.entryPoints[0]));

const outArg = process.argv.find((a) => a.startsWith('--out='));
if (args.has('--tests')) {
  // --out=DIR lets several builds run side by side (default out-test).
  const outdir = outArg ? outArg.slice('--out='.length) : 'out-test';
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [...walk('src'), ...walk('test'), ...walk('webview'), ...walk('bench')],
    outdir,
    outbase: '.',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
} else if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
