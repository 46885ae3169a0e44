// What a user sees and does in the VS Code workbench (code-server in Chromium), for the browser
// tests: the command palette and quick picks, the side bar's tree, modal dialogs, webview panels.
// Each helper waits for what it needs and fails with a message saying what it looked for and what
// was there instead.
import { existsSync } from 'node:fs';
import type { Frame, Locator, Page } from 'playwright-core';

const DEFAULT_TIMEOUT_MS = 20_000;

function exact(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, describe?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const seen = describe ? await describe().catch((e: unknown) => `(could not tell: ${e instanceof Error ? e.message : String(e)})`) : '';
      throw new Error(`${what} within ${timeoutMs / 1000} s${seen ? `; instead: ${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

// ---- quick input (command palette, quick picks, input boxes, the simple file dialog) ----------

export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

export interface QuickInputState {
  visible: boolean;
  title: string;
  placeholder: string;
  message: string;
  value: string;
  rows: string[];
}

export async function quickInputState(page: Page): Promise<QuickInputState> {
  return page.evaluate(() => {
    const w = document.querySelector<HTMLElement>('.quick-input-widget');
    const input = w?.querySelector<HTMLInputElement>('.quick-input-box input');
    const visible = !!w && w.style.display !== 'none' && !!input && input.offsetParent !== null;
    return {
      visible,
      title: w?.querySelector('.quick-input-title')?.textContent?.trim() ?? '',
      placeholder: input?.placeholder ?? '',
      message: w?.querySelector('.quick-input-message')?.textContent?.trim() ?? '',
      value: input?.value ?? '',
      rows: [...(w?.querySelectorAll('.quick-input-list .monaco-list-row .label-name') ?? [])].map((e) => (e.textContent ?? '').trim()),
    };
  });
}

function describeQuickInput(s: QuickInputState): string {
  if (!s.visible) return 'no quick input is open';
  return `quick input "${s.title}" (placeholder "${s.placeholder}", message "${s.message}", value "${s.value}") listing ${s.rows.map((r) => JSON.stringify(r)).join(', ') || 'nothing'}`;
}

/** Waits for a quick input whose placeholder, title or message matches `step` (a picker step is known by what it asks). */
export async function waitForQuickInput(page: Page, step: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<QuickInputState> {
  return poll(
    `no quick input asking ${step}`,
    timeoutMs,
    async () => {
      const s = await quickInputState(page);
      return s.visible && (step.test(s.placeholder) || step.test(s.title) || step.test(s.message)) ? s : undefined;
    },
    async () => describeQuickInput(await quickInputState(page)),
  );
}

function quickPickRow(page: Page, label: string): Locator {
  return quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact(label) }) });
}

/** At the picker step asking `step`, clicks the item labelled `label` (a single pick accepts it). */
export async function pickItem(page: Page, step: RegExp, label: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await waitForQuickInput(page, step, timeoutMs);
  const row = quickPickRow(page, label);
  await poll(`no item "${label}" at the step asking ${step}`, timeoutMs, async () => ((await row.count()) > 0 ? true : undefined), async () => describeQuickInput(await quickInputState(page)));
  await row.first().click();
}

/** The labels of the checked items of a multi-select quick pick. */
async function checkedItems(page: Page): Promise<string[]> {
  return quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .evaluateAll((rows) =>
      rows.filter((r) => r.querySelector('.monaco-checkbox')?.getAttribute('aria-checked') === 'true').map((r) => (r.querySelector('.label-name')?.textContent ?? '').trim()),
    );
}

/**
 * Waits until the quick input asking `step` shows the same thing twice 200 ms apart: VS Code fills
 * in a step's value and checked items just after showing it, which would undo what was typed or
 * clicked too early.
 */
async function settledQuickInput(page: Page, step: RegExp, timeoutMs: number): Promise<void> {
  await waitForQuickInput(page, step, timeoutMs);
  let last = '';
  await poll(`the quick input asking ${step} keeps changing`, timeoutMs, async () => {
    await new Promise((r) => setTimeout(r, 200));
    const now = JSON.stringify([await quickInputState(page), await checkedItems(page)]);
    const same = now === last;
    last = now;
    return same ? true : undefined;
  });
}

