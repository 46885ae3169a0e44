import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COST_UNAVAILABLE_WARNING, LATE_READS_WARNING, normalizeVonageBody, normalizeVonagePage } from '../../../../src/providers/vonage';
import { readFixture, thrownBy } from '../../helpers';

const LATER = Date.parse('2025-06-01T00:00:00Z');

describe('Vonage seed examples through normalizeVonageBody', () => {
  it('messaging: epoch-second strings become ISO UTC, echoed id is the WABA, next from paging.next', () => {
    const { result, next } = normalizeVonageBody(readFixture('vonage', 'messaging.json'), { kind: 'messaging' });
    assert.equal(result.provider, 'vonage');
    assert.equal(result.kind, 'messaging');
    assert.equal(result.wabaId, '345688589250625');
    assert.equal(result.granularity, 'HALF_HOUR');
    assert.equal(result.timezone, 'UTC');
    assert.equal(result.currency, undefined);
    assert.deepEqual(result.points, [
      { start: '2018-11-30T02:00:00Z', end: '2018-12-01T02:00:00Z', dims: {}, metrics: { sent: 100, delivered: 90 } },
    ]);
    assert.deepEqual(result.warnings, []);
    assert.equal(next, 'https://api.nexmo.com/v2/channel-manager/wabas/106499765517625/messaging-analytics?after=MAZDZD');
  });

  it('messaging: the context WABA id wins over the echoed one', () => {
    const { result } = normalizeVonageBody(readFixture('vonage', 'messaging.json'), { kind: 'messaging', wabaId: '999' });
    assert.equal(result.wabaId, '999');
  });

  it('template: ISO times, template_id as a dim, clicked a plain number, end = start + 1 day when equal', () => {
    const { result, next } = normalizeVonagePage(readFixture('vonage', 'template.json'), { kind: 'template', now: LATER });
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.wabaId, null);
    assert.equal(result.points.length, 1);
    const p = result.points[0]!;
    assert.equal(p.start, '2024-11-11T00:00:00Z');
    assert.equal(p.end, '2024-11-12T00:00:00Z');
    assert.deepEqual(p.dims, { template_id: '458951126288942' });
    assert.deepEqual(p.metrics, { sent: 100, delivered: 90, read: 80, clicked: 70 });
    assert.equal('clicks' in p, false);
    assert.deepEqual(result.warnings, []);
    // Only _links.self: no next page.
    assert.equal(next, undefined);
  });

  it('template: points in the last 7 days warn that reads and clicks may still grow', () => {
    const { result } = normalizeVonagePage(readFixture('vonage', 'template.json'), { kind: 'template', now: Date.parse('2024-11-14T12:00:00Z') });
    assert.deepEqual(result.warnings, [LATE_READS_WARNING]);
  });

  it('pricing: dims in snake_case, tier kept, volume only, cost unavailable warned, next from paging.next', () => {
    const { result, next } = normalizeVonageBody(readFixture('vonage', 'pricing.json'), { kind: 'pricing', wabaId: '345688589250625' });
    assert.equal(result.granularity, 'DAILY');
    assert.equal(result.wabaId, '345688589250625');
    assert.deepEqual(result.points, [
      {
        start: '2024-11-11T00:00:00Z',
        end: '2024-11-12T00:00:00Z',
        dims: { phone_number: '14155552671', country: 'US', tier: '75000:150000', pricing_type: 'REGULAR', pricing_category: 'AUTHENTICATION' },
        metrics: { volume: 100 },
      },
    ]);
    assert.deepEqual(result.warnings, [COST_UNAVAILABLE_WARNING]);
    assert.equal(next, 'https://api.nexmo.com/v1/channel-manager/whatsapp/wabas/345688589250625/pricing-analytics?before=MAZDZD');
  });
});

