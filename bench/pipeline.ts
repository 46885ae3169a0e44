/**
 * Parts 1 and 2 of `npm run bench` (bundled and started by bench/run.mjs, with --expose-gc and
 * the vscode stand-in): the query pipeline against its floor at several sizes (the same
 * half-hourly pricing query with 4 dimensions over 3, 26, 90 and 260 days: about 10k, 100k, 345k
 * and 1M points), peak heap, the webview payload, and the API calls of typical queries against the
 * minimum the API's limits allow, with the cache.
 *
 * The sandbox runs in a child process (bench/sandbox-child.ts) on 127.0.0.1 with a fixed clock.
 * Writes a JSON report (--out) and the columnar results of the 345k and 1M queries (--columns,
 * --columns-1m) for the chart benchmark.
 *
 *   node pipeline.js --child=sandbox-child.js --out=pipeline.json --columns=result.bin [--columns-1m=result-1m.bin] [--runs=5]
 */
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { QueryCache } from '../src/core/cache';
import { toColumns } from '../src/core/columns';
import { mapLimit } from '../src/core/concurrency';
import { DAY, HALF_HOUR, formatIsoDate, parseApiTime } from '../src/core/dates';
import { planQuery, splitByPages } from '../src/core/plan';
import type { Provider, QueryUnit } from '../src/core/provider';
import type { KindCapabilities, QueryInput } from '../src/core/query';
import { parseQuery, resolveQuery } from '../src/core/query';
import { runQuery } from '../src/core/run';
import type { NormalizedResult, QueryRun, WabaInfo } from '../src/core/types';
import type { ConnectionStore } from '../src/extension/connections';
import { QueryService } from '../src/extension/queryService';
import type { ColumnarResult } from '../src/protocol';
import { buildUnitRequest, createMetaProvider } from '../src/providers/meta';
import { arg, median } from './common';
import { SandboxChild } from './sandbox';

/** Page size of Meta field analytics in the sandbox (its default `metaFieldPageSize`). */
const FIELD_PAGE = 5000;
/** Largest `limit` a Meta edge accepts (template_analytics data points). */
const EDGE_LIMIT_MAX = 5000;
/** Template ids per template_analytics request. */
const MAX_TEMPLATE_IDS = 10;

const RUNS = Number(arg('runs', '5'));
/** The round trip added to every request in the planning comparison. */
const LATENCY_MS = 50;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

// ---- the floor -----------------------------------------------------------------------------------

/** The `next` link of a parsed Graph body, wherever the kind keeps it. */
function nextLink(body: unknown): string | undefined {
  const b = body as Record<string, { paging?: { next?: unknown } } | undefined> & { paging?: { next?: unknown } };
  for (const f of ['analytics', 'conversation_analytics', 'pricing_analytics']) {
    const n = b[f]?.paging?.next;
    if (typeof n === 'string') return n;
  }
  return typeof b.paging?.next === 'string' ? b.paging.next : undefined;
}

/** The start instants of a parsed field-analytics body's points, in order. */
function rawStarts(body: unknown): number[] {
  const b = body as Record<string, { data_points?: Array<{ start: unknown }>; data?: Array<{ data_points?: Array<{ start: unknown }> }> } | undefined>;
  const lists = [b.analytics?.data_points, ...(b.pricing_analytics?.data ?? []).map((g) => g.data_points), ...(b.conversation_analytics?.data ?? []).map((g) => g.data_points)];
  return lists.flatMap((l) => (l ?? []).map((p) => parseApiTime(p.start)!));
}

/**
 * The floor: the same units and pages as runQuery (its first page, then the same windows or the
 * rest of the chain), fetched with the same client, each body only JSON.parse'd.
 */
async function floor(provider: Provider, input: QueryInput, now: number, concurrency = 4): Promise<number> {
  const resolved = resolveQuery(input, provider.capabilities, now);
  const units = planQuery(resolved, provider.capabilities[resolved.query.kind]!);
  let requests = 0;
  const chain = async (unit: QueryUnit, signal: AbortSignal, maxPages = Infinity, from?: string): Promise<{ body: unknown; next?: string }> => {
    const req = buildUnitRequest(unit, now);
    let url = from ?? req.path;
    let query: Record<string, string> | undefined = from ? undefined : req.query;
    for (let pages = 1; ; pages++) {
      requests++;
      const res = await provider.http.request({ url, query, endpoint: req.endpoint, signal });
      const body = JSON.parse(res.text);
      const next = nextLink(body);
      if (!next || pages >= maxPages) return { body, next };
      url = next;
      query = undefined;
    }
  };
  await mapLimit(units, concurrency, async (unit, _i, signal) => {
    const q = unit.query;
    const bucketMs = q.granularity === 'HALF_HOUR' ? HALF_HOUR : q.granularity === 'DAILY' ? DAY : 0;
    if (q.kind === 'template' || !bucketMs) return chain(unit, signal);
    const first = await chain(unit, signal, 1);
    if (!first.next) return;
    const split = splitByPages(unit, rawStarts(first.body), { bucketMs, dimensions: 'dimensions' in q && !!q.dimensions?.length, maxWindows: concurrency });
    if (!split) return chain(unit, signal, Infinity, first.next);
    await mapLimit(split.windows, concurrency, (w, _j, s) => chain({ ...unit, ...w }, s), signal);
  });
  return requests;
}

