import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnarResult, PanelContext, PanelQuery } from '../../../src/protocol';
import { applyParams, datePresets, filterKeys, filterOptions, isMultiFilter, paramLabel, presetOf, presetRange } from '../../../webview/params';

const q = (extra: Record<string, unknown> = {}): PanelQuery => ({ kind: 'pricing', provider: 'meta', wabaId: '1', from: '2026-11-01', to: '2026-11-30', ...extra }) as PanelQuery;
const ctx = (extra: Partial<PanelContext> = {}): PanelContext => ({ templateNames: {}, ...extra });

describe('webview form: filters as labelled multi-selects', () => {
  it('shows every filter of the kind before the host says which it accepts (a restored panel)', () => {
    const keys = filterKeys(q(), undefined);
    for (const k of ['phoneNumbers', 'countryCodes', 'pricingCategories', 'pricingTypes', 'tiers', 'dimensions', 'metricTypes']) assert.ok(keys.includes(k), k);
    assert.ok(!keys.includes('templateIds'));
    assert.deepEqual(filterKeys(q({ tiers: ['0:1'] }), ctx({ accepts: { granularities: ['DAILY'], filters: ['countryCodes'] } })), ['countryCodes', 'tiers']);
  });

  it('labels filters in words, never the query key', () => {
    assert.equal(paramLabel('phoneNumbers'), 'Phone numbers');
    assert.equal(paramLabel('pricingCategories'), 'Pricing categories');
  });

  it('offers the known values with labels and the API value as a hint', () => {
    const cats = filterOptions('pricingCategories', q(), undefined);
    const marketing = cats.find((o) => o.value === 'MARKETING');
    assert.deepEqual(marketing, { value: 'MARKETING', label: 'Marketing', description: 'API value: MARKETING' });
    const types = filterOptions('productTypes', q({ kind: 'messaging' }), undefined);
    assert.deepEqual(types.slice(0, 2).map((o) => [o.value, o.label]), [['0', 'Template messages'], ['2', 'Non-template messages']]);
  });

  it('offers phone numbers with names, templates with names, countries and tiers seen, and keeps values already set', () => {
    const c = ctx({ phones: [{ value: '15550001111', display: '+1 555-000-1111', name: 'Acme Support' }], templates: [{ id: '77', name: 'sommer_sale' }] });
    assert.deepEqual(filterOptions('phoneNumbers', q(), c)[0], { value: '15550001111', label: '+1 555-000-1111 · Acme Support', description: '15550001111' });
    assert.equal(filterOptions('templateIds', q({ kind: 'template' }), c)[0]!.label, 'sommer_sale');
    const result = { dims: { country: { values: ['BR', 'US'], codes: [] }, tier: { values: ['0:750000'], codes: [] } } } as unknown as ColumnarResult;
    assert.deepEqual(filterOptions('countryCodes', q({ countryCodes: ['DE'] }), c, result).map((o) => o.value), ['BR', 'US', 'DE']);
    assert.deepEqual(filterOptions('tiers', q(), c, result)[0], { value: '0:750000', label: '0–750,000', description: 'API value: 0:750000' });
  });

  it('reads a multi-select into the query (numbers for numeric filters; none chosen: the filter is dropped)', () => {
    assert.equal(isMultiFilter('pricingCategories', q()), true);
    assert.equal(isMultiFilter('useWabaTimezone', q()), false);
    const r = applyParams(q({ countryCodes: ['US'] }), [
      { key: 'pricingCategories', values: ['MARKETING', 'UTILITY', 'MARKETING'] },
      { key: 'countryCodes', values: [] },
    ]);
    assert.ok('query' in r);
    assert.deepEqual(r.query.pricingCategories, ['MARKETING', 'UTILITY']);
    assert.equal(r.query.countryCodes, undefined);
    const m = applyParams(q({ kind: 'messaging' }), [{ key: 'productTypes', values: ['0', '2'] }]);
    assert.ok('query' in m);
    assert.deepEqual(m.query.productTypes, [0, 2]);
    assert.deepEqual(applyParams(q({ kind: 'messaging' }), [{ key: 'productTypes', values: ['zero'] }]), { error: 'Message types: numbers only.' });
  });

  it('has date presets and custom, resolved as UTC days on the day of the clock', () => {
    assert.deepEqual(datePresets().map((p) => p.label), ['Last 7 days', 'Last 30 days', 'Last 90 days', 'This month', 'Previous month', 'Custom']);
    const now = Date.UTC(2026, 11, 2, 15);
    assert.deepEqual(presetRange('last-7-days', now), { from: '2026-11-26', to: '2026-12-02' });
    assert.deepEqual(presetRange('previous-month', now), { from: '2026-11-01', to: '2026-11-30' });
    assert.equal(presetOf('2026-11-01', '2026-11-30', now), 'previous-month');
    assert.equal(presetOf('2026-11-02', '2026-11-30', now), 'custom');
  });
});
