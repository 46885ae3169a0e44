#!/usr/bin/env node
// Part 3 of `npm run bench`: the panel's chart in headless Chromium. The real webview bundle
// (dist/webview.js) is sent the `result` message the extension posts, against chart.js with its
// default options on the same data (the series the panel charts, every one of them). Runs
// alternate between the contenders on fresh pages; medians are reported.
//
//   node bench/chart/run.mjs [--runs=N] [--big-runs=N] [--result=FILE] [--webview=FILE] [--chromium=PATH]
//
// Standalone it builds dist/webview.js into a scratch folder (production) and, without --result,
// times only the synthetic case. bench/run.mjs calls runChartBench() with the pipeline's result.
// Needs Debian's chromium (apt-get install chromium) and playwright-core (a dev dependency).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * @param {{ webviewJs: string, resultBin?: string, runs?: number, bigRuns?: number, chromiumPath?: string, log?: (m: string) => void }} options
 */
export async function runChartBench(options) {
  const { webviewJs, resultBin, runs = 5, bigRuns = 3, chromiumPath = '/usr/bin/chromium', log = (m) => console.error(m) } = options;
  const out = mkdtempSync(join(tmpdir(), 'waba-bench-chart-'));
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ['bench/chart/page.ts'],
      outfile: join(out, 'page.js'),
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      logLevel: 'warning',
    });
    copyFileSync(webviewJs, join(out, 'webview.js'));
    copyFileSync(join(root, 'media', 'panel.css'), join(out, 'panel.css'));
    for (const f of ['panel.html', 'index.html']) copyFileSync(join(here, f), join(out, f));
    if (resultBin) copyFileSync(resultBin, join(out, 'result.bin'));

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
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.on('pageerror', (e) => log(`page error: ${e.message}`));
      const open = async (html, data) => {
        await page.goto(base + html);
        await page.waitForFunction(() => window.benchReady === true && (!document.getElementById('app') || document.getElementById('app').getAttribute('data-mode') === 'boot'));
        return page.evaluate((d) => window.bench.load(d), data);
      };
      const cases = [];
      if (resultBin) cases.push({ key: 'pipelineResult', data: 'result.bin', runs: bigRuns });
      cases.push({ key: 'series12x4320', data: 'synthetic:12x4320', runs });
      const figures = { chromium: browser.version() };
      for (const c of cases) {
        // Warm-up (JIT, fonts, caches), not counted; it also tells what the panel charts.
        const { points } = await open('panel.html', c.data);
        const chosen = await page.evaluate(() => window.bench.panel());
        const size = chosen.canvas;
        await open('index.html', c.data);
        await page.evaluate(([b, m, s]) => window.bench.defaults(b, m, s), [chosen.breakdown, chosen.metric, size]);
        const times = { panel: { sync: [], drawn: [] }, defaults: { sync: [], drawn: [] } };
        let defaultSeries = 0;
        for (let r = 0; r < c.runs; r++) {
          for (const k of r % 2 ? ['defaults', 'panel'] : ['panel', 'defaults']) {
            let t;
            if (k === 'panel') {
              await open('panel.html', c.data);
              t = await page.evaluate(() => window.bench.panel());
            } else {
              await open('index.html', c.data);
              t = await page.evaluate(([b, m, s]) => window.bench.defaults(b, m, s), [chosen.breakdown, chosen.metric, size]);
              defaultSeries = t.series;
            }
            times[k].sync.push(t.sync);
            times[k].drawn.push(t.drawn);
          }
        }
        const round = (x) => Math.round(x);
        figures[c.key] = {
          points,
          runs: c.runs,
          breakdown: chosen.breakdown,
          metric: chosen.metric,
          panelSeries: chosen.series,
          defaultsSeries: defaultSeries,
          canvas: size,
          panelRenderedMs: round(median(times.panel.sync)),
          panelDrawnMs: round(median(times.panel.drawn)),
          defaultsConstructedMs: round(median(times.defaults.sync)),
          defaultsDrawnMs: round(median(times.defaults.drawn)),
          ratio: Number((median(times.defaults.drawn) / median(times.panel.drawn)).toFixed(1)),
          panelRunsMs: times.panel.drawn.map(round),
          defaultsRunsMs: times.defaults.drawn.map(round),
        };
        log(
          `chart: ${c.key}: panel ${figures[c.key].panelDrawnMs} ms (${chosen.series} series), chart.js defaults ${figures[c.key].defaultsDrawnMs} ms (${defaultSeries} series): ${figures[c.key].ratio}×`,
        );
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
    const figures = await runChartBench({
      webviewJs,
      resultBin: arg('result'),
      runs: Number(arg('runs', '5')),
      bigRuns: Number(arg('big-runs', '3')),
      chromiumPath: arg('chromium', '/usr/bin/chromium'),
    });
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
