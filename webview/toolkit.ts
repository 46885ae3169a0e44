/**
 * The only module that knows the component library (@vscode/webview-ui-toolkit 1.4). The rest of
 * the panel builds its controls through these factories and reads them as plain elements with a
 * `value` (or `checked`), so the library can be swapped (e.g. for @vscode-elements/elements) by
 * rewriting this file alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;
/** Register the components used (once). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDataGrid(),
    vsCodeDataGridCell(),
    vsCodeDataGridRow(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}

export interface ValueElement extends HTMLElement {
  value: string;
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
    appearance: options.appearance ?? 'primary',
    'data-action': options.action,
    title: options.title,
    'aria-label': options.appearance === 'icon' ? (options.title ?? label) : undefined,
  });
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
  control.setAttribute('appearance', pressed ? 'primary' : 'secondary');
}

export interface GridColumn {
  key: string;
  title: string;
  /** Numbers align right. */
  numeric?: boolean;
}

/** A read-only table: a header row and one row per record (cells as text). */
export function dataGrid(columns: GridColumn[], rows: Array<Record<string, string>>, options: { label: string; id?: string } = { label: '' }): HTMLElement {
  const grid = el('vscode-data-grid', { 'aria-label': options.label, id: options.id, 'generate-header': 'none' });
  const header = el('vscode-data-grid-row', { 'row-type': 'header' });
  columns.forEach((c, i) => {
    const cell = el('vscode-data-grid-cell', { 'cell-type': 'columnheader', 'grid-column': String(i + 1), 'data-column': c.key });
    cell.textContent = c.title;
    header.appendChild(cell);
  });
  grid.appendChild(header);
  for (const r of rows) {
    const row = el('vscode-data-grid-row');
    columns.forEach((c, i) => {
      const cell = el('vscode-data-grid-cell', { 'grid-column': String(i + 1), 'data-column': c.key, class: c.numeric ? 'num' : undefined });
      cell.textContent = r[c.key] ?? '';
      row.appendChild(cell);
    });
    grid.appendChild(row);
  }
  return grid;
}

export interface DropdownOption {
  value: string;
  label: string;
}

export function dropdown(
  options: DropdownOption[],
  value: string,
  onChange: (value: string) => void,
  attrs: { label: string; id?: string } = { label: '' },
): ValueElement {
  const d = el('vscode-dropdown', { 'aria-label': attrs.label, id: attrs.id, title: attrs.label }) as ValueElement;
  for (const o of options) {
    const opt = el('vscode-option', { value: o.value }) as ValueElement;
    opt.textContent = o.label;
    if (o.value === value) opt.setAttribute('selected', '');
    d.appendChild(opt);
  }
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

export function textField(
  value: string,
  attrs: { label: string; name: string; placeholder?: string; id?: string },
  onChange?: (value: string) => void,
): ValueElement {
  const t = el('vscode-text-field', { name: attrs.name, placeholder: attrs.placeholder, id: attrs.id, 'data-param': attrs.name }) as ValueElement;
  t.setAttribute('value', value);
  t.value = value;
  t.textContent = attrs.label;
  if (onChange) t.addEventListener('change', () => onChange(t.value));
  return t;
}

export function checkbox(label: string, checked: boolean, attrs: { name: string; id?: string }, onChange?: (checked: boolean) => void): CheckElement {
  const c = el('vscode-checkbox', { name: attrs.name, id: attrs.id, 'data-param': attrs.name }) as CheckElement;
  if (checked) c.setAttribute('checked', '');
  c.checked = checked;
  c.textContent = label;
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
