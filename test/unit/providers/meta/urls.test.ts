import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WabaError } from '../../../../src/core/errors';
import { planQuery } from '../../../../src/core/plan';
import type { QueryUnit } from '../../../../src/core/provider';
import type { QueryInput } from '../../../../src/core/query';
import { parseQuery, resolveQuery } from '../../../../src/core/query';
import { META_CAPABILITIES, analyticsFields, buildUnitRequest, createMetaProvider, metaTimezoneName, userGranularity, wireGranularity } from '../../../../src/providers/meta';
import { checkApiVersion } from '../../../../src/providers/meta/capabilities';

const WABA = '102290129340398';
const S = Date.UTC(2026, 0, 1); // 1767225600
const E = Date.UTC(2026, 0, 8); // 1767830400
const NOW = Date.UTC(2026, 2, 1);

function unit(input: Record<string, unknown>, extra: Partial<QueryUnit> = {}): QueryUnit {
  const query = parseQuery({ provider: 'meta', wabaId: WABA, from: '2026-01-01', to: '2026-01-07', ...input });
  return { query, startMs: S, endMs: E, index: 0, ...extra };
}

/** The request as the HTTP client would send it, decoded back. */
function sent(u: QueryUnit, now = NOW): { path: string; params: URLSearchParams; fields: string | null; endpoint: string } {
  const req = buildUnitRequest(u, now);
  const url = new URL(`https://graph.facebook.com/v25.0${req.path}`);
  for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, v);
  // The encoded URL carries no raw brackets, quotes or parentheses.
  assert.doesNotMatch(url.search, /["[\]]/);
  const params = new URL(url.toString()).searchParams;
  return { path: req.path, params, fields: params.get('fields'), endpoint: req.endpoint };
}

describe('meta urls: field analytics', () => {
  it('messaging: analytics with every filter, DAY on the wire', () => {
    const r = sent(unit({ kind: 'messaging', granularity: 'DAILY', phoneNumbers: ['+1 650 555 0111', '16505550112'], productTypes: [0, 2], countryCodes: ['us', 'BR'] }));
    assert.equal(r.path, `/${WABA}`);
    assert.equal(r.endpoint, 'analytics');
    assert.equal(r.fields, 'analytics.start(1767225600).end(1767830400).granularity(DAY).phone_numbers(["16505550111","16505550112"]).product_types([0,2]).country_codes(["US","BR"])');
    assert.equal(r.params.get('access_token'), null);
  });

  it('messaging: HALF_HOUR and MONTH; no empty filters', () => {
    assert.equal(sent(unit({ kind: 'messaging', granularity: 'HALF_HOUR' })).fields, 'analytics.start(1767225600).end(1767830400).granularity(HALF_HOUR)');
    assert.equal(sent(unit({ kind: 'messaging', granularity: 'MONTHLY', countryCodes: [] })).fields, 'analytics.start(1767225600).end(1767830400).granularity(MONTH)');
  });

  it('conversation: every filter and dimension; FREE_ENTRY on the wire', () => {
    const r = sent(
      unit({
        kind: 'conversation',
        granularity: 'MONTHLY',
        phoneNumbers: ['15550458206'],
        countryCodes: ['US'],
        metricTypes: ['COST', 'CONVERSATION'],
        conversationCategories: ['MARKETING', 'AUTHENTICATION'],
        conversationTypes: ['FREE_ENTRY_POINT', 'REGULAR', 'FREE_TIER'],
        conversationDirections: ['BUSINESS_INITIATED', 'USER_INITIATED'],
        dimensions: ['CONVERSATION_CATEGORY', 'CONVERSATION_DIRECTION', 'CONVERSATION_TYPE', 'COUNTRY', 'PHONE'],
      }),
    );
    assert.equal(r.endpoint, 'conversation_analytics');
    assert.equal(
      r.fields,
      'conversation_analytics.start(1767225600).end(1767830400).granularity(MONTHLY)' +
        '.phone_numbers(["15550458206"]).country_codes(["US"]).metric_types(["COST","CONVERSATION"])' +
        '.conversation_categories(["MARKETING","AUTHENTICATION"]).conversation_types(["FREE_ENTRY","REGULAR","FREE_TIER"])' +
        '.conversation_directions(["BUSINESS_INITIATED","USER_INITIATED"])' +
        '.dimensions(["CONVERSATION_CATEGORY","CONVERSATION_DIRECTION","CONVERSATION_TYPE","COUNTRY","PHONE"])' +
        ',currency',
    );
  });

  it('pricing: every filter and dimension including TIER; DAILY/HALF_HOUR/MONTHLY on the wire', () => {
    const r = sent(
      unit({
        kind: 'pricing',
        granularity: 'DAILY',
        phoneNumbers: ['15550783881'],
        countryCodes: ['US', 'BR'],
        metricTypes: ['COST', 'VOLUME'],
        pricingTypes: ['REGULAR', 'FREE_CUSTOMER_SERVICE', 'FREE_ENTRY_POINT'],
        pricingCategories: ['AUTHENTICATION', 'AUTHENTICATION_INTERNATIONAL', 'MARKETING', 'SERVICE', 'UTILITY'],
        dimensions: ['PRICING_CATEGORY', 'PRICING_TYPE', 'COUNTRY', 'PHONE', 'TIER'],
      }),
    );
    assert.equal(r.endpoint, 'pricing_analytics');
    assert.equal(
      r.fields,
      'pricing_analytics.start(1767225600).end(1767830400).granularity(DAILY)' +
        '.phone_numbers(["15550783881"]).country_codes(["US","BR"]).metric_types(["COST","VOLUME"])' +
        '.pricing_types(["REGULAR","FREE_CUSTOMER_SERVICE","FREE_ENTRY_POINT"])' +
        '.pricing_categories(["AUTHENTICATION","AUTHENTICATION_INTERNATIONAL","MARKETING","SERVICE","UTILITY"])' +
        '.dimensions(["PRICING_CATEGORY","PRICING_TYPE","COUNTRY","PHONE","TIER"])' +
        ',currency',
    );
    assert.match(sent(unit({ kind: 'pricing', granularity: 'HALF_HOUR' })).fields!, /granularity\(HALF_HOUR\),currency$/);
    assert.match(sent(unit({ kind: 'pricing', granularity: 'MONTHLY' })).fields!, /granularity\(MONTHLY\),currency$/);
  });

  it('unit instants become UNIX seconds (windows of a plan)', () => {
    const resolved = resolveQuery({ provider: 'meta', kind: 'pricing', wabaId: WABA, from: '2026-01-01', to: '2026-01-31', granularity: 'HALF_HOUR' } satisfies QueryInput, META_CAPABILITIES, NOW);
    const units = planQuery(resolved, META_CAPABILITIES.pricing!);
    assert.equal(units.length, 1, '31 days of HALF_HOUR in one request (the answer pages)');
    assert.equal(analyticsFields(units[0]!), `pricing_analytics.start(${Date.UTC(2026, 0, 1) / 1000}).end(${Date.UTC(2026, 1, 1) / 1000}).granularity(HALF_HOUR)`);
    const windowed = planQuery(resolved, { ...META_CAPABILITIES.pricing!, halfHourWindowDays: 30 });
    assert.equal(windowed.length, 2, '31 days in 30-day windows');
    assert.equal(analyticsFields(windowed[1]!), `pricing_analytics.start(${Date.UTC(2026, 0, 31) / 1000}).end(${Date.UTC(2026, 1, 1) / 1000}).granularity(HALF_HOUR)`);
  });

  it('refuses an id that could change the path', () => {
    const u = unit({ kind: 'messaging' });
    assert.throws(() => buildUnitRequest({ ...u, query: { ...u.query, wabaId: '../me' } }, NOW), (e: unknown) => e instanceof WabaError && e.kind === 'input');
  });

  it('refuses a tiers filter (Meta has none)', () => {
    const u = unit({ kind: 'pricing', tiers: ['0:MAX'] });
    assert.throws(() => buildUnitRequest(u, NOW), /no tier filter/);
    assert.throws(
      () => resolveQuery({ provider: 'meta', kind: 'pricing', wabaId: WABA, from: '2026-01-01', to: '2026-01-02', tiers: ['0:MAX'] }, META_CAPABILITIES, NOW),
      /no "tiers" filter/,
    );
  });
});

describe('meta urls: template_analytics edge', () => {
  it('seconds, DAILY, ids and metric types, product type', () => {
    const r = sent(
      unit(
        { kind: 'template', templateIds: ['1421988012088524', '2632273056924580'], metricTypes: ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST'], productType: 'MARKETING_MESSAGES_API_FOR_WHATSAPP' },
        { templateIds: ['1421988012088524', '2632273056924580'] },
      ),
    );
    assert.equal(r.path, `/${WABA}/template_analytics`);
    assert.equal(r.endpoint, 'template_analytics');
    assert.equal(r.params.get('start'), '1767225600');
    assert.equal(r.params.get('end'), '1767830400');
    assert.equal(r.params.get('granularity'), 'DAILY');
    assert.equal(r.params.get('template_ids'), '[1421988012088524,2632273056924580]');
    assert.equal(r.params.get('metric_types'), '[SENT,DELIVERED,READ,CLICKED,COST]');
    assert.equal(r.params.get('product_type'), 'MARKETING_MESSAGES_API_FOR_WHATSAPP');
    assert.equal(r.params.get('use_waba_timezone'), null);
    assert.equal(r.params.get('limit'), '1000', 'one page for a whole batch');
    assert.equal(r.fields, null);
  });

  it('the unit batch is used; the end is clamped to now', () => {
    const now = E - 3600_000;
    const r = sent(unit({ kind: 'template', templateIds: ['1', '2', '3'] }, { templateIds: ['3'] }), now);
    assert.equal(r.params.get('template_ids'), '[3]');
    assert.equal(r.params.get('end'), String(Math.floor(now / 1000)));
    assert.equal(r.params.get('metric_types'), null);
  });

  it('use_waba_timezone: YYYY-MM-DD dates', () => {
    const r = sent(unit({ kind: 'template', templateIds: ['9'], useWabaTimezone: true }));
    assert.equal(r.params.get('use_waba_timezone'), 'true');
    assert.equal(r.params.get('start'), '2026-01-01');
    assert.equal(r.params.get('end'), '2026-01-07', 'the last day asked for (inclusive)');
    const today = sent(unit({ kind: 'template', templateIds: ['9'], useWabaTimezone: true }), E - 3600_000);
    assert.equal(today.params.get('end'), '2026-01-07', 'a range ending now asks through today');
  });

  it('more than 10 ids in one request is refused', () => {
    const ids = Array.from({ length: 11 }, (_, i) => String(i + 1));
    assert.throws(() => buildUnitRequest(unit({ kind: 'template', templateIds: ids }), NOW), /at most 10/);
  });
});

describe('meta capabilities and settings', () => {
  it('granularity words both ways', () => {
    assert.equal(wireGranularity('messaging', 'DAILY'), 'DAY');
    assert.equal(wireGranularity('messaging', 'MONTHLY'), 'MONTH');
    assert.equal(wireGranularity('messaging', 'HALF_HOUR'), 'HALF_HOUR');
    assert.equal(wireGranularity('pricing', 'DAILY'), 'DAILY');
    assert.equal(wireGranularity('conversation', 'MONTHLY'), 'MONTHLY');
    assert.equal(userGranularity('DAY'), 'DAILY');
    assert.equal(userGranularity('daily'), 'DAILY');
    assert.equal(userGranularity('MONTH'), 'MONTHLY');
    assert.equal(userGranularity('HALF_HOUR'), 'HALF_HOUR');
    assert.equal(userGranularity('WEEK'), undefined);
  });

  it('capabilities: lookback, spans, filters, ids', () => {
    assert.equal(META_CAPABILITIES.messaging!.lookbackDays, 365);
    assert.equal(META_CAPABILITIES.pricing!.maxSpanDays, 365);
    assert.equal(META_CAPABILITIES.template!.lookbackDays, 90);
    assert.equal(META_CAPABILITIES.template!.maxSpanDays, 90);
    assert.equal(META_CAPABILITIES.template!.maxTemplateIds, 10);
    assert.deepEqual(META_CAPABILITIES.template!.granularities, ['DAILY']);
    assert.equal(META_CAPABILITIES.conversation!.halfHourWindowDays, 365, 'no windows of our own: the answers page');
    assert.ok(!META_CAPABILITIES.pricing!.filters.includes('tiers'));
    assert.ok(META_CAPABILITIES.conversation!.filters.includes('conversationDirections'));
    assert.throws(
      () => resolveQuery({ provider: 'meta', kind: 'template', wabaId: WABA, from: '2026-02-01', to: '2026-02-02', granularity: 'MONTHLY', templateIds: ['1'] }, META_CAPABILITIES, NOW),
      /does not accept granularity MONTHLY/,
    );
    assert.throws(
      () => resolveQuery({ provider: 'meta', kind: 'template', wabaId: WABA, from: '2025-10-01', to: '2025-10-02', templateIds: ['1'] }, META_CAPABILITIES, NOW),
      /reaches back 90 days/,
    );
  });

  it('version setting: vNN.N, default v25.0', () => {
    assert.equal(checkApiVersion(undefined), 'v25.0');
    assert.equal(checkApiVersion('v24.0'), 'v24.0');
    assert.throws(() => checkApiVersion('25'), (e: unknown) => e instanceof WabaError && e.kind === 'config' && /v25\.0/.test(e.message));
    assert.throws(() => checkApiVersion('v25.0/../x'), /not a version/);
    const p = createMetaProvider({ accessToken: 'test-token' }, { apiVersion: 'v24.0' });
    assert.equal(p.http.baseUrl, 'https://graph.facebook.com/v24.0');
    assert.equal(createMetaProvider({ accessToken: 'test-token' }).http.baseUrl, 'https://graph.facebook.com/v25.0');
    assert.throws(() => createMetaProvider({ accessToken: ' ' }), /No Meta access token/);
  });

  it('timezone ids: known ids to IANA names, unknown stay as the id', () => {
    assert.equal(metaTimezoneName('1'), 'America/Los_Angeles');
    assert.equal(metaTimezoneName(7), 'America/New_York');
    assert.equal(metaTimezoneName('58'), 'Europe/London');
    assert.equal(metaTimezoneName('71'), 'Asia/Kolkata');
    assert.equal(metaTimezoneName('25'), 'America/Sao_Paulo');
    assert.equal(metaTimezoneName('9999'), '9999');
    assert.equal(metaTimezoneName(undefined), undefined);
  });
});
