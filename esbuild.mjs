// Builds the bundles (the extension host: dist/extension.js, then core.js, sandbox.js, archive.js and
// vendor/*.js on first use; the CLI; the webview) and, with --tests, transpiles src/ and test/ file
// by file into out-test/ for node's test runner. `--watch` rebuilds them all on a change.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync, watch as watchFiles, writeFileSync } from 'node:fs';
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

// ---- the extension host: dist/extension.js at activation; the rest on first use ------------------
// Activation must not pay for what it does not use. The one lazy boundary is src/extension/lazy.ts:
// `core()` requires ./core.js (src/extension/core.ts: the query model and runner, the providers,
// the message schemas: zod and the HTTP client) the first time a query needs it, `sandbox()`
// ./sandbox.js (the demo sandbox) with the first demo connection, and `archive()` ./archive.js
// (src/extension/archive.ts: hyparquet) with the first history sync or archive-backed query. Here
// those requires stay requires of the files beside dist/extension.js, and each bundle is built
// from its own entry. A source module goes into the first bundle that uses it; a later bundle takes
// it from there (`require('./extension.js').__waba_modules['core/errors']`) instead of carrying a
// copy, so there is one WabaError class and one secret registry. Which modules those are is read
// from a first pass's metafile: nothing is listed by hand. The build fails if dist/extension.js
// would carry zod, undici, @vonage/jwt or hyparquet (or a bundle but the archive hyparquet).
const ROOT = resolve('.');
const srcKey = (f) => relative(join(ROOT, 'src'), resolve(ROOT, f)).split(sep).join('/').replace(/\.ts$/, '');
const resolveTs = (dir, p) => {
  const base = resolve(dir, p);
  return [base, `${base}.ts`, join(base, 'index.ts')].find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
};
const HOST = [
  { name: 'extension', entry: 'src/extension/extension.ts' },
  { name: 'core', entry: 'src/extension/core.ts' },
  { name: 'sandbox', entry: 'src/extension/sandbox.ts' },
  { name: 'archive', entry: 'src/extension/archive.ts' },
].filter((h) => existsSync(h.entry));
/** What dist/extension.js must never carry (activation would compile it), and what only dist/archive.js may. */
const NOT_AT_ACTIVATION = /node_modules[\\/](zod|undici|@vonage|hyparquet|hyparquet-writer)[\\/]/;
const ARCHIVE_ONLY = /node_modules[\\/](hyparquet|hyparquet-writer)[\\/]/;

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

const virtualEntry = (name, contents) => ({
  name: `entry-${name}`,
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: 'entry' }));
    build.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({ loader: 'ts', resolveDir: ROOT, contents }));
  },
});

const hostOptions = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};
const LAZY = resolve('src/extension/lazy.ts');
/** The lazy boundary's `require('./core.js')` and `require('./archive.js')` stay requires of the bundles beside this one. */
const lazyBoundary = {
  name: 'lazy-boundary',
  setup(build) {
    build.onResolve({ filter: /^\.\/\w+\.js$/ }, (a) => (a.importer === LAZY && HOST.some((h) => a.path === `./${h.name}.js`) ? { path: a.path, external: true } : undefined));
  },
};

/** The source modules (src/-relative keys, without .ts) each host bundle would hold on its own, with their importers. */
async function hostInputs() {
  return Promise.all(
    HOST.map(async (h) => {
      const r = await esbuild.build({ ...hostOptions, entryPoints: [h.entry], bundle: true, write: false, outdir: 'pass1', metafile: true, logLevel: 'silent', plugins: [lazyBoundary, vendorExternal, zodEnglishOnly] });
      const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint);
      const held = Object.entries(out.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([f]) => f);
      return { ...h, held, graph: r.metafile.inputs };
    }),
  );
}

/** How `file` is reached from the bundle's entry, for an error message. */
function importChain(graph, entry, file) {
  const from = new Map([[entry, undefined]]);
  const queue = [entry];
  while (queue.length) {
    const f = queue.shift();
    if (f === file) break;
    for (const i of graph[f]?.imports ?? []) if (!from.has(i.path)) from.set(i.path, f), queue.push(i.path);
  }
  const chain = [];
  for (let f = file; f !== undefined; f = from.get(f)) chain.unshift(f);
  return chain.join(' -> ');
}

