// The command-line contract of ../shared/design.md, through the built dist/cli.js.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';

const CLI = path.resolve('dist/cli.js');
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...options.env };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, input: options.input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asynchronous, for commands that talk to the sandbox of this process (spawnSync would block it). */
function cliAsync(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox();
});
after(async () => {
  await sandbox.close();
});

describe('waba-analytics CLI', () => {
  it('query pricing --provider meta --sandbox prints a NormalizedResult equal to the sandbox totals', () => {
    const waba = sandbox.data.wabas.meta[0]!;
    const r = cli(['query', 'pricing', '--provider', 'meta', '--sandbox', '--waba', waba.id, '--from', iso(today - 7 * DAY), '--to', iso(today - DAY), '--dimensions', 'COUNTRY,PRICING_CATEGORY']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.provider, 'meta');
    assert.equal(result.kind, 'pricing');
    assert.equal(result.wabaId, waba.id);
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.currency, waba.currency);
    const totals = sandbox.data.totals({ provider: 'meta', wabaId: waba.id, kind: 'pricing', startMs: today - 7 * DAY, endMs: today });
    const volume = result.points.reduce((n: number, p: { metrics: { volume: number } }) => n + p.metrics.volume, 0);
    assert.equal(volume, totals.volume);
    assert.ok(result.points.every((p: { dims: Record<string, string> }) => 'country' in p.dims && 'pricing_category' in p.dims));
  });

  it('query messaging on the Vonage side, as CSV into a file that is never replaced without --force', () => {
    const waba = sandbox.data.wabas.vonage[0]!;
    const dir = mkdtempSync(path.join(tmpdir(), 'waba-cli-'));
    const out = path.join(dir, 'm.csv');
    const args = ['query', 'messaging', '--provider', 'vonage', '--sandbox', '--waba', waba.id, '--from', iso(today - 3 * DAY), '--to', iso(today - DAY), '--format', 'csv', '--out', out];
    const r = cli(args);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'start,end,delivered,sent');
    assert.equal(lines.length, 4, 'a header and three days');
    writeFileSync(out, 'keep');
    const again = cli(args);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    assert.equal(readFileSync(out, 'utf8'), 'keep');
    assert.equal(cli([...args, '--force']).code, 0);
  });

  it('normalize reads a raw body from a file or stdin', () => {
    const body = readFileSync('test/fixtures/vonage/messaging.json', 'utf8');
    const r = cli(['normalize', '--provider', 'vonage', '--kind', 'messaging', '-'], { input: body });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.points[0].start, '2018-11-30T02:00:00Z');
    const bad = cli(['normalize', '--provider', 'vonage', '--kind', 'messaging', '-'], { input: '{"_embedded": {"messaging_analytics": [{"sent": 1}]}}' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /_embedded\.messaging_analytics\[0\]\.start/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('wabas, phones and templates list the sandbox data', () => {
    const w = cli(['wabas', '--provider', 'vonage', '--sandbox']);
    assert.equal(w.code, 0, w.stderr);
    assert.deepEqual(
      JSON.parse(w.stdout).map((x: { id: string }) => x.id).sort(),
      sandbox.data.wabas.vonage.map((x) => x.id).sort(),
    );
    const waba = sandbox.data.wabas.meta[0]!;
    const t = cli(['templates', '--provider', 'meta', '--sandbox', '--waba', waba.id]);
    assert.equal(JSON.parse(t.stdout).length, waba.templates.length);
    const p = cli(['phones', '--provider', 'meta', '--sandbox', '--waba', waba.id, '--format', 'csv']);
    assert.equal(p.stdout.trim().split('\r\n').length, waba.phones.length + 1);
  });

  it('uses the environment credentials and base URLs, and refuses wrong ones in one line without the secret', async () => {
    const waba = sandbox.data.wabas.meta[0]!;
    const ok = await cliAsync(['wabas', '--provider', 'meta'], { WABA_META_BASE_URL: sandbox.metaBaseUrl, WABA_META_TOKEN: sandbox.credentials.metaToken });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(JSON.parse(ok.stdout).some((x: { id: string }) => x.id === waba.id));
    const sentinel = 'SENTINEL-wrong-token-123456';
    const bad = await cliAsync(['wabas', '--provider', 'meta'], { WABA_META_BASE_URL: sandbox.metaBaseUrl, WABA_META_TOKEN: sentinel });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /token is invalid or expired/i);
    assert.ok(!bad.stderr.includes(sentinel) && !bad.stdout.includes(sentinel));
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const vonage = await cliAsync(['wabas', '--provider', 'vonage'], { VONAGE_BASE_URL: sandbox.vonageBaseUrl, VONAGE_API_KEY: 'k', VONAGE_API_SECRET: sentinel });
    assert.equal(vonage.code, 1);
    assert.ok(!vonage.stderr.includes(sentinel));
  });

  it('exits 1 on input errors and 2 on usage errors, with one line', () => {
    const wrongDate = cli(['query', 'pricing', '--provider', 'meta', '--waba', '1', '--from', '2026-13-01', '--to', '2026-11-02']);
    assert.equal(wrongDate.code, 1);
    assert.match(wrongDate.stderr, /from must be a real date/);
    const reversed = cli(['query', 'pricing', '--provider', 'meta', '--waba', '1', '--from', iso(today - DAY), '--to', iso(today - 3 * DAY)]);
    assert.equal(reversed.code, 1);
    assert.match(reversed.stderr, /is before the start date/);
    for (const args of [['bogus'], ['query', 'pricing', '--provider', 'meta'], ['query', 'pricing', '--provider', 'x', '--waba', '1', '--from', '2026-01-01', '--to', '2026-01-02'], ['wabas', '--provider', 'meta', '--nope'], []]) {
      const r = cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
