/** One table per dimension of the result (#breakdowns .breakdown[data-dimension], grid #breakdown-<dim>): labels, with the API's value in a tooltip. */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { apiValueHint, breakdownCellText, breakdowns } from '../model';
import * as ui from '../toolkit';

export function breakdownsSection(ctx: SectionContext): Section {
  const section = h('section', { id: 'breakdowns', hidden: '', 'aria-label': 'Breakdowns' });
  const { locale } = ctx;
  return {
    elements: [section],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.context === s.context) return;
      const r = s.result;
      const list = r ? breakdowns(r, s.context?.templateNames) : [];
      section.replaceChildren();
      show(section, list.length > 0);
      if (!r) return;
      for (const b of list) {
        const columns = b.columns.map((c) => ({ key: c.key, title: c.label, numeric: c.align === 'right' }));
        const rows = b.rows.map((row) => Object.fromEntries(b.columns.map((c) => [c.key, breakdownCellText(b, row, c.key, r.currency, locale)])));
        const grid = ui.dataGrid(columns, rows, {
          label: b.title,
          id: `breakdown-${b.dimension}`,
          cellHint: (i, key) => (key === 'label' ? apiValueHint(b.dimension, b.rows[i]!.key || undefined) : undefined),
        });
        section.append(h('section', { class: 'breakdown', 'data-dimension': b.dimension }, h('h3', {}, b.title), grid));
      }
    },
  };
}
