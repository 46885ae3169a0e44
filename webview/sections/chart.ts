/**
 * "Over time": the chart (webview/chart.ts draws it), its type buttons and the breakdown and
 * metric pickers, the canvas's text alternative and the note under it.
 */
import type { ChartHandle } from '../chart';
import { drawTimeSeries, onThemeChange, readTheme } from '../chart';
import type { ChartMarks } from '../chartMarks';
import { chartMarksPlugin, dayShift } from '../chartMarks';
import { rangeText } from '../compare';
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { buildTimeSeries, chartCaption, chartableMetrics, dimensionLabel, formatCount, makeTimeFormatter, metricLabel, presentDimensions, seriesPalette } from '../model';
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
  const overlay = ui.checkbox('Previous period', false, { name: 'overlay-previous', id: 'overlay-previous' }, (on) => ctx.dispatch({ type: 'overlayPrevious', on }));
  overlay.removeAttribute('data-param');
  overlay.setAttribute('data-action', 'overlay-previous');
  overlay.setAttribute('title', 'Overlay the previous period of the same length (dashed)');
  const canvas = h('canvas', { role: 'img', 'aria-label': 'Chart' });
  const box = h('div', { id: 'chart' }, canvas);
  const note = h('p', { id: 'chart-note', class: 'muted' });
  const section = h(
    'section',
    { id: 'chart-section', 'aria-labelledby': 'chart-heading' },
    h('h2', { id: 'chart-heading' }, 'Over time'),
    h('div', { class: 'chart-controls' }, h('div', { id: 'chart-type', role: 'group', 'aria-label': 'Chart type' }, line, bar), bPicker, mPicker, overlay),
    box,
    note,
  );
  let handle: ChartHandle | undefined;
  let marks: ChartMarks | null = null;
  const plugin = chartMarksPlugin(() => marks);
  let last: ViewState | undefined;
  // The colours are picked here (seriesPalette: distinct in this theme), so a theme change draws again.
  onThemeChange(() => {
    if (last?.result) renderChart(last);
  });

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
    const base = readTheme();
    const style = getComputedStyle(document.body);
    const background = style.getPropertyValue('--vscode-editor-background').trim() || (document.body.classList.contains('vscode-light') ? '#ffffff' : '#1f1f1f');
    const palette = seriesPalette(Math.max(1, set.series.length), { colors: base.palette, background });
    const theme = { ...base, palette };
    const colorOf = (key: string) => {
      const k = set.series.findIndex((x) => x.key === key);
      return k >= 0 && !set.series[k]!.other ? palette[k] : undefined;
    };
    // The previous period, moved onto these dates: per shown series for lines with a breakdown, else the total.
    const prev = s.previous;
    let previous: ChartMarks['previous'] = null;
    if (prev && s.overlayPrevious && metric && prev.result.metrics[metric]) {
      const perSeries = s.chartType === 'line' && !!set.breakdown;
      const pset = buildTimeSeries(prev.result, { metric, breakdown: perSeries ? set.breakdown : null, topN: 1000, templateNames: s.context?.templateNames });
      const keys = new Set(set.series.map((x) => x.key));
      const q = s.resultQuery ?? s.query;
      previous = {
        series: perSeries ? pset.series.filter((x) => keys.has(x.key)) : pset.series.map((x) => ({ ...x, key: '__previous_total__', label: 'Previous period' })),
        buckets: pset.buckets,
        shift: q ? dayShift(prev.from, q.from) : 0,
        rangeText: rangeText(prev.from, prev.to),
      };
      if (!Number.isFinite(previous.shift)) previous = null;
    }
    const partialText = r.granularity === 'MONTHLY' ? 'this month so far' : r.granularity === 'DAILY' ? 'today so far' : 'so far';
    marks = { type: s.chartType, set, granularity: r.granularity, partialText, previous, colorOf, foreground: base.foreground, background };
    const options = {
      type: s.chartType,
      theme,
      plugins: [plugin],
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
    const overlayNote = previous
      ? ` Dashed${previous.series.length === 1 && !set.breakdown ? '' : ' (each in its series’ colour)'}: the previous period, ${previous.rangeText}, moved onto these dates${set.breakdown && s.chartType === 'bar' ? ' (its total)' : ''}.`
      : '';
    note.textContent = chartCaption(set, r.granularity, time, s.chartType === 'bar' ? 'its bar hatched' : 'drawn dashed') + overlayNote;
  };

  return {
    elements: [section],
    render(s, prev) {
      last = s;
      show(overlay, !!s.previous);
      (overlay as ui.CheckElement).checked = s.overlayPrevious;
      ui.setPressed(line, s.chartType === 'line');
      ui.setPressed(bar, s.chartType === 'bar');
      if (!s.result) {
        renderChart(s);
        return;
      }
      if (!prev || prev.result !== s.result) renderPickers(s);
      const changed = !prev || prev.result !== s.result || prev.chartType !== s.chartType || prev.breakdown !== s.breakdown || prev.metric !== s.metric || prev.context !== s.context || prev.previous !== s.previous || prev.overlayPrevious !== s.overlayPrevious;
      // Drawn once the results are in view (a hidden canvas has no size).
      if (changed || (prev && !prev.result)) renderChart(s);
    },
  };
}
