// The known values: what Meta's analytics page and Meta's Python SDK document is known (no
// "unknown" warning), `UNKNOWN` is a valid conversation-direction filter, and the query model,
// the normalizers and the sandbox all read the one table of src/core/vocabulary.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DAY, startOfDayUtc, formatIsoDate } from '../../../src/core/dates';
import { KNOWN_DIMENSION_VALUES } from '../../../src/core/normalize';
import * as query from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import * as vocabulary from '../../../src/core/vocabulary';
import type { Warning } from '../../../src/core/warnings';
import { META_CAPABILITIES, createMetaProvider, normalizeMetaBody } from '../../../src/providers/meta';
import { normalizeVonageBody } from '../../../src/providers/vonage';
import { startSandbox } from '../../../src/sandbox';
import type { Sandbox } from '../../../src/sandbox';
import { readFixture } from '../helpers';

/** Written out from the sources (docs/dialects.md, "Known values"), not from the table under test. */
const META_PAGE_PRICING_CATEGORIES = ['AUTHENTICATION', 'AUTHENTICATION_INTERNATIONAL', 'MARKETING', 'MARKETING_LITE', 'SERVICE', 'UTILITY', 'REFERRAL_CONVERSION'];
const META_SDK_PRICING_CATEGORIES = ['AUTHENTICATION', 'AUTHENTICATION_INTERNATIONAL', 'GROUP_MARKETING', 'GROUP_MARKETING_LITE', 'GROUP_SERVICE', 'GROUP_UTILITY', 'MARKETING', 'MARKETING_LITE', 'MARKETING_LITE_DYNAMIC', 'SERVICE', 'UTILITY', 'AI_BOT'];
const META_PRICING_TYPES = ['FREE_CUSTOMER_SERVICE', 'FREE_ENTRY_POINT', 'FREE_GROUP_CUSTOMER_SERVICE', 'REGULAR'];
const META_CONVERSATION_DIRECTIONS = ['BUSINESS_INITIATED', 'USER_INITIATED', 'UNKNOWN'];

/** The value.unknown warnings (and a check that warnings are data: a missing code would make this vacuous). */
function unknownValues(warnings: readonly Warning[]): Warning[] {
  assert.ok(warnings.every((w) => typeof w === 'object' && typeof w.code === 'string'), `warnings are {code, message}: ${JSON.stringify(warnings)}`);
  return warnings.filter((w) => w.code === 'value.unknown');
}

describe('the one table of known values', () => {
  it('holds every value Meta\'s page and Meta\'s SDK document', () => {
    for (const v of [...META_PAGE_PRICING_CATEGORIES, ...META_SDK_PRICING_CATEGORIES]) assert.ok((vocabulary.PRICING_CATEGORIES as readonly string[]).includes(v), v);
    for (const v of META_PRICING_TYPES) assert.ok((vocabulary.PRICING_TYPES as readonly string[]).includes(v), v);
    for (const v of META_CONVERSATION_DIRECTIONS) assert.ok((vocabulary.CONVERSATION_DIRECTIONS as readonly string[]).includes(v), v);
    for (const tier of ['0:750000', '75000:150000', '0:MAX', '0:2']) assert.ok(vocabulary.isKnownDimensionValue('tier', tier), tier);
    assert.equal(vocabulary.isKnownDimensionValue('tier', 'tier-1'), false);
  });

  it('the query enums and the known lists are the same arrays (one place)', () => {
    assert.equal(query.PRICING_CATEGORIES, vocabulary.PRICING_CATEGORIES);
    assert.equal(query.PRICING_TYPES, vocabulary.PRICING_TYPES);
    assert.equal(query.CONVERSATION_DIRECTIONS, vocabulary.CONVERSATION_DIRECTIONS);
    assert.equal(query.CONVERSATION_CATEGORIES, vocabulary.CONVERSATION_CATEGORIES);
    assert.equal(KNOWN_DIMENSION_VALUES.pricing_category, vocabulary.PRICING_CATEGORIES);
    assert.equal(KNOWN_DIMENSION_VALUES.pricing_type, vocabulary.PRICING_TYPES);
    assert.equal(KNOWN_DIMENSION_VALUES.conversation_direction, vocabulary.CONVERSATION_DIRECTIONS);
  });
});

