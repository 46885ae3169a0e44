/** The warnings list (#warnings) and the KPI cards (#kpis). */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { computeKpis, costAsked, formatKpi, panelWarnings } from '../model';

export function cardsSection(ctx: SectionContext): Section {
  const warnings = h('ul', { id: 'warnings', 'aria-label': 'Warnings', hidden: '' });
  const kpis = h('section', { id: 'kpis', 'aria-label': 'Key figures' });
  return {
    elements: [warnings, kpis],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.context === s.context && prev.query === s.query) return;
      warnings.replaceChildren();
      kpis.replaceChildren();
      const r = s.result;
      if (!r) return show(warnings, false);
      const q = s.resultQuery ?? s.query;
      const list = panelWarnings(r, s.context, { costAsked: costAsked(q) });
      for (const w of list) warnings.append(h('li', { 'data-kind': w.kind, 'data-code': w.code }, w.text));
      show(warnings, list.length > 0);
      for (const k of computeKpis(r, { costAsked: costAsked(q) })) {
        const card = h(
          'div',
          { class: k.value === null ? 'kpi unavailable' : 'kpi', 'data-metric': k.metric },
          h('div', { class: 'label' }, k.label),
          h('div', { class: 'value' }, formatKpi(k, ctx.locale)),
          k.note ? h('div', { class: 'note' }, k.note) : null,
        );
        if (k.value !== null) card.setAttribute('data-value', String(k.value));
        kpis.append(card);
      }
    },
  };
}
