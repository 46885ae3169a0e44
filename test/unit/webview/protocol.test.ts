import assert from 'node:assert/strict';
import { WARNING_CODES, WARNING_CODE_LIST, isWarningCode } from '../../../src/core/warnings';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toColumns } from '../../../src/core/columns';
import type { NormalizedResult } from '../../../src/core/types';
import type { HostMessage, PanelQuery } from '../../../src/protocol';
import { HostMessageSchema, PanelStateSchema, WebviewMessageSchema } from '../../../src/protocol';
import { buildTimeSeries, computeKpis, metricTotal } from '../../../webview/model';

const query: PanelQuery = { kind: 'template', provider: 'meta', wabaId: '123', from: '2024-11-01', to: '2024-11-03', granularity: 'DAILY', templateIds: ['111', '222'] };

const normalized: NormalizedResult = {
  provider: 'meta',
  kind: 'template',
  wabaId: '123',
  granularity: 'DAILY',
  timezone: 'UTC',
  currency: 'USD',
  points: [
    {
      start: '2024-11-01T00:00:00Z',
      end: '2024-11-02T00:00:00Z',
      dims: { template_id: '111' },
      metrics: { sent: 10, delivered: 9, read: 5, clicked: 2, amount_spent: 0.5 },
      clicks: [{ type: 'url_button', button_content: 'Open', count: 2 }],
    },
    { start: '2024-11-02T00:00:00Z', end: '2024-11-03T00:00:00Z', dims: { template_id: '222' }, metrics: { sent: 4 } },
  ],
  warnings: [{ code: 'engagement.still-counting', message: 'Reads and clicks stop counting 7 days after a send: figures for the last 7 days may still grow.' }],
};

const validMessages = (): HostMessage[] => [
  { type: 'result', query, result: toColumns(normalized), context: { templateNames: { '111': 'welcome' }, fetchedAt: '2024-11-04T00:00:00Z', requests: 2 } },
  { type: 'loading', query, message: 'Running…' },
  { type: 'error', message: 'Template analytics failed: insights are off', needsInsights: true, query },
  { type: 'error', message: 'This panel could not be restored.' },
  { type: 'reply', requestId: 3, ok: true, message: 'Exported to waba-analytics/x.json' },
  { type: 'insights', enabled: true },
];

describe('protocol: host messages', () => {
  it('accepts every valid host message', () => {
    for (const m of validMessages()) {
      const r = HostMessageSchema.safeParse(m);
      assert.ok(r.success, `${m.type}: ${r.success ? '' : JSON.stringify(r.error.issues)}`);
    }
  });

  it('rejects junk of any shape', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withMap: true, withSet: true, withDate: true }), (junk) => {
        // A junk object that happens to be a valid message is impossible without a known `type`.
        assert.equal(HostMessageSchema.safeParse(junk).success, false);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a known type with junk fields', () => {
    const types = ['result', 'loading', 'error', 'reply', 'insights'];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (type, rest) => {
        const m = { ...rest, type };
        delete (m as Record<string, unknown>).requestId;
        delete (m as Record<string, unknown>).enabled;
        delete (m as Record<string, unknown>).message;
        assert.equal(HostMessageSchema.safeParse(m).success, false);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects targeted corruptions of valid messages', () => {
    const corruptions: Array<(m: Record<string, unknown>) => void> = [
      (m) => (m.type = 'results'),
      (m) => delete m.type,
      (m) => (m.type = 42),
    ];
    for (const base of validMessages()) {
      for (const corrupt of corruptions) {
        const m = { ...base } as Record<string, unknown>;
        corrupt(m);
        assert.equal(HostMessageSchema.safeParse(m).success, false, `${base.type} corrupted`);
      }
    }
    const result = validMessages()[0] as Extract<HostMessage, { type: 'result' }>;
    const bad = [
      { ...result, result: { ...result.result, kind: 'weather' } },
      { ...result, result: { ...result.result, length: -1 } },
      { ...result, result: { ...result.result, starts: 'yesterday' } },
      { ...result, result: { ...result.result, metrics: { sent: [1, 'two'] } } },
      { ...result, result: { ...result.result, dims: { country: { values: ['BR'], codes: [0.5] } } } },
      // Warnings are data: a code from the closed list and a message; anything else is refused.
      { ...result, result: { ...result.result, warnings: [{ code: 'answer.made-up', message: 'x' }] } },
      { ...result, result: { ...result.result, warnings: [{ code: 'Partial result', message: 'x' }] } },
      { ...result, result: { ...result.result, warnings: ['Partial result: 1 of 2 requests failed.'] } },
      { ...result, result: { ...result.result, warnings: [{ code: 'result.partial' }] } },
      { ...result, result: { ...result.result, warnings: [{ message: 'no code' }] } },
      { ...result, query: { ...query, kind: 'weather' } },
      { ...result, query: { ...query, from: 20241101 } },
      { type: 'reply', requestId: 1.5, ok: true },
      { type: 'reply', requestId: 1, ok: 'yes' },
      { type: 'insights', enabled: 'true' },
      { type: 'loading', query },
    ];
    for (const m of bad) assert.equal(HostMessageSchema.safeParse(m).success, false, JSON.stringify(m).slice(0, 120));
  });
});

