/**
 * An answer is checked against the question (issue 9, part 2), through real sockets: hostile
 * servers of the test's own on 127.0.0.1 answering points outside the range, repeated points,
 * impossible values, repeating and endless cursors, huge point counts and echoed credentials, for
 * Meta and Vonage, through `runQuery` and the CLI; and the sandbox, to show that honest answers
 * (window edges, pages fetched by several chains) raise none of these warnings.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkAnswerPoints } from '../../../src/core/answerChecks';
import { toColumns } from '../../../src/core/columns';
import { DAY } from '../../../src/core/dates';
import { exportContent } from '../../../src/core/exportFile';
import { MIN_SERVER_PAGE, MIN_UNIT_POINTS, PageGuard, analyticsPageBounds } from '../../../src/core/pageGuard';
import type { Provider } from '../../../src/core/provider';
import type { QueryInput } from '../../../src/core/query';
import { parseQuery } from '../../../src/core/query';
import { runQuery } from '../../../src/core/run';
import type { Point, QueryRun } from '../../../src/core/types';
import { isWarningCode } from '../../../src/core/warnings';
import type { Warning, WarningCode } from '../../../src/core/warnings';
import { createMetaProvider } from '../../../src/providers/meta';
import { createVonageProvider } from '../../../src/providers/vonage';
import type { Sandbox } from '../../../src/sandbox';
import { startSandbox } from '../../../src/sandbox';
import type { HostileRequest, HostileServer } from '../helpers';
import {
  SENTINEL,
  captureCli,
  hostileMeta,
  hostileVonage,
  jsonText,
  metaFieldBody,
  metaTemplateBody,
  nextUrl,
  rejection,
  startHostileServer,
  tempDir,
  vonageBody,
} from '../helpers';

const NOW = Date.UTC(2026, 10, 20, 12);
const D0 = Date.UTC(2026, 10, 1);
const sec = (ms: number) => Math.floor(ms / 1000);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** A Meta pricing point on day `n` of the range (0 = 2026-11-01). */
const metaPt = (n: number, country: string, volume: unknown, extra: Record<string, unknown> = {}) => ({
  start: sec(D0 + n * DAY),
  end: sec(D0 + (n + 1) * DAY),
  country,
  volume,
  cost: 0.5,
  ...extra,
});
/** A Vonage pricing point on day `n`. */
const vonagePt = (n: number, country: string, volume: unknown, extra: Record<string, unknown> = {}) => ({
  start: iso(D0 + n * DAY),
  end: iso(D0 + (n + 1) * DAY),
  country,
  pricing_category: 'MARKETING',
  volume,
  ...extra,
});

const metaPricing = (extra: Partial<QueryInput> = {}): QueryInput =>
  ({ provider: 'meta', kind: 'pricing', wabaId: '111', from: '2026-11-01', to: '2026-11-03', granularity: 'DAILY', dimensions: ['COUNTRY'], ...extra }) as QueryInput;
const vonagePricing = (extra: Partial<QueryInput> = {}): QueryInput =>
  ({ provider: 'vonage', kind: 'pricing', wabaId: '222', from: '2026-11-01', to: '2026-11-03', granularity: 'DAILY', dimensions: ['COUNTRY'], ...extra }) as QueryInput;

/** Run against a hostile server answering `handle`; the server is closed afterwards. */
async function hostileRun(
  provider: 'meta' | 'vonage',
  query: QueryInput,
  handle: (req: HostileRequest, server: HostileServer) => ReturnType<HostileServer['handle']>,
  options: { keepRaw?: boolean; providerConfig?: Record<string, unknown> } = {},
): Promise<{ run: QueryRun; server: HostileServer }> {
  const server = await startHostileServer(() => ({ status: 500 }));
  server.handle = (req) => handle(req, server);
  try {
    const p = provider === 'meta' ? hostileMeta(server, NOW, options.providerConfig) : hostileVonage(server, NOW, options.providerConfig);
    // One chain per unit (concurrency 1): the order of pages is the server's.
    const run = await runQuery(p, query, { now: NOW, resolveCurrency: false, concurrency: 1, keepRaw: options.keepRaw });
    return { run, server };
  } finally {
    await server.close();
  }
}

