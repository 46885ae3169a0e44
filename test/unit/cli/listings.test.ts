/**
 * The CLI's listings (`wabas`, `phones`, `templates`) against a hostile server of the test's own on
 * 127.0.0.1 and against the sandbox: a failure is never an empty answer. Every failure exits 1 with
 * ONE line on stderr naming the provider, the endpoint and what to do, and nothing on stdout; an
 * empty-but-valid answer is `[]` and exit 0; repeated ids are listed once with a warning; a repeating
 * cursor, a page chain without end or an absurd item count ends in one error.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaProvider } from '../../../src/providers/meta';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import type { HostileReply, HostileRequest, HostileServer } from '../helpers';
import { captureCli, closedPort, startHostileServer } from '../helpers';

const TOKEN = ['test', 'listing', 'token', 'Q7x2'].join('-');
const WABA = '111000111';
const BIZ = '900000900';

let server: HostileServer;
let sb: Sandbox;

before(async () => {
  server = await startHostileServer(() => ({ status: 500, body: 'not set' }));
  sb = await startSandbox();
});
after(async () => {
  await server.close();
  await sb.close();
});

type Run = { code: number; stdout: string; stderr: string };

/** One error line: exit 1, nothing on stdout, one line naming the provider and the endpoint, with what to do. */
function failsWithOneLine(r: Run, provider: 'Meta' | 'Vonage', endpoint: RegExp, reason?: RegExp): string {
  assert.equal(r.code, 1, `exit 1, got ${r.code}; stdout ${r.stdout}; stderr ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout: no empty list');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  const line = lines[0]!;
  assert.match(line, new RegExp(`^waba-analytics: .*${provider} `), 'names the provider');
  assert.match(line, endpoint, 'names the endpoint');
  assert.match(line, /(try again|check|grant|report|wait)[^.]*\.$/i, 'ends with what to do');
  if (reason) assert.match(line, reason);
  assert.ok(!line.includes(TOKEN), 'no secret');
  return line;
}

function json(r: Run): unknown {
  assert.equal(r.code, 0, `exit 0, got ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---- a Meta account the hostile server answers for, route by route ----------------------------
type MetaRoute = 'debug_token' | 'businesses' | 'owned' | 'client' | 'waba' | 'phones' | 'templates';
type Handler = (r: HostileRequest) => HostileReply;

function metaRoute(r: HostileRequest): MetaRoute | undefined {
  const p = r.url.pathname.replace(/^\/v\d+\.\d+/, '');
  if (p === '/debug_token') return 'debug_token';
  if (p === '/me/businesses') return 'businesses';
  if (/^\/\d+\/owned_whatsapp_business_accounts$/.test(p)) return 'owned';
  if (/^\/\d+\/client_whatsapp_business_accounts$/.test(p)) return 'client';
  if (/^\/\d+\/phone_numbers$/.test(p)) return 'phones';
  if (/^\/\d+\/message_templates$/.test(p)) return 'templates';
  if (/^\/\d+$/.test(p)) return 'waba';
  return undefined;
}

const healthyMeta: Record<MetaRoute, Handler> = {
  debug_token: () => ({
    body: {
      data: {
        app_id: '1',
        type: 'SYSTEM_USER',
        is_valid: true,
        scopes: ['whatsapp_business_management', 'business_management'],
        granular_scopes: [
          { scope: 'whatsapp_business_management', target_ids: [WABA] },
          { scope: 'business_management', target_ids: [BIZ] },
        ],
      },
    },
  }),
  businesses: () => ({ body: { data: [{ id: BIZ, name: 'Biz' }] } }),
  owned: () => ({ body: { data: [{ id: WABA, name: 'Main' }] } }),
  client: () => ({ body: { data: [] } }),
  waba: (r) => ({ body: { id: r.url.pathname.split('/').pop(), name: 'Main', currency: 'USD', timezone_id: '1', is_enabled_for_insights: true } }),
  phones: () => ({ body: { data: [{ id: '5001', display_phone_number: '+1 555 0100', verified_name: 'Main' }] } }),
  templates: () => ({ body: { data: [{ id: '7001', name: 'welcome', status: 'APPROVED', category: 'MARKETING', language: 'en_US' }] } }),
};

function meta(over: Partial<Record<MetaRoute, Handler>> = {}): HostileServer['handle'] {
  return (r) => {
    const route = metaRoute(r);
    if (!route) return { status: 404, body: { error: { message: 'Unknown path', code: 803 } } };
    return (over[route] ?? healthyMeta[route])(r);
  };
}

const graphError = (status: number, code: number, message: string, subcode?: number): HostileReply => ({
  status,
  body: { error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'Atrace' } },
});

function metaCli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return captureCli([...args, '--provider', 'meta'], { WABA_META_TOKEN: TOKEN, WABA_META_BASE_URL: server.url, ...extraEnv });
}

