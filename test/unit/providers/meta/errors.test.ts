import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpResponse } from '../../../../src/core/http';
import { classifyMetaResponse, metaErrorFromResponse, usageWaitMs } from '../../../../src/providers/meta';
import { CONVERSATION_UNAVAILABLE, PERMISSION_HINT, RATE_HINT, TOKEN_HINT, isConversationUnavailable } from '../../../../src/providers/meta/errors';

function res(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, text: typeof body === 'string' ? body : JSON.stringify(body), url: 'https://graph.facebook.com/v25.0/1', durationMs: 1 };
}
const graph = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `Something (#${code})`, type: 'OAuthException', code, fbtrace_id: 'AbCdEf123', ...extra },
});

describe('meta errors: mapping', () => {
  it('190: replace the token; carries status, code, trace id', () => {
    const e = metaErrorFromResponse(res(401, graph(190, { message: 'Invalid OAuth access token - Cannot parse access token' })), 'pricing_analytics');
    assert.equal(e.kind, 'api');
    assert.equal(e.provider, 'meta');
    assert.equal(e.status, 401);
    assert.equal(e.graphCode, 190);
    assert.equal(e.traceId, 'AbCdEf123');
    assert.equal(e.endpoint, 'pricing_analytics');
    assert.equal(e.hint, TOKEN_HINT);
    assert.match(e.message, /Invalid OAuth access token/);
    assert.match(e.message, /replace it in the connection settings/);
  });

  it('10 and 200-299: permission, naming whatsapp_business_management', () => {
    for (const code of [10, 200, 294, 299]) {
      const e = metaErrorFromResponse(res(403, graph(code)), 'analytics');
      assert.equal(e.hint, PERMISSION_HINT, `code ${code}`);
      assert.match(e.message, /whatsapp_business_management/);
    }
  });

  it('insights not enabled (200 / 2388096): enable insights first', () => {
    const e = metaErrorFromResponse(res(400, graph(200, { error_subcode: 2388096, message: 'Template analytics are not enabled for this WhatsApp Business Account' })), 'template_analytics');
    assert.equal(e.graphSubcode, 2388096);
    assert.match(e.message, /Enable insights/);
  });

  it('100: bad parameter, with Meta message, user title and message', () => {
    const e = metaErrorFromResponse(
      res(400, graph(100, { message: 'Invalid parameter', error_subcode: 4182001, error_user_title: 'Invalid end', error_user_msg: 'End time must be within the query period of the last 90 days' })),
      'template_analytics',
    );
    assert.equal(e.graphCode, 100);
    assert.equal(e.graphSubcode, 4182001);
    assert.equal(e.problemTitle, 'Invalid end');
    assert.match(e.message, /Invalid parameter/);
    assert.match(e.message, /End time must be within the query period of the last 90 days/);
    assert.match(e.message, /90 days/);
    const plain = metaErrorFromResponse(res(400, graph(100, { message: 'Param dimensions[0] must be one of {...}' })), 'pricing_analytics');
    assert.match(plain.message, /Param dimensions\[0\] must be one of/);
    assert.match(plain.message, /A parameter was refused/);
    const unknownId = metaErrorFromResponse(res(400, graph(100, { error_subcode: 33, message: "Unsupported get request. Object with ID '1' does not exist" })), 'analytics');
    assert.match(unknownId.message, /does not exist/);
    assert.match(unknownId.hint!, /Check the id/);
  });

  it('368: temporarily blocked', () => {
    const e = metaErrorFromResponse(res(400, graph(368)), 'analytics');
    assert.match(e.message, /temporarily blocked/);
  });

  it('throttling codes: rate limited, with the usage-header wait', () => {
    for (const code of [4, 17, 80007, 80008, 613]) {
      const e = metaErrorFromResponse(res(400, graph(code)), 'analytics');
      assert.equal(e.hint, RATE_HINT, `code ${code}`);
    }
    const usage = JSON.stringify({ '123': [{ type: 'whatsapp', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 3 }] });
    const e = metaErrorFromResponse(res(429, graph(80007), { 'x-business-use-case-usage': usage }), 'analytics');
    assert.equal(e.retryAfterSeconds, 180);
  });

  it('a non-JSON error body still gives a clear error with the status', () => {
    const html = metaErrorFromResponse(res(502, '<html><body>Bad Gateway</body></html>'), 'analytics');
    assert.equal(html.kind, 'api');
    assert.equal(html.status, 502);
    assert.match(html.message, /HTTP 502/);
    assert.match(html.message, /HTML page/);
    assert.match(html.message, /try again/i);
    const empty = metaErrorFromResponse(res(401, ''), 'debug_token');
    assert.match(empty.message, /HTTP 401 \(an empty body\)/);
    assert.equal(empty.hint, TOKEN_HINT);
    const other = metaErrorFromResponse(res(404, { nope: true }), 'analytics');
    assert.match(other.message, /HTTP 404/);
    assert.match(other.message, /Graph API version/);
  });

  it('a token echoed in an error message is redacted', () => {
    // Shaped like a Graph token (made up, assembled so that no token-looking literal sits in the source).
    const token = ['EAA', 'Sentinel', 'NotARealToken', '0123456789'].join('');
    const e = metaErrorFromResponse(res(400, graph(190, { message: `Bad token ${token} for access_token=${token}` })), 'analytics');
    assert.ok(!e.message.includes(token));
    assert.ok(!JSON.stringify(e.toJSON()).includes(token));
  });
});