async function hostileError(
  provider: 'meta' | 'vonage',
  query: QueryInput,
  handle: (req: HostileRequest, server: HostileServer) => ReturnType<HostileServer['handle']>,
  providerConfig: Record<string, unknown> = {},
) {
  const server = await startHostileServer(() => ({ status: 500 }));
  server.handle = (req) => handle(req, server);
  try {
    const p = provider === 'meta' ? hostileMeta(server, NOW, providerConfig) : hostileVonage(server, NOW, providerConfig);
    const e = await rejection(runQuery(p, query, { now: NOW, resolveCurrency: false, concurrency: 1 }));
    return { e, requests: server.requests.length };
  } finally {
    await server.close();
  }
}

const codes = (r: QueryRun): WarningCode[] => r.result.warnings.map((w) => w.code);
const withCode = (r: QueryRun, code: WarningCode): Warning[] => r.result.warnings.filter((w) => w.code === code);
const total = (r: QueryRun, m: string) => r.result.points.reduce((n, p) => n + (p.metrics[m] ?? 0), 0);

describe('answer checks: points outside the asked range are dropped, and counted', () => {
  it('Meta: a point the day before and a point the day after the range', async () => {
    const { run } = await hostileRun('meta', metaPricing(), () => ({
      body: metaFieldBody('pricing_analytics', [metaPt(-1, 'US', 100), metaPt(0, 'US', 1), metaPt(1, 'US', 2), metaPt(2, 'US', 3), metaPt(3, 'US', 200)]),
    }));
    assert.deepEqual(
      run.result.points.map((p) => p.start),
      [0, 1, 2].map((n) => iso(D0 + n * DAY)),
    );
    assert.equal(total(run, 'volume'), 6);
    const [w] = withCode(run, 'answer.out-of-range');
    assert.ok(w, JSON.stringify(run.result.warnings));
    assert.match(w.message, /^2 points outside the asked range \(2026-11-01T00:00:00\.000Z to 2026-11-04T00:00:00\.000Z\) were dropped\.$/);
  });

  it('Vonage: a point years away, and one starting at the end of the range', async () => {
    const { run } = await hostileRun('vonage', vonagePricing(), () => ({
      body: vonageBody('pricing', [vonagePt(0, 'US', 1), vonagePt(-400, 'US', 100), vonagePt(2, 'US', 3), vonagePt(3, 'US', 100)]),
    }));
    assert.equal(total(run, 'volume'), 4);
    assert.equal(run.result.points.length, 2);
    assert.match(withCode(run, 'answer.out-of-range')[0]!.message, /^2 points outside/);
  });

  it('a day in the WABA timezone that begins before UTC midnight is in range; the day before is not', async () => {
    const q = { provider: 'meta', kind: 'template', wabaId: '111', from: '2026-11-01', to: '2026-11-02', templateIds: ['7'], useWabaTimezone: true } as QueryInput;
    const berlin = (n: number) => ({ template_id: '7', start: sec(D0 + n * DAY - 3_600_000), end: sec(D0 + (n + 1) * DAY - 3_600_000), sent: 10 + n });
    const { run } = await hostileRun('meta', q, () => ({ body: metaTemplateBody([berlin(-1), berlin(0), berlin(1)], undefined, { waba_timezone: 'Europe/Berlin' }) }));
    assert.deepEqual(
      run.result.points.map((p) => p.metrics.sent),
      [10, 11],
    );
    assert.match(withCode(run, 'answer.out-of-range')[0]!.message, /^1 point outside/);
    assert.equal(run.result.timezone, 'Europe/Berlin');
  });
});

