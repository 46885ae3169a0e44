#!/usr/bin/env node
// `npm run bench`: every benchmark of the extension in one run; prints a table of figures and
// ratios and writes the same figures to bench/results.json.
//
//   1. the query pipeline (fetch -> validate -> normalize -> result) against its floor (the same
//      pages, the same client, JSON.parse only) at 10k, 100k, 345k and 1M points, peak heap, the
//      webview payload                                                              bench/pipeline.ts
//   2. API calls of typical queries against the minimum the API's limits allow; the query cache
//   3. the chart: the whole panel (real webview bundle), the panel's chart code alone, chart.js
//      with animation off and uPlot, on the same series; first draw and hover     bench/chart/run.mjs
//   4. start-up (load dist/extension.js + activate(), then dist/core.js and the vendor bundles on
//      first use) and the sizes of the bundles and the .vsix
//   5. what the user waits for: "Run query" -> chart drawn in the real VS Code of the end-to-end
//      harness (code-server), 30 days DAILY on the demo, and where the time goes  bench/waits.ts
//   6. the history archive: requests of the second morning's dashboard against the minimum the
//      days not yet final need; a year of pricing from the archive against the sandbox; its bytes
//      against the API's JSON                                                         bench/archive.ts
//
// Comparisons are ratios of two things measured alternately in the same run, medians of several
// runs. The sandbox runs in a child process on 127.0.0.1 with a fixed clock.
//
//   node bench/run.mjs [--runs=N] [--only=pipeline,chart,startup,waits,archive] [--out=FILE]
import * as esbuild from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, chartDataSets, median, runChartBench } from './chart/run.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const RUNS = Number(arg('runs', '5'));
const only = new Set((arg('only', 'pipeline,chart,startup,waits,archive') ?? '').split(','));
const outFile = arg('out', join(here, 'results.json'));
const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const round = (x, d = 0) => Number(x.toFixed(d));
const kb = (bytes) => round(bytes / 1024, 1);

const scratch = mkdtempSync(join(tmpdir(), 'waba-bench-'));
const started = Date.now();
const results = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', platform: `${process.platform} ${process.arch}` },
};

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) throw new Error(`${relative(root, args[0] ?? cmd)} failed (${r.status ?? r.signal})`);
  return r.stdout;
}

