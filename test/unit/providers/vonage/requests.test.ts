import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import type { WabaError } from '../../../../src/core/errors';
import type { HttpResponse } from '../../../../src/core/http';
import type { QueryUnit } from '../../../../src/core/provider';
import { parseQuery, resolveQuery } from '../../../../src/core/query';
import { redact } from '../../../../src/core/redact';
import { thrownBy } from '../../helpers';
import {
  HINT_UNAUTHORIZED,
  VONAGE_CAPABILITIES,
  buildAnalyticsUrl,
  classifyVonage,
  createVonageAuth,
  createVonageProvider,
  normalizePrivateKey,
  validateVonageQuery,
  vonageError,
} from '../../../../src/providers/vonage';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

function unit(query: Record<string, unknown>, startMs: number, endMs: number, templateIds?: string[]): QueryUnit {
  return { query: parseQuery({ provider: 'vonage', wabaId: '1234567890', from: '2024-11-10', to: '2024-11-14', ...query }), startMs, endMs, templateIds, index: 0 };
}

function split(url: string): { path: string; params: URLSearchParams } {
  const [path, search] = url.split('?');
  return { path: path!, params: new URLSearchParams(search) };
}

describe('Vonage URL building', () => {
  it('messaging: path, dates (end inclusive), granularity, repeated phone_number/product_types/country_codes, page_size', () => {
    const { url, endpoint } = buildAnalyticsUrl(
      unit({ kind: 'messaging', granularity: 'HALF_HOUR', phoneNumbers: ['16505550111', '+1 650 555 0112'], productTypes: [0, 2], countryCodes: ['us', 'BR'] }, D('2024-11-10'), D('2024-11-15')),
    );
    assert.equal(endpoint, 'messaging-analytics');
    const { path, params } = split(url);
    assert.equal(path, '/v1/channel-manager/whatsapp/wabas/1234567890/messaging-analytics');
    assert.equal(params.get('start'), '2024-11-10');
    assert.equal(params.get('end'), '2024-11-14');
    assert.equal(params.get('granularity'), 'HALF_HOUR');
    assert.deepEqual(params.getAll('phone_number'), ['16505550111', '16505550112']);
    assert.deepEqual(params.getAll('product_types'), ['0', '2']);
    assert.deepEqual(params.getAll('country_codes'), ['US', 'BR']);
    assert.equal(params.get('page_size'), '100');
    assert.equal(params.has('phone_numbers'), false);
  });

  it('the window end maps to the day of endMs − 1 ms (a clamped, mid-day end keeps its day)', () => {
    const mid = Date.parse('2024-11-15T13:05:00Z');
    const { params } = split(buildAnalyticsUrl(unit({ kind: 'messaging' }, D('2024-11-10'), mid)).url);
    assert.equal(params.get('end'), '2024-11-15');
    const one = split(buildAnalyticsUrl(unit({ kind: 'messaging' }, D('2024-11-10'), D('2024-11-11'))).url).params;
    assert.equal(one.get('start'), '2024-11-10');
    assert.equal(one.get('end'), '2024-11-10');
    assert.throws(() => buildAnalyticsUrl(unit({ kind: 'messaging' }, D('2024-11-10'), D('2024-11-10'))), /empty/);
  });

  it('template: the unit batch of template_ids (one JSON array), metric_types, DAILY, custom page_size', () => {
    const { url, endpoint } = buildAnalyticsUrl(
      unit({ kind: 'template', templateIds: ['1', '2', '3'], metricTypes: ['sent', 'CLICKED'] }, D('2024-11-10'), D('2024-11-15'), ['2', '3']),
      25,
    );
    assert.equal(endpoint, 'template-analytics');
    const { path, params } = split(url);
    assert.equal(path, '/v1/channel-manager/whatsapp/wabas/1234567890/template-analytics');
    assert.deepEqual(params.getAll('template_ids'), ['[2,3]']);
    assert.deepEqual(params.getAll('metric_types'), ['SENT', 'CLICKED']);
    assert.equal(params.get('granularity'), 'DAILY');
    assert.equal(params.get('page_size'), '25');
    const all = split(buildAnalyticsUrl(unit({ kind: 'template', templateIds: ['7', '8'] }, D('2024-11-10'), D('2024-11-15'))).url).params;
    assert.deepEqual(all.getAll('template_ids'), ['[7,8]']);
    assert.equal(all.has('metric_types'), false);
  });

  it('pricing: phone_numbers, country_codes, dimensions, tier (repeated)', () => {
    const { url, endpoint } = buildAnalyticsUrl(
      unit(
        { kind: 'pricing', granularity: 'MONTHLY', phoneNumbers: ['14155552671'], countryCodes: ['US'], dimensions: ['COUNTRY', 'pricing_category', 'TIER'], tiers: ['0:100000', '100000:MAX'] },
        D('2024-09-01'),
        D('2024-11-01'),
      ),
    );
    assert.equal(endpoint, 'pricing-analytics');
    const { path, params } = split(url);
    assert.equal(path, '/v1/channel-manager/whatsapp/wabas/1234567890/pricing-analytics');
    assert.equal(params.get('start'), '2024-09-01');
    assert.equal(params.get('end'), '2024-10-31');
    assert.equal(params.get('granularity'), 'MONTHLY');
    assert.deepEqual(params.getAll('phone_numbers'), ['14155552671']);
    assert.deepEqual(params.getAll('country_codes'), ['US']);
    assert.deepEqual(params.getAll('dimensions'), ['COUNTRY', 'PRICING_CATEGORY', 'TIER']);
    assert.deepEqual(params.getAll('tier'), ['0:100000', '100000:MAX']);
    assert.equal(params.has('phone_number'), false);
  });

  it('refuses conversation and WABA ids that are not ids', () => {
    assert.equal(thrownBy(() => buildAnalyticsUrl(unit({ kind: 'conversation' }, D('2024-11-10'), D('2024-11-11')))).kind, 'input');
    const u = unit({ kind: 'messaging' }, D('2024-11-10'), D('2024-11-11'));
    (u.query as { wabaId: string }).wabaId = '../admin';
    assert.equal(thrownBy(() => buildAnalyticsUrl(u)).kind, 'input');
  });
});

