/**
 * The extension host's one lazy boundary. Activation loads dist/extension.js only; what a query
 * needs (./core: zod, the HTTP client, the providers), what a demo connection needs (./sandbox)
 * and what a history sync needs (./archive: hyparquet) are bundles of their own (dist/core.js,
 * dist/sandbox.js, dist/archive.js), required here the first time they are used. The same
 * `require` loads the transpiled modules under node's test runner (out-test/src/extension/core.js),
 * and a bundle that is one file (the benchmark's pipeline) inlines them. A later bundle takes the
 * modules an earlier one holds (errors, dates, redaction...) from it instead of carrying a copy
 * (esbuild.mjs), so there is one WabaError class and one secret registry.
 */
import type * as ArchiveModule from './archive';
import type * as CoreModule from './core';
import { log } from './log';
import type * as SandboxModule from './sandbox';

export type Core = typeof CoreModule;
export type Sandbox = typeof SandboxModule;
export type Archive = typeof ArchiveModule;

let coreModule: Core | undefined;
let sandboxModule: Sandbox | undefined;
let archiveModule: Archive | undefined;

function load<T>(name: string, get: () => T): T {
  const t0 = performance.now();
  const m = get();
  log.debug(`Loaded ${name} in ${Math.round(performance.now() - t0)} ms`);
  return m;
}

/** The heavy core (dist/core.js), loaded on first use. */
export function core(): Core {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy boundary: loaded on first use, not at activation
  return (coreModule ??= load('dist/core.js', () => require('./core.js') as Core));
}

/** The embedded demo sandbox (dist/sandbox.js), loaded when a demo connection is first used. */
export function sandbox(): Sandbox {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy boundary: loaded with the first demo connection
  return (sandboxModule ??= load('dist/sandbox.js', () => require('./sandbox.js') as Sandbox));
}

/** The history archive's code (dist/archive.js), loaded on first use. */
export function archive(): Archive {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy boundary: loaded on the first sync
  return (archiveModule ??= load('dist/archive.js', () => require('./archive.js') as Archive));
}