// ---- helpers ---------------------------------------------------------------------------------------

/** Peak of V8's used heap while `fn` runs (sampled every ms and at each progress call), above the start. */
async function peakHeap<T>(fn: (sample: () => void) => Promise<T>): Promise<{ value: T; peakBytes: number; baseBytes: number }> {
  gc();
  gc();
  const base = getHeapStatistics().used_heap_size;
  let peak = base;
  const sample = () => {
    const u = getHeapStatistics().used_heap_size;
    if (u > peak) peak = u;
  };
  const timer = setInterval(sample, 1);
  try {
    const value = await fn(sample);
    sample();
    return { value, peakBytes: peak - base, baseBytes: base };
  } finally {
    clearInterval(timer);
  }
}

/** The columnar result as one file: a JSON header, then every typed array's bytes. */
function writeColumns(file: string, c: ColumnarResult, query: QueryInput): number {
  const buffers: Buffer[] = [];
  let offset = 0;
  const column = (a: unknown) => {
    const t = a as Float64Array | Int32Array;
    const ref = { type: t instanceof Float64Array ? 'f64' : 'i32', offset, length: t.length };
    buffers.push(Buffer.from(t.buffer, t.byteOffset, t.byteLength));
    offset += t.byteLength;
    return ref;
  };
  const header = {
    ...c,
    query,
    starts: column(c.starts),
    ends: column(c.ends),
    dims: Object.fromEntries(Object.entries(c.dims).map(([k, d]) => [k, { values: d.values, codes: column(d.codes) }])),
    metrics: Object.fromEntries(Object.entries(c.metrics).map(([k, m]) => [k, column(m)])),
  };
  const head = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  // Typed arrays start on an 8-byte boundary of the file.
  const pad = Buffer.alloc((8 - ((4 + head.length) % 8)) % 8, 0x20);
  writeFileSync(file, Buffer.concat([len, head, pad, ...buffers]));
  return offset;
}

function bytesOfColumns(c: ColumnarResult): number {
  let n = 0;
  const add = (a: unknown) => (n += (a as { byteLength?: number }).byteLength ?? 0);
  add(c.starts);
  add(c.ends);
  for (const d of Object.values(c.dims)) add(d.codes);
  for (const m of Object.values(c.metrics)) add(m);
  return n;
}