describe('Vonage capabilities and validation', () => {
  const now = Date.parse('2024-11-20T12:00:00Z');
  const base = { provider: 'vonage', wabaId: '1234567890', from: '2024-11-10', to: '2024-11-14' };

  it('declares the three kinds, no conversation, and the limits', () => {
    assert.deepEqual(Object.keys(VONAGE_CAPABILITIES).sort(), ['messaging', 'pricing', 'template']);
    assert.deepEqual(VONAGE_CAPABILITIES.template!.granularities, ['DAILY']);
    assert.equal(VONAGE_CAPABILITIES.template!.maxTemplateIds, 10);
    for (const k of ['messaging', 'template', 'pricing'] as const) {
      assert.equal(VONAGE_CAPABILITIES[k]!.lookbackDays, 90);
      assert.equal(VONAGE_CAPABILITIES[k]!.maxSpanDays, 90);
      assert.equal(VONAGE_CAPABILITIES[k]!.halfHourWindowDays, 30);
    }
    assert.throws(() => resolveQuery({ ...base, kind: 'conversation' }, VONAGE_CAPABILITIES, now), /not offered by Vonage/);
  });

  it('filters Vonage lacks are refused by resolveQuery', () => {
    assert.throws(() => resolveQuery({ ...base, kind: 'pricing', pricingCategories: ['MARKETING'] }, VONAGE_CAPABILITIES, now), /pricingCategories/);
    assert.throws(() => resolveQuery({ ...base, kind: 'template', templateIds: ['1'], productType: 'CLOUD_API' }, VONAGE_CAPABILITIES, now), /productType/);
    assert.throws(() => resolveQuery({ ...base, kind: 'template', templateIds: ['1'], granularity: 'MONTHLY' }, VONAGE_CAPABILITIES, now), /granularity/);
    const ok = resolveQuery({ ...base, kind: 'pricing', tiers: ['0:750000'], dimensions: ['TIER'] }, VONAGE_CAPABILITIES, now);
    assert.equal(ok.query.kind, 'pricing');
  });

  it('a COST template metric is a clear input error (validate hook and fetchUnit), nothing sent', async () => {
    const resolved = resolveQuery({ ...base, kind: 'template', templateIds: ['1'], metricTypes: ['SENT', 'COST'] }, VONAGE_CAPABILITIES, now);
    const e = thrownBy(() => validateVonageQuery(resolved.query));
    assert.equal(e.kind, 'input');
    assert.match(e.message, /no COST metric/);
    assert.match(e.message, /SENT, DELIVERED, READ, CLICKED/);
    const provider = createVonageProvider({ apiKey: 'key', apiSecret: 'secret-value' }, { baseUrl: 'http://127.0.0.1:9' });
    assert.throws(() => provider.validate!(resolved.query), /no COST metric/);
    await assert.rejects(provider.fetchUnit({ query: resolved.query, startMs: resolved.startMs, endMs: resolved.endMs, index: 0 }), (err: WabaError) => err.kind === 'input');
    assert.equal(provider.http.requestCount, 0);
    assert.doesNotThrow(() => validateVonageQuery(resolveQuery({ ...base, kind: 'template', templateIds: ['1'], metricTypes: ['READ'] }, VONAGE_CAPABILITIES, now).query));
  });

  it('a query may name more than 10 templates (batched by the plan); one request\'s batch of more than 10 is refused', () => {
    const q = parseQuery({ ...base, kind: 'template', templateIds: Array.from({ length: 11 }, (_, i) => String(i + 1)) });
    assert.doesNotThrow(() => validateVonageQuery(q));
    assert.throws(() => validateVonageQuery(q, Array.from({ length: 11 }, (_, i) => String(i + 1))), /at most 10/);
    assert.doesNotThrow(() => validateVonageQuery(q, ['1', '2']));
  });
});