describe('protocol: warning codes', () => {
  it('accepts every code of the closed list, and nothing else', () => {
    const result = validMessages()[0] as Extract<HostMessage, { type: 'result' }>;
    for (const code of WARNING_CODE_LIST) {
      const m = { ...result, result: { ...result.result, warnings: [{ code, message: WARNING_CODES[code] }] } };
      assert.ok(HostMessageSchema.safeParse(m).success, code);
    }
    fc.assert(
      fc.property(fc.string(), (code) => {
        const m = { ...result, result: { ...result.result, warnings: [{ code, message: 'm' }] } };
        assert.equal(HostMessageSchema.safeParse(m).success, isWarningCode(code), code);
      }),
      { numRuns: 300 },
    );
  });
});

describe('protocol: columns in transit', () => {
  it('survive a structured-clone round trip as typed arrays and still validate', () => {
    const message = validMessages()[0]!;
    const cloned = structuredClone(message) as Extract<HostMessage, { type: 'result' }>;
    const parsed = HostMessageSchema.parse(cloned);
    assert.equal(parsed.type, 'result');
    if (parsed.type !== 'result') return;
    assert.ok(parsed.result.starts instanceof Float64Array);
    assert.ok(parsed.result.metrics.sent instanceof Float64Array);
    assert.ok(parsed.result.dims.template_id!.codes instanceof Int32Array);
    // NaN (absent) survives the clone and stays absent.
    assert.ok(Number.isNaN(parsed.result.metrics.read![1]!));
    assert.deepEqual(parsed.result.clicks, [{ point: 0, type: 'url_button', button_content: 'Open', count: 2 }]);
    // The panel computes the same figures from the clone as from the original.
    assert.deepEqual(computeKpis(parsed.result), computeKpis(toColumns(normalized)));
    assert.equal(metricTotal(parsed.result, 'read').total, 5);
    const set = buildTimeSeries(parsed.result, { metric: 'sent', breakdown: 'template_id', templateNames: parsed.context.templateNames });
    assert.deepEqual(
      set.series.map((s) => [s.label, s.total]),
      [
        ['welcome (111)', 10],
        ['222', 4],
      ],
    );
  });

  it('validate in their JSON form too (plain arrays, null for absent)', () => {
    const c = toColumns(normalized);
    const json = JSON.parse(
      JSON.stringify({
        ...c,
        starts: Array.from(c.starts),
        ends: Array.from(c.ends),
        dims: Object.fromEntries(Object.entries(c.dims).map(([k, d]) => [k, { values: d.values, codes: Array.from(d.codes) }])),
        metrics: Object.fromEntries(Object.entries(c.metrics).map(([k, col]) => [k, Array.from(col, (v) => (v === null || Number.isNaN(v) ? null : v))])),
      }),
    );
    const parsed = HostMessageSchema.parse({ type: 'result', query, result: json, context: {} });
    assert.equal(parsed.type, 'result');
    if (parsed.type !== 'result') return;
    assert.deepEqual(parsed.context.templateNames, {});
    assert.deepEqual(computeKpis(parsed.result), computeKpis(c));
  });
});

describe('protocol: webview messages and state', () => {
  it('accepts what the panel posts and refuses what it must not', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'run', requestId: 1, query },
      { type: 'export', requestId: 2, format: 'json' },
      { type: 'export', requestId: 3, format: 'csv' },
      { type: 'saveQuery', requestId: 4 },
      { type: 'enableInsights', requestId: 5 },
    ]) {
      assert.ok(WebviewMessageSchema.safeParse(m).success, m.type);
    }
    for (const m of [{ type: 'run', query }, { type: 'export', requestId: 1, format: 'xlsx' }, { type: 'enableInsights' }, { type: 'hack' }]) {
      assert.equal(WebviewMessageSchema.safeParse(m).success, false, JSON.stringify(m));
    }
  });

  it('keeps the panel state (query, chart type, breakdown, metric)', () => {
    const state = { query, chartType: 'bar', breakdown: '', metric: 'sent' };
    assert.deepEqual(PanelStateSchema.parse(structuredClone(state)), state);
    assert.equal(PanelStateSchema.safeParse({ ...state, chartType: 'pie' }).success, false);
  });
});