describe('cli listings (Meta): a failure is one error line, never an empty list', () => {
  it('wabas against an unreachable host: exit 1, one line, not "[]"', async () => {
    const port = await closedPort();
    const r = await captureCli(['wabas', '--provider', 'meta', '--retries', '0'], { WABA_META_TOKEN: TOKEN, WABA_META_BASE_URL: `http://127.0.0.1:${port}` });
    failsWithOneLine(r, 'Meta', /debug_token could not be reached/, /ECONNREFUSED/);
  });

  it('5xx after the retries', async () => {
    server.handle = meta({ debug_token: () => ({ status: 503, body: 'Service Unavailable' }) });
    server.requests.length = 0;
    const r = await metaCli(['wabas', '--retries', '1']);
    failsWithOneLine(r, 'Meta', /debug_token failed with HTTP 503/);
    assert.equal(server.requests.length, 2, 'asked, then retried once');
  });

  it('429 after the retries', async () => {
    server.handle = meta({ debug_token: () => ({ ...(graphError(429, 80007, 'Rate limit hit') as object), headers: { 'retry-after': '0' } }) });
    server.requests.length = 0;
    const r = await metaCli(['wabas', '--retries', '1']);
    failsWithOneLine(r, 'Meta', /debug_token failed \(HTTP 429, code 80007\)/, /rate limit/i);
    assert.equal(server.requests.length, 2);
  });

  it('a 5xx on the business route is an error too, not a shorter list', async () => {
    server.handle = meta({ businesses: () => ({ status: 500, body: { error: { message: 'An unexpected error has occurred', code: 2 } } }) });
    const r = await metaCli(['wabas', '--retries', '0']);
    failsWithOneLine(r, 'Meta', /businesses failed/);
  });

  it('a 5xx on a WABA node is an error too, not a WABA without details', async () => {
    server.handle = meta({ waba: () => ({ status: 502, body: '' }) });
    const r = await metaCli(['wabas', '--retries', '0']);
    failsWithOneLine(r, 'Meta', /whatsapp_business_account failed with HTTP 502/);
  });

  it('malformed JSON, HTML with status 200, and a body of another shape', async () => {
    server.handle = meta({ debug_token: () => ({ body: '{"data": {"is_valid": tr', headers: { 'content-type': 'application/json' } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /debug_token answered with malformed or truncated JSON/);
    server.handle = meta({ debug_token: () => ({ body: '<!doctype html><html><body>Maintenance</body></html>', headers: { 'content-type': 'text/html' } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /debug_token answered with an HTML page/);
    server.handle = meta({ debug_token: () => ({ body: { result: 'ok' } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /debug_token answered a body that does not fit at data/);
    server.handle = meta({ debug_token: () => ({ body: { data: { scopes: [] } } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /debug_token answered a body that does not fit at data\.is_valid/);
    server.handle = meta({ businesses: () => ({ body: { businesses: [{ id: BIZ }] } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /businesses answered a body that does not fit at data/);
    server.handle = meta({ phones: () => ({ body: { numbers: [] } }) });
    failsWithOneLine(await metaCli(['phones', '--waba', WABA]), 'Meta', /phone_numbers answered a body that does not fit at data/);
    server.handle = meta({ templates: () => ({ body: { templates: [] } }) });
    failsWithOneLine(await metaCli(['templates', '--waba', WABA]), 'Meta', /message_templates answered a body that does not fit at data/);
  });

  it('no answer within the timeout', async () => {
    server.handle = meta({ debug_token: () => 'hang' });
    const started = Date.now();
    const r = await metaCli(['wabas', '--timeout', '0.3', '--retries', '0']);
    failsWithOneLine(r, 'Meta', /debug_token did not answer within 300 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  it('phones and templates: a 5xx is an error, not "no phone numbers" / "no templates"', async () => {
    server.handle = meta({ phones: () => ({ status: 500, body: '' }), templates: () => ({ status: 503, body: '' }) });
    failsWithOneLine(await metaCli(['phones', '--waba', WABA, '--retries', '0']), 'Meta', /phone_numbers failed with HTTP 500/);
    failsWithOneLine(await metaCli(['templates', '--waba', WABA, '--retries', '0']), 'Meta', /message_templates failed with HTTP 503/);
  });
});

describe('cli listings: --timeout and --retries', () => {
  it('a timeout or a retry count that is not a number is a usage error (exit 2)', async () => {
    for (const bad of [['--timeout', '0'], ['--timeout', 'soon'], ['--retries', 'many'], ['--retries', '99']]) {
      const r = await metaCli(['wabas', ...bad]);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^waba-analytics: ${bad[0]} must be`));
      assert.equal(r.stdout, '');
    }
  });
});

describe('cli listings (Meta): what means "no WABA", and the fallback between routes', () => {
  it('debug_token valid with no WhatsApp and no business scope: [] and exit 0, one request', async () => {
    server.handle = meta({ debug_token: () => ({ body: { data: { is_valid: true, scopes: ['public_profile'], granular_scopes: [] } } }) });
    server.requests.length = 0;
    const r = await metaCli(['wabas']);
    assert.deepEqual(json(r), []);
    assert.equal(r.stderr, '');
    assert.equal(server.requests.length, 1);
  });

  it('debug_token refused for lack of permission: the business route answers, with a warning', async () => {
    server.handle = meta({ debug_token: () => graphError(400, 10, 'Permission denied') });
    const r = await metaCli(['wabas']);
    const list = json(r) as Array<{ id: string; source: string; currency?: string }>;
    assert.deepEqual(
      list.map((w) => [w.id, w.source, w.currency]),
      [[WABA, 'business', 'USD']],
    );
    assert.match(r.stderr, /^warning \[listing\.incomplete\]: Meta refused part of the WABA discovery \(debug_token: .*\)/);
  });

  it('both routes refused: one error naming both', async () => {
    server.handle = meta({ debug_token: () => graphError(400, 10, 'Permission denied'), businesses: () => graphError(403, 200, 'Requires business_management permission') });
    const line = failsWithOneLine(await metaCli(['wabas']), 'Meta', /refused every way of finding WhatsApp Business Accounts/, /grant/i);
    assert.match(line, /debug_token: .*Permission denied/);
    assert.match(line, /businesses: .*Requires business_management permission/);
  });

  it('both routes refused, with WABA ids given by hand: those are listed, with a warning', async () => {
    server.handle = meta({ debug_token: () => graphError(400, 10, 'Permission denied'), businesses: () => graphError(403, 200, 'Requires business_management permission') });
    const warnings: string[] = [];
    const p = createMetaProvider({ accessToken: TOKEN }, { baseUrl: server.url, manualWabaIds: ['222000222'], maxRetries: 0 });
    const list = await p.listWabas(undefined, (w) => warnings.push(`${w.code}: ${w.message}`));
    assert.deepEqual(
      list.map((w) => [w.id, w.source]),
      [['222000222', 'manual']],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^listing\.incomplete: Meta refused part of the WABA discovery/);
  });

  it('a WABA whose node Meta refuses is listed with its id, and a warning says so', async () => {
    server.handle = meta({ waba: () => graphError(400, 100, "Unsupported get request. Object with ID '111000111' does not exist", 33) });
    const r = await metaCli(['wabas']);
    assert.deepEqual(json(r), [{ provider: 'meta', id: WABA, source: 'token' }]);
    assert.match(r.stderr, /^warning \[listing\.incomplete\]: Meta refused the details of WABA 111000111; shown with its id only/);
  });
});

describe('cli listings (Meta): paging and repeated ids', () => {
  it('a repeating next link on a business edge: one paging-loop error', async () => {
    server.handle = meta({ owned: (r) => ({ body: { data: [{ id: WABA }], paging: { next: `${server.url}${r.url.pathname}?after=SAME` } } }) });
    failsWithOneLine(await metaCli(['wabas']), 'Meta', /owned_whatsapp_business_accounts answered a next page that was already read/);
  });

  it('a repeating template cursor, and a next page without a cursor: errors', async () => {
    server.handle = meta({ templates: () => ({ body: { data: [{ id: '7001', name: 'welcome' }], paging: { cursors: { after: 'C1' }, next: `${server.url}/v25.0/${WABA}/message_templates?after=C1` } } }) });
    failsWithOneLine(await metaCli(['templates', '--waba', WABA]), 'Meta', /message_templates answered a next page that was already read/);
    server.handle = meta({ templates: () => ({ body: { data: [{ id: '7001', name: 'welcome' }], paging: { next: `${server.url}/v25.0/${WABA}/message_templates?before=X` } } }) });
    failsWithOneLine(await metaCli(['templates', '--waba', WABA]), 'Meta', /message_templates announced a next page without a cursor/);
  });

  it('a page chain that never ends: one error at the page bound', async () => {
    server.handle = meta({
      phones: (r) => {
        const n = Number(r.url.searchParams.get('after') ?? '0') + 1;
        return { body: { data: [{ id: String(6000 + (n % 3)), display_phone_number: '+1 555 0100' }], paging: { next: `${server.url}${r.url.pathname}?after=${n}` } } };
      },
    });
    server.requests.length = 0;
    failsWithOneLine(await metaCli(['phones', '--waba', WABA]), 'Meta', /phone_numbers kept paging past 1000 pages/);
    assert.equal(server.requests.length, 1000);
  });

  it('an absurd item count: one error', async () => {
    const data = Array.from({ length: 10_001 }, (_, i) => ({ id: String(100000 + i), display_phone_number: `+1 555 ${i}` }));
    server.handle = meta({ phones: () => ({ body: { data } }) });
    failsWithOneLine(await metaCli(['phones', '--waba', WABA]), 'Meta', /phone_numbers answered 10001 items, more than .* \(at most 10000\)/);
  });

  it('repeated ids across pages are listed once, with one warning', async () => {
    server.handle = meta({
      phones: (r) =>
        r.url.searchParams.get('after') === 'P2'
          ? { body: { data: [{ id: '5002', display_phone_number: '+1 555 0102' }, { id: '5003', display_phone_number: '+1 555 0103' }] } }
          : { body: { data: [{ id: '5001', display_phone_number: '+1 555 0101' }, { id: '5002', display_phone_number: '+1 555 0102' }], paging: { next: `${server.url}${r.url.pathname}?after=P2` } } },
      templates: (r) =>
        r.url.searchParams.get('after') === 'T2'
          ? { body: { data: [{ id: '7001', name: 'welcome' }, { id: '7002', name: 'order' }] } }
          : { body: { data: [{ id: '7001', name: 'welcome' }], paging: { cursors: { after: 'T2' }, next: `${server.url}${r.url.pathname}?after=T2` } } },
      owned: () => ({ body: { data: [{ id: WABA }, { id: '333000333' }, { id: '333000333' }] } }),
    });
    const phones = await metaCli(['phones', '--waba', WABA]);
    assert.deepEqual(
      (json(phones) as Array<{ id: string }>).map((p) => p.id),
      ['5001', '5002', '5003'],
    );
    assert.equal(phones.stderr, 'warning [listing.duplicate-id]: Meta phone_numbers listed the same phone number id more than once (5002); each is shown once.\n');
    const templates = await metaCli(['templates', '--waba', WABA]);
    assert.deepEqual(
      (json(templates) as Array<{ id: string }>).map((p) => p.id),
      ['7001', '7002'],
    );
    assert.match(templates.stderr, /^warning \[listing\.duplicate-id\]: Meta message_templates listed the same template id more than once \(7001\); each is shown once\.\n$/);
    const wabas = await metaCli(['wabas']);
    assert.deepEqual(
      (json(wabas) as Array<{ id: string }>).map((w) => w.id),
      [WABA, '333000333'],
      'a WABA found by two routes is listed once, without a warning; a repeat within one edge is warned about',
    );
    assert.match(wabas.stderr, /^warning \[listing\.duplicate-id\]: Meta owned_whatsapp_business_accounts listed the same WABA id more than once \(333000333\)/);
    assert.equal(wabas.stderr.split('\n').filter(Boolean).length, 1);
  });
});

// ---- Vonage -------------------------------------------------------------------------------------
const KEY = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

function vonageCli(args: string[], jwt = false): Promise<Run> {
  const env: Record<string, string> = { VONAGE_API_KEY: 'key', VONAGE_API_SECRET: TOKEN, VONAGE_BASE_URL: server.url };
  if (jwt) Object.assign(env, { VONAGE_APPLICATION_ID: '3f2c9d1e-8b4a-4f6e-9c2d-7a1b5e0f4c83', VONAGE_PRIVATE_KEY: KEY });
  return captureCli([...args, '--provider', 'vonage'], env);
}

const problem = (status: number, title: string): HostileReply => ({
  status,
  headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-1' },
  body: JSON.stringify({ type: 'https://developer.vonage.com/api-errors', title, detail: title, instance: 'i-1' }),
});

describe('cli listings (Vonage)', () => {
  it('wabas: a 5xx, malformed JSON and a body of another shape are errors', async () => {
    server.handle = () => problem(503, 'Service Unavailable');
    failsWithOneLine(await vonageCli(['wabas', '--retries', '0']), 'Vonage', /wabas/, /503/);
    server.handle = () => ({ body: '{"_embedded": ', headers: { 'content-type': 'application/json' } });
    failsWithOneLine(await vonageCli(['wabas']), 'Vonage', /wabas answered with malformed or truncated JSON/);
    server.handle = () => ({ body: { wabas: [{ waba_id: '1' }] } });
    failsWithOneLine(await vonageCli(['wabas']), 'Vonage', /wabas answered a body that does not fit at _embedded/);
  });

  it('wabas: an empty but valid list is [] and exit 0', async () => {
    server.handle = () => ({ body: { page: 1, page_size: 50, total_pages: 1, total_items: 0, _embedded: { wabas: [] } } });
    const r = await vonageCli(['wabas']);
    assert.deepEqual(json(r), []);
    assert.equal(r.stderr, '');
  });

  it('wabas: an absurd claimed count, and a repeating next link, are errors', async () => {
    server.handle = () => ({ body: { page: 1, page_size: 50, total_pages: 20_000_000, total_items: 1_000_000_000, _embedded: { wabas: [{ waba_id: '1' }] } } });
    failsWithOneLine(await vonageCli(['wabas']), 'Vonage', /wabas claims 1000000000 WhatsApp Business Accounts, more than a listing can hold/);
    server.handle = (r) => ({
      body: { _embedded: { wabas: [{ waba_id: `w${r.url.searchParams.get('page')}` }] }, _links: { next: { href: `${server.url}/v1/channel-manager/whatsapp/wabas?page=2&page_size=50` } } },
    });
    failsWithOneLine(await vonageCli(['wabas']), 'Vonage', /wabas answered a next page that was already read/);
  });

  it('numbers: a repeating next link is an error; repeated ids are listed once with a warning', async () => {
    const numbersPath = '/v1/channel-manager/whatsapp/wabas/700/numbers';
    server.handle = () => ({ body: { _embedded: { numbers: [{ phone_number_id: '1', display_phone_number: '+44 1' }] }, _links: { next: { href: `${server.url}${numbersPath}?cursor=A` } } } });
    failsWithOneLine(await vonageCli(['phones', '--waba', '700']), 'Vonage', /numbers answered a next page that was already read/);
    server.handle = (r) =>
      r.url.searchParams.get('cursor') === 'B'
        ? { body: { _embedded: { numbers: [{ phone_number_id: '2', display_phone_number: '+44 2' }] } } }
        : {
            body: {
              _embedded: {
                numbers: [
                  { phone_number_id: '1', display_phone_number: '+44 1' },
                  { phone_number_id: '2', display_phone_number: '+44 2' },
                ],
              },
              _links: { next: { href: `${server.url}${numbersPath}?cursor=B` } },
            },
          };
    const r = await vonageCli(['phones', '--waba', '700']);
    assert.deepEqual(
      (json(r) as Array<{ id: string }>).map((p) => p.id),
      ['1', '2'],
    );
    assert.equal(r.stderr, 'warning [listing.duplicate-id]: Vonage numbers listed the same phone number id more than once (2); each is shown once.\n');
  });

  it('templates (JWT): a 5xx and a repeating cursor are errors', async () => {
    server.handle = () => problem(500, 'Internal Error');
    failsWithOneLine(await vonageCli(['templates', '--waba', '700', '--retries', '0'], true), 'Vonage', /templates/, /500/);
    server.handle = () => ({ body: { templates: [{ id: '1', name: 't1' }], _links: { next: { href: `${server.url}/v2/whatsapp-manager/wabas/700/templates?after=SAME` } } } });
    failsWithOneLine(await vonageCli(['templates', '--waba', '700'], true), 'Vonage', /templates answered a next page that was already read/);
  });
});

describe('cli listings against the sandbox', () => {
  it('wabas lists what the sandbox has; an empty but valid listing is [] and exit 0', async () => {
    const all = await captureCli(['wabas', '--provider', 'meta', '--sandbox'], {});
    assert.deepEqual(
      (json(all) as Array<{ id: string }>).map((w) => w.id).sort(),
      sb.data.wabas.meta.map((w) => w.id).sort(),
    );
    const waba = sb.data.wabas.meta[0]!;
    const saved = waba.phones;
    waba.phones = [];
    try {
      const r = await captureCli(['phones', '--provider', 'meta', '--waba', waba.id], { WABA_META_TOKEN: sb.credentials.metaToken, WABA_META_BASE_URL: sb.metaBaseUrl });
      assert.deepEqual(json(r), []);
      assert.equal(r.stderr, '');
    } finally {
      waba.phones = saved;
    }
    const vwaba = sb.data.wabas.vonage[0]!;
    const savedTemplates = vwaba.templates;
    vwaba.templates = [];
    try {
      const r = await captureCli(['templates', '--provider', 'vonage', '--waba', vwaba.id], {
        VONAGE_API_KEY: sb.credentials.vonageApiKey,
        VONAGE_API_SECRET: sb.credentials.vonageApiSecret,
        VONAGE_APPLICATION_ID: sb.credentials.vonageApplicationId,
        VONAGE_PRIVATE_KEY: sb.credentials.vonagePrivateKey,
        VONAGE_BASE_URL: sb.vonageBaseUrl,
      });
      assert.deepEqual(json(r), []);
    } finally {
      vwaba.templates = savedTemplates;
    }
  });
});
