/**
 * Property-based tests (fast-check, bounded runs): planning covers a range exactly, batches never
 * exceed 10 ids, date conversions round-trip, granularity translation is total, and normalize
 * never throws anything but its own typed error, whatever JSON it is given.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DAY,
  HALF_HOUR,
  addMonthsUtc,
  bucketStart,
  formatIsoDate,
  nextBucket,
  parseApiTime,
  parseIsoDate,
  startOfDayUtc,
  startOfMonthUtc,
  toIsoUtc,
  toUnixSeconds,
} from '../../../src/core/dates';
import { WabaError } from '../../../src/core/errors';
import { batches, planQuery, splitWindows, windowDays } from '../../../src/core/plan';
import type { QueryUnit } from '../../../src/core/provider';
import type { ProviderCapabilities } from '../../../src/core/query';
import { resolveQuery } from '../../../src/core/query';
import type { Kind, ProviderId } from '../../../src/core/types';
import { GRANULARITIES, KINDS, PROVIDERS } from '../../../src/core/types';
import { META_CAPABILITIES, buildUnitRequest, userGranularity, wireGranularity } from '../../../src/providers/meta';
import { CAPABILITIES, NORMALIZERS } from '../../../src/providers/registry';
import { VONAGE_CAPABILITIES, buildAnalyticsUrl } from '../../../src/providers/vonage';

const RUNS = { numRuns: 300 };
const Y2000 = Date.UTC(2000, 0, 1);
const Y2100 = Date.UTC(2100, 0, 1);
const instant = fc.integer({ min: Y2000, max: Y2100 });

/** The windows of a plan, in order, without template batches. */
function windowsOf(units: QueryUnit[]): Array<{ startMs: number; endMs: number }> {
  const seen = new Map<number, number>();
  for (const u of units) {
    const end = seen.get(u.startMs);
    if (end !== undefined) assert.equal(end, u.endMs, 'one window per start');
    seen.set(u.startMs, u.endMs);
  }
  return [...seen].map(([startMs, endMs]) => ({ startMs, endMs })).sort((a, b) => a.startMs - b.startMs);
}

function assertExactCover(windows: Array<{ startMs: number; endMs: number }>, startMs: number, endMs: number): void {
  assert.ok(windows.length > 0);
  assert.equal(windows[0]!.startMs, startMs, 'starts at the start');
  assert.equal(windows.at(-1)!.endMs, endMs, 'ends at the end');
  for (let i = 0; i < windows.length; i++) {
    assert.ok(windows[i]!.startMs < windows[i]!.endMs, 'no empty window');
    if (i > 0) assert.equal(windows[i]!.startMs, windows[i - 1]!.endMs, 'no gap, no overlap');
  }
}

