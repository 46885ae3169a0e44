/** One table per dimension of the result (#breakdowns .breakdown[data-dimension], grid #breakdown-<dim>). */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { breakdowns, dimensionLabel, formatCount, formatMoney, metricLabel } from '../model';
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
        const columns = [
          { key: 'label', title: dimensionLabel(b.dimension) },
          ...b.metrics.map((m) => ({ key: m, title: m === 'cost' && r.currency ? `Cost (${r.currency})` : metricLabel(m), numeric: true })),
        ];
        const withUnit = b.metrics.includes('cost') && b.metrics.length > 1;
        const unitMetric = b.metrics.find((m) => m !== 'cost');
        if (withUnit) columns.push({ key: 'unit', title: r.kind === 'pricing' ? 'Cost per message' : 'Cost per conversation', numeric: true });
        const rows = b.rows.map((row) => {
          const out: Record<string, string> = { label: row.label };
          for (const m of b.metrics) out[m] = m === 'cost' ? formatMoney(row.values[m] ?? null, r.currency, locale) : formatCount(row.values[m] ?? null, locale);
          if (withUnit && unitMetric) {
            const c = row.values.cost;
            const v = row.values[unitMetric];
            out.unit = c !== null && c !== undefined && v ? formatMoney(c / v, r.currency, locale) : formatMoney(null, undefined);
          }
          return out;
        });
        const grid = ui.dataGrid(columns, rows, { label: b.title, id: `breakdown-${b.dimension}` });
        section.append(h('section', { class: 'breakdown', 'data-dimension': b.dimension }, h('h3', {}, b.title), grid));
      }
    },
  };
}