describe('the query model takes the documented values as filters', () => {
  const base = { provider: 'meta', wabaId: '102290129340398', from: '2026-10-01', to: '2026-10-07' };
  const now = Date.parse('2026-10-20T12:00:00Z');

  it('conversationDirections UNKNOWN (any case), the 2026 pricing values; an undocumented one is refused naming the field', () => {
    const c = query.resolveQuery({ ...base, kind: 'conversation', conversationDirections: ['unknown', 'USER_INITIATED'] }, META_CAPABILITIES, now).query;
    assert.deepEqual(c.kind === 'conversation' && c.conversationDirections, ['UNKNOWN', 'USER_INITIATED']);
    const p = query.resolveQuery({ ...base, kind: 'pricing', pricingCategories: ['MARKETING_LITE_DYNAMIC', 'REFERRAL_CONVERSION'], pricingTypes: ['FREE_GROUP_CUSTOMER_SERVICE'] }, META_CAPABILITIES, now).query;
    assert.deepEqual(p.kind === 'pricing' && [p.pricingCategories, p.pricingTypes], [['MARKETING_LITE_DYNAMIC', 'REFERRAL_CONVERSION'], ['FREE_GROUP_CUSTOMER_SERVICE']]);
    assert.throws(() => query.parseQuery({ ...base, kind: 'conversation', conversationDirections: ['SIDEWAYS'] }), /conversationDirections/);
    assert.throws(() => query.parseQuery({ ...base, kind: 'pricing', pricingCategories: ['MARKETING_X'] }), /pricingCategories/);
  });

  it('the committed JSON schema of saved queries lists them (npm run schema)', () => {
    const schema = JSON.parse(readFileSync('schemas/waba-query.schema.json', 'utf8'));
    const enumOf = (key: string): string[] => {
      const found: string[][] = [];
      const walk = (o: unknown): void => {
        if (!o || typeof o !== 'object') return;
        for (const [k, v] of Object.entries(o)) {
          if (k === key && v && typeof v === 'object' && (v as { items?: { enum?: string[] } }).items?.enum) found.push((v as { items: { enum: string[] } }).items.enum);
          walk(v);
        }
      };
      walk(schema);
      assert.equal(found.length, 1, key);
      return found[0]!;
    };
    assert.ok(enumOf('conversationDirections').includes('UNKNOWN'));
    assert.ok(enumOf('pricingTypes').includes('FREE_GROUP_CUSTOMER_SERVICE'));
    for (const v of META_PAGE_PRICING_CATEGORIES) assert.ok(enumOf('pricingCategories').includes(v), v);
  });
});

describe('documented values in answers are known (no value.unknown warning)', () => {
  it('Meta: every 2026 pricing category, type and tier; a value no source documents is still warned about', () => {
    const { result } = normalizeMetaBody(readFixture('meta', 'pricing-analytics-2026-values-constructed.json'), { kind: 'pricing' });
    assert.equal(result.points.length, 13);
    assert.deepEqual(unknownValues(result.warnings), []);
    assert.deepEqual(new Set(result.points.map((p) => p.dims.pricing_category)), new Set([...META_PAGE_PRICING_CATEGORIES, ...META_SDK_PRICING_CATEGORIES]));
    const odd = normalizeMetaBody(
      { pricing_analytics: { data: [{ data_points: [{ start: 1790812800, end: 1790899200, pricing_category: 'MARKETING_X', pricing_type: 'REGULAR', tier: 'tier-1', volume: 1 }] }] } },
      { kind: 'pricing' },
    ).result;
    assert.equal(odd.points[0]!.dims.pricing_category, 'MARKETING_X', 'kept as is');
    assert.equal(unknownValues(odd.warnings).length, 2, JSON.stringify(odd.warnings));
  });

  it('Meta: the seed\'s conversation answers with conversation_direction UNKNOWN', () => {
    for (const name of ['conversation-monthly-all-dimensions.json', 'conversation-half-hour-phone.json']) {
      const { result } = normalizeMetaBody(readFixture('meta', name), { kind: 'conversation' });
      assert.ok(result.points.some((p) => p.dims.conversation_direction === 'UNKNOWN'), name);
      assert.deepEqual(unknownValues(result.warnings), [], name);
    }
  });

  it('Vonage: the same values through Channel Manager', () => {
    const body = {
      granularity: 'DAILY',
      _embedded: {
        pricing_analytics: [
          { start: '2026-10-01T00:00:00Z', end: '2026-10-01T00:00:00Z', volume: 3, country: 'GB', pricing_category: 'MARKETING_LITE', pricing_type: 'REGULAR', tier: '0:MAX' },
          { start: '2026-10-01T00:00:00Z', end: '2026-10-01T00:00:00Z', volume: 2, country: 'GB', pricing_category: 'GROUP_SERVICE', pricing_type: 'FREE_GROUP_CUSTOMER_SERVICE' },
        ],
      },
    };
    assert.deepEqual(unknownValues(normalizeVonageBody(body, { kind: 'pricing' }).result.warnings), []);
  });
});

