/**
 * Template analytics (and template group analytics, one row per group): the funnel per template (#funnel-table: each step with its share of the step
 * before, as its caption says) and the clicks per button (#button-clicks-grid: clicks and unique
 * clicks side by side, never added), with why clicks are missing when click tracking is off.
 */
import type { Section, SectionContext } from '../dom';
import { h, show } from '../dom';
import { BUTTON_CLICKS_CAPTION, BUTTON_CLICK_COLUMNS, FUNNEL_DIMENSION, buttonClickSummary, clickTrackingNote, formatCount, formatMoney, formatPercent, funnelCaption, funnelColumns, templateFunnel } from '../model';
import * as ui from '../toolkit';

export function funnelSection(ctx: SectionContext): Section {
  const funnel = h('div', { id: 'funnel' });
  const clicksHeading = h('h3', { id: 'button-clicks-heading' }, 'Clicks per button');
  const clicksCaption = h('p', { id: 'button-clicks-caption', class: 'muted' }, BUTTON_CLICKS_CAPTION);
  const clicksBox = h('div', { id: 'button-clicks' });
  const tracking = h('p', { id: 'click-tracking-note', class: 'note', hidden: '' });
  const heading = h('h2', { id: 'funnel-heading' }, 'Funnel: sent → delivered → read → clicked');
  const section = h(
    'section',
    { id: 'funnel-section', hidden: '', 'aria-labelledby': 'funnel-heading' },
    heading,
    funnel,
    tracking,
    clicksHeading,
    clicksCaption,
    clicksBox,
  );
  const { locale } = ctx;
  return {
    elements: [section],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.context === s.context) return;
      const r = s.result;
      const by = r ? FUNNEL_DIMENSION[r.kind] : undefined;
      if (!r || !by) return show(section, false);
      show(section, true);
      heading.textContent = r.kind === 'template' ? 'Funnel: sent → delivered → read → clicked' : `Funnel per ${by.unit}: sent → delivered → read → clicked`;
      const names = s.context?.templateNames;
      const templates = s.context?.templates;
      const rows = templateFunnel(r, names, templates);
      const table = h('table', { id: 'funnel-table' });
      table.append(
        h('caption', {}, funnelCaption(rows, by.unit)),
        h('thead', {}, h('tr', {}, ...funnelColumns(r.kind).map((c) => h('th', { scope: 'col', class: c.align === 'right' ? 'num' : undefined, 'data-column': c.key }, c.key === 'cost' && r.currency ? `${c.label} (${r.currency})` : c.label)))),
      );
      const body = h('tbody');
      for (const row of rows) {
        const tr = h('tr', { [r.kind === 'template' ? 'data-template-id' : 'data-group-id']: row.templateId }, h('th', { scope: 'row', class: 'label' }, row.label));
        for (const step of row.steps) {
          const td = h('td', { class: step.value === null ? 'num na step' : 'num step', 'data-step': step.step });
          const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
          // CSSOM, not a style attribute: allowed by the panel's CSP.
          bar.style.width = step.ofFirst !== null ? `${Math.min(100, 100 * step.ofFirst).toFixed(1)}%` : '0%';
          td.append(bar, h('span', { class: 'count' }, formatCount(step.value, locale)));
          if (step.share !== null) td.append(h('span', { class: 'rate', title: `${formatPercent(step.share, locale)} ${step.of}` }, ` (${formatPercent(step.share, locale)})`));
          if (step.step === 'clicked' && row.clicksNote) td.setAttribute('title', row.clicksNote);
          tr.append(td);
        }
        tr.append(h('td', { class: row.cost === null ? 'num na' : 'num' }, formatMoney(row.cost, r.currency, locale)));
        body.append(tr);
      }
      table.append(body);
      funnel.replaceChildren(rows.length ? h('div', { class: 'table-wrap' }, table) : h('p', { class: 'muted' }, `No ${by.unit} figures in this result.`));
      const note = clickTrackingNote(r, templates, names);
      tracking.textContent = note?.text ?? '';
      show(tracking, !!note);

      const clicks = buttonClickSummary(r, names);
      show(clicksHeading, true);
      show(clicksCaption, clicks.length > 0);
      if (!clicks.length) {
        clicksBox.replaceChildren(h('p', { class: 'muted' }, r.clicks ? 'No button clicks.' : 'No per-button clicks in this result (the API gives them for Meta templates with buttons).'));
        return;
      }
      const count = (v: number | null) => (v === null ? '—' : formatCount(v, locale));
      clicksBox.replaceChildren(
        ui.dataGrid(
          BUTTON_CLICK_COLUMNS.map((c) => ({ key: c.key, title: c.key === 'template' ? by.column : c.label, numeric: c.align === 'right' })),
          clicks.map((c) => ({ template: c.template, buttonContent: c.buttonContent, typeLabel: c.typeLabel, clicks: count(c.clicks), uniqueClicks: count(c.uniqueClicks) })),
          { label: 'Clicks per button', id: 'button-clicks-grid' },
        ),
      );
    },
  };
}