/** The three host bundles: each from its entry, exporting the modules later ones take from it. */
async function hostBuilds() {
  const inputs = await hostInputs();
  const ext = inputs.find((h) => h.name === 'extension');
  const leak = ext?.held.find((f) => NOT_AT_ACTIVATION.test(f));
  if (leak) throw new Error(`dist/extension.js would carry ${leak}, so activation would load it: ${importChain(ext.graph, ext.entry, leak)}. Take values from the core through core() (src/extension/lazy.ts).`);
  for (const h of inputs.filter((x) => x.name !== 'archive')) {
    const f = h.held.find((x) => ARCHIVE_ONLY.test(x));
    if (f) throw new Error(`dist/${h.name}.js would carry ${f}: ${importChain(h.graph, h.entry, f)}. Take the archive through archive() (src/extension/lazy.ts).`);
  }
  // Each source module belongs to the first bundle that holds it.
  const owner = new Map();
  for (const h of inputs) for (const f of h.held) if (f.startsWith('src/') && !owner.has(f)) owner.set(f, h.name);
  const later = (i) => new Set(inputs.slice(i + 1).flatMap((h) => h.held));
  return inputs.map((h, i) => {
    const shared = h.held.filter((f) => f !== h.entry && owner.get(f) === h.name && later(i).has(f));
    const taken = {
      name: 'taken-from-earlier-bundles',
      setup(build) {
        build.onResolve({ filter: /^\./ }, (a) => {
          if (a.namespace === 'taken') return undefined;
          const f = resolveTs(a.resolveDir, a.path);
          const key = f && relative(ROOT, f).split(sep).join('/');
          const from = key && owner.get(key);
          return from && from !== h.name && HOST.findIndex((x) => x.name === from) < i ? { path: f, namespace: 'taken', pluginData: from } : undefined;
        });
        build.onResolve({ filter: /^\.\/\w+\.js$/, namespace: 'taken' }, (a) => ({ path: a.path, external: true }));
        build.onLoad({ filter: /.*/, namespace: 'taken' }, (a) => ({
          loader: 'js',
          contents: `module.exports = require('./${a.pluginData}.js').__waba_modules[${JSON.stringify(srcKey(a.path))}];`,
        }));
      },
    };
    const entry = [
      `export * from ${JSON.stringify(`./${h.entry.replace(/\.ts$/, '')}`)};`,
      ...shared.map((f, n) => `import * as m${n} from ${JSON.stringify(`./${f.replace(/\.ts$/, '')}`)};`),
      `export const __waba_modules = { ${shared.map((f, n) => `${JSON.stringify(srcKey(f))}: m${n}`).join(', ')} };`,
    ].join('\n');
    return {
      ...common,
      ...hostOptions,
      entryPoints: [{ in: `waba-${h.name}-entry`, out: h.name }],
      outdir: dist,
      plugins: [virtualEntry(`waba-${h.name}-entry`, entry), lazyBoundary, taken, vendorExternal, zodEnglishOnly],
    };
  });
}

const otherBuilds = [
  ...Object.entries(VENDOR).map(([pkg, name]) => ({
    ...common,
    entryPoints: [{ in: `waba-vendor-${name}`, out: `vendor/${name}` }],
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
].filter((b) => typeof b.entryPoints[0] !== 'string' || existsSync(b.entryPoints[0]));

async function buildAll() {
  const builds = [...(await hostBuilds()), ...otherBuilds];
  await Promise.all(
    builds.map(async (b) => {
      const r = await esbuild.build(b);
      if (!r.metafile) return;
      for (const [file, out] of Object.entries(r.metafile.outputs)) {
        if (!file.endsWith('.js')) continue;
        const inputBytes = Object.fromEntries(Object.entries(out.inputs).map(([f, v]) => [f, v.bytesInOutput]));
        writeFileSync(join(dist, `${basename(file, '.js')}.meta.json`), JSON.stringify({ bytes: out.bytes, inputs: Object.keys(out.inputs), inputBytes }, null, 1));
      }
    }),
  );
}

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
  // Which bundle holds which module can change with any import: rebuild everything on a change.
  let timer;
  let last = Promise.resolve();
  // One build at a time: a change during a build starts the next one after it.
  const rebuild = () =>
    (last = last.then(() =>
      buildAll().then(
        () => console.log(`[watch] built ${new Date().toLocaleTimeString()}`),
        (e) => console.error(`[watch] ${e.message}`),
      ),
    ));
  await rebuild();
  for (const dir of ['src', 'webview'].filter((d) => existsSync(d))) {
    watchFiles(dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(rebuild, 100);
    });
  }
} else {
  await buildAll();
}
