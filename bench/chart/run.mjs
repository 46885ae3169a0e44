#!/usr/bin/env node
// Times the panel's chart (webview/chart.ts drawTimeSeries, after webview/model.ts
// buildTimeSeries) against chart.js with default options on the same data, in headless Chromium.
// Runs alternate between the contenders; medians are printed.
//
//   node bench/chart/run.mjs [--runs=N] [--chromium=/usr/bin/chromium] [--big-runs=N]
//
// Needs Debian's chromium (apt-get install chromium) and playwright-core (a dev dependency).
import * as esbuild from 'esbuild';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const runs = Number(arg('runs', '7'));
const bigRuns = Number(arg('big-runs', '3'));
const executablePath = arg('chromium', '/usr/bin/chromium');

const out = join(tmpdir(), `waba-bench-chart-${process.pid}`);
mkdirSync(out, { recursive: true });
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
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'index.html')));

const server = createServer((req, res) => {
  const file = req.url === '/' ? 'index.html' : req.url.replace(/^\//, '');
  if (!/^[\w.-]+$/.test(file)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  try {
    const body = readFileSync(join(out, file));
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
    res.end(body);
  } catch {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 600 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready');
  const info = await page.evaluate(() => {
    const c = document.getElementById('box');
    return { width: c.clientWidth, height: c.clientHeight, dpr: devicePixelRatio };
  });
  console.log(`Chromium ${browser.version()}, canvas box ${info.width}×${info.height} px, devicePixelRatio ${info.dpr}`);

  const cases = [
    { name: '12 series × 4,320 half-hours (51,840 points)', series: 12, buckets: 4320, runs },
    { name: '80 series × 4,320 half-hours (345,600 points)', series: 80, buckets: 4320, runs: bigRuns },
  ];
  const kinds = ['panel-line', 'panel-bar', 'defaults'];
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  for (const c of cases) {
    // Warm-up (JIT, fonts), not counted.
    for (const k of kinds) await page.evaluate(([k, s, b]) => window.bench.run(k, s, b), [k, c.series, Math.min(c.buckets, 480)]);
    const times = Object.fromEntries(kinds.map((k) => [k, { sync: [], drawn: [] }]));
    for (let r = 0; r < c.runs; r++) {
      // Alternate, and rotate who goes first.
      const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]);
      for (const k of order) {
        const t = await page.evaluate(([k, s, b]) => window.bench.run(k, s, b), [k, c.series, c.buckets]);
        times[k].sync.push(t.sync);
        times[k].drawn.push(t.drawn);
      }
    }
    console.log(`\n${c.name}, ${c.runs} alternating runs, medians (ms):`);
    console.log('  contender                                   constructor   fully drawn');
    const label = {
      'panel-line': 'panel drawTimeSeries, line (top 8 + Other)',
      'panel-bar': 'panel drawTimeSeries, stacked bars',
      defaults: `chart.js defaults, line (all ${c.series} series)`,
    };
    for (const k of kinds) {
      console.log(`  ${label[k].padEnd(44)}${median(times[k].sync).toFixed(0).padStart(10)}${median(times[k].drawn).toFixed(0).padStart(14)}`);
    }
    const ratio = median(times.defaults.drawn) / median(times['panel-line'].drawn);
    console.log(`  fully drawn: the panel's line chart is ${ratio.toFixed(1)}× faster than chart.js defaults`);
  }
} finally {
  await browser.close();
  server.close();
}
