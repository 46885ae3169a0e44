/** `waba-analytics sync`, run in-process against the embedded sandbox (--sandbox). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { scanArchive } from '../../../src/archive/store';
import { captureCli, tempDir } from '../helpers';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('waba-analytics sync', () => {
  it('syncs into --archive, progress on stderr, a summary on stdout; a second run fetches only the not-final days', async () => {
    const dir = path.join(await tempDir('waba-cli-sync-'), 'archive');
    const since = day(Date.now() - 6 * DAY);
    const args = ['sync', '--provider', 'meta', '--sandbox', '--waba', '740882506896741', '--kinds', 'messaging,pricing', '--since', since, '--archive', dir];
    const first = await captureCli(args, {});
    assert.equal(first.code, 0, first.stderr);
    // Messaging: the WABA's totals, then one query per phone number (3 in the demo WABA).
    assert.match(first.stderr, /\[1\/5\] messaging 740882506896741 \S+\n\[2\/5\] messaging 740882506896741 \S+ \(phone 16505550111\)/);
    const summary = JSON.parse(first.stdout) as { kinds: Array<{ kind: string; daysFetched: number }> };
    assert.deepEqual(summary.kinds.map((k) => [k.kind, k.daysFetched]), [['messaging', 6 * 4], ['pricing', 6]]);
    const scan = await scanArchive(dir);
    assert.deepEqual(scan.problems, []);
    assert.ok(scan.files.length >= 2);
    const second = await captureCli(args, {});
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as { kinds: Array<{ daysFetched: number }> }).kinds.map((k) => k.daysFetched), [2 * 4, 2]);
  });

  it('refuses an unknown kind (exit 1, one line) and sends nothing', async () => {
    const dir = await tempDir('waba-cli-sync-');
    const r = await captureCli(['sync', '--provider', 'vonage', '--sandbox', '--waba', '1', '--kinds', 'conversation', '--archive', dir], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /vonage does not offer conversation/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('refuses a kind the archive does not keep yet (calls) instead of skipping it in silence', async () => {
    const dir = await tempDir('waba-cli-sync-');
    const r = await captureCli(['sync', '--provider', 'meta', '--sandbox', '--waba', '740882506896741', '--kinds', 'calls', '--archive', dir], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not keep calls/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