/** At the multi-select step asking `step`, sets exactly `labels` checked (others unchecked), then presses OK. */
export async function pickItems(page: Page, step: RegExp, labels: string[] | 'as proposed', timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await settledQuickInput(page, step, timeoutMs);
  if (labels !== 'as proposed') {
    const all = (await quickInputState(page)).rows;
    for (const label of labels) if (!all.includes(label)) throw new Error(`no item "${label}" at the step asking ${step} (items: ${all.join(', ')})`);
    const checked = await checkedItems(page);
    for (const label of all) {
      if (checked.includes(label) !== labels.includes(label)) await quickPickRow(page, label).first().locator('.monaco-checkbox').click();
    }
    const now = await checkedItems(page);
    if (now.slice().sort().join() !== labels.slice().sort().join()) throw new Error(`at the step asking ${step}, ${now.join(', ') || 'nothing'} is checked instead of ${labels.join(', ')}`);
  }
  await quickInput(page).locator('.monaco-button', { hasText: exact('OK') }).click();
}

/** At the input box whose prompt matches `step`, types `value` and presses Enter. */
export async function typeInput(page: Page, step: RegExp, value: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await settledQuickInput(page, step, timeoutMs);
  const input = quickInput(page).locator('.quick-input-box input');
  await input.fill(value);
  const typed = await input.inputValue();
  if (typed !== value) throw new Error(`the input asking ${step} holds "${typed}" after typing "${value}"`);
  await page.keyboard.press('Enter');
}

/**
 * Starts a command from the palette (F1, type its title, click the entry with exactly that title).
 * Unlike harness.runCommand it does not wait for the palette to close: the command may open a picker.
 */
export async function startCommand(page: Page, title: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const s = await quickInputState(page);
  if (!s.visible || !s.value.startsWith('>')) {
    if (s.visible) await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
  }
  await waitForQuickInput(page, /./, timeoutMs);
  await quickInput(page).locator('.quick-input-box input').fill(`>${title}`);
  const row = quickPickRow(page, title);
  await poll(`the palette has no command "${title}"`, timeoutMs, async () => ((await row.count()) > 0 ? true : undefined), async () => describeQuickInput(await quickInputState(page)));
  await row.first().click();
}

/**
 * Starts an analytics command from the palette ("WABA Analytics: Messaging Analytics…") and answers
 * its first pickers: the connection, the WhatsApp Business Account, the range preset and the
 * granularity. The filters step ("Add filters, or run") is next.
 */
export async function startQuery(page: Page, command: string, q: { connection: string; waba: string; range: string; granularity: string }): Promise<void> {
  await startCommand(page, command);
  await pickItem(page, /^Which connection\?/, q.connection);
  await pickItem(page, /^Which WhatsApp Business Account\?/, q.waba);
  await pickItem(page, /^Range/, q.range);
  await pickItem(page, /^Granularity/, q.granularity);
}

/**
 * The path VS Code's save dialog (in code-server: a quick input holding the path) proposes, once it
 * ends with `ending` (the dialog fills its box a moment after it opens); what it holds after
 * `timeoutMs` otherwise, for the caller's assertion to show.
 */
export async function proposedSavePath(page: Page, ending: string, timeoutMs = 10_000): Promise<string> {
  let proposed = '';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && !proposed.endsWith(ending); ) {
    proposed = (await quickInputState(page)).value;
    if (!proposed.endsWith(ending)) await page.waitForTimeout(100);
  }
  return proposed;
}

