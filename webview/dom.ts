/**
 * DOM helpers and the contract between webview/main.ts and the section modules. CSP: no inline
 * handlers and no style attributes in markup; everything is built with the DOM API.
 */
import type { Action, ViewState } from './state';

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function show(e: Element, visible: boolean): void {
  (e as HTMLElement).hidden = !visible;
}

/** What the panel can ask of the host; main.ts implements them. */
export interface PanelActions {
  run(): void;
  exportResult(format: 'json' | 'csv'): void;
  saveQuery(): void;
  enableInsights(): void;
}

export interface SectionContext {
  dispatch(action: Action): void;
  actions: PanelActions;
  locale: string;
}

/** One part of the panel: its elements, built once, and a render from the state (and the one before, to skip unchanged work). */
export interface Section {
  elements: HTMLElement[];
  render(state: ViewState, previous: ViewState | undefined): void;
}