describe('Vonage normalization details', () => {
  const pricingPoint = (extra: Record<string, unknown> = {}) => ({ start: '2024-11-11T00:00:00Z', end: '2024-11-12T00:00:00Z', volume: 5, ...extra });

  it('keeps cost when present (no warning) and reads a body currency', () => {
    const { result } = normalizeVonageBody(
      { granularity: 'DAILY', currency: 'EUR', _embedded: { pricing_analytics: [pricingPoint({ cost: 0.25 })] } },
      { kind: 'pricing' },
    );
    assert.deepEqual(result.points[0]!.metrics, { volume: 5, cost: 0.25 });
    assert.equal(result.currency, 'EUR');
    assert.deepEqual(result.warnings, []);
  });

  it('a metric the API did not return stays absent; numeric strings are numbers; null is absent', () => {
    const { result } = normalizeVonageBody(
      { granularity: 'DAILY', _embedded: { messaging_analytics: [{ start: 1731283200, end: '1731369600', sent: '12', delivered: null }] } },
      { kind: 'messaging' },
    );
    assert.deepEqual(result.points[0], { start: '2024-11-11T00:00:00Z', end: '2024-11-12T00:00:00Z', dims: {}, metrics: { sent: 12 } });
  });

  it('unknown enum values are kept and warned about once', () => {
    const { result } = normalizeVonageBody(
      {
        granularity: 'DAILY',
        _embedded: {
          pricing_analytics: [
            pricingPoint({ pricing_category: 'BRAND_NEW', pricing_type: 'REGULAR' }),
            pricingPoint({ pricing_category: 'BRAND_NEW', start: '2024-11-12T00:00:00Z', end: '2024-11-13T00:00:00Z' }),
            pricingPoint({ pricing_category: 'MARKETING', pricing_type: 'ODD_TYPE', start: '2024-11-13T00:00:00Z', end: '2024-11-14T00:00:00Z' }),
          ],
        },
      },
      { kind: 'pricing' },
    );
    assert.deepEqual(
      result.points.map((p) => p.dims.pricing_category),
      ['BRAND_NEW', 'BRAND_NEW', 'MARKETING'],
    );
    assert.equal(result.points[2]!.dims.pricing_type, 'ODD_TYPE');
    const unknown = result.warnings.filter((w) => w.code === 'value.unknown').map((w) => w.message);
    assert.equal(unknown.length, 2);
    assert.ok(unknown.some((w) => w.includes('"BRAND_NEW"') && w.includes('pricing_category')));
    assert.ok(unknown.some((w) => w.includes('"ODD_TYPE"') && w.includes('pricing_type')));
  });

  it('an unknown granularity word is warned about and the asked one used; DAY/MONTH are understood', () => {
    const odd = normalizeVonagePage({ granularity: 'WEEKLY', _embedded: { messaging_analytics: [] } }, { kind: 'messaging', granularity: 'MONTHLY' });
    assert.equal(odd.result.granularity, 'MONTHLY');
    assert.equal(odd.result.warnings.length, 1);
    assert.equal(odd.result.warnings[0]!.code, 'answer.unknown-granularity');
    assert.match(odd.result.warnings[0]!.message, /WEEKLY/);
    const day = normalizeVonagePage({ granularity: 'DAY', _embedded: { messaging_analytics: [] } }, { kind: 'messaging' });
    assert.equal(day.result.granularity, 'DAILY');
    assert.deepEqual(day.result.warnings, []);
  });

  it('a missing end becomes the end of the bucket (HALF_HOUR)', () => {
    const { result } = normalizeVonageBody(
      { granularity: 'HALF_HOUR', _embedded: { messaging_analytics: [{ start: '2024-11-11T10:30:00Z', sent: 1 }] } },
      { kind: 'messaging' },
    );
    assert.equal(result.points[0]!.end, '2024-11-11T11:00:00Z');
  });

  it('next from _links.next.href', () => {
    const { next } = normalizeVonageBody(
      { granularity: 'DAILY', _embedded: { template_analytics: [] }, _links: { self: { href: 'http://a/x' }, next: { href: 'http://a/x?cursor=2' } } },
      { kind: 'template' },
    );
    assert.equal(next, 'http://a/x?cursor=2');
  });

  it('an empty page without _embedded is zero points, not an error', () => {
    const { result, next } = normalizeVonageBody({ granularity: 'DAILY', _links: { self: { href: 'http://a/x' } } }, { kind: 'pricing' });
    assert.deepEqual(result.points, []);
    assert.deepEqual(result.warnings, []);
    assert.equal(next, undefined);
  });
});

describe('Vonage shape errors name the path', () => {
  it('a point without start', () => {
    const points = [0, 1, 2, 3].map((i) => ({ start: `2024-11-1${i}T00:00:00Z`, volume: 1 }));
    const e = thrownBy(() =>
      normalizeVonageBody({ granularity: 'DAILY', _embedded: { pricing_analytics: [...points, { end: '2024-11-15T00:00:00Z', volume: 3 }] } }, { kind: 'pricing' }),
    );
    assert.equal(e.kind, 'response');
    assert.equal(e.provider, 'vonage');
    assert.equal(e.path, '_embedded.pricing_analytics[4].start');
    assert.match(e.message, /_embedded\.pricing_analytics\[4\]\.start/);
  });

  it('a start that is not a time', () => {
    const e = thrownBy(() => normalizeVonageBody({ _embedded: { messaging_analytics: [{ start: 'yesterday', sent: 1 }] } }, { kind: 'messaging' }));
    assert.equal(e.path, '_embedded.messaging_analytics[0].start');
  });

  it('a template point without template_id', () => {
    const e = thrownBy(() =>
      normalizeVonageBody({ _embedded: { template_analytics: [{ start: '2024-11-11T00:00:00Z', sent: 1 }] } }, { kind: 'template' }),
    );
    assert.equal(e.path, '_embedded.template_analytics[0].template_id');
  });

  it('a metric that is not a number', () => {
    const e = thrownBy(() =>
      normalizeVonageBody({ _embedded: { template_analytics: [{ template_id: '1', start: '2024-11-11T00:00:00Z', clicked: [{ type: 'url_button', count: 1 }] }] } }, { kind: 'template' }),
    );
    assert.equal(e.path, '_embedded.template_analytics[0].clicked');
  });

  it('a body of another shape, and a body that is no object', () => {
    assert.equal(thrownBy(() => normalizeVonageBody({ data: [] }, { kind: 'pricing' })).path, '_embedded');
    assert.equal(thrownBy(() => normalizeVonageBody({ _embedded: { messaging_analytics: [] } }, { kind: 'pricing' })).path, '_embedded.pricing_analytics');
    assert.equal(thrownBy(() => normalizeVonageBody([1, 2], { kind: 'pricing' })).path, '(body)');
  });

  it('conversation is refused as an input error', () => {
    const e = thrownBy(() => normalizeVonageBody({}, { kind: 'conversation' }));
    assert.equal(e.kind, 'input');
    assert.match(e.message, /pricing analytics/);
  });
});