describe('answer checks: a repeated point is never counted twice', () => {
  it('Meta: a second page repeating the first page (under a new cursor)', async () => {
    const page1 = [metaPt(0, 'US', 1), metaPt(0, 'BR', 2)];
    const { run, server } = await hostileRun('meta', metaPricing(), (req, s) =>
      req.url.searchParams.get('after') === 'p2'
        ? { body: metaFieldBody('pricing_analytics', [...page1, metaPt(1, 'US', 4)]) }
        : { body: metaFieldBody('pricing_analytics', page1, nextUrl(s, req, 'p2')) },
    );
    assert.equal(server.requests.length, 2);
    assert.equal(total(run, 'volume'), 7);
    assert.equal(run.result.points.length, 3);
    assert.deepEqual(codes(run), ['answer.duplicate-point']);
    assert.match(run.result.warnings[0]!.message, /^2 repeated points \(same bucket and dimension values\) were dropped; the first of each was kept\.$/);
  });

  it('Vonage: the same point twice on one page, with different values: the first is kept', async () => {
    const { run } = await hostileRun('vonage', vonagePricing(), () => ({
      body: vonageBody('pricing', [vonagePt(0, 'US', 5), vonagePt(0, 'BR', 1), vonagePt(0, 'US', 50)]),
    }));
    assert.deepEqual(
      run.result.points.map((p) => [p.dims.country, p.metrics.volume]),
      [
        ['US', 5],
        ['BR', 1],
      ],
    );
    assert.match(withCode(run, 'answer.duplicate-point')[0]!.message, /^1 repeated point /);
  });

  it('templates: same template and day twice (clicks differing are still the same point); another template is not a repeat', async () => {
    const q = { provider: 'meta', kind: 'template', wabaId: '111', from: '2026-11-01', to: '2026-11-01', templateIds: ['7', '8'] } as QueryInput;
    const pt = (id: string, clicks: number) => ({
      template_id: id,
      start: sec(D0),
      end: sec(D0 + DAY),
      sent: 10,
      clicked: [{ type: 'url_button', button_content: 'Go', count: clicks }],
    });
    const { run } = await hostileRun('meta', q, () => ({ body: metaTemplateBody([pt('7', 1), pt('8', 2), pt('7', 9)]) }));
    assert.deepEqual(
      run.result.points.map((p) => [p.dims.template_id, p.metrics.clicked]),
      [
        ['7', 1],
        ['8', 2],
      ],
    );
    assert.deepEqual(
      withCode(run, 'answer.duplicate-point').map((w) => w.message.slice(0, 18)),
      ['1 repeated point ('],
    );
  });
});

