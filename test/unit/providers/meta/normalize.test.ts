import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WabaError } from '../../../../src/core/errors';
import { normalizeMetaBody, normalizeMetaBodyWith } from '../../../../src/providers/meta';
import {
  CONVERSATION_LEGACY_WARNING,
  ENGAGEMENT_WARNING,
  FREE_ENTRY_NOTE,
  PARTNER_COST_WARNING,
  inferGranularity,
} from '../../../../src/providers/meta/normalize';
import { InsightsAnswerSchema, SuccessSchema } from '../../../../src/providers/meta/schemas';

function fixtureDir(): string {
  for (const dir of [path.resolve(__dirname, '../../../../../test/fixtures/meta'), path.resolve(process.cwd(), 'test/fixtures/meta')]) {
    if (existsSync(dir)) return dir;
  }
  throw new Error('test/fixtures/meta not found');
}
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtureDir(), name), 'utf8'));

function shapeError(fn: () => unknown): WabaError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WabaError, `expected a WabaError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a shape error');
}

describe('meta normalize: the seed examples', () => {
  it('analytics (messaging), granularity DAY', () => {
    const { result, next } = normalizeMetaBody(fixture('messaging-analytics-day.json'), { kind: 'messaging' });
    assert.equal(next, undefined);
    assert.equal(result.provider, 'meta');
    assert.equal(result.kind, 'messaging');
    assert.equal(result.wabaId, '102290129340398');
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.timezone, 'UTC');
    assert.equal(result.currency, undefined);
    assert.equal(result.points.length, 4);
    assert.deepEqual(result.points[0], {
      start: '2018-11-30T02:00:00Z',
      end: '2018-12-01T02:00:00Z',
      dims: {},
      metrics: { sent: 196093, delivered: 179715 },
    });
    assert.equal(result.points[3]!.end, '2018-12-04T02:00:00Z');
    assert.deepEqual(result.points[3]!.metrics, { sent: 132465, delivered: 124392 });
    assert.deepEqual(result.warnings, []);
  });

  it('conversation_analytics, MONTHLY, every dimension', () => {
    const { result } = normalizeMetaBody(fixture('conversation-monthly-all-dimensions.json'), { kind: 'conversation' });
    assert.equal(result.wabaId, '102290129340398');
    assert.equal(result.granularity, 'MONTHLY');
    assert.equal(result.points.length, 9);
    assert.deepEqual(result.points[0], {
      start: '2023-06-01T07:00:00Z',
      end: '2023-07-01T07:00:00Z',
      dims: {
        phone_number: '15550458206',
        country: 'US',
        conversation_type: 'REGULAR',
        conversation_direction: 'UNKNOWN',
        conversation_category: 'AUTHENTICATION',
      },
      metrics: { conversation: 1558, cost: 15.58 },
    });
    // The second point has no direction: absent, not invented.
    assert.equal('conversation_direction' in result.points[1]!.dims, false);
    assert.deepEqual(result.points[8]!.dims.conversation_type, 'FREE_ENTRY_POINT');
    assert.equal(result.points[8]!.metrics.cost, 14.33);
    assert.equal(result.points[6]!.metrics.cost, 21.8);
    // UNKNOWN is a documented direction (src/core/vocabulary.ts): a known value, no warning.
    assert.ok(!result.warnings.some((w) => w.code === 'value.unknown'), JSON.stringify(result.warnings));
    assert.ok(result.warnings.some((w) => w.code === FREE_ENTRY_NOTE.code));
    assert.ok(!result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    const total = result.points.reduce((n, p) => n + (p.metrics.conversation ?? 0), 0);
    assert.equal(total, 1558 + 2636 + 2238 + 1782 + 1568 + 2716 + 2180 + 1465 + 1433);
  });

  it('conversation_analytics, HALF_HOUR, one phone', () => {
    const { result } = normalizeMetaBody(fixture('conversation-half-hour-phone.json'), { kind: 'conversation' });
    assert.equal(result.granularity, 'HALF_HOUR');
    assert.equal(result.points.length, 2);
    assert.equal(result.points[1]!.start, '2023-06-01T07:00:00Z');
    assert.equal(result.points[1]!.end, '2023-06-01T07:30:00Z');
    assert.equal(result.points[1]!.dims.phone_number, '19195552584');
    assert.equal(result.points[1]!.dims.conversation_category, 'MARKETING');
    assert.deepEqual(result.points[0]!.metrics, { conversation: 4, cost: 0.0232 });
    assert.ok(!result.warnings.some((w) => w.code === 'value.unknown'), 'UNKNOWN is a documented direction');
  });

  it('conversation, the legacy shape without the outer field (FREE_ENTRY_POINT)', () => {
    const { result } = normalizeMetaBody(fixture('conversation-legacy-conversation-type.json'), { kind: 'conversation' });
    assert.equal(result.wabaId, null);
    assert.equal(result.granularity, 'MONTHLY');
    assert.equal(result.points.length, 3);
    assert.deepEqual(
      result.points.map((p) => [p.start, p.end, p.dims.conversation_type, p.metrics.conversation, p.metrics.cost]),
      [
        ['2022-02-01T08:00:00Z', '2022-03-01T08:00:00Z', 'REGULAR', 8500, 88.101],
        ['2022-02-01T08:00:00Z', '2022-03-01T08:00:00Z', 'FREE_TIER', 1000, 0],
        ['2022-02-01T08:00:00Z', '2022-03-01T08:00:00Z', 'FREE_ENTRY_POINT', 250, 0],
      ],
    );
    assert.ok(result.warnings.some((w) => w.code === FREE_ENTRY_NOTE.code));
    assert.ok(!result.warnings.some((w) => w.code === CONVERSATION_LEGACY_WARNING.code));
  });

  it('conversation, categories only and categories with types (points kept in API order)', () => {
    const a = normalizeMetaBody(fixture('conversation-categories.json'), { kind: 'conversation' }).result;
    assert.equal(a.granularity, 'HALF_HOUR');
    assert.deepEqual(
      a.points.map((p) => [p.start, p.end, p.dims, p.metrics]),
      [
        ['2023-05-31T10:30:00Z', '2023-05-31T11:00:00Z', { conversation_category: 'AUTHENTICATION' }, { conversation: 2, cost: 0.0128 }],
        ['2023-05-31T10:00:00Z', '2023-05-31T10:30:00Z', { conversation_category: 'MARKETING' }, { conversation: 3, cost: 0.0432 }],
      ],
    );
    assert.deepEqual(a.warnings, []);
    const b = normalizeMetaBody(fixture('conversation-categories-types.json'), { kind: 'conversation' }).result;
    assert.equal(b.points.length, 2);
    assert.deepEqual(b.points[0]!.dims, { conversation_type: 'REGULAR', conversation_category: 'MARKETING' });
    assert.deepEqual(b.points[1]!.dims, { conversation_type: 'REGULAR', conversation_category: 'AUTHENTICATION' });
  });

  it('template_analytics edge: clicked -> clicks + clicked, cost -> three metrics', () => {
    const { result, next } = normalizeMetaBody(fixture('template-analytics-daily.json'), { kind: 'template', wabaId: '109259195336416' });
    assert.equal(next, undefined, 'cursors without next: no next page');
    assert.equal(result.kind, 'template');
    assert.equal(result.wabaId, '109259195336416');
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.points.length, 2);
    const [p1, p2] = result.points;
    assert.deepEqual(p1, {
      start: '2024-06-11T00:00:00Z',
      end: '2024-06-12T00:00:00Z',
      dims: { template_id: '1421988012088524' },
      metrics: { sent: 1, delivered: 1, read: 1, amount_spent: 0.01, cost_per_delivered: 0.01 },
    });
    assert.equal('clicked' in result.points[0]!.metrics, false, 'no clicked array: no clicked metric');
    assert.equal(result.points[0]!.clicks, undefined);
    assert.equal(p2!.dims.template_id, '2632273056924580');
    assert.deepEqual(p2!.clicks, [
      { type: 'quick_reply_button', button_content: 'Contact Support', count: 108 },
      { type: 'unique_url_button', button_content: 'Tell me more', count: 16 },
    ]);
    // unique_url_button counts people, not clicks: not added to the total.
    assert.equal(p2!.metrics.clicked, 108);
    assert.equal(p2!.metrics.amount_spent, 0.03);
    assert.equal(p2!.metrics.cost_per_delivered, 0.03);
    assert.equal(p2!.metrics.cost_per_url_button_click, 0.03);
    assert.ok(!result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(!result.warnings.some((w) => w.code === ENGAGEMENT_WARNING.code), 'a 2024 range is long settled');
  });

  it('insights and click-tracking answers', () => {
    const insights = InsightsAnswerSchema.parse(fixture('insights-enable-answer.json'));
    assert.equal(insights.id, '102290129340398');
    assert.equal(InsightsAnswerSchema.parse({ id: '42' }).id, '42');
    assert.equal(SuccessSchema.parse(fixture('click-tracking-answer.json')).success, true);
  });

  it('pricing_analytics (constructed after docs/dialects.md): tiers, strings as numbers, MARKETING_LITE known', () => {
    const { result } = normalizeMetaBody(fixture('pricing-analytics-constructed.json'), { kind: 'pricing' });
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.points.length, 3);
    assert.deepEqual(result.points[0], {
      start: '2024-09-11T00:00:00Z',
      end: '2024-09-12T00:00:00Z',
      dims: { phone_number: '15550783881', country: 'US', tier: '0:750000', pricing_category: 'MARKETING', pricing_type: 'REGULAR' },
      metrics: { volume: 1200, cost: 30.12 },
    });
    assert.equal('tier' in result.points[1]!.dims, false, 'free messages have no tier');
    assert.deepEqual(result.points[1]!.metrics, { volume: 85, cost: 0 });
    assert.equal(result.points[2]!.dims.tier, '0:MAX');
    assert.equal(result.points[2]!.dims.pricing_category, 'MARKETING_LITE');
    assert.deepEqual(result.warnings, [], 'MARKETING_LITE is a documented category');
  });
});

describe('meta normalize: shapes and leniency', () => {
  const point = (extra: Record<string, unknown> = {}) => ({ start: 1726012800, end: 1726099200, volume: 1, cost: 1, ...extra });

  it('a pricing point without start is a shape error naming the path', () => {
    const body = { pricing_analytics: { data: [{ data_points: [point(), point(), point(), { end: 1726099200, volume: 3 }] }] } };
    const e = shapeError(() => normalizeMetaBody(body, { kind: 'pricing' }));
    assert.equal(e.kind, 'response');
    assert.equal(e.path, 'pricing_analytics.data[0].data_points[3].start');
    assert.match(e.message, /pricing_analytics\.data\[0\]\.data_points\[3\]\.start/);
    assert.match(e.message, /missing/);
  });

  it('an end that is not a time is a shape error naming the path', () => {
    const body = { analytics: { granularity: 'DAY', data_points: [{ start: 1543543200, end: 'yesterday', sent: 1 }] } };
    const e = shapeError(() => normalizeMetaBody(body, { kind: 'messaging' }));
    assert.equal(e.path, 'analytics.data_points[0].end');
  });

  it('a template point without template_id, and a click without count, are shape errors', () => {
    const e = shapeError(() => normalizeMetaBody({ data: [{ data_points: [{ start: 1, end: 2 }] }] }, { kind: 'template' }));
    assert.equal(e.path, 'data[0].data_points[0].template_id');
    const e2 = shapeError(() =>
      normalizeMetaBody({ data: [{ data_points: [{ template_id: '1', start: 1718064000, end: 1718150400, clicked: [{ type: 'url_button' }] }] }] }, { kind: 'template' }),
    );
    assert.equal(e2.path, 'data[0].data_points[0].clicked');
  });

  it('a body that is not an object is a shape error at (body)', () => {
    const e = shapeError(() => normalizeMetaBody('<html>', { kind: 'messaging' }));
    assert.equal(e.path, '(body)');
    assert.match(e.message, /^Meta analytics answered a body that does not fit/);
  });

  it('a Graph error body is reported as what Meta said', () => {
    const e = shapeError(() =>
      normalizeMetaBody({ error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190, fbtrace_id: 'Ax1' } }, { kind: 'pricing' }),
    );
    assert.equal(e.kind, 'api');
    assert.equal(e.graphCode, 190);
    assert.equal(e.traceId, 'Ax1');
    assert.match(e.message, /^Meta pricing_analytics failed \(code 190\): Invalid OAuth access token/);
    assert.match(e.message, /replace it/);
  });

  it('a metric that is a non-numeric string is a shape error', () => {
    const e = shapeError(() => normalizeMetaBody({ pricing_analytics: { data: [{ data_points: [point({ cost: 'n/a' })] }] } }, { kind: 'pricing' }));
    assert.equal(e.path, 'pricing_analytics.data[0].data_points[0].cost');
  });

  it('tolerates missing optional fields, nulls and extra fields; absent metrics stay absent', () => {
    const body = {
      id: 123,
      extra: { anything: true },
      pricing_analytics: { data: [{ data_points: [{ start: '1726012800', end: '2024-09-12T00:00:00Z', volume: 5, country: null, tier: null }] }, {}] },
    };
    const { result } = normalizeMetaBody(body, { kind: 'pricing' });
    assert.equal(result.wabaId, '123');
    assert.deepEqual(result.points, [{ start: '2024-09-11T00:00:00Z', end: '2024-09-12T00:00:00Z', dims: {}, metrics: { volume: 5 } }]);
    assert.equal('cost' in result.points[0]!.metrics, false);
    const empty = normalizeMetaBody({ analytics: { granularity: 'MONTH' }, id: '1' }, { kind: 'messaging' }).result;
    assert.equal(empty.granularity, 'MONTHLY');
    assert.deepEqual(empty.points, []);
  });

  it('unknown enum values are kept and warned once', () => {
    const body = {
      conversation_analytics: {
        data: [
          {
            data_points: [
              { start: 1, end: 1801, conversation: 1, conversation_category: 'CATEGORY_FROM_2030', conversation_direction: 'BUSINESS_INITIATED' },
              { start: 1801, end: 3601, conversation: 2, conversation_category: 'CATEGORY_FROM_2030' },
            ],
          },
        ],
      },
    };
    const { result } = normalizeMetaBody(body, { kind: 'conversation' });
    assert.deepEqual(
      result.points.map((p) => p.dims.conversation_category),
      ['CATEGORY_FROM_2030', 'CATEGORY_FROM_2030'],
    );
    // REFERRAL_CONVERSION is documented (src/core/vocabulary.ts); a value no list holds is kept and warned once.
    assert.equal(result.warnings.filter((w) => w.code === 'value.unknown' && w.message.includes('CATEGORY_FROM_2030')).length, 1);
    const t = normalizeMetaBody(
      {
        data: [
          {
            granularity: 'daily',
            data_points: [
              {
                template_id: 7,
                start: 1718064000,
                end: 1718150400,
                clicked: [{ type: 'copy_code_button', button_content: 'Copy', count: '3' }, { type: 'url_button', button_content: 'Go', count: 2 }],
                cost: [{ type: 'cost_per_read', value: '0.5' }],
              },
            ],
          },
        ],
      },
      { kind: 'template' },
    ).result;
    assert.equal(t.granularity, 'DAILY');
    assert.equal(t.points[0]!.dims.template_id, '7');
    assert.equal(t.points[0]!.metrics.clicked, 5);
    assert.equal(t.points[0]!.metrics.cost_per_read, 0.5);
    assert.ok(t.warnings.some((w) => w.code === 'value.unknown' && w.message.includes('"copy_code_button"')), JSON.stringify(t.warnings));
    assert.ok(t.warnings.some((w) => w.code === 'value.unknown' && w.message.includes('"cost_per_read"')), JSON.stringify(t.warnings));
  });

  it('only unique clicks: reported in clicks, no clicked total; an empty clicked array is 0 clicks', () => {
    const mk = (clicked: unknown) =>
      normalizeMetaBody({ data: [{ data_points: [{ template_id: '1', start: 1718064000, end: 1718150400, sent: 2, clicked }] }] }, { kind: 'template' }).result
        .points[0]!;
    const onlyUnique = mk([{ type: 'unique_url_button', button_content: 'Shop', count: 4 }]);
    assert.deepEqual(onlyUnique.clicks, [{ type: 'unique_url_button', button_content: 'Shop', count: 4 }]);
    assert.equal('clicked' in onlyUnique.metrics, false);
    const none = mk([]);
    assert.equal(none.metrics.clicked, 0);
    assert.deepEqual(none.clicks, []);
    const both = mk([
      { type: 'url_button', button_content: 'Shop', count: 10 },
      { type: 'unique_url_button', button_content: 'Shop', count: 4 },
    ]);
    assert.equal(both.metrics.clicked, 10);
  });

  it('paging.next is returned, field-level and top-level', () => {
    const field = normalizeMetaBody(
      { pricing_analytics: { data: [], paging: { cursors: { after: 'A' }, next: 'https://graph.facebook.com/v25.0/1?after=A' } } },
      { kind: 'pricing' },
    );
    assert.equal(field.next, 'https://graph.facebook.com/v25.0/1?after=A');
    const top = normalizeMetaBody({ data: [], paging: { cursors: { before: 'B', after: 'C' }, next: 'https://graph.facebook.com/v25.0/1/template_analytics?after=C' } }, { kind: 'template' });
    assert.equal(top.next, 'https://graph.facebook.com/v25.0/1/template_analytics?after=C');
    const messaging = normalizeMetaBody({ analytics: { data_points: [], paging: { next: 'https://x/1' } } }, { kind: 'messaging' });
    assert.equal(messaging.next, 'https://x/1');
  });
});

describe('meta normalize: warnings', () => {
  const pricing = (withCost: boolean) => ({
    pricing_analytics: { data: [{ data_points: [{ start: 1726012800, end: 1726099200, volume: 10, ...(withCost ? { cost: 0.5 } : {}) }] }] },
  });

  it('partner-billed: COST implied (no metric types) or asked, but absent', () => {
    assert.ok(normalizeMetaBody(pricing(false), { kind: 'pricing' }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(normalizeMetaBodyWith(pricing(false), { kind: 'pricing', metricTypes: ['COST', 'VOLUME'] }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(!normalizeMetaBodyWith(pricing(false), { kind: 'pricing', metricTypes: ['VOLUME'] }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(!normalizeMetaBody(pricing(true), { kind: 'pricing' }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(!normalizeMetaBody({ pricing_analytics: { data: [] } }, { kind: 'pricing' }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code), 'nothing sent: no claim');
    const conv = { conversation_analytics: { data: [{ data_points: [{ start: 1, end: 1801, conversation: 3 }] }] } };
    assert.ok(normalizeMetaBody(conv, { kind: 'conversation' }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    const tpl = { data: [{ data_points: [{ template_id: '1', start: 1718064000, end: 1718150400, sent: 3, delivered: 3 }] }] };
    assert.ok(normalizeMetaBody(tpl, { kind: 'template' }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
    assert.ok(!normalizeMetaBodyWith(tpl, { kind: 'template', metricTypes: ['SENT'] }).result.warnings.some((w) => w.code === PARTNER_COST_WARNING.code));
  });

  it('conversation_analytics absent: the legacy note', () => {
    const { result } = normalizeMetaBody({ id: '102290129340398' }, { kind: 'conversation' });
    assert.deepEqual(result.points, []);
    assert.ok(result.warnings.some((w) => w.code === CONVERSATION_LEGACY_WARNING.code));
    assert.match(CONVERSATION_LEGACY_WARNING.message, /use pricing analytics/);
  });

  it('template ranges touching the last 7 days: reads and clicks still counting', () => {
    const now = Date.UTC(2026, 2, 10, 12);
    const start = Math.floor(Date.UTC(2026, 2, 8) / 1000);
    const body = { data: [{ data_points: [{ template_id: '1', start, end: start + 86400, sent: 1, read: 1 }] }] };
    assert.ok(normalizeMetaBodyWith(body, { kind: 'template', now }).result.warnings.some((w) => w.code === ENGAGEMENT_WARNING.code));
    assert.ok(!normalizeMetaBodyWith(body, { kind: 'template', now: now + 30 * 86400_000 }).result.warnings.some((w) => w.code === ENGAGEMENT_WARNING.code));
    assert.ok(normalizeMetaBodyWith({ data: [] }, { kind: 'template', now, rangeEndMs: now }).result.warnings.some((w) => w.code === ENGAGEMENT_WARNING.code));
  });

  it('waba_timezone becomes the result timezone; a given granularity wins over inference', () => {
    const body = { data: [{ granularity: 'DAILY', waba_timezone: 'America/Los_Angeles', data_points: [] }] };
    assert.equal(normalizeMetaBody(body, { kind: 'template' }).result.timezone, 'America/Los_Angeles');
    const pts = { pricing_analytics: { data: [{ data_points: [{ start: 0, end: 1800, volume: 1, cost: 1 }] }] } };
    assert.equal(normalizeMetaBody(pts, { kind: 'pricing' }).result.granularity, 'HALF_HOUR');
    assert.equal(normalizeMetaBodyWith(pts, { kind: 'pricing', granularity: 'MONTHLY' }).result.granularity, 'MONTHLY');
    assert.equal(inferGranularity([]), undefined);
  });
});
