/**
 * The only module that knows the component library (@vscode-elements/elements, Lit web components
 * that follow the VS Code theme). The rest of the panel builds its controls through these
 * factories and reads them as plain elements with a `value` (or `checked`), so the library can be
 * swapped by rewriting this file alone.
 *
 * CSP: the components style themselves with constructable stylesheets (adoptedStyleSheets), which
 * the panel's `style-src` allows; nothing here writes a style attribute or an inline <style>.
 * Tables are plain <table> elements styled by media/panel.css (numbers right-aligned, the table
 * scrolling sideways inside its own box), which also keeps them readable to the end-to-end tests.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { html } from 'lit';

// A multi-select with nothing chosen says what that means ("All countries", "Totals only") instead
// of the library's "0 Selected": its `data-none` attribute, when set, replaces the empty face. The
// face is the library's private render method; if a later version renames it, the library's own
// text stays (the end-to-end journey checks the words).
{
  type Face = HTMLElement & { _opts?: { selectedIndexes?: number[] } };
  const proto = customElements.get('vscode-multi-select')?.prototype as unknown as { _renderLabel?: (this: Face) => unknown } | undefined;
  const original = proto?._renderLabel;
  if (proto && typeof original === 'function') {
    proto._renderLabel = function (this: Face) {
      const none = this.getAttribute('data-none');
      return none && (this._opts?.selectedIndexes?.length ?? 0) === 0 ? html`<span class="select-face-badge no-item">${none}</span>` : original.call(this);
    };
  }
}

export interface ValueElement extends HTMLElement {
  value: string;
}
export interface MultiValueElement extends HTMLElement {
  value: string[];
}
export interface CheckElement extends HTMLElement {
  checked: boolean;
}

function el(tag: string, attrs: Record<string, string | undefined> = {}): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  return e;
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary' | 'icon';
  /** data-action, the stable hook for tests. */
  action?: string;
  title?: string;
  disabled?: boolean;
}

export function button(label: string, onClick: (ev: Event) => void, options: ButtonOptions = {}): HTMLElement {
  const b = el('vscode-button', {
    'data-action': options.action,
    title: options.title,
    'aria-label': options.appearance === 'icon' ? (options.title ?? label) : undefined,
  });
  if (options.appearance === 'secondary' || options.appearance === 'icon') b.setAttribute('secondary', '');
  b.textContent = label;
  if (options.disabled) b.setAttribute('disabled', '');
  b.addEventListener('click', (ev) => {
    if (b.hasAttribute('disabled')) return;
    onClick(ev);
  });
  return b;
}

/** Enable or disable a control made here. */
export function setDisabled(control: HTMLElement, disabled: boolean): void {
  if (disabled) control.setAttribute('disabled', '');
  else control.removeAttribute('disabled');
}

/** Mark a toggle button as pressed (aria-pressed) and give it the primary look. */
export function setPressed(control: HTMLElement, pressed: boolean): void {
  control.setAttribute('aria-pressed', String(pressed));
  if (pressed) control.removeAttribute('secondary');
  else control.setAttribute('secondary', '');
}

export interface GridColumn {
  key: string;
  title: string;
  /** Numbers align right. */
  numeric?: boolean;
  /** A tooltip on the header (e.g. the API's name for it). */
  hint?: string;
}

/** A read-only table: a header row and one row per record (cells as text), scrolling sideways in its own box. */
export function dataGrid(
  columns: GridColumn[],
  rows: Array<Record<string, string>>,
  options: { label: string; id?: string; caption?: string; cellHint?: (row: number, key: string) => string | undefined } = { label: '' },
): HTMLElement {
  const table = el('table', { class: 'grid', 'aria-label': options.label, id: options.id });
  const head = el('thead');
  const headRow = el('tr');
  for (const c of columns) {
    const th = el('th', { scope: 'col', 'data-column': c.key, class: c.numeric ? 'num' : undefined, title: c.hint });
    th.textContent = c.title;
    headRow.appendChild(th);
  }
  head.appendChild(headRow);
  const body = el('tbody');
  rows.forEach((r, i) => {
    const tr = el('tr');
    for (const c of columns) {
      const td = el('td', { 'data-column': c.key, class: c.numeric ? 'num' : 'label', title: options.cellHint?.(i, c.key) });
      td.textContent = r[c.key] ?? '';
      tr.appendChild(td);
    }
    body.appendChild(tr);
  });
  if (options.caption) {
    const caption = el('caption');
    caption.textContent = options.caption;
    table.appendChild(caption);
  }
  table.append(head, body);
  const wrap = el('div', { class: 'table-wrap' });
  wrap.appendChild(table);
  return wrap;
}

export interface DropdownOption {
  value: string;
  label: string;
  /** A tooltip / description (e.g. the API value behind the label). */
  description?: string;
}

function option(o: DropdownOption, selected: boolean): HTMLElement {
  const opt = el('vscode-option', { value: o.value, description: o.description, title: o.description });
  opt.textContent = o.label;
  if (selected) opt.setAttribute('selected', '');
  return opt;
}

export function dropdown(
  options: DropdownOption[],
  value: string,
  onChange: (value: string) => void,
  attrs: { label: string; id?: string } = { label: '' },
): ValueElement {
  const d = el('vscode-single-select', { 'aria-label': attrs.label, id: attrs.id, title: attrs.label }) as ValueElement;
  for (const o of options) d.appendChild(option(o, o.value === value));
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

/** A multi-select filled with known values; `value` is the list of chosen values. */
export function multiSelect(
  options: DropdownOption[],
  values: readonly string[],
  attrs: { label: string; name: string; id?: string; none?: string },
  onChange?: (values: string[]) => void,
): MultiValueElement {
  const d = el('vscode-multi-select', { 'aria-label': attrs.label, id: attrs.id, name: attrs.name, 'data-param': attrs.name, 'data-none': attrs.none }) as MultiValueElement;
  for (const o of options) d.appendChild(option(o, values.includes(o.value)));
  if (onChange) d.addEventListener('change', () => onChange([...d.value]));
  return d;
}

export function textField(
  value: string,
  attrs: { label: string; name: string; placeholder?: string; id?: string },
  onChange?: (value: string) => void,
): ValueElement {
  const t = el('vscode-textfield', { name: attrs.name, placeholder: attrs.placeholder, id: attrs.id, 'data-param': attrs.name, label: attrs.label, 'aria-label': attrs.label }) as ValueElement;
  t.setAttribute('value', value);
  t.value = value;
  if (onChange) t.addEventListener('change', () => onChange(t.value));
  return t;
}

export function checkbox(label: string, checked: boolean, attrs: { name: string; id?: string }, onChange?: (checked: boolean) => void): CheckElement {
  const c = el('vscode-checkbox', { name: attrs.name, id: attrs.id, 'data-param': attrs.name, label }) as CheckElement;
  if (checked) c.setAttribute('checked', '');
  c.checked = checked;
  if (onChange) c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function progressRing(label: string): HTMLElement {
  return el('vscode-progress-ring', { 'aria-label': label });
}

export function badge(text: string): HTMLElement {
  const b = el('vscode-badge');
  b.textContent = text;
  return b;
}

export function divider(): HTMLElement {
  return el('vscode-divider', { role: 'separator' });
}
