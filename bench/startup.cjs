// Part 4 of `npm run bench`, one fresh process per measurement (started by bench/run.mjs):
// the time to load an extension bundle and run activate() against the stand-in for `vscode`.
//
//   node bench/startup.cjs <dist>/extension.js           prints {loadMs, activateMs, coreLoaded, coreLoadMs, undiciLoadMs, jwtLoadMs, …CpuMs}
//   node bench/startup.cjs <dist>/extension.js --smoke   a demo query through the bundles (checks, not timed)
//   --vscode=FILE   the stand-in for `vscode`, test/unit/fakeVscode.ts built as one CommonJS file
//                   (bench/run.mjs builds it once); without it, it is built here, before timing.
'use strict';
const { existsSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');

/** The one stand-in for `vscode` (the unit tests'), as a CommonJS file. */
function fakeVscodeFile() {
  const given = process.argv.find((a) => a.startsWith('--vscode='));
  if (given) return given.slice('--vscode='.length);
  const outfile = join(mkdtempSync(join(tmpdir(), 'waba-fake-vscode-')), 'fakeVscode.js');
  require('esbuild').buildSync({ entryPoints: [join(__dirname, '..', 'test', 'unit', 'fakeVscode.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  return outfile;
}
// Installs itself: `require('vscode')` answers the stand-in from here on.
const { fakeContext } = require(fakeVscodeFile());
const makeContext = (extensionPath) => fakeContext(extensionPath).context;

const file = process.argv[2];
const core = join(dirname(file), 'core.js');
const loaded = () => Object.keys(require.cache).includes(core);

/** Wall-clock and CPU ms of `fn` (CPU: this process's, which other processes on a busy machine do not inflate). */
function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

function time() {
  let ext;
  const load = timed(() => (ext = require(file)));
  const context = makeContext(join(__dirname, '..'));
  const activate = timed(() => ext.activate(context));
  const coreLoaded = loaded();
  // What the first query pays on top: loading the core, then undici with the first request
  // (dist/vendor/undici.js); @vonage/jwt with the first Vonage JWT only (dist/vendor/jwt.js).
  const none = { ms: 0, cpuMs: 0 };
  const vendor = (name) => join(dirname(file), 'vendor', `${name}.js`);
  const coreLoad = !coreLoaded && existsSync(core) ? timed(() => require(core)) : none;
  const undici = existsSync(vendor('undici')) ? timed(() => require(vendor('undici'))) : none;
  const jwt = existsSync(vendor('jwt')) ? timed(() => require(vendor('jwt'))) : none;
  return {
    loadMs: load.ms,
    activateMs: activate.ms,
    loadCpuMs: load.cpuMs + activate.cpuMs,
    coreLoaded,
    coreLoadMs: coreLoad.ms,
    coreLoadCpuMs: coreLoad.cpuMs,
    undiciLoadMs: undici.ms,
    undiciLoadCpuMs: undici.cpuMs,
    jwtLoadMs: jwt.ms,
    jwtLoadCpuMs: jwt.cpuMs,
    subscriptions: context.subscriptions.length,
  };
}

async function smoke() {
  const ext = require(file);
  const api = ext.activate(makeContext(join(__dirname, '..')));
  const out = { coreLoadedByActivate: loaded() };
  try {
    await api.store.add({ id: 'demo', label: 'Demo (Meta)', provider: 'meta', demo: true, manualWabaIds: [], manualTemplateIds: {} });
    const sb = await api.demoSandbox();
    const waba = sb.data.wabas.meta[0];
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    const query = { provider: 'meta', kind: 'pricing', wabaId: waba.id, from: day(Date.now() - 7 * 86400000), to: day(Date.now() - 86400000) };
    sb.stats.reset();
    const first = await api.queries.run('demo', query);
    const again = await api.queries.run('demo', query);
    out.points = first.run.result.points.length;
    out.requests = sb.stats.requests;
    out.currency = first.run.result.currency;
    out.secondFromCache = again.fromCache;
    out.coreLoadedByQuery = loaded();
    out.archiveLoadedByQuery = Object.keys(require.cache).includes(join(dirname(file), 'archive.js'));
    try {
      await api.queries.run('demo', { ...query, wabaId: '999999999' });
      out.errorIsWabaError = false;
    } catch (e) {
      // One WabaError class across dist/extension.js and dist/core.js (which takes it from dist/extension.js).
      const errors = ext.__waba_modules?.['core/errors'];
      out.errorIsWabaError = !!errors && e instanceof errors.WabaError;
    }
  } finally {
    await ext.deactivate?.();
  }
  return out;
}

(process.argv.includes('--smoke') ? smoke() : Promise.resolve(time())).then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
