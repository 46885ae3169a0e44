/** The warnings list (#warnings) and the KPI cards (#kpis), each with its change against the previous period (.delta) when the host sent one. */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { kpiDeltas, likeForLike } from '../compare';
import { computeKpis, costAsked, formatKpi, panelWarnings } from '../model';

export function cardsSection(ctx: SectionContext): Section {
  const warnings = h('ul', { id: 'warnings', 'aria-label': 'Warnings', hidden: '' });
  const kpis = h('section', { id: 'kpis', 'aria-label': 'Key figures' });
  return {
    elements: [warnings, kpis],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.context === s.context && prev.query === s.query && prev.previous === s.previous) return;
      warnings.replaceChildren();
      kpis.replaceChildren();
      const r = s.result;
      if (!r) return show(warnings, false);
      const q = s.resultQuery ?? s.query;
      const list = panelWarnings(r, s.context, { costAsked: costAsked(q) });
      for (const w of list) warnings.append(h('li', { 'data-kind': w.kind, 'data-code': w.code }, w.text));
      show(warnings, list.length > 0);
      const options = { costAsked: costAsked(q), templates: s.context?.templates, templateNames: s.context?.templateNames };
      const cards = computeKpis(r, options);
      // Like for like: a period under way (today so far) is compared over the same span on both sides (webview/compare.ts).
      const cmp = s.previous && q ? likeForLike(r, q, s.previous) : null;
      const deltas = cmp ? kpiDeltas(cmp.current === r ? cards : computeKpis(cmp.current, options), computeKpis(cmp.previous, options), cmp.range, (k) => formatKpi(k, ctx.locale), ctx.locale, cmp.what) : {};
      for (const k of cards) {
        const d = deltas[k.metric];
        const card = h(
          'div',
          { class: k.value === null ? 'kpi unavailable' : 'kpi', 'data-metric': k.metric },
          h('div', { class: 'label' }, k.label),
          h('div', { class: 'value' }, formatKpi(k, ctx.locale)),
          d ? h('div', { class: 'delta', 'data-direction': d.direction, title: d.title }, d.text) : null,
          k.note ? h('div', { class: 'note' }, k.note) : null,
        );
        if (k.value !== null) card.setAttribute('data-value', String(k.value));
        if (k.title) card.setAttribute('title', k.title);
        kpis.append(card);
      }
    },
  };
}
