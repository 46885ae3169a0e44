/**
 * Meta's 2026 analytics (issue 12): calls (both call_analytics shapes), template groups (batches of
 * 10), WhatsApp groups (one id per request), unknown template metrics kept, the 1 Oct 2026 billing
 * warning, and Vonage refusing the new kinds — against the sandbox over 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY } from '../../../../src/core/dates';
import { WabaError } from '../../../../src/core/errors';
import { resolveQuery } from '../../../../src/core/query';
import { runQuery } from '../../../../src/core/run';
import { createMetaProvider, META_CAPABILITIES, normalizeMetaBody } from '../../../../src/providers/meta';
import { VONAGE_CAPABILITIES } from '../../../../src/providers/vonage';
import type { Sandbox } from '../../../../src/sandbox';
import { startSandbox } from '../../../../src/sandbox';
import { templateGroupsOf, whatsappGroupsOf } from '../../../../src/sandbox/metaNewer';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { captureCli } from '../../helpers';

const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
let sb: Sandbox;
const provider = () => createMetaProvider({ accessToken: sb.credentials.metaToken }, { baseUrl: sb.metaBaseUrl, now: () => NOW, retryBaseMs: 5, maxRetries: 1 });

before(async () => {
  sb = await startSandbox({ now: () => NOW });
});
after(async () => {
  await sb?.close();
});

describe('call analytics', () => {
  it('reads the guide shape and the older data[] shape alike, with direction breakdown and cost', async () => {
    for (const waba of sb.data.wabas.meta.slice(0, 2)) {
      const run = await runQuery(provider(), {
        kind: 'calls', provider: 'meta', wabaId: waba.id, from: day(TODAY - 6 * DAY), to: day(TODAY - DAY),
        dimensions: ['DIRECTION'], directions: ['USER_INITIATED', 'BUSINESS_INITIATED'],
      }, { now: NOW });
      assert.equal(run.result.kind, 'calls');
      assert.equal(run.result.points.length, 12, waba.id);
      assert.deepEqual(new Set(run.result.points.map((p) => p.dims.direction)), new Set(['USER_INITIATED', 'BUSINESS_INITIATED']));
      assert.ok(run.result.points.every((p) => typeof p.metrics.count === 'number' && typeof p.metrics.average_duration === 'number'));
      if (!waba.partnerBilled) assert.ok(run.result.currency);
    }
  });
  it('normalizes the documented guide body', () => {
    const body = { call_analytics: { granularity: 'DAILY', directions: 'USER_INITIATED', data_points: [{ start: 1765958400, end: 1766044800, cost: 0.47795, count: 35, average_duration: 106 }] }, id: '1' };
    const r = normalizeMetaBody(body, { kind: 'calls' }).result;
    assert.deepEqual(r.points[0]!.metrics, { count: 35, cost: 0.47795, average_duration: 106 });
    assert.equal(r.granularity, 'DAILY');
  });
  it('Vonage has no call, template-group or WhatsApp-group analytics, and says so', () => {
    for (const kind of ['calls', 'template-groups', 'groups'] as const) {
      const q = { kind, provider: 'vonage', wabaId: '1', from: day(TODAY - 2 * DAY), to: day(TODAY - DAY), ...(kind === 'template-groups' ? { templateGroupIds: ['1'] } : kind === 'groups' ? { groupIds: ['1'] } : {}) };
      assert.throws(() => resolveQuery(q, VONAGE_CAPABILITIES, NOW), (e: unknown) => e instanceof WabaError && e.kind === 'input' && /not offered by Vonage/.test(e.message));
    }
  });
});

describe('template group and WhatsApp group analytics', () => {
  it('batches template groups by 10 and sums per group', async () => {
    const waba = sb.data.wabas.meta.find((w) => templateGroupsOf(w).length >= 2)!;
    const ids = templateGroupsOf(waba).map((g) => g.id);
    const run = await runQuery(provider(), { kind: 'template-groups', provider: 'meta', wabaId: waba.id, from: day(TODAY - 3 * DAY), to: day(TODAY - DAY) }, { now: NOW }).catch((e: unknown) => e);
    assert.ok(run instanceof WabaError && run.kind === 'input', 'no group ids: refused before sending');
    const ok = await runQuery(provider(), { kind: 'template-groups', provider: 'meta', wabaId: waba.id, from: day(TODAY - 3 * DAY), to: day(TODAY - DAY), templateGroupIds: ids }, { now: NOW, resolveCurrency: false });
    assert.equal(ok.requests, 1, 'up to 10 groups in one request');
    assert.deepEqual(new Set(ok.result.points.map((p) => p.dims.template_group_id)), new Set(ids));
    assert.ok(ok.result.points.every((p) => p.metrics.sent! >= p.metrics.delivered!));
  });
  it('asks one WhatsApp group per request and reads joined/left', async () => {
    const waba = sb.data.wabas.meta[0]!;
    const ids = whatsappGroupsOf(waba);
    const run = await runQuery(provider(), { kind: 'groups', provider: 'meta', wabaId: waba.id, from: day(TODAY - 3 * DAY), to: day(TODAY - DAY), groupIds: ids }, { now: NOW });
    assert.equal(run.requests, 2);
    assert.equal(run.result.points.length, 6);
    assert.ok(run.result.points.every((p) => 'joined' in p.metrics && 'left' in p.metrics));
  });
  it('refuses a range beyond the 90-day lookback before sending', () => {
    assert.throws(() => resolveQuery({ kind: 'groups', provider: 'meta', wabaId: '1', from: day(TODAY - 120 * DAY), to: day(TODAY - DAY), groupIds: ['1'] }, META_CAPABILITIES, NOW), /reaches back 90 days/);
  });
});

describe('unknown template metrics and the 2026 billing change', () => {
  it('keeps an undocumented numeric field as a metric, with answer.unknown-metric', () => {
    const body = { data: [{ granularity: 'DAILY', product_type: 'marketing_messages_lite_api', data_points: [{ template_id: '1', start: 1765958400, end: 1766044800, sent: 5, website_purchases_conversion_value: 12.5 }] }] };
    const r = normalizeMetaBody(body, { kind: 'template' }).result;
    assert.equal(r.points[0]!.metrics.website_purchases_conversion_value, 12.5);
    assert.ok(r.warnings.some((w) => w.code === 'answer.unknown-metric'));
  });
  it('warns on a pricing range spanning 1 Oct 2026 only', () => {
    const now = Date.UTC(2026, 11, 2);
    const q = (from: string, to: string) => resolveQuery({ kind: 'pricing', provider: 'meta', wabaId: '1', from, to }, META_CAPABILITIES, now).warnings.map((w) => w.code);
    assert.ok(q('2026-09-20', '2026-10-10').includes('pricing.billing-change-2026-10'));
    assert.ok(!q('2026-10-01', '2026-10-10').includes('pricing.billing-change-2026-10'));
    assert.ok(!q('2026-09-01', '2026-09-30').includes('pricing.billing-change-2026-10'));
  });
});

describe('CLI: query calls|template-groups|groups, normalize --kind calls', () => {
  it('runs query calls with directions, dimensions and metrics against the sandbox', async () => {
    const waba = sb.data.wabas.meta[0]!;
    const r = await captureCli(['query', 'calls', '--provider', 'meta', '--sandbox', '--waba', waba.id, '--from', day(TODAY - 3 * DAY), '--to', day(TODAY - DAY),
      '--directions', 'USER_INITIATED', '--dimensions', 'DIRECTION,COUNTRY', '--metrics', 'COUNT,AVERAGE_DURATION', '--countries', 'US,BR'], {});
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { kind: string; points: Array<{ dims: Record<string, string>; metrics: Record<string, number> }> };
    assert.equal(out.kind, 'calls');
    assert.ok(out.points.length > 0 && out.points.every((p) => p.dims.direction === 'USER_INITIATED' && !('cost' in p.metrics)));
  });
  it('query groups and template-groups need their ids (usage error, exit 2)', async () => {
    for (const kind of ['groups', 'template-groups']) {
      const r = await captureCli(['query', kind, '--provider', 'meta', '--sandbox', '--waba', '1', '--from', day(TODAY - 3 * DAY), '--to', day(TODAY - DAY)], {});
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, kind === 'groups' ? /--groups/ : /--template-groups/);
    }
  });
  it('query groups --groups runs one request per group', async () => {
    const waba = sb.data.wabas.meta[0]!;
    const r = await captureCli(['query', 'groups', '--provider', 'meta', '--sandbox', '--waba', waba.id, '--from', day(TODAY - 2 * DAY), '--to', day(TODAY - DAY), '--groups', whatsappGroupsOf(waba).join(','), '--format', 'csv'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /joined/);
  });
  it('normalize --kind calls reads the older data[] shape', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'h13-'));
    const file = path.join(dir, 'calls.json');
    writeFileSync(file, JSON.stringify({ call_analytics: { data: [{ granularity: 'DAILY', data_points: [{ start: 1765958400, end: 1766044800, count: 3, cost: 0.1, average_duration: 50 }] }] }, id: '1' }));
    const r = await captureCli(['normalize', '--provider', 'meta', '--kind', 'calls', file], {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { points: Array<{ metrics: { count: number } }> }).points[0]!.metrics.count, 3);
  });
});

describe('template groups listing', () => {
  it('lists a WABA\'s groups with their templates, and a refusal is an error, never no groups', async () => {
    const metas = sb.data.wabas.meta;
    const groups = await provider().listTemplateGroups!(metas[0]!.id);
    assert.deepEqual(groups.map((g) => g.id), templateGroupsOf(metas[0]!).map((g) => g.id));
    assert.ok(groups.every((g) => g.templateIds.length > 0));
    const refused = await provider().listTemplateGroups!(metas[metas.length - 1]!.id).catch((e: unknown) => e);
    assert.ok(refused instanceof WabaError, String(refused));
  });
});