describe('Vonage auth', () => {
  it('Basic: exact base64 of key:secret, and the secret is registered for redaction', () => {
    const auth = createVonageAuth({ apiKey: 'abcd1234', apiSecret: 'Secr3tValue!' });
    assert.equal(auth.mode, 'basic');
    assert.equal(auth.hasJwt, false);
    assert.equal(auth.header(), 'Basic YWJjZDEyMzQ6U2VjcjN0VmFsdWUh');
    assert.equal(redact('oops Secr3tValue! and YWJjZDEyMzQ6U2VjcjN0VmFsdWUh').includes('Secr3tValue!'), false);
    assert.equal(redact('x YWJjZDEyMzQ6U2VjcjN0VmFsdWUh').includes('YWJjZDEyMzQ6U2VjcjN0VmFsdWUh'), false);
  });

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

  it('JWT when application id and private key are set (even with key and secret): RS256, verifies, carries application_id', () => {
    const auth = createVonageAuth({ apiKey: 'abcd1234', apiSecret: 'Secr3tValue!', applicationId: 'app-0001', privateKey });
    assert.equal(auth.mode, 'jwt');
    const header = auth.header();
    assert.match(header, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const token = header.slice('Bearer '.length);
    const [h, p, s] = token.split('.') as [string, string, string];
    const head = JSON.parse(Buffer.from(h, 'base64url').toString());
    assert.equal(head.alg, 'RS256');
    const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(privateKey), Buffer.from(s, 'base64url'));
    assert.equal(ok, true);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    assert.equal(claims.application_id, 'app-0001');
    assert.equal(claims.exp - claims.iat, 900);
    assert.ok(typeof claims.jti === 'string' && claims.jti.length > 0);
    assert.equal(redact(`key ${privateKey}`).includes('PRIVATE KEY-----\nMII'), false);
  });

  it('JWT is cached and renewed before expiry', () => {
    let clock = Date.now();
    const auth = createVonageAuth({ apiKey: '', apiSecret: '', applicationId: 'app-0002', privateKey }, { now: () => clock });
    const first = auth.header();
    clock += 60_000;
    assert.equal(auth.header(), first);
    clock += 800_000; // 860 s after issue: inside the last minute of a 900 s token
    const renewed = auth.header();
    assert.notEqual(renewed, first);
    const claims = JSON.parse(Buffer.from(renewed.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.exp, Math.floor(clock / 1000) + 900);
  });

  it('a private key written with literal \\n is made a real PEM', () => {
    const escaped = privateKey.trim().replace(/\n/g, '\\n');
    assert.equal(normalizePrivateKey(escaped), privateKey.trim());
    const auth = createVonageAuth({ apiKey: '', apiSecret: '', applicationId: 'app-0003', privateKey: escaped });
    assert.match(auth.header(), /^Bearer /);
  });

  it('a broken private key is a config error that does not quote the key', () => {
    const pem = (label: string) => ['-----', label, ' PRIVATE', ' KEY-----'].join('');
    const broken = `${pem('BEGIN')}\nnot-a-key-at-all-123456\n${pem('END')}`;
    const auth = createVonageAuth({ apiKey: '', apiSecret: '', applicationId: 'app-0004', privateKey: broken });
    const e = thrownBy(() => auth.header());
    assert.equal(e.kind, 'config');
    assert.equal(e.message.includes('not-a-key-at-all'), false);
    assert.match(e.message, /app-0004/);
  });

  it('no credentials, or half a JWT pair without key and secret: a config error saying what to set', () => {
    const none = thrownBy(() => createVonageAuth({ apiKey: '', apiSecret: '' }).header());
    assert.equal(none.kind, 'config');
    assert.match(none.message, /API key and secret/);
    const half = thrownBy(() => createVonageAuth({ apiKey: '', apiSecret: '', applicationId: 'app-0005' }).header());
    assert.match(half.message, /private key/);
    assert.equal(createVonageAuth({ apiKey: 'k1', apiSecret: 'secret-2', applicationId: 'app-0006' }).mode, 'basic');
  });
});

describe('Vonage errors', () => {
  const res = (status: number, body: unknown, extra: Partial<HttpResponse> = {}): HttpResponse => ({
    status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-7f3a', ...(extra.headers ?? {}) },
    text: typeof body === 'string' ? body : JSON.stringify(body),
    url: extra.url ?? 'http://127.0.0.1:1/vonage/v1/channel-manager/whatsapp/wabas/345688589250625/messaging-analytics?start=2024-11-10',
    durationMs: 1,
  });

  it('401 problem+json: status, title, type, detail, request id and what to do', () => {
    const e = vonageError(
      res(401, { type: 'https://developer.vonage.com/api-errors#unauthorized', title: 'Unauthorized', detail: 'You did not provide correct credentials.', instance: 'abc' }),
      'messaging-analytics',
    );
    assert.equal(e.kind, 'api');
    assert.equal(e.provider, 'vonage');
    assert.equal(e.status, 401);
    assert.equal(e.problemTitle, 'Unauthorized');
    assert.equal(e.problemType, 'https://developer.vonage.com/api-errors#unauthorized');
    assert.equal(e.traceId, 'req-7f3a');
    assert.equal(e.endpoint, 'messaging-analytics');
    assert.match(e.message, /HTTP 401 Unauthorized/);
    assert.match(e.message, /You did not provide correct credentials\./);
    assert.ok(e.message.includes(HINT_UNAUTHORIZED));
  });

  it('400 invalid_parameters are listed', () => {
    const e = vonageError(
      res(400, { title: 'Invalid parameters', detail: 'The request failed due to validation errors', invalid_parameters: [{ name: 'start', reason: 'is more than 90 days ago' }, { name: 'end', reason: 'is invalid' }] }),
      'pricing-analytics',
    );
    assert.match(e.message, /Invalid parameters: start: is more than 90 days ago; end: is invalid\./);
    assert.match(e.message, /Fix the parameters named/);
  });

  it('403 on enable_insights names the WABA and the fix; 404 says the WABA is unknown', () => {
    const url = 'http://127.0.0.1:1/vonage/v1/channel-manager/whatsapp/wabas/111222333/enable_insights';
    const forbidden = vonageError(res(403, { title: 'Forbidden', detail: 'not linked' }, { url }), 'enable_insights');
    assert.match(forbidden.message, /This API key is not linked to WABA 111222333; link it in the Vonage dashboard or use the key that owns it\./);
    const missing = vonageError(res(404, { title: 'Not Found' }, { url }), 'enable_insights');
    assert.match(missing.message, /does not know WABA 111222333/);
  });

  it('403 insights not enabled on template analytics says to enable insights', () => {
    const e = vonageError(res(403, { title: 'Insights not enabled', detail: 'Enable insights first.' }), 'template-analytics');
    assert.match(e.message, /Enable insights for WABA 345688589250625 first/);
  });

  it('a non-JSON error body still gives the status and a clear message', () => {
    const e = vonageError(res(502, '<html><body>Bad gateway</body></html>', { headers: { 'content-type': 'text/html' } }), 'wabas');
    assert.equal(e.status, 502);
    assert.match(e.message, /Vonage wabas failed with HTTP 502 \(an HTML page\)/);
    assert.match(e.message, /server error/);
    const empty = vonageError(res(500, ''), 'numbers');
    assert.match(empty.message, /HTTP 500 \(an empty body\)/);
  });

  it('the detail is redacted when it echoes a secret', () => {
    createVonageAuth({ apiKey: 'kkkk1111', apiSecret: 'EchoedSecret99' });
    const e = vonageError(res(400, { title: 'Bad', detail: 'api_secret EchoedSecret99 is wrong' }), 'wabas');
    assert.equal(e.message.includes('EchoedSecret99'), false);
  });

  it('retries 429 and 5xx only', () => {
    assert.equal(classifyVonage(res(429, {})).retry, true);
    assert.equal(classifyVonage(res(503, {})).retry, true);
    assert.equal(classifyVonage(res(500, {})).retry, true);
    assert.equal(classifyVonage(res(400, {})).retry, false);
    assert.equal(classifyVonage(res(401, {})).retry, false);
    assert.equal(classifyVonage(res(404, {})).retry, false);
  });
});
