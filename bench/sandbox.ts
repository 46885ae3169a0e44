/**
 * The sandbox child of the benchmarks (bench/sandbox-child.ts, forked on 127.0.0.1), driven over
 * IPC: its request counts, reset, faults, and its movable clock (over HTTP). Used by
 * bench/pipeline.ts and bench/archive.ts.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ChildCommand, ChildInfo, ChildStats } from './sandbox-child';

export class SandboxChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: unknown) => void>();
  private constructor(
    private readonly proc: ChildProcess,
    readonly info: ChildInfo,
  ) {
    proc.on('message', (m: { id?: number }) => {
      if (m.id !== undefined) {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      }
    });
  }
  /** Fork the built child (`file`) with its clock at `now`; resolves once it listens. */
  static start(file: string, now: number): Promise<SandboxChild> {
    const proc = fork(file, [String(now)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`the sandbox child exited (${code})`)));
      proc.once('message', (m: ChildInfo) => resolve(new SandboxChild(proc, m)));
    });
  }
  send<T = unknown>(m: Omit<ChildCommand, 'id'>): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (m: unknown) => void);
      this.proc.send({ ...m, id });
    });
  }
  stats(): Promise<ChildStats> {
    return this.send<ChildStats>({ cmd: 'stats' });
  }
  async requests(): Promise<number> {
    return (await this.stats()).requests;
  }
  async reset(): Promise<void> {
    await this.send({ cmd: 'reset' });
  }
  /** Set the sandbox's clock (its movable clock, over HTTP). */
  async setClock(ms: number): Promise<void> {
    const origin = new URL(this.info.metaBaseUrl).origin;
    const res = await fetch(`${origin}/_sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: new Date(ms).toISOString() }) });
    if (!res.ok) throw new Error(`the sandbox clock answered ${res.status}`);
  }
  close(): void {
    this.proc.removeAllListeners('exit');
    this.proc.send({ cmd: 'close', id: 0 });
    this.proc.disconnect();
  }
}
