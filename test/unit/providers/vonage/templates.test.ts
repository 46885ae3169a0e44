// Vonage template analytics: more than 10 templates are fetched in batches of 10, `template_ids`
// travels as one JSON-array parameter (Vonage's curl snippets and the seed's `_links.self.href`),
// and the sandbox accepts exactly the requests Vonage's own snippets send (test/fixtures/SOURCES.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, formatIsoDate, startOfDayUtc } from '../../../../src/core/dates';
import { parseQuery, resolveQuery } from '../../../../src/core/query';
import { runQuery } from '../../../../src/core/run';
import type { Point } from '../../../../src/core/types';
import { VONAGE_CAPABILITIES, buildAnalyticsUrl, createVonageProvider, normalizeVonageBody, validateVonageQuery } from '../../../../src/providers/vonage';
import { planQuery } from '../../../../src/core/plan';
import { startSandbox } from '../../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../../src/sandbox';
import { captureCli, readFixture } from '../../helpers';

let sb: Sandbox;
let uk: SandboxWaba;
const today = startOfDayUtc(Date.now());
const from = formatIsoDate(today - 7 * DAY);
const to = formatIsoDate(today - DAY);

before(async () => {
  sb = await startSandbox({ seed: 7 });
  uk = sb.data.wabas.vonage.find((w) => w.insightsEnabled && w.templates.length >= 25)!;
  assert.ok(uk, 'the sandbox has a Vonage WABA with insights and at least 25 templates');
});

after(async () => {
  await sb?.close();
});

const basicAuth = () => `Basic ${Buffer.from(`${sb.credentials.vonageApiKey}:${sb.credentials.vonageApiSecret}`).toString('base64')}`;

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: basicAuth(), accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** `template_ids` values of a URL (all of them: the form must be ONE parameter). */
const templateIdsOf = (url: string) => new URL(url, 'http://x').searchParams.getAll('template_ids');
const key = (templateId: string, startIso: string) => `${templateId}|${startIso}`;
const isoOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Vonage template_ids: one parameter holding a JSON array', () => {
  it('is the form of the seed\'s documented _links.self.href (test/fixtures/vonage/template.json)', () => {
    const body = readFixture('vonage', 'template.json') as { _links: { self: { href: string } } };
    const documented = templateIdsOf(body._links.self.href);
    assert.deepEqual(documented, ['[458951126288937]']);
    const q = parseQuery({ provider: 'vonage', kind: 'template', wabaId: '345688589250625', from: '2024-11-10', to: '2024-11-14', templateIds: ['458951126288937'] });
    const { url } = buildAnalyticsUrl({ query: q, startMs: Date.parse('2024-11-10T00:00:00Z'), endMs: Date.parse('2024-11-15T00:00:00Z'), index: 0 });
    assert.deepEqual(templateIdsOf(url), documented, 'the same single value as Vonage\'s own link');
    // Every other parameter of the documented link is one this project sends too.
    const ours = new URL(url, 'http://x').searchParams;
    for (const name of ['start', 'end', 'page_size']) assert.equal(ours.get(name), new URL(body._links.self.href).searchParams.get(name), name);
  });

  it('a batch is one value [a,b,...]; ids that are not digits are JSON strings', () => {
    const q = parseQuery({ provider: 'vonage', kind: 'template', wabaId: '1', from: '2024-11-10', to: '2024-11-10', templateIds: ['11', '22', 'abc_1'] });
    const unit = { query: q, startMs: Date.parse('2024-11-10T00:00:00Z'), endMs: Date.parse('2024-11-11T00:00:00Z'), index: 0 };
    assert.deepEqual(templateIdsOf(buildAnalyticsUrl({ ...unit, templateIds: ['11', '22'] }).url), ['[11,22]']);
    assert.deepEqual(templateIdsOf(buildAnalyticsUrl(unit).url), ['[11,22,"abc_1"]']);
  });

  it('25 templates: the query is valid (no refusal), and the plan makes 3 batches of at most 10', () => {
    const ids = uk.templates.slice(0, 25).map((t) => t.id);
    const resolved = resolveQuery({ provider: 'vonage', kind: 'template', wabaId: uk.id, from, to, templateIds: ids }, VONAGE_CAPABILITIES);
    assert.doesNotThrow(() => validateVonageQuery(resolved.query));
    assert.doesNotThrow(() => createVonageProvider({ apiKey: 'k', apiSecret: 's' }).validate!(resolved.query));
    const units = planQuery(resolved, VONAGE_CAPABILITIES.template!);
    assert.deepEqual(
      units.map((u) => u.templateIds),
      [ids.slice(0, 10), ids.slice(10, 20), ids.slice(20)],
    );
  });
});

