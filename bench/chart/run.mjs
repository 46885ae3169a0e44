#!/usr/bin/env node
// Part 3 of `npm run bench`: the panel's chart in headless Chromium, against chart.js with
// animation off and uPlot, on the same series (the panel's default breakdown and metric, the 8
// largest plus "Other", pre-parsed by the panel's model), in a box of the panel chart's size.
//
// Contenders (bench/chart/page.ts, bench/chart/panel-page.ts):
//   panel        the whole panel: the real webview bundle (dist/webview.js) is sent the `result`
//                message the extension posts (header, KPIs, breakdowns, table and chart)
//   panel-chart  the panel's chart code alone (webview/chart.ts) on the pre-parsed series
//   chartjs      chart.js with its default options but animation off (category axis of labels)
//   uplot        uPlot with its defaults (time axis, cursor, live legend)
//
// Two measures each, on a fresh page per measurement, contenders alternating, medians of runs:
//   first draw   main-thread CPU time (Chrome's ThreadTime: scripting, style, layout and paint,
//                robust to other processes on a busy machine) from the start until the next frame
//                has been rendered, and the wall clock to that frame
//   hover        main-thread CPU time per pointer move: real mouse events (CDP Input) at `moves`
//                points across the plot, each followed by a rendered frame
// The idle cost of a move (the same moves away from the chart) is measured too.
//
//   node bench/chart/run.mjs [--runs=N] [--moves=N] [--result=FILE] [--result-1m=FILE] [--webview=FILE] [--chromium=PATH]
//
// Standalone it builds dist/webview.js into a scratch folder (production); without --result /
// --result-1m it uses synthetic results of the same sizes. bench/run.mjs calls runChartBench().
// Needs Debian's chromium (apt-get install chromium), playwright-core and uplot (dev dependencies).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
/* global window, document -- the functions given to page.waitForFunction and page.evaluate run in the page */

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const CONTENDERS = ['panel', 'panel-chart', 'chartjs', 'uplot'];

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Spread of runs around their median: (max - min) / median. */
const spread = (xs) => (xs.length ? (Math.max(...xs) - Math.min(...xs)) / median(xs) : 0);
const r1 = (x) => Math.round(x * 10) / 10;

/**
 * The data sets: the pipeline's results when given (345,600 and ~1M points), else synthetic
 * results of the same shape; and 12 series × 4,320 half-hours.
 * @param {{ result?: string, result1m?: string }} files
 */
export function chartDataSets(files = {}) {
  return [
    files.result
      ? { key: 'pipeline345k', name: 'pipeline result (90 days half-hourly)', file: files.result, data: 'result.bin' }
      : { key: 'pipeline345k', name: 'synthetic 80 series × 4,320 half-hours', data: 'synthetic:80x4320' },
    { key: 'series12x4320', name: '12 series × 4,320 half-hours', data: 'synthetic:12x4320' },
    files.result1m
      ? { key: 'points1m', name: 'pipeline result, ~1M points (260 days half-hourly)', file: files.result1m, data: 'result-1m.bin' }
      : { key: 'points1m', name: 'synthetic 80 series × 12,480 half-hours', data: 'synthetic:80x12480' },
  ];
}

/**
 * @param {{ webviewJs: string, dataSets: Array<{key: string, name: string, data: string, file?: string}>, runs?: number, moves?: number, chromiumPath?: string, log?: (m: string) => void }} options
 */
