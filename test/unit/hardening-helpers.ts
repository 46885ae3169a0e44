/** Shared by the hardening-*.test.ts files: the CLI run in-process, typed rejections, waiting on the sandbox. */
import assert from 'node:assert/strict';
import { main } from '../../src/cli';
import { WabaError } from '../../src/core/errors';
import type { Sandbox } from '../../src/sandbox';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll until `ok()` or the time is up; returns the last answer. */
export async function waitFor(ok: () => boolean, ms = 1000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!ok() && performance.now() < end) await sleep(5);
  return ok();
}

/** The sandbox sees no request in flight (a request the client abandoned ends there too). */
export async function settled(sb: Sandbox): Promise<void> {
  await waitFor(() => sb.stats.inFlight === 0);
  assert.equal(sb.stats.inFlight, 0, 'no request left running');
}

/** The one typed error a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<WabaError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WabaError, `one typed error, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** Run the CLI's main in-process with an environment (WABA_* and VONAGE_* replaced), capturing what it writes. */
export async function captureCli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  for (const k of Object.keys(process.env)) if (/^(WABA_|VONAGE_)/.test(k)) delete process.env[k];
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