describe('properties: planning', () => {
  it('splitWindows covers [start, end) exactly, each window within the span (months kept whole)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -5 * DAY, max: 800 * DAY }), fc.integer({ min: 1, max: 400 }), fc.boolean(), (startMs, length, days, monthly) => {
        const endMs = startMs + length;
        const w = splitWindows(startMs, endMs, days, monthly);
        if (endMs <= startMs) return assert.deepEqual(w, []);
        assertExactCover(w, startMs, endMs);
        for (const x of w) {
          if (!monthly) assert.ok(x.endMs - x.startMs <= days * DAY);
          else assert.ok(x.endMs - x.startMs <= Math.max(days, 31) * DAY);
        }
        if (monthly) for (const x of w.slice(1)) assert.equal(startOfMonthUtc(x.startMs), x.startMs, 'cut at a month start');
      }),
      RUNS,
    );
  });

  it('batches: every id once, in order, never more than the size', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 120 }), fc.integer({ min: 1, max: 25 }), (ids, size) => {
        const b = batches(ids, size);
        assert.deepEqual(b.flat(), ids);
        assert.ok(b.every((x) => x.length >= 1 && x.length <= size));
        assert.ok(b.slice(0, -1).every((x) => x.length === size), 'only the last batch is short');
      }),
      RUNS,
    );
  });

  /** A valid query of a provider and kind, its dates inside the lookback of a random clock. */
  const queries = (provider: ProviderId, caps: ProviderCapabilities) =>
    fc
      .record({
        kind: fc.constantFrom(...(Object.keys(caps) as Kind[])),
        now: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        back: fc.nat({ max: 365 }),
        span: fc.nat({ max: 365 }),
        granularity: fc.constantFrom(...GRANULARITIES),
        ids: fc.uniqueArray(fc.stringMatching(/^[0-9]{1,15}$/), { minLength: 1, maxLength: 45 }),
      })
      .map(({ kind, now, back, span, granularity, ids }) => {
        const kc = caps[kind]!;
        const today = startOfDayUtc(now);
        const from = today - Math.min(back, kc.lookbackDays) * DAY;
        const to = Math.min(from + span * DAY, today + 2 * DAY);
        const g = kc.granularities.includes(granularity) ? granularity : kc.granularities[0]!;
        const input: Record<string, unknown> = { provider, kind, wabaId: '1234567', from: formatIsoDate(from), to: formatIsoDate(to), granularity: g };
        if (kind === 'template') input.templateIds = ids;
        if (kind === 'template-groups') input.templateGroupIds = ids;
        if (kind === 'groups') input.groupIds = ids;
        return { input, now, caps: kc };
      });

  for (const provider of PROVIDERS) {
    it(`${provider}: planQuery covers the range exactly, per window every template id once, batches of at most 10`, () => {
      const caps = CAPABILITIES[provider];
      fc.assert(
        fc.property(queries(provider, caps), ({ input, now, caps: kc }) => {
          const resolved = resolveQuery(input, caps, now);
          const units = planQuery(resolved, kc);
          assert.deepEqual(
            units.map((u) => u.index),
            units.map((_u, i) => i),
          );
          const windows = windowsOf(units);
          // A range starting exactly now is empty: nothing to fetch.
          if (resolved.endMs === resolved.startMs) return assert.deepEqual(units, []);
          assertExactCover(windows, resolved.startMs, resolved.endMs);
          const span = windowDays(kc, resolved.query.granularity);
          for (const w of windows) {
            if (resolved.query.granularity !== 'MONTHLY') assert.ok(w.endMs - w.startMs <= span * DAY, 'within the endpoint span');
          }
          if (resolved.query.kind === 'template') {
            const ids = resolved.query.templateIds;
            for (const w of windows) {
              const batchesOfWindow = units.filter((u) => u.startMs === w.startMs).map((u) => u.templateIds!);
              assert.ok(batchesOfWindow.every((b) => b.length >= 1 && b.length <= 10), 'at most 10 ids a request');
              assert.deepEqual(batchesOfWindow.flat(), ids, 'every id once per window');
            }
          } else if (resolved.query.kind === 'template-groups' || resolved.query.kind === 'groups') {
            const ids = resolved.query.kind === 'groups' ? resolved.query.groupIds : resolved.query.templateGroupIds;
            const most = kc.maxIds ?? 1;
            for (const w of windows) {
              const batchesOfWindow = units.filter((u) => u.startMs === w.startMs).map((u) => u.ids!);
              assert.ok(batchesOfWindow.every((b) => b.length >= 1 && b.length <= most), `at most ${most} ids a request`);
              assert.deepEqual(batchesOfWindow.flat(), ids, 'every id once per window');
            }
          } else {
            assert.equal(units.length, windows.length);
            assert.ok(units.every((u) => u.templateIds === undefined && u.ids === undefined));
          }
          // Every unit makes a request the provider accepts (ids per request, a non-empty range).
          for (const u of units) {
            if (provider === 'meta') buildUnitRequest(u, now);
            else buildAnalyticsUrl(u);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('properties: dates', () => {
  it('YYYY-MM-DD round-trips to the start of the day', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        assert.equal(parseIsoDate(formatIsoDate(ms)), startOfDayUtc(ms));
        assert.equal(formatIsoDate(parseIsoDate(formatIsoDate(ms))!), formatIsoDate(ms));
      }),
      RUNS,
    );
  });

  it('every time form the APIs use reads back as the same instant (to the second)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, offsetMin) => {
        const s = Math.floor(ms / 1000) * 1000;
        assert.equal(parseApiTime(toIsoUtc(ms)), s);
        assert.equal(parseApiTime(toUnixSeconds(ms)), s);
        assert.equal(parseApiTime(String(toUnixSeconds(ms))), s);
        assert.equal(parseApiTime(s), s, 'epoch milliseconds');
        // The same instant written in another zone, with and without a colon in the offset.
        const local = new Date(s + offsetMin * 60_000).toISOString().slice(0, 19);
        const sign = offsetMin < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0');
        const mm = String(Math.abs(offsetMin) % 60).padStart(2, '0');
        assert.equal(parseApiTime(`${local}${sign}${hh}:${mm}`), s);
        assert.equal(parseApiTime(`${local}${sign}${hh}${mm}`), s);
        assert.equal(parseApiTime(toIsoUtc(s)), parseApiTime(toIsoUtc(s).replace('Z', '+00:00')));
      }),
      RUNS,
    );
  });

  it('a window of whole days round-trips through the Vonage dates (end inclusive)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Y2000 / DAY, max: Y2100 / DAY }), fc.integer({ min: 1, max: 90 }), (startDay, days) => {
        const startMs = startDay * DAY;
        const endMs = startMs + days * DAY;
        const unit = { query: { provider: 'vonage', kind: 'messaging', wabaId: '123', from: '2000-01-01', to: '2000-01-01', granularity: 'DAILY' }, startMs, endMs, index: 0 } as QueryUnit;
        const params = new URL(buildAnalyticsUrl(unit).url, 'http://x').searchParams;
        assert.equal(parseIsoDate(params.get('start')!), startMs);
        assert.equal(parseIsoDate(params.get('end')!)! + DAY, endMs);
      }),
      RUNS,
    );
  });

  it('buckets: start <= t < next, and the start of a start is itself', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...GRANULARITIES), (ms, g) => {
        const b = bucketStart(ms, g);
        assert.ok(b <= ms && ms < nextBucket(b, g));
        assert.equal(bucketStart(b, g), b);
        assert.equal(bucketStart(nextBucket(b, g), g), nextBucket(b, g));
        if (g === 'HALF_HOUR') assert.equal(nextBucket(b, g) - b, HALF_HOUR);
        if (g === 'MONTHLY') assert.equal(nextBucket(b, g), addMonthsUtc(b, 1));
      }),
      RUNS,
    );
  });

  it('a date string is accepted exactly when it is a calendar date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1970, max: 2200 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const real = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
        assert.equal(parseIsoDate(text) !== undefined, real, text);
      }),
      RUNS,
    );
  });
});

