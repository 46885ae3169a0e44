/**
 * The extension host's bundles, as esbuild.mjs builds them: dist/extension.js at activation, and
 * dist/core.js, dist/sandbox.js, dist/archive.js loaded on first use through the one lazy boundary
 * (src/extension/lazy.ts). Built into a temporary folder and loaded against the `vscode` stand-in:
 * activation loads none of the later bundles; a demo query loads the core and the sandbox, not the
 * archive; no source module is in two bundles (a later bundle takes it from the earlier one), so an
 * error thrown inside dist/core.js is an instance of dist/extension.js's WabaError, and the secret
 * registry (src/core/redact.ts) exists once.
 */
import { fakeContext } from '../fakeVscode';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers';

const HOST_BUNDLES = ['extension', 'core', 'sandbox', 'archive'] as const;

interface Meta {
  inputs: string[];
  inputBytes: Record<string, number>;
}

interface ExtensionModule {
  activate(context: unknown): {
    store: { add(meta: Record<string, unknown>): Promise<void> };
    demoSandbox(): Promise<{ data: { wabas: { meta: Array<{ id: string }> } } }>;
    queries: { run(connectionId: string, query: Record<string, unknown>): Promise<{ run: { result: { points: unknown[] } } }> };
  };
  deactivate(): Promise<void>;
  __waba_modules: Record<string, Record<string, unknown>>;
}

describe('extension host bundles', () => {
  let dist: string;
  let meta: Record<(typeof HOST_BUNDLES)[number], Meta>;
  // The bundles are loaded as VS Code loads them: by require, into this process's module cache.
  const load = createRequire(__filename);
  const loaded = (name: string) => Object.keys(require.cache).includes(join(dist, `${name}.js`));

  before(async () => {
    dist = resolve(await tempDir('waba-bundles-'));
    const r = spawnSync(process.execPath, ['esbuild.mjs', `--dist=${dist}`, '--metafile'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `node esbuild.mjs failed: ${r.stderr}`);
    meta = Object.fromEntries(HOST_BUNDLES.map((n) => [n, JSON.parse(readFileSync(join(dist, `${n}.meta.json`), 'utf8')) as Meta])) as typeof meta;
  });

  after(async () => {
    if (dist && loaded('extension')) await (load(join(dist, 'extension.js')) as ExtensionModule).deactivate();
  });

  it('bundles each source module once: later bundles take it from the earlier one', () => {
    const holders = new Map<string, string[]>();
    for (const n of HOST_BUNDLES) {
      for (const [f, bytes] of Object.entries(meta[n].inputBytes)) if (f.startsWith('src/') && bytes > 0) holders.set(f, [...(holders.get(f) ?? []), n]);
    }
    const twice = [...holders].filter(([, ns]) => ns.length > 1);
    assert.deepEqual(twice, []);
    // The modules whose identity matters are in dist/extension.js, and the core takes them from it.
    for (const f of ['src/core/errors.ts', 'src/core/redact.ts']) assert.deepEqual(holders.get(f), ['extension'], f);
    assert.ok(meta.core.inputs.some((f) => f.startsWith('taken:') && f.endsWith('src/core/errors.ts')), 'dist/core.js takes WabaError from dist/extension.js');
  });

  it('keeps zod, undici, @vonage/jwt and hyparquet out of dist/extension.js, and hyparquet in dist/archive.js only', () => {
    assert.deepEqual(meta.extension.inputs.filter((f) => /node_modules\/(zod|undici|@vonage|hyparquet)/.test(f)), []);
    assert.ok(meta.core.inputs.some((f) => f.includes('node_modules/zod/')), 'the core carries zod');
    for (const n of ['extension', 'core', 'sandbox'] as const) assert.deepEqual(meta[n].inputs.filter((f) => f.includes('node_modules/hyparquet')), [], n);
    assert.ok(meta.archive.inputs.some((f) => f.includes('node_modules/hyparquet')), 'the archive carries hyparquet');
  });

  it('activates without the later bundles, loads the core and sandbox for a demo query, and one WabaError crosses them', async () => {
    const ext = load(join(dist, 'extension.js')) as ExtensionModule;
    const api = ext.activate(fakeContext(resolve('.')).context);
    assert.deepEqual(HOST_BUNDLES.filter((n) => n !== 'extension' && loaded(n)), [], 'activation loads no later bundle');

    await api.store.add({ id: 'demo', label: 'Demo (Meta)', provider: 'meta', demo: true, manualWabaIds: [], manualTemplateIds: {} });
    const sb = await api.demoSandbox();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const query = { provider: 'meta', kind: 'pricing', wabaId: sb.data.wabas.meta[0]!.id, from: day(Date.now() - 7 * 86400000), to: day(Date.now() - 86400000) };
    const entry = await api.queries.run('demo', query);
    assert.ok(entry.run.result.points.length > 0);
    assert.deepEqual(
      HOST_BUNDLES.filter((n) => loaded(n)),
      ['extension', 'core', 'sandbox'],
      'a query loads the core (and the demo the sandbox), not the archive',
    );

    // An unknown WABA: the provider (in dist/core.js) throws; the extension's class recognizes it.
    const WabaError = ext.__waba_modules['core/errors']!.WabaError as new (...args: never[]) => Error;
    assert.equal(typeof WabaError, 'function');
    const error = await api.queries.run('demo', { ...query, wabaId: '999999999' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof WabaError, `not the extension's WabaError: ${String(error)}`);
  });
});
