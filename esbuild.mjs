// Builds the bundles (extension host in two files, CLI, webview) and, with --tests, transpiles
// src/ and test/ file by file into out-test/ for node's test runner.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
// --dist=DIR writes the bundles elsewhere than dist/ (the benchmark builds into a scratch folder).
const distArg = process.argv.find((a) => a.startsWith('--dist='));
const dist = distArg ? distArg.slice('--dist='.length) : 'dist';
// --metafile writes what went into each bundle next to it (<bundle>.meta.json), for the benchmark's checks.
const metafile = args.has('--metafile');

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', metafile };

// ---- the extension host: dist/extension.js, and dist/core.js loaded on first use ----------------
// Activation must not pay for what it does not use. The modules built on zod, undici and
// @vonage/jwt (the query model, the HTTP client, the providers, the sandbox, the message schemas)
// go to dist/core.js; dist/extension.js reaches them through small lazy stand-ins (getters that
// require ./core.js the first time one of their exports is read). The other core modules (errors,
// dates, concurrency, redaction...) stay in dist/extension.js, and dist/core.js takes them from it,
// so there is one WabaError class and one secret registry.
const ROOT = resolve('.');
const srcPath = (f) => relative(join(ROOT, 'src'), f).split(sep).join('/');
const HEAVY = /^(core\/(query|querySchemaJson|http|run)\.ts|protocol\.ts|providers\/.*|sandbox\/.*|archive\/sync\.ts)$/;
const isHeavy = (f) => HEAVY.test(srcPath(f));
const isShared = (f) => /^core\/[^/]+\.ts$/.test(srcPath(f)) && !isHeavy(f);
const sharedModules = existsSync('src/core') ? readdirSync('src/core').filter((n) => n.endsWith('.ts')).map((n) => join(ROOT, 'src/core', n)).filter(isShared) : [];
const keyOf = (f) => srcPath(f).replace(/\.ts$/, '').replace(/\W/g, '_');
const resolveTs = (dir, p) => {
  const base = resolve(dir, p);
  return [base, `${base}.ts`, join(base, 'index.ts')].find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
};
/** Relative imports of matching source files go to a namespace of their own. */
const redirect = (build, test, namespace) =>
  build.onResolve({ filter: /^\./ }, (a) => {
    if (a.namespace === namespace) return undefined;
    const f = resolveTs(a.resolveDir, a.path);
    return f && test(f, a.importer) ? { path: f, namespace } : undefined;
  });

const lazyCore = {
  name: 'lazy-core',
  setup(build) {
    redirect(build, (f) => isHeavy(f), 'lazy-core');
    build.onLoad({ filter: /.*/, namespace: 'lazy-core' }, async (a) => {
      // The module's export names, from the module itself (watch mode rebuilds when it changes).
      const scan = await esbuild.build({ entryPoints: [a.path], bundle: true, write: false, outdir: 'scan', format: 'esm', platform: 'node', packages: 'external', metafile: true, logLevel: 'silent' });
      const names = Object.values(scan.metafile.outputs).find((o) => o.entryPoint)?.exports ?? [];
      const getters = names.map((n) => `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => load()[${JSON.stringify(n)}] });`);
      return {
        loader: 'js',
        resolveDir: ROOT,
        watchFiles: Object.keys(scan.metafile.inputs).map((i) => resolve(i)),
        contents: [`let m;`, `const load = () => (m ??= require('./core.js').${keyOf(a.path)});`, `Object.defineProperty(exports, '__esModule', { value: true });`, ...getters].join('\n'),
      };
    });
  },
};
const sharedCore = {
  name: 'shared-core',
  setup(build) {
    redirect(build, (f) => isShared(f), 'shared-core');
    build.onLoad({ filter: /.*/, namespace: 'shared-core' }, (a) => ({ loader: 'js', contents: `module.exports = require('./extension.js').__shared_${keyOf(a.path)};` }));
  },
};
// zod's `locales` namespace (every language's messages: a fifth of the core bundle) is reachable
// from `z`, so it is bundled, but only English is used: a stand-in exports `en` alone.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
      /node_modules[\\/]zod[\\/]/.test(a.importer) ? { path: resolve(a.resolveDir, a.path), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({ loader: 'js', resolveDir: dirname(a.path), contents: `export { default as en } from './en.js';` }));
  },
};
// undici (half of the core's code) and @vonage/jwt (jsonwebtoken, semver...) are required on first
// use (the first request, the first Vonage JWT), from bundles of their own: dist/vendor/*.js. So
// loading dist/core.js neither compiles nor runs them.
const VENDOR = { undici: 'undici', '@vonage/jwt': 'jwt' };
const vendorExternal = {
  name: 'vendor-external',
  setup(build) {
    build.onResolve({ filter: /^(undici|@vonage\/jwt)$/ }, (a) => ({ path: `./vendor/${VENDOR[a.path]}.js`, external: true }));
  },
};

const heavyEntries = ['core/query.ts', 'core/run.ts', 'core/http.ts', 'core/querySchemaJson.ts', 'protocol.ts', 'providers/registry.ts', 'sandbox/index.ts', 'archive/sync.ts']
  .map((f) => join(ROOT, 'src', f))
  .filter((f) => existsSync(f));
const virtualEntry = (name, contents) => ({
  name: `entry-${name}`,
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: 'entry' }));
    build.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({ loader: 'ts', resolveDir: ROOT, contents }));
  },
});

const builds = [
  {
    ...common,
    entryPoints: [{ in: 'waba-extension-entry', out: 'extension' }],
    source: 'src/extension/extension.ts',
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', './core.js'],
    plugins: [
      virtualEntry(
        'waba-extension-entry',
        [`export * from './src/extension/extension';`, ...sharedModules.map((f) => `export * as __shared_${keyOf(f)} from ${JSON.stringify(f)};`)].join('\n'),
      ),
      lazyCore,
    ],
  },
  {
    ...common,
    entryPoints: [{ in: 'waba-core-entry', out: 'core' }],
    source: 'src/extension/extension.ts',
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['./extension.js'],
    plugins: [virtualEntry('waba-core-entry', heavyEntries.map((f) => `export * as ${keyOf(f)} from ${JSON.stringify(f)};`).join('\n')), sharedCore, vendorExternal, zodEnglishOnly],
  },
  ...Object.entries(VENDOR).map(([pkg, name]) => ({
    ...common,
    entryPoints: [{ in: `waba-vendor-${name}`, out: `vendor/${name}` }],
    source: 'src/extension/extension.ts',
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [virtualEntry(`waba-vendor-${name}`, `module.exports = require(${JSON.stringify(pkg)});`)],
  })),
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: `${dist}/cli.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [zodEnglishOnly],
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: `${dist}/webview.js`,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    plugins: [zodEnglishOnly],
  },
]
  .filter((b) => existsSync(b.source ?? b.entryPoints[0]))
  .map(({ source: _source, ...b }) => b);

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
  await Promise.all(
    builds.map(async (b) => {
      const r = await esbuild.build(b);
      if (!r.metafile) return;
      for (const [file, out] of Object.entries(r.metafile.outputs)) {
        if (file.endsWith('.js')) writeFileSync(join(dist, `${basename(file, '.js')}.meta.json`), JSON.stringify({ bytes: out.bytes, inputs: Object.keys(out.inputs) }, null, 1));
      }
    }),
  );
}