describe('answer checks: impossible values are named, never dropped or kept silently', () => {
  it('Meta: negative and non-finite counts and costs are left out of their points; a backwards bucket is dropped', async () => {
    // 1e999 parses to Infinity: written as JSON text (JSON.stringify cannot write it), as a number and as a string.
    const body = JSON.stringify(
      metaFieldBody('pricing_analytics', [
        metaPt(0, 'US', -5),
        metaPt(0, 'BR', 3, { cost: '@INF@' }),
        metaPt(1, 'US', '1e999'),
        { start: sec(D0 + 2 * DAY), end: sec(D0 + DAY), country: 'US', volume: 9, cost: 1 },
        metaPt(2, 'US', 4),
      ]),
    ).replace('"@INF@"', '1e999');
    const { run } = await hostileRun('meta', metaPricing(), () => jsonText(body));
    assert.deepEqual(
      run.result.points.map((p) => [p.dims.country, p.metrics]),
      [
        ['US', { cost: 0.5 }],
        ['BR', { volume: 3 }],
        ['US', { cost: 0.5 }],
        ['US', { volume: 4, cost: 0.5 }],
      ],
    );
    const impossible = withCode(run, 'answer.impossible-value').map((w) => w.message);
    assert.deepEqual(impossible, [
      // Values: left out where they are read (one warning for all pages of the unit).
      '3 negative or non-finite values (volume ×2, cost ×1) were left out of their points; the other values were kept.',
      // Buckets: by the answer checks.
      '1 point whose bucket ends before (or when) it starts was dropped.',
    ]);
    // Nothing non-finite leaves: JSON has no Infinity (it would become null).
    assert.ok(!JSON.stringify(run.result).includes('null'));
  });

  it('Meta templates: a negative click count is left out, with the clicked total it made', async () => {
    const q = { provider: 'meta', kind: 'template', wabaId: '111', from: '2026-11-01', to: '2026-11-01', templateIds: ['7'] } as QueryInput;
    const { run } = await hostileRun('meta', q, () => ({
      body: metaTemplateBody([
        {
          template_id: '7',
          start: sec(D0),
          end: sec(D0 + DAY),
          sent: 10,
          clicked: [
            { type: 'url_button', button_content: 'Go', count: -4 },
            { type: 'quick_reply_button', button_content: 'Yes', count: 2 },
          ],
        },
      ]),
    }));
    const [p] = run.result.points;
    assert.deepEqual(p!.metrics, { sent: 10 });
    assert.deepEqual(p!.clicks, [{ type: 'quick_reply_button', button_content: 'Yes', count: 2 }]);
    assert.deepEqual(
      withCode(run, 'answer.impossible-value').map((w) => w.message),
      ['2 negative or non-finite values (url_button click count ×1, clicked ×1) were left out of their points; the other values were kept.'],
    );
  });

  it('Vonage: a negative count is left out, a bucket ending before it starts is dropped, 1e999 is refused naming the field', async () => {
    // Two pages, one left-out value on each: one warning for the unit.
    const { run } = await hostileRun('vonage', vonagePricing(), (req, s) =>
      req.url.searchParams.get('cursor') === 'p2'
        ? { body: vonageBody('pricing', [vonagePt(2, 'US', 3), vonagePt(2, 'BR', 1, { cost: -0.5 })]) }
        : { body: vonageBody('pricing', [vonagePt(0, 'US', -1, { cost: 2 }), vonagePt(1, 'US', 7, { end: iso(D0) })], nextUrl(s, req, 'p2', 'cursor')) },
    );
    assert.deepEqual(
      run.result.points.map((p) => p.metrics),
      [{ cost: 2 }, { volume: 3 }, { volume: 1 }],
    );
    assert.deepEqual(
      withCode(run, 'answer.impossible-value').map((w) => w.message),
      [
        '2 negative or non-finite values (volume ×1, cost ×1) were left out of their points; the other values were kept.',
        '1 point whose bucket ends before (or when) it starts was dropped.',
      ],
    );
    const text = JSON.stringify(vonageBody('pricing', [vonagePt(0, 'US', '@INF@')])).replace('"@INF@"', '1e999');
    const { e } = await hostileError('vonage', vonagePricing(), () => jsonText(text));
    assert.equal(e.kind, 'response');
    assert.match(e.message, /^Vonage pricing-analytics answered a body that does not fit at _embedded\.pricing_analytics\[0\]\.volume/);
  });
});

