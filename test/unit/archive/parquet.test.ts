/** Month files: rows to Parquet and back (hyparquet-writer / hyparquet), metadata, bad files by name, DuckDB reads them. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ArchiveError } from '../../../src/archive/errors';
import { ALL_SCOPE, META_KEY, META_VERSION_KEY, decodeMonth, encodeMonth } from '../../../src/archive/parquet';
import type { MonthFile } from '../../../src/archive/parquet';
import { DEFAULT_SETTLE_DAYS, isFinal, resultToRows, rowsToPoints } from '../../../src/archive/rows';
import { ARCHIVE_SCHEMA_VERSION } from '../../../src/archive/schema';
import { monthFileRel } from '../../../src/archive/layout';
import { readMonthFile, scanArchive, writeMonthFile } from '../../../src/archive/store';
import type { Point } from '../../../src/core/types';
import { tempDir } from '../helpers';

const DAY = 86_400_000;
const D1 = Date.UTC(2026, 9, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const templatePoints: Point[] = [
  {
    start: iso(D1),
    end: iso(D1 + DAY),
    dims: { template_id: '111' },
    metrics: { sent: 100, delivered: 95, read: 60, clicked: 12, amount_spent: 3.25, cost_per_delivered: 0.0342, cost_per_url_button_click: 0.4 },
    clicks: [
      { type: 'url_button', button_content: 'Shop now', count: 8 },
      { type: 'quick_reply_button', button_content: 'Stop', count: 4 },
      { type: 'unique_url_button', button_content: 'Shop now', count: 6 },
    ],
  },
  { start: iso(D1 + DAY), end: iso(D1 + 2 * DAY), dims: { template_id: '111' }, metrics: { sent: 7 } },
];

function month(rows: MonthFile['rows'], days: MonthFile['meta']['days'] = {}): MonthFile {
  return { meta: { provider: 'meta', waba: '1', kind: 'pricing', month: '2026-10', schemaVersion: ARCHIVE_SCHEMA_VERSION, days, settleDays: 2, writtenAt: iso(D1) }, rows };
}

describe('archive rows', () => {
  it('round-trip a template result with clicks by button and cost types, point for point', async () => {
    const rows = resultToRows({ kind: 'template', granularity: 'DAILY', currency: 'USD', points: templatePoints });
    assert.equal(rows.template?.length, 2);
    assert.equal(rows.template_clicks?.length, 3);
    assert.deepEqual(rows.template_clicks?.map((r) => [r.dims.button_type, r.dims.button_content, r.metrics.clicked]), [
      ['url_button', 'Shop now', 8],
      ['quick_reply_button', 'Stop', 4],
      ['unique_url_button', 'Shop now', 6],
    ]);
    // Through Parquet bytes and back.
    const back = { template: (await decodeMonth(encodeMonth(month(rows.template!)), 't')).rows, template_clicks: (await decodeMonth(encodeMonth(month(rows.template_clicks!)), 'c')).rows };
    assert.deepEqual(rowsToPoints('template', back), templatePoints);
  });

  it('keep what the schema has no column for in `extra`, typed columns for the rest', async () => {
    const points: Point[] = [
      { start: iso(D1), end: iso(D1 + DAY), dims: { country: 'US', pricing_category: 'MARKETING', tier: '0:MAX', new_dim: 'x' }, metrics: { volume: 10, cost: 0.25, new_metric: 2.5, sent: 1.5 } },
    ];
    const rows = resultToRows({ kind: 'pricing', granularity: 'DAILY', currency: 'EUR', points }).pricing!;
    assert.deepEqual(rows[0]!.extra, { dims: { new_dim: 'x' }, metrics: { new_metric: 2.5, sent: 1.5 } });
    const decoded = await decodeMonth(encodeMonth(month(rows)), 'f');
    assert.equal(decoded.rows[0]!.currency, 'EUR');
    assert.deepEqual(rowsToPoints('pricing', { pricing: decoded.rows }), points);
  });

  it('refuse what is not a UTC day', () => {
    assert.throws(() => resultToRows({ kind: 'pricing', granularity: 'HALF_HOUR', points: [] }), (e: unknown) => e instanceof ArchiveError && e.code === 'unsupported');
    const halfHour: Point = { start: iso(D1), end: iso(D1 + 1_800_000), dims: {}, metrics: {} };
    assert.throws(() => resultToRows({ kind: 'pricing', granularity: 'DAILY', points: [halfHour] }), (e: unknown) => e instanceof ArchiveError && e.code === 'unsupported');
  });

  it('final days: templates 7 days after the day, other kinds after the settle window', () => {
    assert.equal(DEFAULT_SETTLE_DAYS.template, 7);
    assert.equal(DEFAULT_SETTLE_DAYS.pricing, 2);
    assert.equal(isFinal(D1, D1 + 3 * DAY - 1, 2), false);
    assert.equal(isFinal(D1, D1 + 3 * DAY, 2), true);
    assert.equal(isFinal(D1, D1 + 8 * DAY - 1, 7), false);
    assert.equal(isFinal(D1, D1 + 8 * DAY, 7), true);
  });
});

describe('archive month files', () => {
  it('carry the schema version and coverage in key-value metadata, typed columns DuckDB reads', async () => {
    const dir = await tempDir('waba-archive-');
    const rows = resultToRows({
      kind: 'pricing',
      granularity: 'DAILY',
      currency: 'USD',
      points: [{ start: iso(D1), end: iso(D1 + DAY), dims: { country: 'US' }, metrics: { volume: 3, cost: 0.5 } }],
    }).pricing!;
    const m = month(rows, { '2026-10-01': { [ALL_SCOPE]: { fetchedAt: iso(D1 + 5 * DAY), final: true } }, '2026-10-02': { [ALL_SCOPE]: { fetchedAt: iso(D1 + 5 * DAY), final: true } } });
    await writeMonthFile(dir, m);
    const back = await readMonthFile(dir, { provider: 'meta', waba: '1', kind: 'pricing', month: '2026-10' });
    assert.deepEqual(back?.meta.days, m.meta.days);
    assert.equal(back?.meta.schemaVersion, ARCHIVE_SCHEMA_VERSION);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const file = path.join(dir, monthFileRel(m.meta)).replaceAll("'", "''");
      const types = (await c.runAndReadAll(`select column_name, column_type from (describe select * from read_parquet('${file}'))`)).getRowObjectsJson();
      const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
      assert.equal(typeOf.day, 'TIMESTAMP WITH TIME ZONE');
      assert.equal(typeOf.volume, 'BIGINT');
      assert.equal(typeOf.cost, 'DOUBLE');
      assert.equal(typeOf.country, 'VARCHAR');
      const kv = (await c.runAndReadAll(`select decode(key) k, decode(value) v from parquet_kv_metadata('${file}')`)).getRowObjectsJson();
      assert.equal(kv.find((r) => r.k === META_VERSION_KEY)?.v, String(ARCHIVE_SCHEMA_VERSION));
      const row = (await c.runAndReadAll(`select strftime(day at time zone 'UTC', '%Y-%m-%d %H:%M') d, country, volume, cost, currency from read_parquet('${file}')`)).getRowObjectsJson();
      assert.deepEqual(row, [{ d: '2026-10-01 00:00', country: 'US', volume: '3', cost: 0.5, currency: 'USD' }]);
    } finally {
      c.closeSync();
    }
  });

  it('a corrupt, foreign, misplaced or newer file is reported by name; the rest stays readable', async () => {
    const dir = await tempDir('waba-archive-');
    const good = month([{ day: D1, currency: 'USD', dims: {}, metrics: { volume: 1 } }]);
    await writeMonthFile(dir, good);
    const rel = (m: string, kind = 'pricing') => monthFileRel({ provider: 'meta', waba: '1', kind: kind as never, month: m });
    const put = async (r: string, bytes: Uint8Array | string) => {
      await fs.mkdir(path.dirname(path.join(dir, r)), { recursive: true });
      await fs.writeFile(path.join(dir, r), bytes);
    };
    // Cut short: half of a valid file.
    const bytes = encodeMonth({ ...good, meta: { ...good.meta, month: '2026-11' } });
    await put(rel('2026-11'), bytes.subarray(0, bytes.length >> 1));
    await put(rel('2026-12'), 'not parquet at all');
    // Valid Parquet, not ours.
    await put(rel('2026-09'), new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2] }] })));
    // Ours, but from a newer schema.
    const newer = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1] }], kvMetadata: [{ key: META_VERSION_KEY, value: '99' }, { key: META_KEY, value: '{}' }] }));
    await put(rel('2026-08'), newer);
    // Ours, in another partition's folder.
    await put(rel('2026-07'), encodeMonth(good));
    await put('provider=meta/stray.parquet', 'x');
    const scan = await scanArchive(dir);
    assert.deepEqual(scan.files.map((f) => f.file), [rel('2026-10')]);
    const byFile = Object.fromEntries(scan.problems.map((p) => [p.file, p.code]));
    assert.deepEqual(byFile, {
      [rel('2026-07')]: 'foreign',
      [rel('2026-08')]: 'newer-schema',
      [rel('2026-09')]: 'foreign',
      [rel('2026-11')]: 'corrupt',
      [rel('2026-12')]: 'corrupt',
      'provider=meta/stray.parquet': 'layout',
    });
    for (const p of scan.problems) assert.ok(p.message.includes(p.file), `the message names the file: ${p.message}`);
  });
});
