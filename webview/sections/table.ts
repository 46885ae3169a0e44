/** The data table (#table): sortable columns, pages of TABLE_PAGE_SIZE rows, the note and the pager. */
import type { Section, SectionContext } from '../dom';
import { h } from '../dom';
import { MONEY_METRICS, cellHint, cellText, makeTimeFormatter, pageRows, partialNote, partialPoints, tableColumns } from '../model';
import type { ViewState } from '../state';
import { tableNote } from '../state';
import * as ui from '../toolkit';

export function tableSection(ctx: SectionContext): Section {
  const note = h('p', { id: 'table-note', class: 'muted' });
  const table = h('table', { id: 'table' });
  const pager = h('nav', { id: 'table-pager', 'aria-label': 'Table pages' });
  const section = h(
    'section',
    { id: 'table-section', 'aria-labelledby': 'table-heading' },
    h('h2', { id: 'table-heading' }, 'Data'),
    note,
    h('div', { class: 'table-wrap' }, table),
    pager,
  );
  const { locale } = ctx;

  const render = (s: ViewState, focusSorted: boolean) => {
    table.replaceChildren();
    pager.replaceChildren();
    const r = s.result;
    if (!r) {
      note.textContent = '';
      return;
    }
    const cols = tableColumns(r);
    const time = makeTimeFormatter(r.timezone, r.granularity);
    const names = s.context?.templateNames;
    const { rows, page, pages, from, to } = pageRows(s.order, r.length, s.page);
    const partial = partialPoints(r);
    const anyPartial = rows.some((i) => partial[i]);
    table.append(
      // Money is named only when a column holds some (a messaging result knows its currency, but has no cost).
      h('caption', {}, `Data points, times in ${time.timezone}${r.currency && cols.some((c) => c.type === 'metric' && MONEY_METRICS.has(c.name)) ? `, money in ${r.currency}` : ''}${anyPartial ? '. Rows marked “so far”: the period is not over yet' : ''}`),
    );
    const headRow = h('tr');
    let sortedButton: HTMLElement | undefined;
    for (const c of cols) {
      const sorted = s.sortKey === c.key;
      const th = h('th', {
        scope: 'col',
        'data-column': c.key,
        'aria-sort': sorted ? (s.sortDir === 'asc' ? 'ascending' : 'descending') : 'none',
        class: c.type === 'metric' ? 'num' : undefined,
      });
      const btn = h(
        'button',
        { type: 'button', class: 'sort', 'data-sort': c.key, title: `Sort by ${c.label}${c.type === 'time' ? '' : ` (API name: ${c.name})`}` },
        c.label,
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (s.sortDir === 'asc' ? ' ▲' : ' ▼') : ''),
      );
      btn.addEventListener('click', () => ctx.dispatch({ type: 'sort', key: c.key }));
      if (sorted) sortedButton = btn;
      th.append(btn);
      headRow.append(th);
    }
    table.append(h('thead', {}, headRow));
    const body = h('tbody');
    for (const i of rows) {
      const tr = h('tr', { 'data-index': String(i), ...(partial[i] ? { class: 'partial', 'data-partial': 'true', title: partialNote(r.granularity) } : {}) });
      cols.forEach((c, k) => {
        const td = h('td', { class: c.type === 'metric' ? 'num' : c.type === 'dim' ? 'label' : 'time', title: cellHint(r, i, c) }, cellText(r, i, c, time, names, locale));
        if (k === 0 && partial[i]) td.append(h('span', { class: 'so-far' }, ' so far'));
        tr.append(td);
      });
      body.append(tr);
    }
    table.append(body);
    note.textContent = tableNote(r.length, from, to, locale);
    if (pages > 1) {
      const prev = ui.button('Previous', () => ctx.dispatch({ type: 'page', page: page - 1 }), { appearance: 'secondary', action: 'page-prev', disabled: page === 0 });
      const next = ui.button('Next', () => ctx.dispatch({ type: 'page', page: page + 1 }), { appearance: 'secondary', action: 'page-next', disabled: page >= pages - 1 });
      pager.append(prev, h('span', { class: 'page-info' }, `Page ${page + 1} of ${pages}`), next);
    }
    if (focusSorted) sortedButton?.focus();
  };

  return {
    elements: [section],
    render(s, prev) {
      if (prev && prev.result === s.result && prev.order === s.order && prev.page === s.page && prev.context === s.context && prev.sortDir === s.sortDir) return;
      render(s, !!prev && prev.result === s.result && (prev.sortKey !== s.sortKey || prev.sortDir !== s.sortDir));
    },
  };
}