describe('answer checks: a server that pages without end, or sends too much, ends in one clear error', () => {
  const messaging = (provider: 'meta' | 'vonage'): QueryInput =>
    ({ provider, kind: 'messaging', wabaId: provider === 'meta' ? '111' : '222', from: '2026-11-01', to: '2026-11-01', granularity: 'DAILY' }) as QueryInput;
  const bounds = (pageSize?: number) => analyticsPageBounds({ startMs: D0, endMs: D0 + DAY, granularity: 'DAILY', pageSize });

  it('Meta: a next link that repeats', async () => {
    const { e, requests } = await hostileError('meta', messaging('meta'), (req, s) => ({
      body: metaFieldBody('analytics', [{ start: sec(D0), end: sec(D0 + DAY), sent: 1 }], nextUrl(s, req, 'same')),
    }));
    assert.equal(e.kind, 'response');
    assert.equal(e.provider, 'meta');
    assert.equal(e.endpoint, 'analytics');
    assert.match(e.message, /^Meta analytics answered a next page that was already read \(a paging loop, after 2 pages\)\. /);
    assert.equal(requests, 2);
  });

  it('Vonage: a cursor that repeats', async () => {
    const { e, requests } = await hostileError('vonage', messaging('vonage'), (req, s) => ({
      body: { ...vonageBody('messaging', [], nextUrl(s, req, 'again', 'cursor')) },
    }));
    assert.equal(e.kind, 'response');
    assert.match(e.message, /^Vonage messaging-analytics answered a next page that was already read \(a paging loop/);
    assert.equal(requests, 2);
  });

  it('Meta: an endless chain of new cursors stops at the bound the range allows', async () => {
    const { maxPages } = bounds();
    assert.equal(maxPages, Math.ceil(MIN_UNIT_POINTS / MIN_SERVER_PAGE) + 2);
    let n = 0;
    const { e, requests } = await hostileError('meta', messaging('meta'), (req, s) => ({ body: metaFieldBody('analytics', [], nextUrl(s, req, `c${n++}`)) }));
    assert.match(e.message, new RegExp(`^Meta analytics kept paging past ${maxPages} pages, more than the question can hold\\. `));
    assert.equal(requests, maxPages);
  });

  it('Vonage: an endless chain of new cursors stops at the bound the range and page size allow', async () => {
    const { maxPages } = bounds(1000);
    let n = 0;
    const { e, requests } = await hostileError('vonage', messaging('vonage'), (req, s) => ({ body: vonageBody('messaging', [], nextUrl(s, req, `c${n++}`, 'cursor')) }), {
      pageSize: 1000,
    });
    assert.match(e.message, new RegExp(`^Vonage messaging-analytics kept paging past ${maxPages} pages`));
    assert.equal(requests, maxPages);
  });

  it('Meta: one page with more points than one day can hold', async () => {
    const { maxItems } = bounds();
    const points = Array.from({ length: maxItems + 1 }, () => ({ start: sec(D0), end: sec(D0 + DAY), sent: 1 }));
    const { e, requests } = await hostileError('meta', messaging('meta'), () => ({ body: metaFieldBody('analytics', points) }));
    assert.equal(e.kind, 'response');
    assert.match(e.message, new RegExp(`^Meta analytics answered ${maxItems + 1} items, more than the question can hold \\(at most ${maxItems}\\)`));
    assert.equal(requests, 1);
  });

  it('Vonage: full pages without end stop at the point bound, before the page bound', async () => {
    const { maxItems } = bounds(1000);
    const page = Array.from({ length: 1000 }, (_, i) => ({ start: iso(D0), end: iso(D0 + DAY), sent: i }));
    let n = 0;
    const { e, requests } = await hostileError('vonage', messaging('vonage'), (req, s) => ({ body: vonageBody('messaging', page, nextUrl(s, req, `c${n++}`, 'cursor')) }), {
      pageSize: 1000,
    });
    assert.match(e.message, /more than the question can hold/);
    assert.equal(requests, Math.floor(maxItems / 1000) + 1);
  });

  it('the CLI: one line naming provider and endpoint, exit 1', async () => {
    const server = await startHostileServer(() => ({ status: 500 }));
    server.handle = (req) => ({ body: metaFieldBody('analytics', [], nextUrl(server, req, 'loop')) });
    try {
      const y = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
      const r = await captureCli(['query', 'messaging', '--provider', 'meta', '--waba', '111', '--from', y, '--to', y], {
        WABA_META_TOKEN: SENTINEL.metaToken,
        WABA_META_BASE_URL: server.url,
      });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^waba-analytics: Meta analytics answered a next page that was already read \(a paging loop, after \d+ pages?\)\. [^\n]+\n$/);
      assert.ok(server.requests.length <= 3, `${server.requests.length} requests`);
    } finally {
      await server.close();
    }
  });

  it('the guard on its own: repeat, page and item bounds', () => {
    const g = new PageGuard({ provider: 'meta', endpoint: 'x', maxPages: 3, maxItems: 10, first: 'a' });
    assert.throws(() => g.next('a', 0), /already read/);
    const h = new PageGuard({ provider: 'vonage', endpoint: 'y', maxPages: 3 });
    h.next('b', 1);
    h.next('c', 2);
    assert.throws(() => h.next('d', 3), /kept paging past 3 pages/);
    const i = new PageGuard({ provider: 'meta', endpoint: 'z', maxPages: 100, maxItems: 10 });
    i.next(undefined, 10);
    assert.throws(() => i.checkItems(11), /11 items/);
  });
});