describe('Vonage template analytics of 25 templates against the sandbox', () => {
  it('sends 3 requests, each with its batch as one JSON array, and the result is the union of the batches', async () => {
    const ids = uk.templates.slice(0, 25).map((t) => t.id);
    const provider = createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret }, { baseUrl: sb.vonageBaseUrl, retryBaseMs: 1 });
    sb.stats.reset();
    const run = await runQuery(provider, { provider: 'vonage', kind: 'template', wabaId: uk.id, from, to, templateIds: ids }, { keepRaw: true, resolveCurrency: false });
    assert.equal(sb.stats.byEndpoint['vonage template-analytics'], 3, 'one request a batch');
    assert.equal(run.requests, 3);
    assert.equal(run.partial, false);
    // What the sandbox received, as it echoes it in _links.self.href: one JSON array a request.
    const sent = (run.raw as Array<{ _links: { self: { href: string } } }>).map((b) => templateIdsOf(b._links.self.href));
    assert.deepEqual(sent.sort(), [[`[${ids.slice(0, 10).join(',')}]`], [`[${ids.slice(10, 20).join(',')}]`], [`[${ids.slice(20).join(',')}]`]].sort());
    // The union: exactly the sandbox's points for all 25 templates, each once.
    const oracle = sb.data.points({ provider: 'vonage', wabaId: uk.id, kind: 'template', startMs: today - 7 * DAY, endMs: today, granularity: 'DAILY', filters: { templateIds: ids } });
    assert.equal(run.result.points.length, oracle.length);
    const got = new Map(run.result.points.map((p: Point) => [key(p.dims.template_id!, p.start), p.metrics]));
    assert.equal(got.size, oracle.length, 'no point twice');
    for (const o of oracle) assert.deepEqual(got.get(key(o.dims.template_id!, isoOf(o.startMs))), o.metrics, `${o.dims.template_id} ${isoOf(o.startMs)}`);
    assert.deepEqual(new Set(run.result.points.map((p) => p.dims.template_id)), new Set(ids));
  });

  it('the CLI runs it too: exit 0, all 25 templates, 3 requests', async () => {
    const ids = uk.templates.slice(0, 25).map((t) => t.id);
    sb.stats.reset();
    const r = await captureCli(['query', 'template', '--provider', 'vonage', '--waba', uk.id, '--from', from, '--to', to, '--templates', ids.join(',')], {
      VONAGE_API_KEY: sb.credentials.vonageApiKey,
      VONAGE_API_SECRET: sb.credentials.vonageApiSecret,
      VONAGE_BASE_URL: sb.vonageBaseUrl,
    });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { points: Point[] };
    assert.equal(new Set(result.points.map((p) => p.dims.template_id)).size, 25);
    assert.equal(sb.stats.byEndpoint['vonage template-analytics'], 3);
  });
});

describe('the sandbox takes the requests of Vonage\'s curl snippets (Vonage/vonage-curl-code-snippets)', () => {
  interface CurlFixture {
    url: string;
    query: Array<[string, string]>;
  }
  /** The snippet's request with its shell variables filled in with the sandbox's values. */
  function fill(name: string, vars: Record<string, string>): string {
    const f = readFixture('vonage', name) as CurlFixture;
    const sub = (s: string) => s.replace(/\$\{(\w+)\}/g, (_m, v: string) => {
      assert.ok(v in vars, `a value for ${v}`);
      return vars[v]!;
    });
    const url = new URL(sub(f.url).replace('https://api.nexmo.com', sb.vonageBaseUrl));
    for (const [k, v] of f.query) url.searchParams.append(k, sub(v)); // curl --data-urlencode / -d
    return url.toString();
  }
  const vars = () => ({
    CHANNEL_MANAGER_WABA_ID: uk.id,
    CHANNEL_MANAGER_WHATSAPP_ANALYTICS_START: from,
    CHANNEL_MANAGER_WHATSAPP_ANALYTICS_END: to,
    CHANNEL_MANAGER_WHATSAPP_ANALYTICS_GRANULARITY: 'DAILY',
    // config.sh's default for this variable is "[]": a JSON array.
    CHANNEL_MANAGER_WHATSAPP_ANALYTICS_TEMPLATE_IDS: `[${uk.templates.slice(0, 2).map((t) => t.id).join(',')}]`,
  });

  it('get-template-analytics.sh (no granularity: DAILY is the only one) answers the documented shape', async () => {
    const { status, body } = await getJson(fill('curl-get-template-analytics.request.json', vars()));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.granularity, 'DAILY');
    const { result } = normalizeVonageBody(body, { kind: 'template' });
    assert.deepEqual(new Set(result.points.map((p) => p.dims.template_id)), new Set(uk.templates.slice(0, 2).map((t) => t.id)));
    assert.equal(result.points.length, 2 * 7);
  });

  it('get-messaging-analytics.sh (values in literal double quotes) and get-pricing-analytics.sh answer 200', async () => {
    for (const [name, kind] of [
      ['curl-get-messaging-analytics.request.json', 'messaging'],
      ['curl-get-pricing-analytics.request.json', 'pricing'],
    ] as const) {
      const url = fill(name, vars());
      if (kind === 'messaging') assert.equal(new URL(url).searchParams.get('start'), `"${from}"`, 'the snippet quotes its values');
      const { status, body } = await getJson(url);
      assert.equal(status, 200, `${name}: ${JSON.stringify(body)}`);
      const { result } = normalizeVonageBody(body, { kind });
      assert.ok(result.points.length > 0, name);
      assert.equal(result.points[0]!.start, `${from}T00:00:00Z`);
    }
  });

  it('the old forms of template_ids (repeated, comma list, bare id, template_ids[]) are a 400 problem naming the JSON-array form', async () => {
    const [a, b] = uk.templates.map((t) => t.id);
    const base = `${sb.vonageBaseUrl}/v1/channel-manager/whatsapp/wabas/${uk.id}/template-analytics?start=${from}&end=${to}&granularity=DAILY`;
    for (const q of [`template_ids=${a}&template_ids=${b}`, `template_ids=${a},${b}`, `template_ids=${a}`, `template_ids[]=${a}&template_ids[]=${b}`]) {
      const { status, body } = await getJson(`${base}&${q}`);
      assert.equal(status, 400, q);
      assert.equal(body.title, 'Invalid parameters');
      const p = (body.invalid_parameters as Array<{ name: string; reason: string }>).find((x) => x.name === 'template_ids');
      assert.ok(p, `${q}: ${JSON.stringify(body)}`);
      assert.match(p.reason, /one parameter holding a JSON array, e\.g\. template_ids=\[/);
    }
    const ok = await getJson(`${base}&template_ids=${encodeURIComponent(`["${a}","${b}"]`)}`);
    assert.equal(ok.status, 200, 'quoted ids in the array are the same array');
  });
});
