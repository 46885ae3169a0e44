// A Vonage RFC 7807 problem report given to `normalize` is reported as the provider error it is
// (title, detail, type; kind 'api'), as Meta's error envelope is; never a shape error, never data.
// The bodies are Vonage's own documented examples (test/fixtures/SOURCES.md).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HINT_UNAUTHORIZED, normalizeVonageBody } from '../../../../src/providers/vonage';
import { captureCli, fixturePath, readFixture, thrownBy } from '../../helpers';


describe('Vonage problem reports given to normalize', () => {
  it('Vonage\'s documented 401 report: an api error with its title, detail and type, for every kind', () => {
    for (const kind of ['messaging', 'template', 'pricing'] as const) {
      const e = thrownBy(() => normalizeVonageBody(readFixture('vonage', 'problem-unauthorized.json'), { kind }));
      assert.equal(e.kind, 'api', kind);
      assert.equal(e.provider, 'vonage');
      assert.equal(e.problemTitle, 'Invalid credentials supplied');
      assert.equal(e.problemType, 'https://developer.vonage.com/api-errors#unauthorized');
      assert.equal(e.traceId, '797a8f199c45014ab7b08bfe9cc1c12c');
      assert.match(e.message, /^Vonage \S+ failed \(Invalid credentials supplied; type https:\/\/developer\.vonage\.com\/api-errors#unauthorized\): You did not provide correct credentials\./);
      assert.ok(!e.message.includes('\n'), 'one line');
    }
  });

  it('Vonage\'s documented out-of-credit report (another type) is reported the same way', () => {
    const e = thrownBy(() => normalizeVonageBody(readFixture('vonage', 'problem-out-of-credit.json'), { kind: 'pricing', endpoint: 'pricing-analytics' }));
    assert.equal(e.kind, 'api');
    assert.equal(e.endpoint, 'pricing-analytics');
    assert.equal(e.problemType, 'https://example.com/Error#out-of-credit');
    assert.match(e.message, /Vonage pricing-analytics failed \(You do not have enough credit; type https:\/\/example\.com\/Error#out-of-credit\): Your current balance is 30, but that costs 50\./);
  });

  it('a report with an RFC 7807 status keeps it, and its hint follows the status; invalid_parameters are listed', () => {
    const unauthorized = thrownBy(() =>
      normalizeVonageBody({ ...(readFixture('vonage', 'problem-unauthorized.json') as object), status: 401 }, { kind: 'messaging', endpoint: 'messaging-analytics' }),
    );
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.message, /failed \(HTTP 401 Invalid credentials supplied; type /);
    assert.ok(unauthorized.message.includes(HINT_UNAUTHORIZED));
    const invalid = thrownBy(() =>
      normalizeVonageBody(
        { type: 'https://developer.vonage.com/api-errors#invalid-param', title: 'Invalid parameters', detail: 'The request failed due to validation errors', invalid_parameters: [{ name: 'start', reason: 'must be within the last 90 days' }] },
        { kind: 'template' },
      ),
    );
    assert.equal(invalid.kind, 'api');
    assert.match(invalid.message, /Invalid parameters: start: must be within the last 90 days\./);
  });

  it('a page of data is not taken for a report, and a body that is neither is a shape error', () => {
    const page = normalizeVonageBody({ title: 'not a problem', _embedded: { pricing_analytics: [{ start: '2024-11-11T00:00:00Z', volume: 1 }] } }, { kind: 'pricing' });
    assert.equal(page.result.points.length, 1);
    const neither = thrownBy(() => normalizeVonageBody({ title: 'only a title' }, { kind: 'pricing' }));
    assert.equal(neither.kind, 'response');
  });
});

describe('waba-analytics normalize --provider vonage with a problem report', () => {
  it('exits 1 with one line naming Vonage, the title and the detail; nothing on stdout', async () => {
    const r = await captureCli(['normalize', '--provider', 'vonage', '--kind', 'template', fixturePath('vonage', 'problem-unauthorized.json')], {});
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /Vonage/);
    assert.match(lines[0]!, /Invalid credentials supplied/);
    assert.match(lines[0]!, /You did not provide correct credentials\./);
  });

  it('the out-of-credit report: exit 1, its title and detail', async () => {
    const r = await captureCli(['normalize', '--provider', 'vonage', '--kind', 'pricing', fixturePath('vonage', 'problem-out-of-credit.json')], {});
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /Vonage .*You do not have enough credit.*Your current balance is 30, but that costs 50\./);
  });
});