describe('properties: granularity translation is total', () => {
  it('every provider, kind and granularity is either planned and sent in a word that reads back, or refused with a typed error', () => {
    const now = Date.UTC(2026, 10, 21, 12);
    for (const provider of PROVIDERS) {
      for (const kind of KINDS) {
        for (const g of GRANULARITIES) {
          const input = { provider, kind, wabaId: '1234567', from: '2026-11-01', to: '2026-11-10', granularity: g, ...(kind === 'template' ? { templateIds: ['1'] } : kind === 'template-groups' ? { templateGroupIds: ['1'] } : kind === 'groups' ? { groupIds: ['1'] } : {}) };
          const caps = CAPABILITIES[provider];
          let resolved;
          try {
            resolved = resolveQuery(input, caps, now);
          } catch (e) {
            assert.ok(e instanceof WabaError && e.kind === 'input', `${provider} ${kind} ${g}: ${String(e)}`);
            assert.ok(!caps[kind] || !caps[kind].granularities.includes(g), `${provider} ${kind} ${g} is offered but refused`);
            continue;
          }
          assert.ok(caps[kind]!.granularities.includes(g));
          const [unit] = planQuery(resolved, caps[kind]!);
          let word: string | undefined;
          if (provider === 'meta') {
            const req = buildUnitRequest(unit!, now);
            // Edges (templates, template groups, groups) take it as a parameter; fields in the dot chain.
            word = req.query.granularity ?? /\.granularity\(([A-Z_]+)\)/.exec(req.query.fields!)?.[1];
            assert.equal(word, wireGranularity(kind, g));
          } else {
            word = new URL(buildAnalyticsUrl(unit!).url, 'http://x').searchParams.get('granularity') ?? undefined;
          }
          assert.ok(word, `${provider} ${kind} ${g} is sent with a granularity`);
          assert.equal(userGranularity(word), g, `${provider} ${kind}: ${word} reads back as ${g}`);
        }
      }
    }
    // Whatever an API answers, the reading is total: a known word or undefined, never a throw.
    fc.assert(
      fc.property(fc.anything(), (word) => {
        const g = userGranularity(word);
        assert.ok(g === undefined || (GRANULARITIES as readonly string[]).includes(g));
      }),
      RUNS,
    );
    assert.deepEqual(Object.keys(META_CAPABILITIES).sort(), [...KINDS].sort());
    assert.ok(!('conversation' in VONAGE_CAPABILITIES));
  });
});