/** Accepts the save dialog (Enter) and waits until `file` is written; a folder that does not exist yet is created (the dialog asks: OK). */
export async function acceptSave(page: Page, file: string, timeoutMs = 30_000): Promise<void> {
  await page.keyboard.press('Enter');
  for (const deadline = Date.now() + timeoutMs; !existsSync(file); ) {
    const q = await quickInputState(page);
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs / 1000} s (the quick input: ${q.visible ? `"${q.title}" ${q.message}` : 'closed'})`);
    if (q.visible && /does not exist/.test(q.title)) await quickInput(page).locator('.monaco-button', { hasText: /^OK$/ }).click();
    await page.waitForTimeout(200);
  }
}

// ---- the side bar's tree ----------------------------------------------------------------------

export interface TreeRow {
  label: string;
  description: string;
  level: number;
  /** undefined for a leaf */
  expanded: boolean | undefined;
  index: number;
}

const SIDEBAR = '#workbench\\.parts\\.sidebar';

/** The rows the side bar's tree shows (what is rendered: keep the tree short enough to fit). */
export async function treeRows(page: Page): Promise<TreeRow[]> {
  const rows = await page.locator(`${SIDEBAR} .monaco-list-row`).evaluateAll((els) =>
    els.map((e) => ({
      label: (e.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
      level: Number(e.getAttribute('aria-level') ?? '0'),
      expanded: e.hasAttribute('aria-expanded') ? e.getAttribute('aria-expanded') === 'true' : undefined,
      index: Number(e.getAttribute('data-index') ?? '-1'),
    })),
  );
  return rows.sort((a, b) => a.index - b.index);
}

export function describeTree(rows: TreeRow[]): string {
  return rows.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.expanded === undefined ? '·' : r.expanded ? 'v' : '>'} ${r.label}${r.description ? ` (${r.description})` : ''}`).join('\n');
}

/** The row at `path` (labels from the root down), or undefined. */
export function findRow(rows: TreeRow[], path: string[]): TreeRow | undefined {
  let from = 0;
  let to = rows.length;
  let found: TreeRow | undefined;
  for (let depth = 0; depth < path.length; depth++) {
    const i = rows.slice(from, to).findIndex((r) => r.level === depth + 1 && r.label === path[depth]);
    if (i < 0) return undefined;
    found = rows[from + i]!;
    from = from + i + 1;
    const end = rows.slice(from).findIndex((r) => r.level <= found!.level);
    to = end < 0 ? rows.length : from + end;
  }
  return found;
}

/** The rows directly under the row at `path`. */
export function childRows(rows: TreeRow[], path: string[]): TreeRow[] {
  const parent = findRow(rows, path);
  if (!parent) return [];
  const start = rows.indexOf(parent) + 1;
  const out: TreeRow[] = [];
  for (const r of rows.slice(start)) {
    if (r.level <= parent.level) break;
    if (r.level === parent.level + 1) out.push(r);
  }
  return out;
}