try {
  // ---- the bundles, as shipped (production) ----------------------------------------------------
  const ext = join(scratch, 'extension');
  const dist = join(ext, 'dist');
  log('building the production bundles (node esbuild.mjs --production --metafile)');
  run(process.execPath, ['esbuild.mjs', '--production', '--metafile', `--dist=${dist}`]);
  // The one stand-in for `vscode` (test/unit/fakeVscode.ts), as one CommonJS file: the pipeline
  // (through QueryService) and the start-up probes run the extension's code against it.
  const fakeVscode = join(scratch, 'fakeVscode.js');
  await esbuild.build({ absWorkingDir: root, entryPoints: ['test/unit/fakeVscode.ts'], outfile: fakeVscode, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });

  // ---- 1 and 2: pipeline and API calls ---------------------------------------------------------
  const resultBin = join(scratch, 'result.bin');
  const result1mBin = join(scratch, 'result-1m.bin');
  if (only.has('pipeline')) {
    await bundleWithSandboxChild('pipeline', scratch);
    const out = join(scratch, 'pipeline.json');
    log(`pipeline and API calls (${RUNS} alternating runs)`);
    run(process.execPath, [
      '--expose-gc',
      '--require',
      fakeVscode,
      join(scratch, 'pipeline.js'),
      `--child=${join(scratch, 'sandbox-child.js')}`,
      `--out=${out}`,
      `--columns=${resultBin}`,
      `--columns-1m=${result1mBin}`,
      `--runs=${RUNS}`,
    ]);
    Object.assign(results, JSON.parse(readFileSync(out, 'utf8')));
  }

  // ---- 3: the chart ----------------------------------------------------------------------------
  if (only.has('chart')) {
    log('chart: the whole panel, its chart code alone, chart.js (animation off) and uPlot, headless Chromium');
    results.chart = await runChartBench({
      webviewJs: join(dist, 'webview.js'),
      dataSets: chartDataSets({ result: existsSync(resultBin) ? resultBin : undefined, result1m: existsSync(result1mBin) ? result1mBin : undefined }),
      runs: RUNS,
      log,
    });
  }

  // The .vsix of these production bundles, packed by vsce (.vscodeignore) from a staging copy of the project.
  let vsixFile;
  const packageVsix = () => {
    if (vsixFile) return vsixFile;
    const stage = join(scratch, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'LICENSE']) if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stage, f));
    for (const d of ['media', 'schemas']) if (existsSync(join(root, d))) cpSync(join(root, d), join(stage, d), { recursive: true });
    cpSync(dist, join(stage, 'dist'), { recursive: true });
    vsixFile = join(scratch, 'waba-analytics.vsix');
    execFileSync(process.execPath, [join(root, 'scripts/e2e/package.mjs'), '--project', stage, '--out', vsixFile, '--no-build'], { stdio: ['ignore', 'ignore', 'ignore'] });
    return vsixFile;
  };

  // ---- 4: start-up and sizes -------------------------------------------------------------------
  if (only.has('startup')) {
    // The former single-file bundle, for comparison.
    const single = join(scratch, 'single');
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ['src/extension/extension.ts'],
      outfile: join(single, 'extension.js'),
      bundle: true,
      minify: true,
      legalComments: 'none',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'warning',
    });
    const probe = (file) => JSON.parse(run(process.execPath, [join(here, 'startup.cjs'), file, `--vscode=${fakeVscode}`]));
    const startupRuns = Math.max(9, RUNS * 2 + 1);
    const times = { split: [], single: [], activate: [], core: [], coreCpu: [], undici: [], undiciCpu: [], jwt: [], jwtCpu: [] };
    let coreLoaded = false;
    log(`start-up: ${startupRuns} fresh processes each, alternating`);
    probe(join(dist, 'extension.js'));
    for (let r = 0; r < startupRuns; r++) {
      for (const which of r % 2 ? ['single', 'split'] : ['split', 'single']) {
        const t = probe(join(which === 'split' ? dist : single, 'extension.js'));
        times[which].push(t.loadMs + t.activateMs);
        if (which === 'split') {
          times.activate.push(t.activateMs);
          times.core.push(t.coreLoadMs);
          times.coreCpu.push(t.coreLoadCpuMs);
          times.undici.push(t.undiciLoadMs);
          times.undiciCpu.push(t.undiciLoadCpuMs);
          times.jwt.push(t.jwtLoadMs);
          times.jwtCpu.push(t.jwtLoadCpuMs);
          coreLoaded ||= t.coreLoaded;
        }
      }
    }
    const smoke = JSON.parse(run(process.execPath, [join(here, 'startup.cjs'), join(dist, 'extension.js'), '--smoke', `--vscode=${fakeVscode}`]));

    // Sizes, and the .vsix as vsce packs it (.vscodeignore).
    const vsix = packageVsix();
    const vsixFiles = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');

    const meta = (name) => JSON.parse(readFileSync(join(dist, `${name}.meta.json`), 'utf8')).inputs;
    // The webview shares the dependency-free modules (src/core/vocabulary.ts, warnings.ts, types.ts, dates.ts): one
    // list of values, labels and warning codes. Anything else of the core (zod, undici, providers) is a leak.
    const VOCABULARY = /(^|:|\/)src\/core\/(vocabulary|warnings|types|dates)\.ts$/;
    const coreInWebview = meta('webview').filter((f) => !VOCABULARY.test(f) && /(^|:|\/)src\/(core|providers|sandbox)\/|node_modules\/(undici|@vonage)|node_modules\/zod\/v4\/classic/.test(f));
    const chartInExtension = [...meta('extension'), ...meta('core')].filter((f) => f.includes('node_modules/chart.js'));
    const heavyInExtension = meta('extension').filter((f) => /node_modules\/(zod|undici|@vonage|hyparquet)/.test(f));
    results.startup = {
      runs: startupRuns,
      loadAndActivateMs: round(median(times.split), 1),
      activateMs: round(median(times.activate), 1),
      singleFileLoadAndActivateMs: round(median(times.single), 1),
      ratioSingleToSplit: round(median(times.single) / median(times.split), 1),
      coreLoadedByActivate: coreLoaded,
      firstUseCoreLoadMs: round(median(times.core), 1),
      firstUseCoreLoadCpuMs: round(median(times.coreCpu), 1),
      firstRequestUndiciLoadMs: round(median(times.undici), 1),
      firstRequestUndiciLoadCpuMs: round(median(times.undiciCpu), 1),
      firstJwtLoadMs: round(median(times.jwt), 1),
      firstJwtLoadCpuMs: round(median(times.jwtCpu), 1),
      smoke,
    };
    results.sizes = {
      extensionJsKB: kb(statSync(join(dist, 'extension.js')).size),
      coreJsKB: kb(statSync(join(dist, 'core.js')).size),
      sandboxJsKB: existsSync(join(dist, 'sandbox.js')) ? kb(statSync(join(dist, 'sandbox.js')).size) : 0,
      archiveJsKB: existsSync(join(dist, 'archive.js')) ? kb(statSync(join(dist, 'archive.js')).size) : 0,
      undiciJsKB: existsSync(join(dist, 'vendor', 'undici.js')) ? kb(statSync(join(dist, 'vendor', 'undici.js')).size) : 0,
      jwtJsKB: existsSync(join(dist, 'vendor', 'jwt.js')) ? kb(statSync(join(dist, 'vendor', 'jwt.js')).size) : 0,
      webviewJsKB: kb(statSync(join(dist, 'webview.js')).size),
      singleFileExtensionJsKB: kb(statSync(join(single, 'extension.js')).size),
      vsixKB: kb(statSync(vsix).size),
      vsixFiles,
      webviewCarriesCore: coreInWebview,
      extensionCarriesChartJs: chartInExtension,
      extensionJsCarriesZodUndiciJwt: heavyInExtension,
    };
  }

  // ---- 5: what the user waits for, in the real VS Code of the end-to-end harness ---------------
  if (only.has('waits')) {
    const entry = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'waba-analytics-e2e');
    if (!existsSync(entry) && !process.env.WABA_E2E_CACHE_DIR) {
      log('waits: skipped (code-server is not installed: node scripts/e2e/setup.mjs)');
    } else {
      const out = join(root, '.e2e', 'bench');
      await esbuild.build({ absWorkingDir: root, entryPoints: ['bench/waits.ts'], outdir: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' });
      const file = join(scratch, 'waits.json');
      const waitRuns = Math.max(5, RUNS);
      log(`waits: Run -> chart drawn in code-server, 1 cold + ${waitRuns} runs`);
      const child = [process.execPath, join(out, 'waits.js'), `--vsix=${packageVsix()}`, `--out=${file}`, `--runs=${waitRuns}`];
      // WABA_BENCH_LOCK=FILE: run it under flock(1), when others share the machine's code-server runs.
      const lock = process.env.WABA_BENCH_LOCK;
      if (lock) run('flock', [lock, ...child], { stdio: ['ignore', 'inherit', 'inherit'] });
      else run(child[0], child.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
      results.waits = JSON.parse(readFileSync(file, 'utf8'));
    }
  }

  // ---- 6: the history archive -------------------------------------------------------------------
  if (only.has('archive')) results.archive = await archiveBench();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// ---- targets and the table -----------------------------------------------------------------------
const CHART_KEYS = [
  ['pipeline345k', 'pipeline result, 345,600 points'],
  ['series12x4320', '12 series × 4,320'],
  ['points1m', '~1M points'],
];
const NAMES = { panel: 'whole panel', 'panel-chart': 'panel chart code', chartjs: 'chart.js, animation off', uplot: 'uPlot' };
const targets = [];
const target = (part, what, value, goal, met) => targets.push({ part, what, value, target: goal, met });
const p = results.pipeline;
if (p) target(1, 'pipeline time / floor (345,600 points)', `${p.ratio}×`, '≤ 1.5×', p.ratio <= 1.5);
for (const q of results.calls?.queries ?? []) target(2, `requests / minimum: ${q.name}`, `${q.sent} / ${q.minimum} = ${q.ratio.toFixed(2)}`, '1.00', q.ratio === 1);
if (results.calls) {
  const repeat = results.calls.queries.every((q) => q.repeatSent === 0 && q.repeatFromCache);
  target(2, 'same query again: requests', repeat ? '0' : 'some', '0', repeat);
}
const c = results.chart;
for (const [key, name] of CHART_KEYS) {
  const x = c?.[key];
  if (!x) continue;
  target(3, `first draw, panel chart code / uPlot (${name})`, `${x.ratios.drawPanelChartToUplot}×`, '≤ 2×', x.ratios.drawPanelChartToUplot <= 2);
  target(3, `hover, panel chart code / uPlot (${name})`, `${x.ratios.hoverPanelChartToUplot}×`, '≤ 2×', x.ratios.hoverPanelChartToUplot <= 2);
}
const w = results.waits;
if (w?.runToChartMs !== undefined) target(5, 'Run → chart drawn, 30 days DAILY, real VS Code', `${w.runToChartMs} ms`, '≤ 500 ms', w.runToChartMs <= 500);
const s = results.startup;
if (s) target(4, 'load + activate()', `${s.loadAndActivateMs} ms`, '< 20 ms', s.loadAndActivateMs < 20);
if (s) target(4, 'first query: load dist/core.js', `${s.firstUseCoreLoadMs} ms`, '≤ 40 ms', s.firstUseCoreLoadMs <= 40);
const z = results.sizes;
if (z) {
  target(4, 'webview bundle carries no core', z.webviewCarriesCore.length ? z.webviewCarriesCore.join(', ') : 'none', 'none', z.webviewCarriesCore.length === 0);
  target(4, 'extension bundles carry no chart.js', z.extensionCarriesChartJs.length ? 'chart.js' : 'none', 'none', z.extensionCarriesChartJs.length === 0);
}
archiveTargets(results.archive, target);
results.targets = targets;
results.benchSeconds = round((Date.now() - started) / 1000);
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

const print = (title, head, rows) => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((x, i) => String(x ?? '').padEnd(widths[i])).join('  ').trimEnd();
  console.log(`\n${title}\n`);
  console.log(line(head));
  console.log(widths.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
};
console.log(`\nWABA Analytics benchmarks, ${results.date.slice(0, 16).replace('T', ' ')} UTC, node ${results.machine.node}, ${results.machine.cpus} CPUs`);

const rows = [];
const row = (part, what, value, goal = '') => rows.push([String(part), what, value, goal]);
if (p) {
  for (const x of results.pipelineSizes ?? [p]) {
    row(1, `Pipeline, ${x.points.toLocaleString('en-US')} points, ${x.requests} requests: pipeline / floor (JSON.parse only)`, `${x.fullMs} / ${x.floorMs} ms = ${x.ratio}×`, x.size === '345k' ? '≤ 1.5×' : '');
    row(1, `  peak heap (floor) / kept by the result / toColumns (${x.payloadMB} MB)`, `${x.peakHeapMB} (${x.floorPeakHeapMB}) / ${x.resultHeapMB} MB / ${x.toColumnsMs} ms`);
  }
  const plans = { pageWindows: 'windows sized to whole pages (now)', oneChain: 'one cursor chain', days30Windows: '30-day windows (before)' };
  for (const [k, v] of Object.entries(p.planning ?? {})) {
    const [plan, latency] = k.split('@');
    row(1, `Planning, +${latency.replace('ms', ' ms')} a request: ${plans[plan] ?? plan}`, `${v.ms} ms, ${v.requests} req`);
  }
}
for (const q of results.calls?.queries ?? []) {
  row(2, `${q.name}: sent / minimum${q.withPreviousPeriod ? ' (both periods: the comparison counts)' : ''}`, `${q.sent} / ${q.minimum} = ${q.ratio.toFixed(2)}`, '1.00');
  row(2, `  again (cache) / after Refresh / without WABA details`, `${q.repeatSent} / ${q.afterRefreshSent} / ${q.withoutWabaDetailsSent}`, '0 / - / -');
}
if (w) {
  row(5, `Run → chart drawn, 30 days DAILY, real VS Code (median of ${w.runs})`, `${w.runToChartMs} ms`, '≤ 500 ms');
  for (const [k, v] of Object.entries(w.phases ?? {})) row(5, `  ${k}`, `${v} ms`);
}
if (s) {
  row(4, 'Load dist/extension.js + activate()', `${s.loadAndActivateMs} ms`, '< 20 ms');
  row(4, `  the former single file (${z?.singleFileExtensionJsKB ?? '?'} KB)`, `${s.singleFileLoadAndActivateMs} ms (${s.ratioSingleToSplit}×)`);
  row(4, 'First query: loading dist/core.js (CPU)', `${s.firstUseCoreLoadMs} ms (${s.firstUseCoreLoadCpuMs} ms)`, '≤ 40 ms');
  row(4, '  then the first request: dist/vendor/undici.js (CPU)', `${s.firstRequestUndiciLoadMs} ms (${s.firstRequestUndiciLoadCpuMs} ms)`);
  row(4, '  the first Vonage JWT only: dist/vendor/jwt.js (CPU)', `${s.firstJwtLoadMs} ms (${s.firstJwtLoadCpuMs} ms)`);
}
if (z) {
  row(4, 'dist/extension.js / core.js / sandbox.js / archive.js / vendor/undici.js / vendor/jwt.js / webview.js', `${z.extensionJsKB} / ${z.coreJsKB} / ${z.sandboxJsKB} / ${z.archiveJsKB} / ${z.undiciJsKB} / ${z.jwtJsKB} / ${z.webviewJsKB} KB`);
  row(4, '.vsix', `${z.vsixKB} KB`);
  row(4, 'Webview carries the core / extension carries chart.js', `${z.webviewCarriesCore.length ? 'yes' : 'no'} / ${z.extensionCarriesChartJs.length ? 'yes' : 'no'}`, 'no / no');
}
print('Parts 1, 2, 4, 5', ['Part', 'Measure', 'Figure', 'Target'], rows);

if (c) {
  // Part 3: one row per data set and measure, one column per contender, and the ratio to uPlot.
  const chartRows = [];
  for (const [key, name] of CHART_KEYS) {
    const x = c[key];
    if (!x) continue;
    const shape = `${name} → ${x.series} series × ${x.buckets.toLocaleString('en-US')}`;
    chartRows.push([shape, 'first draw, ms', ...CONTENDERS.map((k) => x.firstDraw[k].busyMs), `${x.ratios.drawPanelChartToUplot}×`]);
    chartRows.push(['', 'hover, ms a move', ...CONTENDERS.map((k) => x.hover[k].msPerMove), `${x.ratios.hoverPanelChartToUplot}×`]);
  }
  print(
    `Part 3: the chart, main-thread CPU ms (medians of ${c.runs} runs; hover: ${c.moves} pointer moves a run, idle move ≈ ${c[CHART_KEYS.find(([k]) => c[k])?.[0]]?.idleMsPerMove ?? '?'} ms; Chromium ${c.chromium})`,
    ['Data set', 'Measure', ...CONTENDERS.map((k) => NAMES[k]), 'chart code / uPlot (≤ 2×)'],
    chartRows,
  );
}
printArchive(results.archive, print);
const missed = targets.filter((t) => !t.met);
console.log(`\n${targets.length - missed.length} of ${targets.length} targets met${missed.length ? `; missed: ${missed.map((t) => `${t.what} (${t.value}, target ${t.target})`).join('; ')}` : ''}. ${results.benchSeconds} s. Figures in ${relative(process.cwd(), outFile) || outFile}.`);

/** Bundles bench/<name>.ts with the sandbox child it forks (bench/sandbox-child.ts) into `outdir`, for node (vscode left out: the stand-in is given with --require). */
function bundleWithSandboxChild(name, outdir) {
  return esbuild.build({
    absWorkingDir: root,
    entryPoints: { [name]: `bench/${name}.ts`, 'sandbox-child': 'bench/sandbox-child.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
}

// ---- part 6: the history archive (bench/archive.ts) ------------------------------------------------
async function archiveBench() {
  await bundleWithSandboxChild('archive', join(scratch, 'archive-bench'));
  const out = join(scratch, 'archive.json');
  log(`history archive: the morning dashboard twice (${RUNS} runs), a year of pricing from the archive and from the sandbox`);
  run(process.execPath, [join(scratch, 'archive-bench', 'archive.js'), `--child=${join(scratch, 'archive-bench', 'sandbox-child.js')}`, `--out=${out}`, `--runs=${Math.max(3, Math.min(RUNS, 5))}`]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

function archiveTargets(a, target) {
  if (!a?.dashboard) return;
  const d = a.dashboard;
  target(6, 'second morning\'s dashboard: requests / minimum of the days not yet final', `${d.secondMorningRequests} / ${d.minimumRequests} = ${d.ratio.toFixed(2)}`, '1.00', d.ratio === 1);
}

function printArchive(a, print) {
  if (!a?.dashboard) return;
  const d = a.dashboard;
  const y = a.year;
  const rows = [
    ['Morning dashboard, last 90 days (4 queries): requests, first morning / second morning / minimum of the days not yet final', `${d.firstMorningRequests} / ${d.secondMorningRequests} / ${d.minimumRequests} = ${d.ratio.toFixed(2)}`, '1.00'],
    ...Object.entries(d.perQuery).map(([name, q]) => [`  ${name}`, `${q.first} / ${q.second} / ${q.minimum}`, '']),
    ['90-day HALF_HOUR pricing, 4 dimensions: second morning / first morning (without the archive)', `${d.halfHourSecondMs} / ${d.halfHourFirstMs} ms = ${d.halfHourSecondToFirst}× (${d.halfHourWithoutArchiveMs} ms)`, ''],
  ];
  if (y) {
    rows.push([`A year of pricing, every dimension, DAILY (${y.points.toLocaleString('en-US')} points): from the archive / from the sandbox over 127.0.0.1`, `${y.fromArchiveMs} / ${y.fromSandboxMs} ms = ${y.archiveToSandbox}×`, '']);
    rows.push([`  archive bytes per WABA-year / the API's JSON (normalized result as JSON)`, `${kb(y.archiveBytes)} / ${kb(y.apiJsonBytes)} KB = ${y.archiveToApiJson}× (${kb(y.resultJsonBytes)} KB)`, '']);
    rows.push([`  the sync that wrote it`, `${y.syncRequests} requests, ${y.syncMs} ms`, '']);
  }
  print(`Part 6: the history archive (medians of ${a.runs} runs)`, ['Measure', 'Figure', 'Target'], rows);
}