describe('meta errors: retry decisions', () => {
  it('retries codes 1, 2, 4, 17, 80007, 80008, 613', () => {
    for (const code of [1, 2, 4, 17, 80007, 80008, 613]) {
      assert.equal(classifyMetaResponse(res(400, graph(code))).retry, true, `code ${code}`);
    }
  });

  it('retries HTTP 429 and 5xx without a Graph code, and non-JSON 5xx', () => {
    assert.equal(classifyMetaResponse(res(429, { error: { message: 'slow down' } })).retry, true);
    assert.equal(classifyMetaResponse(res(500, { error: { message: 'oops' } })).retry, true);
    assert.equal(classifyMetaResponse(res(503, '<html>down</html>')).retry, true);
    assert.equal(classifyMetaResponse(res(400, '<html>bad</html>')).retry, false);
  });

  it('never retries 100, 190, 10, 200-299, 368 (whatever the status)', () => {
    for (const code of [100, 190, 10, 200, 250, 299, 368]) {
      assert.equal(classifyMetaResponse(res(400, graph(code))).retry, false, `code ${code}`);
      assert.equal(classifyMetaResponse(res(500, graph(code))).retry, false, `code ${code} on 500`);
    }
  });

  it('waitMs from X-Business-Use-Case-Usage: the largest estimated_time_to_regain_access, in minutes', () => {
    const header = JSON.stringify({
      '111': [
        { type: 'whatsapp', call_count: 80, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 0 },
        { type: 'whatsapp', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 2 },
      ],
      '222': [{ type: 'whatsapp', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: '5' }],
    });
    assert.equal(usageWaitMs({ 'x-business-use-case-usage': header }), 5 * 60_000);
    const d = classifyMetaResponse(res(400, graph(80007), { 'x-business-use-case-usage': header }));
    assert.deepEqual(d, { retry: true, waitMs: 300_000 });
    assert.equal(usageWaitMs({ 'x-business-use-case-usage': JSON.stringify({ '1': [{ call_count: 5, estimated_time_to_regain_access: 0 }] }) }), undefined);
    assert.equal(usageWaitMs({ 'x-business-use-case-usage': 'not json' }), undefined);
    assert.equal(usageWaitMs({}), undefined);
    assert.deepEqual(classifyMetaResponse(res(400, graph(4))), { retry: true });
  });
});

describe('meta errors: conversation analytics on per-message accounts', () => {
  it('bad-parameter style errors on the field become the plain note; token and unknown id do not', () => {
    const field = metaErrorFromResponse(res(400, graph(100, { message: 'Tried accessing nonexisting field (conversation_analytics)' })), 'conversation_analytics');
    assert.equal(isConversationUnavailable(field), true);
    assert.equal(isConversationUnavailable(metaErrorFromResponse(res(401, graph(190)), 'conversation_analytics')), false);
    assert.equal(isConversationUnavailable(metaErrorFromResponse(res(400, graph(100, { error_subcode: 33 })), 'conversation_analytics')), false);
    assert.equal(isConversationUnavailable(metaErrorFromResponse(res(400, graph(80007)), 'conversation_analytics')), false);
    const badFilter = metaErrorFromResponse(res(400, graph(100, { message: '(#100) Param phone_numbers[0] "1" is not a phone number of this WhatsApp Business Account' })), 'conversation_analytics');
    assert.equal(isConversationUnavailable(badFilter), false, 'a refused filter stays what it is');
    assert.equal(isConversationUnavailable(metaErrorFromResponse(res(400, graph(12, { message: 'conversation_analytics is deprecated' })), 'conversation_analytics')), true);
    assert.match(CONVERSATION_UNAVAILABLE, /^no conversation data: this account is billed per message; use pricing analytics$/);
  });
});
