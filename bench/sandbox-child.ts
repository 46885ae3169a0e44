/**
 * The sandbox in its own process (forked by bench/sandbox.ts for bench/pipeline.ts and bench/archive.ts),
 * so that generating pages does not share an event loop with the client being measured. Its clock
 * starts at argv[2] (epoch ms) so every run sees the same data. Talks over the IPC channel: `stats`,
 * `reset`, `fault`, `clear`, `close`.
 */
import { startSandbox } from '../src/sandbox';
import type { Fault } from '../src/sandbox';

export interface ChildInfo {
  ready: true;
  metaBaseUrl: string;
  metaToken: string;
}

export interface ChildStats {
  requests: number;
  byEndpoint: Record<string, number>;
  maxInFlight: number;
}

export interface ChildCommand {
  id: number;
  cmd: 'stats' | 'reset' | 'fault' | 'clear' | 'close';
  /** For `fault`; a count of -1 means every request. */
  fault?: Fault;
}

async function main(): Promise<void> {
  const now = Number(process.argv[2]);
  if (!Number.isFinite(now)) throw new Error('usage: sandbox-child <now-ms>');
  const sb = await startSandbox({ now: () => now });
  const send = (m: unknown) => process.send!(m);
  process.on('message', (m: ChildCommand) => {
    switch (m.cmd) {
      case 'stats':
        send({ id: m.id, requests: sb.stats.requests, byEndpoint: { ...sb.stats.byEndpoint }, maxInFlight: sb.stats.maxInFlight } satisfies ChildStats & { id: number });
        return;
      case 'reset':
        sb.stats.reset();
        send({ id: m.id });
        return;
      case 'fault':
        if (m.fault) sb.faults.add({ ...m.fault, count: m.fault.count === -1 ? Infinity : m.fault.count });
        send({ id: m.id });
        return;
      case 'clear':
        sb.faults.clear();
        send({ id: m.id });
        return;
      case 'close':
        void sb.close().then(() => process.exit(0));
        return;
    }
  });
  process.on('disconnect', () => void sb.close().then(() => process.exit(0)));
  send({ ready: true, metaBaseUrl: sb.metaBaseUrl, metaToken: sb.credentials.metaToken } satisfies ChildInfo);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