describe('the sandbox speaks the same vocabulary', () => {
  let sb: Sandbox;
  const today = startOfDayUtc(Date.now());
  before(async () => {
    sb = await startSandbox({ seed: 5 });
  });
  after(async () => {
    await sb?.close();
  });
  const meta = () => createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, retryBaseMs: 1 });
  const range = { from: formatIsoDate(today - 3 * DAY), to: formatIsoDate(today - DAY) };

  it('a conversation query filtered on UNKNOWN direction: accepted, only UNKNOWN points, the sandbox\'s total, no warning about the value', async () => {
    const w = sb.data.wabas.meta.find((x) => x.combos.conversation.some((c) => c.dims.conversation_direction === 'UNKNOWN'))!;
    assert.ok(w, 'a Meta WABA with conversations of unknown direction');
    const run = await runQuery(
      meta(),
      { provider: 'meta', kind: 'conversation', wabaId: w.id, ...range, conversationDirections: ['UNKNOWN'], dimensions: ['CONVERSATION_DIRECTION'] },
      { resolveCurrency: false },
    );
    assert.ok(run.result.points.length > 0);
    assert.ok(run.result.points.every((p) => p.dims.conversation_direction === 'UNKNOWN'));
    const oracle = sb.data.totals({ provider: 'meta', wabaId: w.id, kind: 'conversation', startMs: today - 3 * DAY, endMs: today, filters: { conversationDirections: ['UNKNOWN'] } });
    assert.equal(run.result.points.reduce((n, p) => n + (p.metrics.conversation ?? 0), 0), oracle.conversation);
    assert.deepEqual(unknownValues(run.result.warnings), []);
  });

  it('every documented filter value is accepted by the sandbox; every value it answers is known', async () => {
    const w = sb.data.wabas.meta[0]!;
    const run = await runQuery(
      meta(),
      { provider: 'meta', kind: 'pricing', wabaId: w.id, ...range, pricingCategories: [...vocabulary.PRICING_CATEGORIES], pricingTypes: [...vocabulary.PRICING_TYPES], dimensions: ['PRICING_CATEGORY', 'PRICING_TYPE', 'TIER', 'COUNTRY'] },
      { resolveCurrency: false },
    );
    assert.ok(run.result.points.length > 0);
    for (const waba of sb.data.wabas.meta) {
      for (const input of [
        { kind: 'pricing', dimensions: ['PRICING_CATEGORY', 'PRICING_TYPE', 'TIER', 'COUNTRY', 'PHONE'] },
        ...(waba.combos.conversation.length ? [{ kind: 'conversation', dimensions: ['CONVERSATION_CATEGORY', 'CONVERSATION_TYPE', 'CONVERSATION_DIRECTION'] }] : []),
      ]) {
        const r = await runQuery(meta(), { provider: 'meta', wabaId: waba.id, ...range, ...input }, { resolveCurrency: false });
        assert.deepEqual(unknownValues(r.result.warnings), [], `${waba.name} ${input.kind}`);
      }
    }
  });
});

describe('template statuses in words', () => {
  it('labels every documented status and words an unknown one without underscores or capitals', () => {
    for (const [api, label] of Object.entries(vocabulary.TEMPLATE_STATUS_LABELS)) {
      assert.equal(vocabulary.templateStatusLabel(api), label);
      assert.equal(vocabulary.templateStatusLabel(api.toLowerCase()), label, 'Vonage may answer in lower case');
      assert.match(label, /^[A-Z][a-z]+( [a-z]+)*$/);
    }
    assert.equal(vocabulary.templateStatusLabel('SOME_NEW_STATE'), 'Some new state');
  });
});

