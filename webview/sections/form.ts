/**
 * The editable query (#params: range, granularity, every filter this kind accepts, set or not)
 * and the actions (Run, Export JSON/CSV, Save query). `read()` gives the query as edited, or a
 * message naming what is wrong.
 */
import type { RelativeRange } from '../../src/core/vocabulary';
import { filterDescriptor } from '../../src/core/vocabulary';
import type { ColumnarResult, PanelContext, PanelQuery } from '../../src/protocol';
import type { Section, SectionContext } from '../dom';
import { h } from '../dom';
import type { FieldValue } from '../params';
import { BOOLEAN_KEYS, CUSTOM_RANGE, applyParams, datePresets, filterKeys, filterOptions, granularityLabel, isMultiFilter, paramLabel, presetOf, presetRange } from '../params';
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

  const field = (label: string, control: HTMLElement, hint?: string) =>
    h('label', { class: 'field', title: hint }, h('span', { class: 'field-label' }, label), control);

  const renderParams = (q: PanelQuery | undefined, c: PanelContext | undefined, result: ColumnarResult | undefined) => {
    params.replaceChildren();
    if (!q) {
      params.append(h('p', { class: 'muted' }, 'No query yet.'));
      return;
    }
    const from = ui.textField(q.from, { label: 'From', name: 'from', placeholder: 'YYYY-MM-DD' });
    const to = ui.textField(q.to, { label: 'To', name: 'to', placeholder: 'YYYY-MM-DD' });
    // The relative range the query came with ("last-30-days"), while it still gives these dates; else the preset the dates are.
    const given = typeof q.range === 'string' && q.range !== CUSTOM_RANGE && datePresets().some((p) => p.value === q.range) ? presetRange(q.range as RelativeRange) : undefined;
    const chosen = given && given.from === q.from && given.to === q.to ? String(q.range) : presetOf(q.from, q.to);
    const preset = ui.dropdown(datePresets(), chosen, (v) => {
      if (v === CUSTOM_RANGE) return;
      const r = presetRange(v as RelativeRange);
      from.value = r.from;
      to.value = r.to;
    }, { label: 'Range', id: 'range-preset' });
    preset.setAttribute('data-range-preset', '');
    params.append(h('div', { class: 'field picker' }, h('span', { class: 'field-label' }, 'Range'), preset), field('From (UTC day)', from), field('To (UTC day, inclusive)', to));
    const grans = c?.accepts?.granularities?.length ? c.accepts.granularities : ['HALF_HOUR', 'DAILY', 'MONTHLY'];
    const gran = q.granularity ?? (grans.includes('DAILY') ? 'DAILY' : grans[0]!);
    const g = ui.dropdown(
      grans.map((v) => ({ value: v, label: granularityLabel(v), description: `API value: ${v}` })),
      gran,
      () => {},
      { label: 'Granularity' },
    );
    g.setAttribute('data-param', 'granularity');
    params.append(h('div', { class: 'field picker' }, h('span', { class: 'field-label' }, 'Granularity'), g));

    for (const key of filterKeys(q, c)) {
      const value = q[key];
      const d = filterDescriptor(key);
      const apiHint = d ? `API: ${Object.values(d.api).map((n) => (typeof n === 'string' ? n : Object.values(n ?? {}).join(', '))).filter(Boolean).join(' / ')}` : undefined;
      if (BOOLEAN_KEYS.has(key) || typeof value === 'boolean') {
        const box = ui.checkbox(paramLabel(key), value === true, { name: key });
        box.setAttribute('data-param-kind', 'boolean');
        params.append(h('div', { class: 'field', title: apiHint }, box));
        continue;
      }
      const options = filterOptions(key, q, c, result);
      if (isMultiFilter(key, q)) {
        const chosen = (Array.isArray(value) ? value : []).map(String);
        const m = ui.multiSelect(options, chosen, { label: paramLabel(key), name: key, none: d?.none && d.none[0].toUpperCase() + d.none.slice(1) });
        m.setAttribute('data-param-kind', 'multi');
        // Free values (numbers, countries, tiers, ids) can be typed as well as picked.
        if (d && d.valueType !== 'enum') {
          m.setAttribute('combobox', '');
          m.setAttribute('creatable', '');
        }
        const none = d?.none ? ` (none chosen: ${d.none})` : '';
        params.append(field(paramLabel(key), m, `${apiHint ?? ''}${none}`.trim() || undefined));
        continue;
      }
      if (options.length) {
        const NONE = '(default)';
        const dd = ui.dropdown([{ value: NONE, label: d?.none ? `Default (${d.none})` : 'Default' }, ...options], value === undefined ? NONE : String(value), () => {}, { label: paramLabel(key) });
        dd.setAttribute('data-param', key);
        dd.setAttribute('data-param-kind', 'choice');
        params.append(h('div', { class: 'field picker', title: apiHint }, h('span', { class: 'field-label' }, paramLabel(key)), dd));
        continue;
      }
      params.append(field(paramLabel(key), ui.textField(value === undefined ? '' : String(value), { label: paramLabel(key), name: key }), apiHint));
    }
  };

  return {
    elements: [section],
    buttons,
    render(s, prev) {
      if (!prev || prev.query !== s.query || prev.context !== s.context || prev.result !== s.result) renderParams(s.query, s.context, s.result);
      const layout = layoutView(s);
      ui.setDisabled(buttons.run, !layout.canRun);
      ui.setDisabled(buttons.exportJson, !layout.canExport);
      ui.setDisabled(buttons.exportCsv, !layout.canExport);
      ui.setDisabled(buttons.saveQuery, !layout.canSave);
    },
    read(query) {
      if (!query) return { error: 'There is no query to run yet.' };
      const fields = [...params.querySelectorAll<HTMLElement>('[data-param]')].map((f): FieldValue => {
        const key = f.getAttribute('data-param')!;
        const kind = f.getAttribute('data-param-kind');
        if (kind === 'boolean') return { key, boolean: true, checked: (f as ui.CheckElement).checked };
        if (kind === 'multi') return { key, values: [...((f as ui.MultiValueElement).value ?? [])].map(String) };
        const v = String((f as ui.ValueElement).value ?? '');
        return { key, value: kind === 'choice' && v === '(default)' ? '' : v };
      });
      const out = applyParams(query, fields);
      if (!('query' in out)) return out;
      // The preset rides along while the dates are its dates ("Save query" keeps it as a relative range).
      const { range: _old, ...q } = out.query;
      const p = String((params.querySelector('#range-preset') as ui.ValueElement | null)?.value ?? CUSTOM_RANGE);
      const r = p !== CUSTOM_RANGE && datePresets().some((x) => x.value === p) ? presetRange(p as RelativeRange) : undefined;
      return { query: r && r.from === q.from && r.to === q.to ? { ...q, range: p } : q };
    },
  };
}