describe('properties: normalize', () => {
  const fixtures: Array<{ provider: ProviderId; kind: Kind; body: unknown }> = [];
  for (const provider of PROVIDERS) {
    const dir = path.resolve('test/fixtures', provider);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const kind = (KINDS as readonly string[]).find((k) => f.startsWith(k)) as Kind | undefined;
      if (!kind) continue;
      fixtures.push({ provider, kind, body: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) });
    }
  }

  /** Normalizing returns a sound result or throws a WabaError; anything else fails. */
  function check(provider: ProviderId, kind: Kind, body: unknown): void {
    let out;
    try {
      out = NORMALIZERS[provider](body, { kind, endpoint: kind });
    } catch (e) {
      if (e instanceof WabaError) {
        assert.ok(['response', 'api', 'input'].includes(e.kind), e.kind);
        assert.ok(e.message.length > 0 && !e.message.includes('\n'));
        return;
      }
      throw new Error(`${provider} ${kind} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${JSON.stringify(body)?.slice(0, 300)}`);
    }
    const r = out.result;
    assert.equal(r.provider, provider);
    assert.equal(r.kind, kind);
    assert.ok((GRANULARITIES as readonly string[]).includes(r.granularity));
    for (const p of r.points) {
      assert.match(p.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.match(p.end, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      for (const [k, v] of Object.entries(p.metrics)) assert.ok(typeof v === 'number' && Number.isFinite(v), `metric ${k} is a finite number, not ${v}`);
      for (const v of Object.values(p.dims)) assert.equal(typeof v, 'string');
    }
    JSON.stringify(r);
  }

  const combos = PROVIDERS.flatMap((provider) => KINDS.map((kind) => ({ provider, kind })));

  it('any JSON value at all', () => {
    assert.ok(fixtures.length >= 10, 'the fixtures were found');
    fc.assert(
      fc.property(fc.constantFrom(...combos), fc.jsonValue(), ({ provider, kind }, body) => check(provider, kind, body)),
      { numRuns: 600 },
    );
  });

  it('any JSON text, parsed (own __proto__ keys included)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'data', 'data_points', 'paging', 'next', '_embedded', 'start', 'end', 'sent', 'cost'));
    const json = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.constantFrom(...combos), json, ({ provider, kind }, value) => {
        const text = JSON.stringify(value);
        check(provider, kind, JSON.parse(text.replace(/"(constructor|__proto__)":/g, '"__proto__":')));
      }),
      { numRuns: 600 },
    );
  });

  it('real bodies with one part replaced by anything (deep mutations of the fixtures)', () => {
    const mutate = (body: unknown, picks: number[], replacement: unknown, remove: boolean): unknown => {
      const root = structuredClone(body);
      let node: unknown = root;
      for (let i = 0; i < picks.length; i++) {
        if (!node || typeof node !== 'object') break;
        const keys = Object.keys(node as object);
        if (!keys.length) break;
        const k = keys[picks[i]! % keys.length]!;
        const child = (node as Record<string, unknown>)[k];
        const last = i === picks.length - 1 || !child || typeof child !== 'object';
        if (last) {
          if (remove && !Array.isArray(node)) delete (node as Record<string, unknown>)[k];
          else (node as Record<string, unknown>)[k] = replacement;
          break;
        }
        node = child;
      }
      return root;
    };
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('', '1e999', '-1', 'NaN', '2024-13-45', '2024-11-11T25:00:00Z', 1e308, -0, 99999999999999, null, [], {}, '0x10', ' 12 ', 'Infinity'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), replacement, fc.boolean(), (f, picks, rep, remove) => {
        // The fixture as is, and under every kind (a body of another kind must fail cleanly).
        check(f.provider, f.kind, mutate(f.body, picks, rep, remove));
        check(f.provider, KINDS[picks[0]! % KINDS.length]!, mutate(f.body, picks, rep, remove));
      }),
      { numRuns: 1500 },
    );
  });

  it('the fixtures themselves normalize (the mutations start from valid bodies)', () => {
    for (const f of fixtures) {
      const r = NORMALIZERS[f.provider](f.body, { kind: f.kind, endpoint: f.kind }).result;
      assert.ok(r.points.length > 0, `${f.provider} ${f.kind}`);
    }
  });
});
