import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { toCsv } from '../../../src/core/csv';
import { parseApiTime, parseIsoDate, toIsoUtc } from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import { safeJoin, slug, writeFileAtomic } from '../../../src/core/files';
import { REDACTED, redact, redactUrl, registerSecret } from '../../../src/core/redact';
import type { NormalizedResult } from '../../../src/core/types';

describe('dates', () => {
  it('reads every time form the APIs use as the same instant', () => {
    const ms = Date.parse('2018-11-30T02:00:00Z');
    for (const v of [1543543200, '1543543200', '2018-11-30T02:00:00Z', '2018-11-30T02:00:00+0000', '2018-11-30T04:00:00+02:00', 1543543200000]) {
      assert.equal(parseApiTime(v), ms, String(v));
    }
    assert.equal(parseApiTime('2024-11-11'), Date.parse('2024-11-11T00:00:00Z'));
    assert.equal(parseApiTime('soon'), undefined);
    assert.equal(parseApiTime(null), undefined);
    assert.equal(toIsoUtc(ms), '2018-11-30T02:00:00Z');
  });
  it('refuses impossible calendar dates', () => {
    assert.equal(parseIsoDate('2026-02-29'), undefined);
    assert.equal(parseIsoDate('2028-02-29'), Date.parse('2028-02-29T00:00:00Z'));
    assert.equal(parseIsoDate('2026-13-01'), undefined);
  });
});

describe('redaction', () => {
  it('masks registered secrets, token parameters, authorization values, Graph tokens and JWTs', () => {
    const sentinel = 'SENTINEL-secret-value-42';
    registerSecret(sentinel);
    const text = `failed ${sentinel} at https://x/y?access_token=abc123&a=1 with Authorization: Bearer abc.def and EAAB${'x'.repeat(30)} eyJhbGciOiJSUzI1NiJ9.eyJhcHBsaWNhdGlvbl9pZCI6IjEifQ.c2ln`;
    const out = redact(text);
    assert.ok(!out.includes(sentinel));
    assert.ok(!out.includes('abc123'));
    assert.ok(!out.includes('abc.def'));
    assert.ok(!out.includes('EAAB'));
    assert.ok(!out.includes('eyJhbGci'));
    assert.ok(out.includes(REDACTED));
    assert.ok(!redactUrl(`https://h/p?access_token=${sentinel}`).includes(sentinel));
    assert.ok(!redact(Buffer.from(sentinel).toString('base64')).includes(Buffer.from(sentinel).toString('base64')));
  });
  it('redacts WabaError messages and hints', () => {
    registerSecret('another-SENTINEL-77');
    const e = new WabaError('api', 'bad token another-SENTINEL-77', { hint: 'replace another-SENTINEL-77' });
    assert.ok(!e.message.includes('another-SENTINEL-77'));
    assert.ok(!JSON.stringify(e.toJSON()).includes('another-SENTINEL-77'));
  });
});

describe('csv', () => {
  it('writes one row a point with quoted cells and neutralised formulas', () => {
    const r: NormalizedResult = {
      provider: 'meta',
      kind: 'template',
      wabaId: '1',
      granularity: 'DAILY',
      timezone: 'UTC',
      points: [
        { start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z', dims: { template_id: '=cmd' }, metrics: { sent: 3, read: 1 }, clicks: [{ type: 'url_button', button_content: 'Buy, now', count: 2 }] },
        { start: '2024-01-02T00:00:00Z', end: '2024-01-03T00:00:00Z', dims: { template_id: '7' }, metrics: { sent: 4 } },
      ],
      warnings: [],
    };
    const lines = toCsv(r).trimEnd().split('\r\n');
    assert.equal(lines[0], 'start,end,template_id,read,sent,clicks');
    assert.equal(lines[1], `2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,'=cmd,1,3,"url_button:Buy, now=2"`);
    assert.equal(lines[2], '2024-01-02T00:00:00Z,2024-01-03T00:00:00Z,7,,4,');
  });
});

describe('files', () => {
  it('writes atomically, never overwrites without consent, stays in its folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'waba-files-'));
    const f = path.join(dir, 'sub', 'a.json');
    await writeFileAtomic(f, 'one');
    await assert.rejects(writeFileAtomic(f, 'two'), /already exists/);
    assert.equal(await readFile(f, 'utf8'), 'one');
    await writeFileAtomic(f, 'three', { overwrite: true });
    assert.equal(await readFile(f, 'utf8'), 'three');
    assert.deepEqual(await readdir(path.join(dir, 'sub')), ['a.json']);
    assert.throws(() => safeJoin(dir, '../escape.json'), /would leave the folder/);
    assert.throws(() => safeJoin(dir, '/etc/passwd'), /would leave the folder/);
    assert.equal(safeJoin(dir, 'ok.json'), path.join(dir, 'ok.json'));
    assert.equal(slug('Pricing analytics: WABA 123 / 2026-11-01..2026-11-21'), 'Pricing-analytics-WABA-123-2026-11-01..2026-11-21');
    await writeFile(path.join(dir, 'x'), 'keep');
  });
  it('leaves the old file intact when a write fails', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'waba-files-'));
    const f = path.join(dir, 'a.json');
    await writeFileAtomic(f, 'old');
    // A directory where the parent should be makes the write fail.
    await assert.rejects(writeFileAtomic(path.join(f, 'child.json'), 'new'));
    assert.equal(await readFile(f, 'utf8'), 'old');
  });
});