describe('the descriptor table: labels for every value, a descriptor for every filter', () => {
  const KINDS = ['messaging', 'conversation', 'pricing', 'template'] as const;

  it('every filter key of the query model has a descriptor for its kinds, and nothing else has one', () => {
    for (const kind of KINDS) {
      const keys = query.QUERY_KEYS[kind].filter((k) => !['kind', 'provider', 'wabaId', 'from', 'to', 'granularity'].includes(k));
      assert.deepEqual(vocabulary.filterDescriptors(kind).map((f) => f.key).sort(), [...keys].sort(), kind);
    }
    for (const f of vocabulary.FILTERS) {
      assert.ok(f.label && f.label !== f.key && !/^[a-z]+[A-Z]\w*$/.test(f.label), `${f.key} has a label in words: ${f.label}`);
      assert.match(f.flag, /^--[a-z-]+$/);
    }
    assert.equal(vocabulary.filterLabel('phoneNumbers'), 'Phone numbers');
  });

  it('every known enum value has a label of its own', () => {
    const sets: Array<[string, readonly (string | number)[]]> = [
      ['pricing_category', vocabulary.PRICING_CATEGORIES],
      ['conversation_category', vocabulary.CONVERSATION_CATEGORIES],
      ['pricing_type', vocabulary.PRICING_TYPES],
      ['conversationTypes', vocabulary.CONVERSATION_TYPES],
      ['conversation_type', vocabulary.CONVERSATION_TYPE_ANSWERS],
      ['conversation_direction', vocabulary.CONVERSATION_DIRECTIONS],
      ['productTypes', vocabulary.PRODUCT_TYPES],
      ['productType', vocabulary.TEMPLATE_PRODUCT_TYPES],
      ['click_type', vocabulary.CLICK_TYPES],
      ['dimensions', [...vocabulary.PRICING_DIMENSIONS, ...vocabulary.CONVERSATION_DIMENSIONS]],
      ['metricTypes', [...vocabulary.PRICING_METRICS, ...vocabulary.CONVERSATION_METRICS, ...vocabulary.TEMPLATE_METRICS]],
    ];
    for (const [set, values] of sets) {
      for (const v of values) {
        assert.ok(vocabulary.hasValueLabel(set, v), `${set} ${v} has a label`);
        assert.notEqual(vocabulary.valueLabel(set, v), String(v), `${set} ${v} is shown in words`);
      }
    }
    for (const f of vocabulary.FILTERS) for (const v of vocabulary.filterValues(f.key)) assert.notEqual(v.label, String(v.value), `${f.key} ${v.value}`);
    for (const c of vocabulary.COST_TYPES) assert.ok(vocabulary.METRICS[c], `cost type ${c} is a measure with a name`);
  });

  it('says the values as people read them', () => {
    assert.equal(vocabulary.valueLabel('pricing_category', 'MARKETING'), 'Marketing');
    assert.equal(vocabulary.valueLabel('PRICING_CATEGORY', 'AUTHENTICATION_INTERNATIONAL'), 'Authentication (international)');
    assert.equal(vocabulary.valueLabel('pricingTypes', 'FREE_ENTRY_POINT'), 'Free entry point');
    assert.equal(vocabulary.valueLabel('conversationTypes', 'FREE_ENTRY'), 'Free entry point');
    assert.equal(vocabulary.valueLabel('productTypes', 0), 'Template messages');
    assert.equal(vocabulary.valueLabel('productTypes', '2'), 'Non-template messages');
    assert.equal(vocabulary.valueLabel('tier', '0:750000'), '0–750,000');
    assert.equal(vocabulary.valueLabel('tier', '750000:MAX'), '750,000+');
    assert.equal(vocabulary.valueLabel('tier', undefined), 'Free');
    assert.equal(vocabulary.valueLabel('click_type', 'url_button'), 'URL button');
    assert.equal(vocabulary.valueLabel('click_type', 'quick_reply_button'), 'Quick reply button');
    assert.equal(vocabulary.valueLabel('pricing_category', 'SOMETHING_NEW'), 'SOMETHING_NEW', 'an unknown value is shown as it is');
    assert.equal(vocabulary.dimensionLabel('phone_number'), 'Phone number');
    assert.equal(vocabulary.dimensionLabel('PHONE'), 'Phone number');
    assert.equal(vocabulary.metricLabel('cost', 'USD'), 'Cost (USD)');
    assert.equal(vocabulary.metricLabel('COST'), 'Cost');
    assert.equal(vocabulary.metricLabel('cost_per_delivered', 'EUR'), 'Cost per delivered message (EUR)');
    assert.equal(vocabulary.metricLabel('sent', 'USD'), 'Sent');
    assert.equal(vocabulary.csvMetricHeader('cost', 'USD'), 'cost (USD)');
    assert.equal(vocabulary.csvMetricHeader('volume', 'USD'), 'volume');
  });

  it('names each filter at each provider as the URL builders send it', () => {
    assert.equal(vocabulary.apiName('phoneNumbers', 'meta', 'pricing'), 'phone_numbers');
    assert.equal(vocabulary.apiName('phoneNumbers', 'vonage', 'messaging'), 'phone_number');
    assert.equal(vocabulary.apiName('phoneNumbers', 'vonage', 'pricing'), 'phone_numbers');
    assert.equal(vocabulary.apiName('tiers', 'vonage', 'pricing'), 'tier');
    assert.equal(vocabulary.apiName('tiers', 'meta', 'pricing'), undefined);
  });

  it('keeps the module free of imports the webview bundle cannot take', () => {
    const source = readFileSync('src/core/vocabulary.ts', 'utf8');
    assert.deepEqual(source.match(/^import (?!type ).*$/gm) ?? [], []);
  });
});
