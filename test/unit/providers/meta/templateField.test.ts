// template_analytics as a field of the WABA node (`{template_analytics: {data, paging}, id}`) is read,
// its paging included, exactly like the edge's `{data, paging}`; a body with neither form is a shape
// error, never 0 points with success. The sandbox answers the field form too (test/fixtures/SOURCES.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, startOfDayUtc } from '../../../../src/core/dates';
import type { Point } from '../../../../src/core/types';
import { normalizeMetaBody } from '../../../../src/providers/meta';
import { metaNextLink } from '../../../../src/providers/meta/normalize';
import { startSandbox } from '../../../../src/sandbox';
import type { Sandbox, SandboxWaba } from '../../../../src/sandbox';
import { captureCli, fixturePath, readFixture, thrownBy, tempDir } from '../../helpers';
import { rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';


describe('Meta template_analytics in the field form', () => {
  it('reads the same points as the edge answer, the WABA id from `id`, and the field\'s paging.next', () => {
    const edge = normalizeMetaBody(readFixture('meta', 'template-analytics-daily.json'), { kind: 'template' });
    const body = readFixture('meta', 'template-analytics-field-constructed.json') as { template_analytics: { paging: { next: string } } };
    const field = normalizeMetaBody(body, { kind: 'template' });
    assert.equal(field.result.points.length, 2);
    assert.deepEqual(field.result.points, edge.result.points);
    assert.equal(field.result.wabaId, '109259195336416');
    assert.equal(field.result.granularity, 'DAILY');
    assert.equal(field.next, body.template_analytics.paging.next);
    assert.equal(metaNextLink(body, 'template'), body.template_analytics.paging.next, 'the link read before validation is the same');
    assert.equal(edge.next, undefined);
  });

  it('a point that does not fit is a shape error naming its path under template_analytics', () => {
    const body = { template_analytics: { data: [{ data_points: [{ start: 1718064000, end: 1718150400, sent: 1 }] }] }, id: '1' };
    const e = thrownBy(() => normalizeMetaBody(body, { kind: 'template' }));
    assert.equal(e.kind, 'response');
    assert.equal(e.path, 'template_analytics.data[0].data_points[0].template_id');
  });

  it('a body with neither form is a shape error, never an empty answer', () => {
    for (const body of [{ id: '109259195336416' }, {}, { paging: { cursors: { after: 'MjQZD' } } }, { template_analytics: {} }, { template_analytics: null, id: '1' }, { data: null }]) {
      const e = thrownBy(() => normalizeMetaBody(body, { kind: 'template' }));
      assert.equal(e.kind, 'response', JSON.stringify(body));
      assert.equal(e.provider, 'meta');
      assert.match(e.path ?? '', /^(template_analytics\.)?data$|^template_analytics$/, JSON.stringify(body));
    }
    // An answer that says "no data" in either form is an empty answer, as it should be.
    assert.deepEqual(normalizeMetaBody({ data: [] }, { kind: 'template' }).result.points, []);
    assert.deepEqual(normalizeMetaBody({ template_analytics: { data: [] }, id: '1' }, { kind: 'template' }).result.points, []);
  });

  it('the CLI: the field form normalizes (exit 0); a body with neither form is exit 1 with one line', async () => {
    const ok = await captureCli(['normalize', '--provider', 'meta', '--kind', 'template', fixturePath('meta', 'template-analytics-field-constructed.json')], {});
    assert.equal(ok.code, 0, ok.stderr);
    const result = JSON.parse(ok.stdout) as { wabaId: string; points: Point[] };
    assert.equal(result.wabaId, '109259195336416');
    assert.deepEqual(result.points.map((p) => p.dims.template_id), ['1421988012088524', '2632273056924580']);
    const dir = await tempDir('waba-field-');
    const file = path.join(dir, 'neither.json');
    await writeFile(file, JSON.stringify({ id: '109259195336416' }));
    const bad = await captureCli(['normalize', '--provider', 'meta', '--kind', 'template', file], {});
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /Meta .*does not fit at data: missing/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('the sandbox answers the field form like the edge', () => {
  let sb: Sandbox;
  let w: SandboxWaba;
  const today = startOfDayUtc(Date.now());
  const sec = (ms: number) => Math.floor(ms / 1000);
  before(async () => {
    sb = await startSandbox({ seed: 3 });
    w = sb.data.wabas.meta.find((x) => x.insightsEnabled && x.templates.length >= 3)!;
    assert.ok(w);
  });
  after(async () => {
    await sb?.close();
  });

  async function get(url: string): Promise<unknown> {
    const res = await fetch(url, { headers: { authorization: `Bearer ${sb.credentials.metaToken}` } });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  }

  it('GET /<WABA>?fields=template_analytics.… answers {template_analytics: {data, paging}, id}; its next pages (edge form) complete it', async () => {
    const ids = w.templates.slice(0, 3).map((t) => t.id);
    const mods = `start(${sec(today - 5 * DAY)}).end(${sec(today)}).granularity(DAILY).template_ids([${ids.join(',')}])`;
    const first = (await get(`${sb.metaBaseUrl}/v25.0/${w.id}?fields=${encodeURIComponent(`template_analytics.${mods}.limit(4)`)}`)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(first).sort(), ['id', 'template_analytics']);
    assert.equal(first.id, w.id);
    const points: Point[] = [];
    let page = normalizeMetaBody(first, { kind: 'template' });
    assert.equal(page.result.wabaId, w.id);
    assert.equal(page.result.points.length, 4);
    assert.ok(page.next, 'a next page');
    let pages = 1;
    for (;;) {
      points.push(...page.result.points);
      if (!page.next) break;
      const body = (await get(page.next)) as Record<string, unknown>;
      assert.ok(Array.isArray(body.data), 'the next page is the edge form');
      page = normalizeMetaBody(body, { kind: 'template' });
      pages++;
    }
    assert.equal(pages, Math.ceil((5 * 3) / 4));
    // The same points as the edge asked directly.
    const edge = normalizeMetaBody(
      await get(`${sb.metaBaseUrl}/v25.0/${w.id}/template_analytics?start=${sec(today - 5 * DAY)}&end=${sec(today)}&granularity=DAILY&template_ids=${encodeURIComponent(`[${ids.join(',')}]`)}&limit=100`),
      { kind: 'template' },
    );
    assert.equal(points.length, 15);
    assert.deepEqual(points, edge.result.points);
  });

  it('the field form refuses what the edge refuses (an unknown modifier), as a Graph error', async () => {
    const res = await fetch(`${sb.metaBaseUrl}/v25.0/${w.id}?fields=${encodeURIComponent(`template_analytics.start(${sec(today - DAY)}).end(${sec(today)}).granularity(DAILY).template_ids([${w.templates[0]!.id}]).colour(RED)`)}`, {
      headers: { authorization: `Bearer ${sb.credentials.metaToken}` },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, 100);
    assert.match(body.error.message, /colour/);
  });
});
