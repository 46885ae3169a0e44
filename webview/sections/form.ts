/**
 * The editable query (#params: range, granularity, every filter this kind accepts, set or not)
 * and the actions (Run, Export JSON/CSV, Save query). `read()` gives the query as edited, or a
 * message naming what is wrong.
 */
import type { PanelContext, PanelQuery } from '../../src/protocol';
import type { Section, SectionContext } from '../dom';
import { h } from '../dom';
import { templateLabel } from '../model';
import { BOOLEAN_KEYS, SCALAR_KEYS, applyParams, filterKeys, paramLabel } from '../params';
import { layoutView } from '../state';
import * as ui from '../toolkit';

export interface FormSection extends Section {
  read(query: PanelQuery | undefined): { query: PanelQuery } | { error: string };
  buttons: Record<'run' | 'exportJson' | 'exportCsv' | 'saveQuery', HTMLElement>;
}

export function formSection(ctx: SectionContext): FormSection {
  const buttons = {
    run: ui.button('Run', () => ctx.actions.run(), { action: 'run', title: 'Run the query with these parameters' }),
    exportJson: ui.button('Export JSON', () => ctx.actions.exportResult('json'), { action: 'export-json', appearance: 'secondary' }),
    exportCsv: ui.button('Export CSV', () => ctx.actions.exportResult('csv'), { action: 'export-csv', appearance: 'secondary' }),
    saveQuery: ui.button('Save query', () => ctx.actions.saveQuery(), { action: 'save-query', appearance: 'secondary' }),
  };
  const params = h('div', { id: 'params', role: 'group', 'aria-label': 'Query parameters' });
  const section = h(
    'section',
    { id: 'query', 'aria-labelledby': 'query-heading' },
    h('h2', { id: 'query-heading' }, 'Query'),
    params,
    h('div', { id: 'actions', class: 'actions' }, buttons.run, buttons.exportJson, buttons.exportCsv, buttons.saveQuery),
  );
  section.addEventListener('keydown', (ev) => {
    const target = ev.target as HTMLElement;
    if (ev.key === 'Enter' && target.closest('#params') && target.tagName !== 'VSCODE-BUTTON' && !target.closest('vscode-single-select, vscode-multi-select')) {
      ev.preventDefault();
      ctx.actions.run();
    }
  });

  const field = (label: string, control: HTMLElement) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control);

  const renderParams = (q: PanelQuery | undefined, c: PanelContext | undefined) => {
    params.replaceChildren();
    if (!q) {
      params.append(h('p', { class: 'muted' }, 'No query yet.'));
      return;
    }
    params.append(
      field('From (YYYY-MM-DD, UTC)', ui.textField(q.from, { label: 'From', name: 'from', placeholder: 'YYYY-MM-DD' })),
      field('To (YYYY-MM-DD, inclusive)', ui.textField(q.to, { label: 'To', name: 'to', placeholder: 'YYYY-MM-DD' })),
    );
    const grans = c?.accepts?.granularities?.length ? c.accepts.granularities : ['HALF_HOUR', 'DAILY', 'MONTHLY'];
    const gran = q.granularity ?? (grans.includes('DAILY') ? 'DAILY' : grans[0]!);
    const g = ui.dropdown(
      grans.map((v) => ({ value: v, label: v })),
      gran,
      () => {},
      { label: 'Granularity' },
    );
    g.setAttribute('data-param', 'granularity');
    params.append(h('div', { class: 'field picker' }, h('span', { class: 'field-label' }, 'Granularity'), g));

    for (const key of filterKeys(q, c)) {
      const value = q[key];
      if (BOOLEAN_KEYS.has(key) || typeof value === 'boolean') {
        const box = ui.checkbox(paramLabel(key), value === true, { name: key });
        box.setAttribute('data-param-kind', 'boolean');
        params.append(h('div', { class: 'field' }, box));
        continue;
      }
      const text = Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
      const single = SCALAR_KEYS.has(key) || typeof value === 'string' || typeof value === 'number';
      const label = single ? paramLabel(key) : `${paramLabel(key)}, comma-separated`;
      const f = field(label, ui.textField(text, { label, name: key, placeholder: single ? '' : 'a, b, c' }));
      if (key === 'templateIds' && c?.templateNames && Object.keys(c.templateNames).length) {
        const known = Object.entries(c.templateNames)
          .slice(0, 20)
          .map(([id]) => templateLabel(id, c.templateNames))
          .join(', ');
        f.append(h('span', { class: 'hint muted' }, `Known: ${known}`));
      }
      params.append(f);
    }
  };

  return {
    elements: [section],
    buttons,
    render(s, prev) {
      if (!prev || prev.query !== s.query || prev.context !== s.context) renderParams(s.query, s.context);
      const layout = layoutView(s);
      ui.setDisabled(buttons.run, !layout.canRun);
      ui.setDisabled(buttons.exportJson, !layout.canExport);
      ui.setDisabled(buttons.exportCsv, !layout.canExport);
      ui.setDisabled(buttons.saveQuery, !layout.canSave);
    },
    read(query) {
      if (!query) return { error: 'There is no query to run yet.' };
      const fields = [...params.querySelectorAll<HTMLElement>('[data-param]')].map((f) =>
        f.getAttribute('data-param-kind') === 'boolean'
          ? { key: f.getAttribute('data-param')!, boolean: true, checked: (f as ui.CheckElement).checked }
          : { key: f.getAttribute('data-param')!, value: String((f as ui.ValueElement).value ?? '') },
      );
      return applyParams(query, fields);
    },
  };
}