describe('answer checks: a credential echoed by the server never leaves', () => {
  const secretsIn = (text: string) => [SENTINEL.metaToken, SENTINEL.vonageApiSecret].filter((s) => text.includes(s));

  it('Meta: in dimension values, a cost type name, the currency, the timezone and a next link (runQuery, exports, panel columns)', async () => {
    const q = metaPricing({ dimensions: ['COUNTRY', 'PRICING_CATEGORY'] });
    const { run, server } = await hostileRun(
      'meta',
      q,
      (req, s) =>
        req.url.searchParams.get('after') === 'p2'
          ? { body: metaFieldBody('pricing_analytics', [metaPt(1, 'US', 2, { pricing_category: 'MARKETING' })]) }
          : {
              body: metaFieldBody(
                'pricing_analytics',
                [metaPt(0, `XX ${SENTINEL.metaToken}`, 1, { pricing_category: SENTINEL.metaToken })],
                `${nextUrl(s, req, 'p2')}&access_token=${SENTINEL.metaToken}`,
                { currency: `USD ${SENTINEL.metaToken}` },
              ),
            },
      { keepRaw: true },
    );
    assert.equal(server.requests.length, 2);
    assert.equal(run.result.points.length, 2);
    assert.equal(run.result.points[0]!.dims.country, 'XX [REDACTED]');
    assert.equal(run.result.points[0]!.dims.pricing_category, '[REDACTED]');
    assert.ok(codes(run).includes('answer.redacted'), JSON.stringify(run.result.warnings));
    // The unknown-value warning names the value: masked too.
    assert.ok(run.result.warnings.some((w) => w.code === 'value.unknown' && w.message.includes('[REDACTED]')));
    const query = parseQuery(q);
    for (const text of [
      JSON.stringify(run),
      exportContent(query, run, 'json', { includeRaw: true }),
      exportContent(query, run, 'csv'),
      JSON.stringify({ ...toColumns(run.result), starts: [], ends: [] }),
    ]) {
      assert.deepEqual(secretsIn(text), []);
    }
  });

  it('Vonage: in dimension values and a template id', async () => {
    const { run } = await hostileRun(
      'vonage',
      vonagePricing({ dimensions: ['COUNTRY', 'PRICING_CATEGORY'] }),
      () => ({ body: vonageBody('pricing', [vonagePt(0, SENTINEL.vonageApiSecret, 1), vonagePt(1, 'US', 2, { pricing_category: `x${SENTINEL.vonageApiSecret}` })]) }),
      { keepRaw: true },
    );
    assert.deepEqual(
      run.result.points.map((p) => [p.dims.country, p.dims.pricing_category]),
      [
        ['[REDACTED]', 'MARKETING'],
        ['US', 'x[REDACTED]'],
      ],
    );
    assert.deepEqual(secretsIn(JSON.stringify(run)), []);
    assert.ok(codes(run).includes('answer.redacted'));
    const tq = { provider: 'vonage', kind: 'template', wabaId: '222', from: '2026-11-01', to: '2026-11-01', templateIds: ['7'] } as QueryInput;
    const t = await hostileRun('vonage', tq, () => ({
      body: vonageBody('template', [{ template_id: SENTINEL.vonageApiSecret, start: iso(D0), end: iso(D0 + DAY), sent: 3 }]),
    }));
    assert.equal(t.run.result.points[0]!.dims.template_id, '[REDACTED]');
    assert.deepEqual(secretsIn(JSON.stringify(t.run)), []);
  });

  for (const provider of ['meta', 'vonage'] as const) {
    for (const format of ['json', 'csv']) {
      it(`the CLI (${provider}, ${format}): neither stdout nor stderr shows it`, async () => {
        const server = await startHostileServer(() => ({ status: 500 }));
        const secret = provider === 'meta' ? SENTINEL.metaToken : SENTINEL.vonageApiSecret;
        const y = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 2 * DAY;
        const point = { start: iso(y), end: iso(y + DAY), country: secret, pricing_category: secret, volume: 1 };
        server.handle = () => ({
          body:
            provider === 'meta'
              ? metaFieldBody('pricing_analytics', [{ ...point, start: sec(y), end: sec(y + DAY) }], undefined, { currency: secret })
              : vonageBody('pricing', [point]),
        });
        try {
          const day = iso(y).slice(0, 10);
          const env: Record<string, string> =
            provider === 'meta'
              ? { WABA_META_TOKEN: SENTINEL.metaToken, WABA_META_BASE_URL: server.url }
              : { VONAGE_API_KEY: SENTINEL.vonageApiKey, VONAGE_API_SECRET: SENTINEL.vonageApiSecret, VONAGE_BASE_URL: server.url };
          const r = await captureCli(
            ['query', 'pricing', '--provider', provider, '--waba', '111', '--from', day, '--to', day, '--dimensions', 'COUNTRY,PRICING_CATEGORY', '--format', format],
            env,
          );
          assert.equal(r.code, 0, r.stderr);
          assert.ok(r.stdout.includes('[REDACTED]'), r.stdout);
          assert.deepEqual(secretsIn(r.stdout + r.stderr), []);
          assert.match(r.stderr, /^warning \[answer\.redacted\]: /m);
        } finally {
          await server.close();
        }
      });
    }
  }

  it('the CLI normalize: a body holding a token-like string', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'body.json');
    const token = `EAA${'x7'.repeat(20)}`;
    await writeFile(file, JSON.stringify(metaFieldBody('pricing_analytics', [metaPt(0, token, 1), metaPt(0, token, 1)])));
    const r = await captureCli(['normalize', '--provider', 'meta', '--kind', 'pricing', file], {});
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token));
    const out = JSON.parse(r.stdout) as { points: Point[]; warnings: Warning[] };
    assert.equal(out.points.length, 1, 'the repeat is dropped here too');
    assert.deepEqual(out.warnings.map((w) => w.code).sort(), ['answer.duplicate-point', 'answer.redacted']);
    assert.match(r.stderr, /^warning \[answer\.duplicate-point\]: 1 repeated point/m);
  });
});

