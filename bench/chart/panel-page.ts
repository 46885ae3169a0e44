/**
 * The chart benchmark's page script for panel.html: the whole panel (the real webview bundle,
 * dist/webview.js, loaded next to this script) is sent the `result` message the extension posts;
 * timed from postMessage until the panel has rendered (header, KPIs, breakdowns, table, chart)
 * and the next frame has been rendered. Hover is driven from bench/chart/run.mjs over its chart.
 */
import type { HostMessage } from '../../src/protocol';
import type { DataSet, DrawTiming, Rect } from './data';
import { afterNextFrame, loadDataSet, nextFrame } from './data';

export interface PanelTiming extends DrawTiming {
  breakdown: string;
  metric: string;
  canvas: { width: number; height: number };
  label: string;
}

let data: DataSet | undefined;

async function panel(): Promise<PanelTiming> {
  const { result, query } = data!;
  const message: HostMessage = {
    type: 'result',
    query: { provider: 'meta', kind: result.kind, wabaId: result.wabaId ?? '1', from: '2024-08-01', to: '2024-10-29', granularity: result.granularity, ...query } as Extract<HostMessage, { type: 'result' }>['query'],
    result,
    context: { connectionLabel: 'Bench', wabaName: 'Bench WABA', templateNames: {}, requests: 1, fetchedAt: new Date().toISOString() },
  };
  await afterNextFrame();
  let handled = 0;
  const done = new Promise<void>((resolve) =>
    // Registered after the panel's own listener: runs once the panel has handled the message.
    window.addEventListener(
      'message',
      () => {
        handled = performance.now();
        resolve();
      },
      { once: true },
    ),
  );
  const t0 = performance.now();
  window.postMessage(message, '*');
  await done;
  const drawn = (await afterNextFrame()) - t0;
  const canvas = document.querySelector('#chart canvas') as HTMLCanvasElement | null;
  if (document.getElementById('app')?.getAttribute('data-mode') !== 'result' || !canvas) throw new Error('the panel did not render the result');
  const value = (id: string) => (document.getElementById(id) as HTMLSelectElement | null)?.value ?? '';
  const label = canvas.getAttribute('aria-label') ?? '';
  return {
    sync: handled - t0,
    drawn,
    series: Number(/, (\d+) series,/.exec(label)?.[1] ?? 0),
    buckets: data!.set.buckets.length,
    breakdown: value('breakdown'),
    metric: value('metric'),
    canvas: { width: canvas.clientWidth, height: canvas.clientHeight },
    label,
  };
}

declare global {
  interface Window {
    panelBench: {
      load(name: string): Promise<{ points: number }>;
      panel(): Promise<PanelTiming>;
      hoverRect(): Rect;
      frames(n: number): Promise<void>;
    };
    benchReady?: boolean;
  }
}

window.panelBench = {
  async load(name) {
    data = await loadDataSet(name);
    return { points: data.result.length };
  },
  panel,
  hoverRect() {
    const canvas = document.querySelector('#chart canvas')!;
    canvas.scrollIntoView({ block: 'center' });
    const r = canvas.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  },
  async frames(n) {
    for (let i = 0; i < n; i++) await nextFrame();
    await afterNextFrame();
  },
};
window.benchReady = true;
