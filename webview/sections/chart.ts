/**
 * "Over time": the chart (webview/chart.ts draws it), its type buttons and the breakdown and
 * metric pickers, the canvas's text alternative and the note under it.
 */
import type { ChartHandle } from '../chart';
import { drawTimeSeries } from '../chart';
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { buildTimeSeries, chartableMetrics, dimensionLabel, formatCount, makeTimeFormatter, metricLabel, presentDimensions } from '../model';
import type { ViewState } from '../state';
import * as ui from '../toolkit';

/** The dropdown value for "no breakdown" (an empty option value would match an unset dropdown). */
const NO_BREAKDOWN = '(none)';

export function chartSection(ctx: SectionContext): Section {
  const line = ui.button('Line', () => ctx.dispatch({ type: 'chartType', chartType: 'line' }), { appearance: 'secondary', title: 'Show lines' });
  line.setAttribute('data-chart-type', 'line');
  const bar = ui.button('Stacked bars', () => ctx.dispatch({ type: 'chartType', chartType: 'bar' }), { appearance: 'secondary', title: 'Show stacked bars' });
  bar.setAttribute('data-chart-type', 'bar');
  const bPicker = h('div', { class: 'picker', id: 'breakdown-picker' }, h('span', { class: 'field-label' }, 'Breakdown'));
  const mPicker = h('div', { class: 'picker', id: 'metric-picker' }, h('span', { class: 'field-label' }, 'Metric'));
  const canvas = h('canvas', { role: 'img', 'aria-label': 'Chart' });
  const box = h('div', { id: 'chart' }, canvas);
  const note = h('p', { id: 'chart-note', class: 'muted' });
  const section = h(
    'section',
    { id: 'chart-section', 'aria-labelledby': 'chart-heading' },
    h('h2', { id: 'chart-heading' }, 'Over time'),
    h('div', { class: 'chart-controls' }, h('div', { id: 'chart-type', role: 'group', 'aria-label': 'Chart type' }, line, bar), bPicker, mPicker),
    box,
    note,
  );
  let handle: ChartHandle | undefined;

  const renderPickers = (s: ViewState) => {
    const r = s.result!;
    bPicker.querySelector('[data-picker]')?.remove();
    const bd = ui.dropdown(
      [{ value: NO_BREAKDOWN, label: 'None (total)' }, ...presentDimensions(r).map((d) => ({ value: d, label: dimensionLabel(d) }))],
      s.breakdown || NO_BREAKDOWN,
      (v) => ctx.dispatch({ type: 'breakdown', breakdown: v === NO_BREAKDOWN ? '' : v }),
      { label: 'Breakdown', id: 'breakdown' },
    );
    bd.setAttribute('data-picker', 'breakdown');
    bPicker.append(bd);
    mPicker.querySelector('[data-picker]')?.remove();
    const md = ui.dropdown(
      chartableMetrics(r).map((m) => ({ value: m, label: metricLabel(m) })),
      s.metric ?? '',
      (v) => ctx.dispatch({ type: 'metric', metric: v }),
      { label: 'Metric', id: 'metric' },
    );
    md.setAttribute('data-picker', 'metric');
    mPicker.append(md);
  };

  const renderChart = (s: ViewState) => {
    const r = s.result;
    if (!r) {
      handle?.destroy();
      handle = undefined;
      return;
    }
    const metric = s.metric;
    const set = metric ? buildTimeSeries(r, { metric, breakdown: s.breakdown || null, templateNames: s.context?.templateNames }) : undefined;
    box.setAttribute('data-chart-type', s.chartType);
    if (!set || set.series.length === 0) {
      handle?.destroy();
      handle = undefined;
      show(box, false);
      note.textContent = r.length === 0 ? 'No data points for this query.' : 'No metric to chart: the API returned none for these points.';
      return;
    }
    show(box, true);
    const time = makeTimeFormatter(r.timezone, r.granularity);
    const options = {
      type: s.chartType,
      timezone: time.timezone,
      granularity: r.granularity,
      metric: set.metric,
      metricLabel: metricLabel(set.metric) + (r.currency && /cost|amount/.test(set.metric) ? ` (${r.currency})` : ''),
      ...(r.currency ? { currency: r.currency } : {}),
      locale: ctx.locale,
    };
    if (handle) handle.update(set, options);
    else handle = drawTimeSeries(canvas, set, options);
    const first = set.buckets.length ? time.bucket(set.buckets[0]!) : '';
    const last = set.buckets.length ? time.bucket(set.buckets[set.buckets.length - 1]!) : '';
    const by = set.breakdown ? ` by ${dimensionLabel(set.breakdown).toLowerCase()}` : '';
    const top = set.series
      .slice(0, 3)
      .map((x) => `${x.label} ${formatCount(x.total, ctx.locale)}`)
      .join(', ');
    canvas.setAttribute(
      'aria-label',
      `${s.chartType === 'line' ? 'Line chart' : 'Stacked bar chart'} of ${metricLabel(set.metric).toLowerCase()}${by}, ${first} to ${last} (${time.timezone}), ${set.series.length} series, total ${formatCount(set.total, ctx.locale)}${top ? `; largest: ${top}` : ''}. The data table below holds every value.`,
    );
    const hidden = set.groups > set.series.length ? ` The ${set.groups - set.series.length + 1} smallest of ${set.groups} are summed into “Other”.` : '';
    note.textContent = `Times in ${time.timezone}${time.valid ? '' : ` (the result's timezone "${r.timezone}" is unknown here)`}.${hidden}`;
  };

  return {
    elements: [section],
    render(s, prev) {
      ui.setPressed(line, s.chartType === 'line');
      ui.setPressed(bar, s.chartType === 'bar');
      if (!s.result) {
        renderChart(s);
        return;
      }
      if (!prev || prev.result !== s.result) renderPickers(s);
      const changed = !prev || prev.result !== s.result || prev.chartType !== s.chartType || prev.breakdown !== s.breakdown || prev.metric !== s.metric || prev.context !== s.context;
      // Drawn once the results are in view (a hidden canvas has no size).
      if (changed || (prev && !prev.result)) renderChart(s);
    },
  };
}
