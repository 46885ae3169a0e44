/**
 * The heavy core, as the extension host uses it: the query model and runner, the providers and
 * their HTTP client, and the panel's message schemas (zod, undici, @vonage/jwt). Built as its own bundle, dist/core.js, and loaded the first time one of these is
 * used, through `core()` in ./lazy: the one place the extension requires it. Extension code may
 * `import type` from the core's modules; values come from here, through `core()`, so that
 * activation does not load them (esbuild.mjs refuses to build a dist/extension.js that carries
 * zod, undici, @vonage/jwt or hyparquet).
 */
export { parseQuery, savedQueryOf } from '../core/query';
export { runQuery } from '../core/run';
export { createProvider } from '../providers/registry';
export { HostMessageSchema, PanelStateSchema, WebviewMessageSchema } from '../protocol';