export async function runChartBench(options) {
  const { webviewJs, dataSets, runs = 5, moves = 40, chromiumPath = '/usr/bin/chromium', log = (m) => console.error(m) } = options;
  const out = mkdtempSync(join(tmpdir(), 'waba-bench-chart-'));
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: { page: 'bench/chart/page.ts', 'panel-page': 'bench/chart/panel-page.ts' },
      outdir: out,
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      logLevel: 'warning',
    });
    copyFileSync(webviewJs, join(out, 'webview.js'));
    copyFileSync(join(root, 'media', 'panel.css'), join(out, 'panel.css'));
    copyFileSync(join(dirname(createRequire(import.meta.url).resolve('uplot')), 'uPlot.min.css'), join(out, 'uPlot.min.css'));
    for (const f of ['panel.html', 'index.html']) copyFileSync(join(here, f), join(out, f));
    for (const d of dataSets) if (d.file) copyFileSync(d.file, join(out, d.data));

    const server = createServer((req, res) => {
      const file = basename(new URL(req.url, 'http://x').pathname) || 'index.html';
      try {
        const body = readFileSync(join(out, file));
        res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream');
        res.end(body);
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}/`;
    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    try {
      /**
       * A fresh page with the data set loaded, and a CDP session to read its main thread's CPU
       * time (Chrome's ThreadTime metric: unlike wall-clock task durations, it does not grow when
       * other processes take the CPU).
       */
      const open = async (html, data) => {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        page.on('pageerror', (e) => log(`page error: ${e.message}`));
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto(base + html);
        await page.waitForFunction(() => window.benchReady === true && (!document.getElementById('app') || document.getElementById('app').getAttribute('data-mode') === 'boot'));
        const info = await page.evaluate((d) => (window.bench ?? window.panelBench).load(d), data);
        const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value * 1000;
        const gc = () => cdp.send('HeapProfiler.collectGarbage');
        return { page, cdp, info, busy, gc, close: () => page.close() };
      };
      /** Main-thread ms per pointer move across `rect` (horizontally, at mid height), each move followed by a rendered frame. */
      const hover = async (p, rect, api) => {
        const y = rect.top + rect.height / 2;
        const xAt = (i) => rect.left + rect.width * (0.1 + (0.8 * i) / Math.max(1, moves - 1));
        await p.page.mouse.move(xAt(0) - 1, y);
        await p.page.evaluate((a) => window[a].frames(2), api);
        await p.gc();
        const b0 = await p.busy();
        for (let i = 0; i < moves; i++) {
          await p.page.mouse.move(xAt(i), y);
          await p.page.evaluate((a) => window[a].frames(0), api);
        }
        return ((await p.busy()) - b0) / moves;
      };
      const drawOnce = async (which, c, size) => {
        if (which === 'panel') {
          const p = await open('panel.html', c.data);
          try {
            await p.gc();
            const b0 = await p.busy();
            const t = await p.page.evaluate(() => window.panelBench.panel());
            const busyMs = (await p.busy()) - b0;
            const rect = await p.page.evaluate(() => window.panelBench.hoverRect());
            const hoverMs = await hover(p, rect, 'panelBench');
            return { ...t, busyMs, hoverMs, points: p.info.points };
          } finally {
            await p.close();
          }
        }
        const p = await open('index.html', c.data);
        try {
          await p.gc();
          const b0 = await p.busy();
          const t = await p.page.evaluate(([w, s]) => window.bench.draw(w, s), [which, size]);
          const busyMs = (await p.busy()) - b0;
          const rect = await p.page.evaluate(() => window.bench.hoverRect());
          const hoverMs = await hover(p, rect, 'bench');
          // The idle cost of a move: the same moves over an empty part of the page.
          const idleMs = await hover(p, await p.page.evaluate(() => window.bench.idleRect()), 'bench');
          return { ...t, busyMs, hoverMs, idleMs, info: p.info };
        } finally {
          await p.close();
        }
      };

      const figures = { chromium: browser.version(), runs, moves };
      for (const c of dataSets) {
        // Warm-up (the browser's caches, fonts), not counted; it also tells the panel chart's size.
        const warm = await drawOnce('panel', c);
        const size = warm.canvas;
        const times = Object.fromEntries(CONTENDERS.map((k) => [k, { wall: [], busy: [], hover: [], idle: [] }]));
        let shape;
        for (const k of CONTENDERS.slice(1)) await drawOnce(k, c, size);
        for (let r = 0; r < runs; r++) {
          const order = CONTENDERS.map((_, i) => CONTENDERS[(i + r) % CONTENDERS.length]);
          for (const k of order) {
            const t = await drawOnce(k, c, size);
            times[k].wall.push(t.drawn);
            times[k].busy.push(t.busyMs);
            times[k].hover.push(t.hoverMs);
            if (t.idleMs !== undefined) times[k].idle.push(t.idleMs);
            if (t.info) shape = t.info;
            else if (t.series !== shape?.series && shape) log(`chart: ${c.key}: the panel drew ${t.series} series, the others ${shape.series}`);
          }
        }
        const m = (k, what) => median(times[k][what]);
        const fig = {
          name: c.name,
          points: warm.points,
          series: shape.series,
          buckets: shape.buckets,
          breakdown: shape.breakdown,
          metric: shape.metric,
          panelSeries: warm.series,
          canvas: size,
          firstDraw: Object.fromEntries(CONTENDERS.map((k) => [k, { busyMs: r1(m(k, 'busy')), wallMs: r1(m(k, 'wall')), spread: r1(spread(times[k].busy)) }])),
          hover: Object.fromEntries(CONTENDERS.map((k) => [k, { msPerMove: r1(m(k, 'hover')), spread: r1(spread(times[k].hover)) }])),
          idleMsPerMove: r1(median(CONTENDERS.slice(1).flatMap((k) => times[k].idle))),
          runsMs: Object.fromEntries(CONTENDERS.map((k) => [k, { busy: times[k].busy.map(r1), wall: times[k].wall.map(r1), hover: times[k].hover.map(r1) }])),
        };
        fig.ratios = {
          drawPanelChartToUplot: Number((m('panel-chart', 'busy') / m('uplot', 'busy')).toFixed(2)),
          hoverPanelChartToUplot: Number((m('panel-chart', 'hover') / m('uplot', 'hover')).toFixed(2)),
          hoverPanelToUplot: Number((m('panel', 'hover') / m('uplot', 'hover')).toFixed(2)),
          drawChartjsToPanelChart: Number((m('chartjs', 'busy') / m('panel-chart', 'busy')).toFixed(2)),
          hoverChartjsToPanelChart: Number((m('chartjs', 'hover') / m('panel-chart', 'hover')).toFixed(2)),
        };
        figures[c.key] = fig;
        const f = (k) => `${k} ${fig.firstDraw[k].busyMs} ms / ${fig.hover[k].msPerMove} ms`;
        log(`chart: ${c.key} (${fig.points} points, ${fig.series} series × ${fig.buckets}): first draw / hover: ${CONTENDERS.map(f).join('; ')}; idle move ${fig.idleMsPerMove} ms`);
      }
      return figures;
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, fallback) => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? a.slice(name.length + 3) : fallback;
  };
  let webviewJs = arg('webview');
  let scratch;
  if (!webviewJs) {
    scratch = mkdtempSync(join(tmpdir(), 'waba-bench-dist-'));
    const r = spawnSync(process.execPath, ['esbuild.mjs', '--production', `--dist=${scratch}`], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
    webviewJs = join(scratch, 'webview.js');
  }
  try {
    const only = arg('only');
    const figures = await runChartBench({
      webviewJs,
      dataSets: chartDataSets({ result: arg('result'), result1m: arg('result-1m') }).filter((d) => !only || only.split(',').includes(d.key)),
      runs: Number(arg('runs', '5')),
      moves: Number(arg('moves', '40')),
      chromiumPath: arg('chromium', '/usr/bin/chromium'),
    });
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