// ---- main ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // Noon UTC today: 90 whole days end at today's midnight, template ranges may end "now".
  const now = Math.floor(Date.now() / DAY) * DAY + DAY / 2;
  const today = Math.floor(now / DAY) * DAY;
  const child = await SandboxChild.start(arg('child'), now);
  const report: Record<string, unknown> = {};
  try {
    const provider = createMetaProvider({ accessToken: child.info.metaToken }, { baseUrl: child.info.metaBaseUrl, now: () => now });
    // What the Accounts tree knows before any query (the extension passes it to runQuery).
    const wabas = await provider.listWabas();
    const waba: WabaInfo = wabas.find((w) => w.name === 'Acme Outdoor US') ?? wabas[0]!;
    const templates = (await provider.listTemplates(waba.id, { limit: 100 })).items.slice(0, 25).map((t) => t.id);

    /** The same query shape over `days` days: 3,840 points a day (48 half-hours × 80 combinations). */
    const pricingQuery = (days: number): QueryInput => ({
      provider: 'meta',
      kind: 'pricing',
      wabaId: waba.id,
      from: formatIsoDate(today - days * DAY),
      to: formatIsoDate(today - DAY),
      granularity: 'HALF_HOUR',
      dimensions: ['COUNTRY', 'PHONE', 'PRICING_CATEGORY', 'PRICING_TYPE'],
    });
    const bigQuery = pricingQuery(90);

    // ---- 1. pipeline vs floor at several sizes, alternating ----
    const sizes: Array<{ key: string; days: number; runs: number; columns?: string }> = [
      { key: '10k', days: 3, runs: Math.max(RUNS, 15) },
      { key: '100k', days: 26, runs: Math.max(RUNS, 9) },
      { key: '345k', days: 90, runs: RUNS, columns: arg('columns') },
      { key: '1M', days: 260, runs: RUNS, columns: arg('columns-1m', '') || undefined },
    ];
    const bySize: Array<Record<string, unknown>> = [];
    for (const size of sizes) {
      const q = pricingQuery(size.days);
      const full = async () => runQuery(provider, q, { now, waba });
      // Warm-up: JIT, connections, the sandbox's series cache.
      const warm = await full();
      await floor(provider, q, now);
      const points = warm.result.points.length;
      console.error(`pipeline: ${size.key}: ${points} points, ${warm.requests} requests per run; ${size.runs} alternating runs`);
      const tFull: number[] = [];
      const tFloor: number[] = [];
      let floorRequests = 0;
      for (let r = 0; r < size.runs; r++) {
        const order = r % 2 ? ['floor', 'full'] : ['full', 'floor'];
        for (const which of order) {
          gc();
          const t0 = performance.now();
          if (which === 'full') await full();
          else floorRequests = await floor(provider, q, now);
          (which === 'full' ? tFull : tFloor).push(performance.now() - t0);
        }
      }
      gc();

      // Peak heap of one run, and what the result keeps.
      let kept: QueryRun | undefined;
      const heap = await peakHeap(async (sample) => {
        kept = await runQuery(provider, q, { now, waba, onProgress: sample });
        return kept;
      });
      gc();
      gc();
      const retained = getHeapStatistics().used_heap_size - heap.baseBytes;
      const floorHeap = await peakHeap(() => floor(provider, q, now));

      // The webview's payload.
      const result: NormalizedResult = kept!.result;
      const tCols: number[] = [];
      let columns: ColumnarResult | undefined;
      for (let r = 0; r < Math.min(size.runs, 5); r++) {
        gc();
        const t0 = performance.now();
        columns = toColumns(result);
        tCols.push(performance.now() - t0);
      }
      const payloadBytes = bytesOfColumns(columns!);
      if (size.columns) writeColumns(size.columns, columns!, q);
      kept = undefined;
      columns = undefined;
      bySize.push({
        size: size.key,
        query: q,
        points,
        requests: warm.requests,
        floorRequests,
        runs: size.runs,
        fullMs: round(median(tFull)),
        floorMs: round(median(tFloor)),
        ratio: round(median(tFull) / median(tFloor), 2),
        fullRunsMs: tFull.map((x) => round(x)),
        floorRunsMs: tFloor.map((x) => round(x)),
        peakHeapMB: round(heap.peakBytes / 2 ** 20, 1),
        floorPeakHeapMB: round(floorHeap.peakBytes / 2 ** 20, 1),
        resultHeapMB: round(retained / 2 ** 20, 1),
        toColumnsMs: round(median(tCols), 1),
        payloadMB: round(payloadBytes / 2 ** 20, 1),
      });
      gc();
    }

    // ---- planning: windows sized to whole pages (now) vs one cursor chain vs the former 30-day
    // windows, on 127.0.0.1 and with a round trip added to every request ----
    const former: Provider = {
      ...provider,
      capabilities: { ...provider.capabilities, pricing: { ...(provider.capabilities.pricing as KindCapabilities), halfHourWindowDays: 30 } },
      // Every page of each window, no first-page planning.
      fetchUnit: (u, o) => provider.fetchUnit(u, { signal: o?.signal, keepRaw: o?.keepRaw }),
    };
    const plans: Record<string, () => Promise<QueryRun>> = {
      pageWindows: () => runQuery(provider, bigQuery, { now, waba }),
      oneChain: () => runQuery(provider, bigQuery, { now, waba, concurrency: 1 }),
      days30Windows: () => runQuery(former, bigQuery, { now, waba }),
    };
    const planning: Record<string, { ms: number; requests: number }> = {};
    for (const latency of [0, LATENCY_MS]) {
      if (latency) await child.send({ cmd: 'fault', fault: { kind: 'latency', ms: latency, count: -1 } });
      const times: Record<string, number[]> = {};
      const reqs: Record<string, number> = {};
      const names = Object.keys(plans);
      for (let r = 0; r < 2; r++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(k + r) % names.length]!;
          gc();
          const t0 = performance.now();
          const run = await plans[name]!();
          (times[name] ??= []).push(performance.now() - t0);
          reqs[name] = run.requests;
        }
      }
      if (latency) await child.send({ cmd: 'clear' });
      for (const name of names) planning[`${name}@${latency}ms`] = { ms: round(median(times[name]!)), requests: reqs[name]! };
    }

    // The 345,600-point query stays the headline figure (part 1 of the table), with its planning.
    report.pipeline = { ...bySize.find((x) => x.size === '345k')!, planning };
    report.pipelineSizes = bySize;

    // ---- 2. API calls: requests sent vs the minimum the API's limits allow ----
    const fieldMin = (n: number) => Math.max(1, Math.ceil(n / FIELD_PAGE));
    const calls: Array<Record<string, unknown>> = [];
    const store = {
      get: (id: string) => (id === 'bench' ? { id, label: 'Bench', provider: 'meta', manualWabaIds: [], manualTemplateIds: {} } : undefined),
      provider: async () => provider,
    } as unknown as ConnectionStore;
    const service = new QueryService(store);
    service.rememberWaba('bench', waba);
    const typical: Array<{ name: string; query: QueryInput; minimum: (r: NormalizedResult) => number }> = [
      {
        name: 'Messaging, 30 days, DAILY',
        query: { provider: 'meta', kind: 'messaging', wabaId: waba.id, from: formatIsoDate(today - 30 * DAY), to: formatIsoDate(today - DAY), granularity: 'DAILY' },
        minimum: (r) => fieldMin(r.points.length),
      },
      {
        name: 'Template analytics, 90 days, 25 templates',
        query: { provider: 'meta', kind: 'template', wabaId: waba.id, from: formatIsoDate(today - 89 * DAY), to: formatIsoDate(today), templateIds: templates },
        minimum: (r) => {
          // Per batch of 10 ids: its points in pages of at most EDGE_LIMIT_MAX.
          let n = 0;
          for (let i = 0; i < templates.length; i += MAX_TEMPLATE_IDS) {
            const ids = new Set(templates.slice(i, i + MAX_TEMPLATE_IDS));
            n += Math.max(1, Math.ceil(r.points.filter((p) => ids.has(p.dims.template_id!)).length / EDGE_LIMIT_MAX));
          }
          return n;
        },
      },
      { name: 'Pricing, 90 days, HALF_HOUR, 4 dimensions', query: bigQuery, minimum: (r) => fieldMin(r.points.length) },
    ];
    for (const t of typical) {
      service.cache.clear();
      await child.reset();
      const first = await service.run('bench', t.query);
      const sent = (await child.requests());
      // The previous period (the panel's comparison) rides along in the same run: its requests are in
      // `sent`, so its minimum is in the minimum (a fair baseline: both periods, at the API's limits).
      const minimum = t.minimum(first.run.result) + (first.run.previous ? t.minimum(first.run.previous) : 0);
      // The same query again: answered by the cache.
      await child.reset();
      const again = await service.run('bench', t.query);
      const repeat = (await child.requests());
      // Refresh clears the cache: the query is sent again.
      service.cache.clear();
      await child.reset();
      const refreshed = await service.run('bench', t.query, {});
      const afterRefresh = (await child.requests());
      // Without the WABA details (the CLI): the currency may cost a request.
      await child.reset();
      await runQuery(provider, t.query, { now });
      const cli = (await child.requests());
      calls.push({
        name: t.name,
        points: first.run.result.points.length,
        sent,
        minimum,
        withPreviousPeriod: !!first.run.previous,
        ratio: round(sent / minimum, 2),
        repeatSent: repeat,
        repeatFromCache: again.fromCache,
        afterRefreshSent: afterRefresh,
        afterRefreshFromCache: refreshed.fromCache,
        withoutWabaDetailsSent: cli,
      });
      console.error(`calls: ${t.name}: ${sent} sent, minimum ${minimum}; again ${repeat}; after refresh ${afterRefresh}; without WABA details ${cli}`);
    }
    // The cache's lifetime setting: an entry older than the TTL is not used.
    let clock = 0;
    const ttl = new QueryCache(300_000, 20, () => clock);
    ttl.set('c', parseQuery(typical[0]!.query), { result: { provider: 'meta', kind: 'messaging', wabaId: waba.id, granularity: 'DAILY', timezone: 'UTC', points: [], warnings: [] }, requests: 1, partial: false });
    clock = 299_000;
    const within = ttl.get('c', parseQuery(typical[0]!.query)) !== undefined;
    clock = 301_000;
    const after = ttl.get('c', parseQuery(typical[0]!.query)) !== undefined;
    report.calls = { queries: calls, cacheTtl: { hitWithinTtl: within, hitAfterTtl: after } };
    service.dispose();
  } finally {
    child.close();
  }
  writeFileSync(arg('out'), JSON.stringify(report, null, 2));
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
