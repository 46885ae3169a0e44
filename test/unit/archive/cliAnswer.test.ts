/**
 * The archive through the CLI (in-process, --sandbox with its clock stopped by WABA_SANDBOX_NOW):
 * sync "in the past", move on 200 days, and `query … --archive` answers what the API now refuses;
 * `sync --sandbox` over every demo WABA exits 0, the WABA with insights off skipped with a warning.
 * Also the sandbox's clock endpoint and an empty click list kept through a month file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeMonth, encodeMonth } from '../../../src/archive/parquet';
import { resultToRows, rowsToPoints } from '../../../src/archive/rows';
import type { Point } from '../../../src/core/types';
import { startSandbox } from '../../../src/sandbox';
import { captureCli, tempDir } from '../helpers';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 15, 10, 17);
const TODAY = Date.UTC(2026, 5, 15);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const VONAGE_WABA = '706860963744110';

describe('query --archive (CLI)', () => {
  it('syncs in the past; 200 days later the API refuses the range and the archive answers it, saying where the days came from', async () => {
    const dir = path.join(await tempDir('waba-cli-answer-'), 'archive');
    const then = { WABA_SANDBOX_NOW: new Date(T0).toISOString() };
    const later = { WABA_SANDBOX_NOW: new Date(T0 + 200 * DAY).toISOString() };
    const sync = await captureCli(['sync', '--provider', 'vonage', '--sandbox', '--waba', VONAGE_WABA, '--kinds', 'pricing', '--since', day(TODAY - 20 * DAY), '--archive', dir], then);
    assert.equal(sync.code, 0, sync.stderr);
    const query = ['query', 'pricing', '--provider', 'vonage', '--sandbox', '--waba', VONAGE_WABA, '--from', day(TODAY - 20 * DAY), '--to', day(TODAY - 10 * DAY), '--dimensions', 'COUNTRY'];
    const original = await captureCli(query, then);
    assert.equal(original.code, 0, original.stderr);
    const refused = await captureCli(query, later);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /reaches back 90 days/);
    const answered = await captureCli([...query, '--archive', dir], later);
    assert.equal(answered.code, 0, answered.stderr);
    assert.deepEqual((JSON.parse(answered.stdout) as { points: unknown[] }).points, (JSON.parse(original.stdout) as { points: unknown[] }).points);
    assert.match(answered.stderr, /^days: 26 May 2026 – 5 Jun 2026 from history$/m);
    assert.match(answered.stderr, /^warning \[archive\.beyond-lookback\]: /m);
  });

  it('sync --sandbox over every demo WABA exits 0; template analytics of the WABA with insights off are skipped with a warning', async () => {
    const dir = path.join(await tempDir('waba-cli-answer-'), 'archive');
    const r = await captureCli(['sync', '--provider', 'meta', '--sandbox', '--kinds', 'template', '--since', day(TODAY - 2 * DAY), '--archive', dir], { WABA_SANDBOX_NOW: new Date(T0).toISOString() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning \[archive\.insights-off\]: skipped template analytics for WABA 327634320897049: insights are off$/m);
    assert.doesNotMatch(r.stderr, /^error:/m);
    const out = JSON.parse(r.stdout) as { warnings: Array<{ code: string }>; kinds: Array<{ waba: string; skipped?: unknown; daysFetched: number }> };
    assert.deepEqual(out.warnings.map((w) => w.code), ['archive.insights-off']);
    assert.ok(out.kinds.find((k) => k.waba === '327634320897049')!.skipped);
    assert.ok(out.kinds.filter((k) => k.waba !== '327634320897049').every((k) => k.daysFetched > 0));
  });

  it('refuses a WABA_SANDBOX_NOW that is not a time', async () => {
    const r = await captureCli(['query', 'messaging', '--provider', 'meta', '--sandbox', '--waba', '740882506896741', '--from', '2026-06-01', '--to', '2026-06-02'], { WABA_SANDBOX_NOW: 'yesterday' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /WABA_SANDBOX_NOW must be an ISO time/);
  });
});

describe('sandbox clock', () => {
  it('moves over HTTP: GET shows it, POST sets, advances and resets it; a bad body is refused', async () => {
    const sb = await startSandbox({ now: () => T0 });
    try {
      const url = `${sb.url}/_sandbox/clock`;
      const post = (body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.deepEqual(await (await fetch(url)).json(), { now: new Date(T0).toISOString() });
      assert.deepEqual(await (await post({ advanceDays: 200 })).json(), { now: new Date(T0 + 200 * DAY).toISOString() });
      assert.equal(sb.clock.now(), T0 + 200 * DAY);
      await post({ now: '2027-01-02T03:04:05.000Z' });
      assert.equal(sb.clock.now(), Date.parse('2027-01-02T03:04:05.000Z'));
      const bad = await post({ advanceDays: 'soon' });
      assert.equal(bad.status, 400);
      await post({ reset: true });
      assert.equal(sb.clock.now(), T0);
    } finally {
      await sb.close();
    }
  });
});

describe('archive rows', () => {
  it('a template point with an empty click list comes back with an empty click list, through a month file', async () => {
    const points: Point[] = [
      { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z', dims: { template_id: '11' }, metrics: { sent: 3, clicked: 0 }, clicks: [] },
      { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z', dims: { template_id: '12' }, metrics: { sent: 2 } },
      { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z', dims: { template_id: '13' }, metrics: { sent: 5, clicked: 1 }, clicks: [{ type: 'url_button', button_content: 'Shop', count: 1 }] },
    ];
    const rows = resultToRows({ kind: 'template', granularity: 'DAILY', currency: 'USD', points });
    const meta = { provider: 'meta' as const, waba: '1', month: '2026-06', schemaVersion: 1, settleDays: 7, writtenAt: '2026-06-20T00:00:00Z', days: { '2026-06-01': { '11': { fetchedAt: '2026-06-20T00:00:00Z', final: true } } } };
    const main = await decodeMonth(encodeMonth({ meta: { ...meta, kind: 'template' }, rows: rows.template! }), 't');
    const clicks = await decodeMonth(encodeMonth({ meta: { ...meta, kind: 'template_clicks' }, rows: rows.template_clicks! }), 'c');
    assert.deepEqual(rowsToPoints('template', { template: main.rows, template_clicks: clicks.rows }), points);
  });
});