/** Waits until the tree shows a row at `path` for which `ok` holds. */
export async function waitForRow(page: Page, path: string[], ok: (row: TreeRow, rows: TreeRow[]) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TreeRow> {
  return poll(
    `the tree shows no row ${path.join(' > ')} as expected`,
    timeoutMs,
    async () => {
      const rows = await treeRows(page);
      const row = findRow(rows, path);
      return row && ok(row, rows) ? row : undefined;
    },
    async () => `the tree shows:\n${describeTree(await treeRows(page))}`,
  );
}

/** Waits until the tree shows the same rows twice in a row (a refresh redraws rows: a click then may hit one on its way out). */
export async function treeSettled(page: Page, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TreeRow[]> {
  let last = '';
  return poll('the tree keeps changing', timeoutMs, async () => {
    await new Promise((r) => setTimeout(r, 200));
    const rows = await treeRows(page);
    const now = JSON.stringify(rows);
    const same = now === last;
    last = now;
    return same ? rows : undefined;
  });
}

/** Clicks the row at `path` (what a user does to expand, collapse or run a row's command). */
export async function clickRow(page: Page, path: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await waitForRow(page, path, undefined, timeoutMs);
  const row = findRow(await treeSettled(page, timeoutMs), path);
  if (!row) throw new Error(`the row ${path.join(' > ')} went away`);
  await page.locator(`${SIDEBAR} .monaco-list-row[data-index="${row.index}"]`).click();
}

/** Expands the row at `path` (a click when collapsed) and waits until its children are shown. */
export async function expandRow(page: Page, path: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TreeRow[]> {
  const row = await waitForRow(page, path, undefined, timeoutMs);
  if (row.expanded === undefined) throw new Error(`${path.join(' > ')} cannot be expanded (a leaf)`);
  if (!row.expanded) await clickRow(page, path, timeoutMs);
  await waitForRow(page, path, (r, rows) => r.expanded === true && childRows(rows, path).length > 0, timeoutMs);
  return childRows(await treeRows(page), path);
}

/** Right-clicks the row at `path` and clicks the entry labelled `label` of its context menu. */
export async function rowMenu(page: Page, path: string[], label: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await waitForRow(page, path, undefined, timeoutMs);
  const row = findRow(await treeSettled(page, timeoutMs), path);
  if (!row) throw new Error(`the row ${path.join(' > ')} went away`);
  await page.locator(`${SIDEBAR} .monaco-list-row[data-index="${row.index}"]`).click({ button: 'right' });
  const entry = page.locator('.context-view .monaco-menu .action-item .action-label', { hasText: exact(label) });
  await poll(
    `the context menu of ${path.join(' > ')} has no entry "${label}"`,
    timeoutMs,
    async () => ((await entry.count()) > 0 ? true : undefined),
    async () => (await page.locator('.context-view .monaco-menu .action-label').allTextContents()).map((t) => t.trim()).filter(Boolean).join(', ') || 'no menu',
  );
  await entry.first().click();
  // A click that lands while the menu is still settling can be ignored by the workbench (the menu
  // stays open with the entry highlighted): then the entry is chosen with the keyboard instead.
  const menu = page.locator('.context-view .monaco-menu');
  for (let i = 0; i < 20 && (await menu.count()) > 0; i++) await page.waitForTimeout(100);
  if ((await menu.count()) > 0 && (await entry.count()) > 0) {
    await entry.first().hover();
    await page.keyboard.press('Enter');
  }
}

/** Collapses the row at `path` when it is expanded. */
export async function collapseRow(page: Page, path: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const row = await waitForRow(page, path, undefined, timeoutMs);
  if (row.expanded) await clickRow(page, path, timeoutMs);
  await waitForRow(page, path, (r) => r.expanded === false, timeoutMs);
}

// ---- modal dialogs ----------------------------------------------------------------------------

/** Waits for a modal dialog whose text matches `text`; resolves to its text and button labels. */
export async function waitForDialog(page: Page, text: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ text: string; buttons: string[] }> {
  const box = page.locator('.monaco-dialog-box');
  return poll(
    `no dialog saying ${text}`,
    timeoutMs,
    async () => {
      if (!(await box.isVisible())) return undefined;
      const said = (await box.locator('.dialog-message-text, .dialog-message-detail').allTextContents()).join('\n');
      return text.test(said) ? { text: said, buttons: (await box.locator('.monaco-button').allTextContents()).map((b) => b.trim()) } : undefined;
    },
    async () => ((await box.isVisible()) ? `a dialog saying: ${await box.textContent()}` : 'no dialog'),
  );
}

export async function clickDialogButton(page: Page, label: string): Promise<void> {
  await page.locator('.monaco-dialog-box .monaco-button', { hasText: exact(label) }).click();
  await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT_MS });
}

// ---- editor tabs and webview panels -----------------------------------------------------------

export async function editorTabs(page: Page): Promise<string[]> {
  return (await page.locator('.tabs-container .tab .label-name').allTextContents()).map((t) => t.trim());
}

export async function clickTab(page: Page, titleStart: string): Promise<void> {
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${titleStart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }) });
  await poll(`no editor tab titled "${titleStart}…"`, DEFAULT_TIMEOUT_MS, async () => ((await tab.count()) > 0 ? true : undefined), async () => `tabs: ${(await editorTabs(page)).join(' | ')}`);
  await tab.first().click();
}

/**
 * The document of a webview (a frame among page.frames()) for which `probe`, run in the frame,
 * returns true. Hidden webviews have no document: show the panel first.
 */
export async function webviewFrame(page: Page, what: string, probe: (arg: string) => boolean, arg: string, timeoutMs = 30_000): Promise<Frame> {
  return poll(
    `no webview shows ${what}`,
    timeoutMs,
    async () => {
      for (const frame of page.frames()) {
        if (await frame.evaluate(probe, arg).catch(() => false)) return frame;
      }
      return undefined;
    },
    async () => {
      const seen: string[] = [];
      for (const frame of page.frames()) {
        const s = await frame
          .evaluate(() => {
            const app = document.querySelector('#app');
            if (!app) return undefined;
            const error = document.querySelector('#error .message')?.textContent;
            return `panel "${document.querySelector('#title')?.textContent ?? ''}" in mode ${app.getAttribute('data-mode')}${error ? ` (error: ${error})` : ''}`;
          })
          .catch(() => undefined);
        if (s) seen.push(s);
      }
      return seen.join('; ') || 'no panel document';
    },
  );
}
