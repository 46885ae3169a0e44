/**
 * Part 5 of `npm run bench`: what the user waits for, in the real VS Code of the end-to-end harness
 * (code-server driven by Chromium, test/e2e/harness.ts): from pressing "Run query" (the last picker
 * step) to the chart drawn on screen, for a 30-day DAILY messaging query on the demo connection
 * (Demo (Meta), Acme Outdoor US). The first run is the cold one (the first request, the first
 * panel's bundle); the next `runs` are the warm ones, each a new panel, the query cache off
 * (wabaAnalytics.cache.ttlSeconds: 0) so that every run asks the sandbox again.
 *
 * Where the time goes, per run (epoch ms from the test process, the extension's log and the
 * webview's own clock; one machine, one clock). The panel opens at Run, so the query runs while
 * VS Code builds the webview: the query is measured beside the chain, not in it.
 *   query       Run pressed -> the query's log line ("N points from M requests"), in parallel
 *   panel       Run pressed -> the panel's document starts loading (its performance.timeOrigin)
 *   held        -> its request is sent (VS Code's webview service worker may hold it: in a browser
 *                  every new webview registers its own service worker, replacing the last one)
 *   script      -> dist/webview.js fetched
 *   render      -> webview.js run, "ready" -> the result message (when the query is still
 *                  running, this waits for it) -> the panel rendered up to the chart (the chart
 *                  code's start: data-drawn-at minus data-draw-ms)
 *   draw        -> the chart drawn and the next frame rendered (canvas data-drawn-at)
 *
 * Bundled by bench/run.mjs into .e2e/bench/ (packages external) and started there:
 *   node .e2e/bench/waits.js --vsix=FILE --out=FILE [--runs=5]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openWorkbench, runCommand, startCodeServer } from '../test/e2e/harness';
import { quickInput, startQuery, waitForQuickInput } from '../test/e2e/ui';
import { arg, median } from './common';

const RUNS = Number(arg('runs', '5'));
const round = (x: number) => Math.round(x);

interface PanelTimes {
  title: string;
  timeOrigin: number;
  /** When the panel document's own request was sent (VS Code's webview service worker may hold it). */
  docRequest: number;
  scriptEnd: number;
  drawStart: number;
  drawnAt: number;
  drawMs: number;
}

