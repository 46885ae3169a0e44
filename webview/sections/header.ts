/**
 * The heading and its facts (#title, #meta), the status line (#status), and the loading and error
 * banners (#loading, #error with #insights-help). A failed re-run's error sits above the previous
 * result, which stays in view.
 */
import { daySourcesLine } from '../../src/archive/sources';
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import type { MetaField } from '../state';
import { headerView, insightsView, layoutView } from '../state';
import * as ui from '../toolkit';

const META_LABELS: Array<[MetaField, string]> = [
  ['waba', 'WABA'],
  ['provider', 'Provider'],
  ['range', 'Range'],
  ['granularity', 'Granularity'],
  ['timezone', 'Timezone'],
  ['fetched-at', 'Fetched'],
  ['requests', 'Requests'],
];

export function headerSection(ctx: SectionContext): Section {
  const title = h('h1', { id: 'title' }, '');
  const meta = h('dl', { id: 'meta' });
  const dds = new Map<MetaField, HTMLElement>();
  for (const [field, label] of META_LABELS) {
    const dd = h('dd', {});
    dds.set(field, dd);
    meta.append(h('div', { class: 'meta-item', 'data-field': field }, h('dt', {}, label), dd));
  }
  // Where the days came from (answers with the history archive): "1 Dec 2025 – 30 Nov 2026 from history · 1 Dec 2026 – today from Meta".
  const sourcesDd = h('dd', {});
  const sourcesItem = h('div', { class: 'meta-item', 'data-field': 'sources', id: 'sources' }, h('dt', {}, 'Days'), sourcesDd);
  meta.append(sourcesItem);
  const status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite' });
  const loadingMessage = h('span', { class: 'message' }, 'Loading…');
  const loading = h('section', { id: 'loading', hidden: '', 'aria-live': 'polite' }, ui.progressRing('Loading'), loadingMessage);
  const enable = ui.button('Enable insights…', () => ctx.actions.enableInsights(), { action: 'enable-insights' });
  const explain = h('p', { class: 'explain' });
  const help = h('div', { id: 'insights-help', hidden: '' }, explain, h('div', { class: 'actions' }, enable));
  const errorMessage = h('p', { class: 'message' });
  const previous = h('p', { class: 'previous muted', hidden: '' });
  const error = h('section', { id: 'error', hidden: '', role: 'alert' }, h('h2', {}, 'The query failed'), errorMessage, previous, help);

  return {
    elements: [h('header', { id: 'header' }, title, meta), status, loading, error],
    render(s) {
      const view = headerView(s);
      // Dates never split at their hyphens ("2026-\n12-01"): each in a span that does not wrap.
      title.replaceChildren(...view.title.split(/(\d{4}-\d{2}-\d{2})/).map((part, i) => (i % 2 ? h('span', { class: 'nowrap' }, part) : part)));
      for (const [field] of META_LABELS) {
        const value = view.meta[field];
        show(dds.get(field)!.parentElement!, !!value);
        dds.get(field)!.textContent = value ?? '';
      }
      const sourcesText = s.result && s.mode !== 'boot' ? daySourcesLine(s.context?.sources, s.result.provider, s.context?.fetchedAt) : undefined;
      show(sourcesItem, !!sourcesText);
      sourcesDd.textContent = sourcesText ?? '';
      status.textContent = s.status.text;
      status.setAttribute('data-state', s.status.state);
      const layout = layoutView(s);
      show(loading, layout.loading);
      loadingMessage.textContent = layout.loadingText;
      show(error, layout.error);
      errorMessage.textContent = s.error?.message ?? '';
      previous.textContent = layout.previousNote ?? '';
      show(previous, !!layout.previousNote);
      const insights = insightsView(s);
      show(help, !!insights);
      explain.textContent = insights?.text ?? '';
      show(enable, !!insights?.offerEnable);
    },
  };
}
