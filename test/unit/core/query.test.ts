import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY, parseIsoDate } from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import { batches, planQuery, splitWindows } from '../../../src/core/plan';
import type { KindCapabilities, ProviderCapabilities } from '../../../src/core/query';
import { parseQuery, resolveQuery } from '../../../src/core/query';

const caps: KindCapabilities = {
  granularities: ['HALF_HOUR', 'DAILY', 'MONTHLY'],
  lookbackDays: 365,
  maxSpanDays: 90,
  halfHourWindowDays: 30,
  filters: ['phoneNumbers', 'countryCodes', 'dimensions', 'metricTypes'],
};
const templateCaps: KindCapabilities = { granularities: ['DAILY'], lookbackDays: 90, maxSpanDays: 90, halfHourWindowDays: 30, filters: ['templateIds', 'metricTypes'], maxTemplateIds: 10 };
const all: ProviderCapabilities = { pricing: caps, messaging: caps, template: templateCaps };
const NOW = Date.parse('2026-11-21T10:30:00Z');

function inputErr(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WabaError, 'a WabaError');
    assert.equal(e.kind, 'input');
    assert.match(e.message, pattern);
    return true;
  });
}

describe('query model', () => {
  it('applies defaults and normalizes filter values', () => {
    const q = parseQuery({ kind: 'pricing', provider: 'meta', wabaId: 123, from: '2026-11-01', to: '2026-11-02', countryCodes: ['us'], dimensions: ['country'], phoneNumbers: ['+1 (650) 555-0111'] });
    assert.equal(q.granularity, 'DAILY');
    assert.equal(q.wabaId, '123');
    assert.ok(q.kind === 'pricing');
    assert.deepEqual(q.countryCodes, ['US']);
    assert.deepEqual(q.dimensions, ['COUNTRY']);
    assert.deepEqual(q.phoneNumbers, ['16505550111']);
  });

  it('accepts FREE_ENTRY_POINT as the filter value FREE_ENTRY', () => {
    const q = parseQuery({ kind: 'conversation', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-02', conversationTypes: ['free_entry_point', 'REGULAR'] });
    assert.ok(q.kind === 'conversation');
    assert.deepEqual(q.conversationTypes, ['FREE_ENTRY', 'REGULAR']);
  });

  it('names every wrong field', () => {
    inputErr(() => parseQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-02-30', to: 'yesterday', dimensions: ['COLOR'] }), /from must be a real date.*to must be a real date.*dimensions/s);
    inputErr(() => parseQuery({ kind: 'template', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-02', templateIds: [] }), /templateIds/);
    inputErr(() => parseQuery({ kind: 'nope', provider: 'meta' }), /kind/);
  });

  it('resolves the range as [from 00:00, to+1 day) and clamps the end to now', () => {
    const r = resolveQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-10' }, all, NOW);
    assert.equal(r.startMs, Date.parse('2026-11-01T00:00:00Z'));
    assert.equal(r.endMs, Date.parse('2026-11-11T00:00:00Z'));
    const c = resolveQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-11-20', to: '2026-11-30' }, all, NOW);
    assert.equal(c.endMs, NOW);
    assert.deepEqual(c.warnings.map((w) => w.code), ['range.future-end']);
    assert.match(c.warnings[0]!.message, /in the future; the range ends now/);
  });

  it('refuses an end before the start, a future start, a lookback overrun, a granularity or filter the endpoint lacks', () => {
    const base = { kind: 'pricing', provider: 'meta', wabaId: '1' } as const;
    inputErr(() => resolveQuery({ ...base, from: '2026-11-10', to: '2026-11-01' }, all, NOW), /end date 2026-11-01 is before the start date 2026-11-10/);
    inputErr(() => resolveQuery({ ...base, from: '2026-12-01', to: '2026-12-02' }, all, NOW), /start date 2026-12-01 is in the future/);
    inputErr(() => resolveQuery({ ...base, from: '2025-01-01', to: '2025-01-02' }, all, NOW), /reaches back 365 days; 2025-01-01 is earlier than 2025-11-21/);
    inputErr(
      () => resolveQuery({ kind: 'template', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-02', granularity: 'HALF_HOUR', templateIds: ['1'] }, all, NOW),
      /does not accept granularity HALF_HOUR.*Use DAILY/,
    );
    inputErr(() => resolveQuery({ ...base, from: '2026-11-01', to: '2026-11-02', tiers: ['0:MAX'] }, all, NOW), /no "tiers" filter/);
    inputErr(() => resolveQuery({ kind: 'conversation', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-02' }, all, NOW), /Conversation analytics is not offered/);
  });

  it('removes repeated template ids', () => {
    const r = resolveQuery({ kind: 'template', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-02', templateIds: ['1', '2', '1'] }, all, NOW);
    assert.ok(r.query.kind === 'template');
    assert.deepEqual(r.query.templateIds, ['1', '2']);
  });
});

describe('planning', () => {
  it('cuts windows with no gap and no overlap', () => {
    const s = parseIsoDate('2026-01-01')!;
    const w = splitWindows(s, s + 100 * DAY + 3600_000, 30);
    assert.equal(w.length, 4);
    assert.equal(w[0]!.startMs, s);
    for (let i = 1; i < w.length; i++) assert.equal(w[i]!.startMs, w[i - 1]!.endMs);
    assert.equal(w.at(-1)!.endMs, s + 100 * DAY + 3600_000);
    assert.ok(w.every((x) => x.endMs - x.startMs <= 30 * DAY));
  });

  it('keeps months whole for MONTHLY windows', () => {
    const s = parseIsoDate('2026-01-15')!;
    const e = parseIsoDate('2026-06-10')!;
    const w = splitWindows(s, e, 60, true);
    for (const x of w.slice(1)) assert.equal(new Date(x.startMs).getUTCDate(), 1);
    assert.equal(w[0]!.startMs, s);
    assert.equal(w.at(-1)!.endMs, e);
  });

  it('batches template ids by ten', () => {
    const ids = Array.from({ length: 25 }, (_, i) => String(i));
    const b = batches(ids, 10);
    assert.deepEqual(
      b.map((x) => x.length),
      [10, 10, 5],
    );
    assert.deepEqual(b.flat(), ids);
  });

  it('plans HALF_HOUR ranges as concurrent windows and template ids as batches', () => {
    const r = resolveQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-08-24', to: '2026-11-21', granularity: 'HALF_HOUR' }, all, NOW);
    const units = planQuery(r, caps);
    assert.equal(units.length, 3);
    assert.equal(units[0]!.startMs, r.startMs);
    assert.equal(units.at(-1)!.endMs, NOW);
    const daily = planQuery(resolveQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-08-24', to: '2026-11-21' }, all, NOW), caps);
    assert.equal(daily.length, 1);
    const t = planQuery(
      resolveQuery({ kind: 'template', provider: 'meta', wabaId: '1', from: '2026-09-01', to: '2026-11-20', templateIds: Array.from({ length: 23 }, (_, i) => String(100 + i)) }, all, NOW),
      templateCaps,
    );
    assert.deepEqual(
      t.map((u) => u.templateIds!.length),
      [10, 10, 3],
    );
  });
});