/** The panel document whose chart has been drawn (after `since`), and its clock's marks. */
async function drawnPanel(page: Page, since: number, timeoutMs = 30_000): Promise<PanelTimes> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const t = await readTimes(frame).catch(() => undefined);
      if (t && t.drawnAt > since) return t;
    }
    if (Date.now() > deadline) throw new Error(`no panel drew its chart within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readTimes(frame: Frame): Promise<PanelTimes | undefined> {
  return frame.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#chart canvas');
    const drawnAt = Number(canvas?.dataset.drawnAt ?? NaN);
    if (!canvas || !(drawnAt > 0)) return undefined;
    const script = performance.getEntriesByType('resource').find((e) => /webview\.js/.test(e.name)) as PerformanceResourceTiming | undefined;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const drawMs = Number(canvas.dataset.drawMs ?? NaN);
    return {
      title: document.querySelector('#title')?.textContent ?? '',
      timeOrigin: performance.timeOrigin,
      docRequest: performance.timeOrigin + (nav?.requestStart ?? 0),
      scriptEnd: script ? performance.timeOrigin + script.responseEnd : NaN,
      drawStart: drawnAt - drawMs,
      drawnAt,
      drawMs,
    };
  });
}

/** Every "WABA Analytics.log" under the user data folder (the extension's log channel). */
function logFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) logFiles(p, out);
    else if (name === 'WABA Analytics.log') out.push(p);
  }
  return out;
}

/** Epoch ms of the last log line after `since` saying a query finished ("… points from N requests"). */
function queryDoneAt(userDataDir: string, since: number): number {
  let at = NaN;
  for (const f of logFiles(join(userDataDir, 'logs'))) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[info\] .*points from \d+ requests?/.exec(line);
      if (!m) continue;
      const t = new Date(`${m[1]}T${m[2]}`).getTime();
      if (t >= since - 1 && !(t <= at)) at = t;
    }
  }
  return at;
}

async function main(): Promise<void> {
  const vsix = arg('vsix');
  const server = await startCodeServer({ extensions: [vsix], env: { WABA_ANALYTICS_DEMO: '1' } });
  try {
    // Every run sends the query (no answer from the cache), as a new query does.
    mkdirSync(join(server.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(server.userDataDir, 'User', 'settings.json'), JSON.stringify({ 'wabaAnalytics.cache.ttlSeconds': 0, 'workbench.startupEditor': 'none' }));
    const workbench = await openWorkbench(server.url, server.workspace, { viewport: { width: 1400, height: 1000 } });
    try {
      const page = workbench.page;
      // The extension's contributions are in once its view is in the activity bar; opening the view
      // activates it (and, with WABA_ANALYTICS_DEMO=1, adds the demo connections).
      const view = page.locator('.activitybar .action-label[aria-label="WABA Analytics"]');
      await view.waitFor({ timeout: 60_000 });
      await view.click();
      await page.locator('#workbench\\.parts\\.sidebar .monaco-list-row', { hasText: 'Demo (Meta)' }).first().waitFor({ timeout: 60_000 });
      const runs: Array<Record<string, number>> = [];
      for (let r = 0; r <= RUNS; r++) {
        await startQuery(page, 'WABA Analytics: Messaging Analytics…', { connection: 'Demo (Meta)', waba: 'Acme Outdoor US', range: 'Last 30 days', granularity: 'Daily' });
        await waitForQuickInput(page, /^Add filters, or run/);
        const run = quickInput(page)
          .locator('.quick-input-list .monaco-list-row')
          .filter({ has: page.locator('.label-name', { hasText: /^\s*Run query\s*$/ }) })
          .first();
        await run.waitFor();
        const t0 = Date.now();
        await run.click();
        const p = await drawnPanel(page, t0);
        const queryDone = queryDoneAt(server.userDataDir, t0);
        const row = {
          runToChartMs: p.drawnAt - t0,
          queryMs: queryDone - t0,
          panelMs: p.timeOrigin - t0,
          docWaitMs: p.docRequest - p.timeOrigin,
          scriptMs: p.scriptEnd - p.docRequest,
          renderMs: p.drawStart - p.scriptEnd,
          drawMs: p.drawnAt - p.drawStart,
        };
        runs.push(row);
        process.stderr.write(
          `waits: run ${r}${r === 0 ? ' (cold)' : ''}: ${round(row.runToChartMs)} ms = panel ${round(row.panelMs)} (the query meanwhile: ${round(row.queryMs)}) + document request held ${round(row.docWaitMs)} + webview.js ${round(row.scriptMs)} + ready/result/render ${round(row.renderMs)} + draw ${round(row.drawMs)}\n`,
        );
        await runCommand(page, 'View: Close All Editors');
      }
      const warm = runs.slice(1);
      const med = (k: string) => round(median(warm.map((x) => x[k]!)));
      const report = {
        query: 'messaging, Demo (Meta), Acme Outdoor US, Last 30 days, Daily',
        runs: warm.length,
        runToChartMs: med('runToChartMs'),
        coldRunToChartMs: round(runs[0]!.runToChartMs!),
        phases: {
          'the query (Run pressed -> its log line), while the webview is built': med('queryMs'),
          'VS Code creates the webview (Run pressed -> its document starts)': med('panelMs'),
          "the document's request held by VS Code's webview service worker": med('docWaitMs'),
          'dist/webview.js and panel.css fetched': med('scriptMs'),
          'webview.js runs, ready -> result message (waits for the query if still running) -> panel rendered': med('renderMs'),
          'chart drawn and on screen': med('drawMs'),
        },
        coldPhases: Object.fromEntries(Object.entries(runs[0]!).map(([k, v]) => [k, round(v)])),
        runsMs: runs.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round(v)]))),
      };
      writeFileSync(arg('out'), JSON.stringify(report, null, 2));
    } finally {
      await workbench.close();
    }
  } catch (e) {
    process.stderr.write(`${server.diagnostics(60)}\n`);
    throw e;
  } finally {
    await server.stop();
  }
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