describe('answer checks: honest answers raise none of these warnings', () => {
  let sb: Sandbox;
  const TODAY = Math.floor(NOW / DAY) * DAY;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  before(async () => {
    sb = await startSandbox({ now: () => NOW, metaFieldPageSize: 40, metaTemplateLimitMax: 25 });
  });
  after(async () => {
    await sb.close();
  });
  const meta = () => createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW });
  const vonage = () =>
    createVonageProvider({ apiKey: sb.credentials.vonageApiKey, apiSecret: sb.credentials.vonageApiSecret }, { baseUrl: sb.vonageBaseUrl, now: () => NOW, pageSize: 50 });
  const unique = (points: Point[]) => new Set(points.map((p) => `${p.start}|${p.end}|${JSON.stringify(p.dims)}`)).size === points.length;
  const answerCodes = (r: QueryRun) => r.result.warnings.filter((w) => w.code.startsWith('answer.') && w.code !== 'answer.unknown-granularity');

  it('Meta pages fetched by several chains at once (window edges): the same points as one chain', async () => {
    const q = { provider: 'meta', kind: 'pricing', wabaId: sb.data.wabas.meta[0]!.id, from: day(TODAY - 6 * DAY), to: day(TODAY - DAY), granularity: 'HALF_HOUR', dimensions: ['PRICING_CATEGORY'] } as QueryInput;
    const one = await runQuery(meta(), q, { now: NOW, resolveCurrency: false, concurrency: 1 });
    const many = await runQuery(meta(), q, { now: NOW, resolveCurrency: false, concurrency: 4 });
    assert.ok(one.requests > 3, 'the answer is paged');
    assert.deepEqual(answerCodes(many), []);
    assert.ok(unique(many.result.points));
    assert.deepEqual(many.result, one.result);
  });

  it('Vonage windows (HALF_HOUR over 40 days) and template batches: no repeats, nothing out of range, every point kept', async () => {
    const waba = sb.data.wabas.vonage[0]!;
    const from = TODAY - 40 * DAY;
    const q = { provider: 'vonage', kind: 'messaging', wabaId: waba.id, from: day(from), to: day(TODAY - DAY), granularity: 'HALF_HOUR' } as QueryInput;
    const r = await runQuery(vonage(), q, { now: NOW, resolveCurrency: false });
    assert.deepEqual(answerCodes(r), []);
    assert.ok(unique(r.result.points));
    const totals = sb.data.totals({ provider: 'vonage', wabaId: waba.id, kind: 'messaging', startMs: from, endMs: TODAY });
    assert.equal(total(r, 'sent'), totals.sent);
  });

  it('every warning of every kind from both providers has a code from the list', async () => {
    const seen: Warning[] = [];
    const from = day(TODAY - 10 * DAY);
    const to = day(TODAY + DAY);
    for (const [p, wabaId] of [
      [meta(), sb.data.wabas.meta[0]!.id],
      [vonage(), sb.data.wabas.vonage[0]!.id],
    ] as Array<[Provider, string]>) {
      for (const kind of ['messaging', 'conversation', 'pricing', 'template'] as const) {
        if (!p.capabilities[kind]) continue;
        try {
          const extra = kind === 'template' ? { templateIds: (await templateIdsOf(p, wabaId)).slice(0, 3) } : {};
          const r = await runQuery(p, { provider: p.id, kind, wabaId, from, to, ...extra }, { now: NOW });
          seen.push(...r.result.warnings);
        } catch {
          // A kind the WABA refuses (e.g. insights off) is another test's subject.
        }
      }
    }
    assert.ok(seen.length > 0, 'some warnings were produced (the range ends in the future)');
    for (const w of seen) {
      assert.ok(isWarningCode(w.code), JSON.stringify(w));
      assert.equal(typeof w.message, 'string');
      assert.deepEqual(Object.keys(w).sort(), ['code', 'message']);
    }
  });
});

