import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryCache, stableKey } from '../../../src/core/cache';
import { PARTIAL_CSV_LINE, exportContent, exportFileName, savedQueryContent, savedQueryFileName } from '../../../src/core/exportFile';
import { parseQuery, savedQueryOf } from '../../../src/core/query';
import type { QueryRun } from '../../../src/core/types';

const query = parseQuery({ kind: 'pricing', provider: 'meta', wabaId: '102290129340398', from: '2026-10-22', to: '2026-11-20', dimensions: ['COUNTRY'], countryCodes: [] });
const run: QueryRun = {
  result: {
    provider: 'meta',
    kind: 'pricing',
    wabaId: '102290129340398',
    granularity: 'DAILY',
    timezone: 'UTC',
    currency: 'USD',
    points: [{ start: '2026-10-22T00:00:00Z', end: '2026-10-23T00:00:00Z', dims: { country: 'US' }, metrics: { volume: 10, cost: 0.25 } }],
    warnings: [{ code: 'cost.unavailable', message: 'w' }],
  },
  raw: [{ pricing_analytics: { data: [] } }],
  requests: 1,
  partial: false,
};

describe('export files', () => {
  it('names a file from the query and the date', () => {
    const at = new Date('2026-11-21T09:30:12Z');
    assert.equal(exportFileName(query, 'json', at), 'pricing-meta-102290129340398-2026-10-22_2026-11-20-20261121T0930.json');
    assert.equal(exportFileName(query, 'csv', at), 'pricing-meta-102290129340398-2026-10-22_2026-11-20-20261121T0930.csv');
    assert.equal(savedQueryFileName(query), 'pricing-meta-102290129340398.waba-query.json');
  });

  it('holds the query, the result, the partial mark and, when asked, the raw bodies', () => {
    const doc = JSON.parse(exportContent(query, run, 'json', { at: new Date('2026-11-21T00:00:00Z') }));
    assert.equal(doc.exportedAt, '2026-11-21T00:00:00.000Z');
    assert.equal(doc.query.wabaId, '102290129340398');
    assert.equal(doc.partial, false);
    assert.deepEqual(doc.result, run.result);
    assert.equal(doc.raw, undefined);
    const withRaw = JSON.parse(exportContent(query, { ...run, partial: true }, 'json', { includeRaw: true }));
    assert.deepEqual(withRaw.raw, run.raw);
    assert.equal(withRaw.partial, true);
    const csv = exportContent(query, run, 'csv');
    assert.equal(csv, 'start,end,country,cost (USD),volume\r\n2026-10-22T00:00:00Z,2026-10-23T00:00:00Z,US,0.25,10\r\n');
  });

  it('carries the previous period when asked: a "previous" object in JSON, a "period" column in CSV', () => {
    const previous = { ...run.result, points: [{ start: '2026-09-22T00:00:00Z', end: '2026-09-23T00:00:00Z', dims: { country: 'BR' }, metrics: { volume: 4, cost: 0.1 } }] };
    const compared: QueryRun = { ...run, previous, previousRange: { from: '2026-09-22', to: '2026-10-21' } };
    // Not asked: the export is the current period only.
    assert.equal(JSON.parse(exportContent(query, compared, 'json')).previous, undefined);
    assert.ok(!exportContent(query, compared, 'csv').includes('period'));
    const doc = JSON.parse(exportContent(query, compared, 'json', { includePrevious: true }));
    assert.deepEqual(doc.previous, { from: '2026-09-22', to: '2026-10-21', result: previous });
    const lines = exportContent(query, compared, 'csv', { includePrevious: true }).trimEnd().split('\r\n');
    assert.deepEqual(lines, [
      'period,start,end,country,cost (USD),volume',
      'current,2026-10-22T00:00:00Z,2026-10-23T00:00:00Z,US,0.25,10',
      'previous,2026-09-22T00:00:00Z,2026-09-23T00:00:00Z,BR,0.1,4',
    ]);
  });

  it('marks a result partial by its code, whatever the words: CSV first line and JSON flag', () => {
    const partial: QueryRun = { ...run, result: { ...run.result, warnings: [{ code: 'result.partial', message: 'Some requests failed.' }] } };
    assert.equal(exportContent(query, partial, 'csv').split('\r\n')[0], PARTIAL_CSV_LINE);
    const doc = JSON.parse(exportContent(query, partial, 'json'));
    assert.equal(doc.partial, true);
    assert.deepEqual(doc.result.warnings, [{ code: 'result.partial', message: 'Some requests failed.' }]);
    // Words alone decide nothing.
    const words: QueryRun = { ...run, result: { ...run.result, warnings: [{ code: 'value.unknown', message: 'Partial result: incomplete' }] } };
    assert.ok(!exportContent(query, words, 'csv').startsWith('#'));
    assert.equal(JSON.parse(exportContent(query, words, 'json')).partial, false);
  });

  it('saves a query without empty filters, and the saved file parses back to the same query', () => {
    const text = savedQueryContent(query, 'Cost by country');
    const file = JSON.parse(text);
    assert.equal(file.title, 'Cost by country');
    assert.equal(file.query.countryCodes, undefined);
    const { countryCodes: _empty, ...rest } = query as typeof query & { countryCodes?: string[] };
    assert.deepEqual(parseQuery(file.query), rest);
    assert.deepEqual(file.query.dimensions, ['COUNTRY']);
    // With a relative range: the range instead of the dates, and it reads back as that range.
    const relative = JSON.parse(savedQueryContent(query, undefined, 'last-30-days'));
    assert.equal(relative.query.range, 'last-30-days');
    assert.ok(!('from' in relative.query) && !('to' in relative.query));
    const back = savedQueryOf(relative, 'x.waba-query.json', { now: Date.UTC(2026, 11, 2, 13) });
    assert.equal(back.range, 'last-30-days');
    assert.deepEqual([back.query.from, back.query.to], ['2026-11-03', '2026-12-02']);
  });
});

describe('query cache', () => {
  it('keys on the query whatever the field order, expires, refuses partial runs, clears per scope', () => {
    let now = 0;
    const cache = new QueryCache(1000, 20, () => now);
    assert.equal(stableKey({ b: 1, a: [2, { d: 1, c: 2 }] }), stableKey({ a: [2, { c: 2, d: 1 }], b: 1 }));
    cache.set('c1', { a: 1, b: 2 }, run);
    assert.equal(cache.get('c1', { b: 2, a: 1 }), run);
    assert.equal(cache.get('c2', { a: 1, b: 2 }), undefined, 'another connection is another scope');
    now = 1001;
    assert.equal(cache.get('c1', { a: 1, b: 2 }), undefined, 'expired');
    cache.set('c1', { a: 1 }, { ...run, partial: true });
    assert.equal(cache.get('c1', { a: 1 }), undefined, 'a partial run is never cached');
    cache.set('c1', { a: 2 }, run);
    cache.set('c2', { a: 2 }, run);
    cache.clear('c1');
    assert.equal(cache.get('c1', { a: 2 }), undefined);
    assert.equal(cache.get('c2', { a: 2 }), run);
    const off = new QueryCache(0);
    off.set('c', { a: 1 }, run);
    assert.equal(off.get('c', { a: 1 }), undefined, 'lifetime 0 turns it off');
  });
});
