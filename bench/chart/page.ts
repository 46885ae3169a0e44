/**
 * The chart benchmark's page script for index.html (bundled, minified, by bench/chart/run.mjs and
 * run in headless Chromium). Three contenders draw the same pre-parsed series (data.ts) into a
 * box of the same size as the panel's chart:
 *
 *  - `panel-chart`: the panel's chart code alone (webview/chart.ts, drawTimeSeries, as the panel
 *    calls it), without the rest of the panel;
 *  - `chartjs`: chart.js with its default options but animation off (every controller, parsing,
 *    a category axis of labels formatted by the panel's time formatter, points drawn, its own
 *    tooltip and hover), as a straightforward implementation would;
 *  - `uplot`: uPlot (a development dependency of the benchmark only) with its defaults (time axis
 *    in the result's timezone, its cursor and live legend).
 *
 * Each contender's glue (turning the Float64Arrays of the series into what the library takes) is
 * timed with it. Hover is driven from bench/chart/run.mjs with real input events (page.mouse),
 * across `hoverRect()`.
 */
import { Chart, registerables } from 'chart.js';
import uPlot from 'uplot';
import type { ChartHandle } from '../../webview/chart';
import { drawTimeSeries, readTheme } from '../../webview/chart';
import { makeTimeFormatter } from '../../webview/model';
import type { DataSet, DrawTiming, Rect } from './data';
import { afterNextFrame, loadDataSet, nextFrame } from './data';

export type Contender = 'panel-chart' | 'chartjs' | 'uplot';

let data: DataSet | undefined;
let destroy: (() => void) | undefined;
let box: HTMLElement;

function freshBox(size: { width: number; height: number }): HTMLElement {
  destroy?.();
  destroy = undefined;
  const host = document.getElementById('host')!;
  host.replaceChildren();
  box = document.createElement('div');
  box.id = 'chart';
  box.style.width = `${size.width}px`;
  box.style.height = `${size.height}px`;
  host.append(box);
  return box;
}

/** The panel's chart code, called as webview/main.ts calls it. */
function panelChart(d: DataSet, el: HTMLElement): () => void {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  el.append(canvas);
  const handle: ChartHandle = drawTimeSeries(canvas, d.set, {
    type: 'line',
    timezone: d.timezone,
    granularity: d.result.granularity,
    metric: d.set.metric,
    metricLabel: d.metricLabel,
    ...(d.result.currency ? { currency: d.result.currency } : {}),
    locale: 'en-US',
  });
  return () => handle.destroy();
}

let registered = false;
/** chart.js, defaults but animation off: the straightforward line chart of the same series. */
function chartjs(d: DataSet, el: HTMLElement): () => void {
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const canvas = document.createElement('canvas');
  el.append(canvas);
  const time = makeTimeFormatter(d.result.timezone, d.result.granularity);
  const labels = Array.from(d.set.buckets, (ms) => time.bucket(ms));
  const datasets = d.set.series.map((s) => ({ label: s.label, data: Array.from(s.values, (v) => (v === v ? v : null)) }));
  // maintainAspectRatio off only so that the canvas has the panel's size.
  const chart = new Chart(canvas, { type: 'line', data: { labels, datasets }, options: { animation: false, maintainAspectRatio: false } });
  return () => chart.destroy();
}

/** uPlot with its defaults: time axis in the result's timezone, cursor and live legend. */
function uplot(d: DataSet, el: HTMLElement, size: { width: number; height: number }): () => void {
  const palette = readTheme().palette;
  const tz = d.timezone;
  const xs = d.set.buckets;
  const ys = d.set.series.map((s) => Array.from(s.values, (v) => (v === v ? v : null)));
  const u = new uPlot(
    {
      width: size.width,
      height: size.height,
      ms: 1,
      tzDate: (ts) => uPlot.tzDate(new Date(ts), tz),
      series: [{}, ...d.set.series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length]!, width: 1.5 }))],
    },
    [xs as unknown as number[], ...ys],
    el,
  );
  return () => u.destroy();
}

async function draw(which: Contender, size: { width: number; height: number }): Promise<DrawTiming> {
  const d = data!;
  const el = freshBox(size);
  await afterNextFrame();
  const t0 = performance.now();
  destroy = which === 'panel-chart' ? panelChart(d, el) : which === 'chartjs' ? chartjs(d, el) : uplot(d, el, size);
  const sync = performance.now() - t0;
  const drawn = (await afterNextFrame()) - t0;
  return { sync, drawn, series: d.set.series.length, buckets: d.set.buckets.length };
}

/** Where to move the pointer: the plot area (uPlot's over layer, the charts' canvas). */
function hoverRect(): Rect {
  const target = (box.querySelector('.u-over') as HTMLElement | null) ?? box.querySelector('canvas')!;
  const r = target.getBoundingClientRect();
  return { left: r.left, top: r.top, width: r.width, height: r.height };
}

declare global {
  interface Window {
    bench: {
      load(name: string): Promise<{ points: number; series: number; buckets: number; breakdown: string | null; metric: string }>;
      draw(which: Contender, size: { width: number; height: number }): Promise<DrawTiming>;
      hoverRect(): Rect;
      /** A spot of the page away from the chart, for the idle baseline. */
      idleRect(): Rect;
      frames(n: number): Promise<void>;
    };
    benchReady?: boolean;
  }
}

window.bench = {
  async load(name) {
    data = await loadDataSet(name);
    return { points: data.result.length, series: data.set.series.length, buckets: data.set.buckets.length, breakdown: data.breakdown, metric: data.metric };
  },
  draw,
  hoverRect,
  idleRect() {
    const r = document.getElementById('idle')!.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  },
  async frames(n) {
    for (let i = 0; i < n; i++) await nextFrame();
    await afterNextFrame();
  },
};
window.benchReady = true;