async function templateIdsOf(p: Provider, wabaId: string): Promise<string[]> {
  const page = await p.listTemplates(wabaId, { limit: 10 });
  return page.items.map((t) => t.id);
}

describe('answer checks: one pass, order kept', () => {
  it('keeps the same array when nothing is wrong, and the first of each repeat in order otherwise', () => {
    const mk = (n: number, c: string): Point => ({ start: iso(D0 + n * DAY), end: iso(D0 + (n + 1) * DAY), dims: Object.freeze({ country: c }) as Record<string, string>, metrics: { volume: n } });
    const clean = [mk(0, 'US'), mk(0, 'BR'), mk(1, 'US')];
    const r = checkAnswerPoints(clean, { granularity: 'DAILY', startMs: D0, endMs: D0 + 2 * DAY });
    assert.equal(r.points, clean);
    assert.deepEqual(r.warnings, []);
    const dup = [mk(0, 'US'), mk(1, 'US'), { ...mk(0, 'US'), dims: { country: 'US' } }, mk(1, 'BR')];
    const d = checkAnswerPoints(dup, { granularity: 'DAILY', startMs: D0, endMs: D0 + 2 * DAY });
    assert.deepEqual(
      d.points.map((p) => [p.start.slice(8, 10), p.dims.country]),
      [
        ['01', 'US'],
        ['02', 'US'],
        ['02', 'BR'],
      ],
    );
  });
});
