/**
 * The embedded demo sandbox (src/sandbox) as the extension host uses it, built as its own bundle,
 * dist/sandbox.js, loaded through `sandbox()` in ./lazy when a demo connection is first used: a
 * query on a real account does not load it.
 */
export { startSandbox } from '../sandbox';
