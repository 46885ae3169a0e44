/** Template analytics: the funnel per template (#funnel-table) and the clicks per button (#button-clicks-grid). */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { buttonClicks, formatCount, formatMoney, formatPercent, templateFunnel } from '../model';
import * as ui from '../toolkit';

export function funnelSection(ctx: SectionContext): Section {
  const funnel = h('div', { id: 'funnel' });
  const clicksHeading = h('h3', { id: 'button-clicks-heading' }, 'Clicks per button');
  const clicksBox = h('div', { id: 'button-clicks' });
  const section = h(
    'section',
    { id: 'funnel-section', hidden: '', 'aria-labelledby': 'funnel-heading' },
    h('h2', { id: 'funnel-heading' }, 'Funnel: sent → delivered → read → clicked'),
    funnel,
    clicksHeading,
    clicksBox,
  );
  const { locale } = ctx;
  return {
    elements: [section],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.context === s.context) return;
      const r = s.result;
      if (!r || r.kind !== 'template') return show(section, false);
      show(section, true);
      const names = s.context?.templateNames;
      const rows = templateFunnel(r, names);
      const table = h('table', { id: 'funnel-table' });
      table.append(
        h('caption', {}, 'Per template: messages at each step, and the share of the step before'),
        h('thead', {}, h('tr', {}, ...['Template', 'Sent', 'Delivered', 'Read', 'Clicked', 'Cost'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : undefined }, t)))),
      );
      const body = h('tbody');
      for (const row of rows) {
        const tr = h('tr', { 'data-template-id': row.templateId }, h('th', { scope: 'row' }, row.label));
        const steps: Array<[string, number | null, number | null]> = [
          ['sent', row.sent, null],
          ['delivered', row.delivered, row.sent],
          ['read', row.read, row.delivered],
          ['clicked', row.clicked, row.delivered],
        ];
        for (const [step, v, before] of steps) {
          const td = h('td', { class: v === null ? 'num na step' : 'num step', 'data-step': step });
          const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
          // CSSOM, not a style attribute: allowed by the panel's CSP.
          bar.style.width = v !== null && row.sent ? `${Math.min(100, (100 * v) / row.sent).toFixed(1)}%` : '0%';
          td.append(bar, h('span', { class: 'count' }, formatCount(v, locale)));
          if (v !== null && before) td.append(h('span', { class: 'rate' }, ` (${formatPercent(v / before, locale)})`));
          tr.append(td);
        }
        tr.append(h('td', { class: row.cost === null ? 'num na' : 'num' }, formatMoney(row.cost, r.currency, locale)));
        body.append(tr);
      }
      table.append(body);
      funnel.replaceChildren(rows.length ? h('div', { class: 'table-wrap' }, table) : h('p', { class: 'muted' }, 'No template figures in this result.'));

      const clicks = buttonClicks(r, names);
      show(clicksHeading, true);
      if (!clicks.length) {
        clicksBox.replaceChildren(h('p', { class: 'muted' }, r.clicks ? 'No button clicks.' : 'No per-button clicks in this result (the API gives them for Meta templates with buttons).'));
        return;
      }
      clicksBox.replaceChildren(
        ui.dataGrid(
          [
            { key: 'template', title: 'Template' },
            { key: 'button', title: 'Button' },
            { key: 'type', title: 'Type' },
            { key: 'count', title: 'Clicks', numeric: true },
          ],
          clicks.map((c) => ({ template: c.template, button: c.buttonContent, type: c.type, count: formatCount(c.count, locale) })),
          { label: 'Clicks per button', id: 'button-clicks-grid' },
        ),
      );
    },
  };
}
