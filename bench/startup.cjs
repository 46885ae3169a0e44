// Part 4 of `npm run bench`, one fresh process per measurement (started by bench/run.mjs):
// the time to load an extension bundle and run activate() against the stand-in for `vscode`.
//
//   node bench/startup.cjs <dist>/extension.js           prints {loadMs, activateMs, coreLoaded, coreLoadMs}
//   node bench/startup.cjs <dist>/extension.js --smoke   a demo query through the bundles (checks, not timed)
'use strict';
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { makeContext } = require('./vscode-stub.cjs');

const file = process.argv[2];
const core = join(dirname(file), 'core.js');
const loaded = () => Object.keys(require.cache).includes(core);

function time() {
  const t0 = performance.now();
  const ext = require(file);
  const t1 = performance.now();
  const context = makeContext(join(__dirname, '..'));
  ext.activate(context);
  const t2 = performance.now();
  const coreLoaded = loaded();
  // What the first query pays on top: loading the core.
  let coreLoadMs = 0;
  if (!coreLoaded && existsSync(core)) {
    const t3 = performance.now();
    require(core);
    coreLoadMs = performance.now() - t3;
  }
  return { loadMs: t1 - t0, activateMs: t2 - t1, coreLoaded, coreLoadMs, subscriptions: context.subscriptions.length };
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
    try {
      await api.queries.run('demo', { ...query, wabaId: '999999999' });
      out.errorIsWabaError = false;
    } catch (e) {
      // One WabaError class across dist/extension.js and dist/core.js.
      out.errorIsWabaError = !!ext.__shared_core_errors && e instanceof ext.__shared_core_errors.WabaError;
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
