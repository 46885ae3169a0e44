/**
 * The form's pure part: which filters it shows, their labels and known values (from the one
 * vocabulary, src/core/vocabulary.ts, and what the host and the result know: phone numbers with
 * their names, templates with names, countries and tiers seen), the date presets, and the query as
 * edited (from the fields' values). No DOM here, so it is tested in node
 * (test/unit/webview-params.test.ts).
 */
import type { ColumnarResult, PanelContext, PanelQuery } from '../src/protocol';
import { PanelQuerySchema } from '../src/protocol';
import { resolveRelativeRange } from '../src/core/dates';
import { RELATIVE_RANGES, RELATIVE_RANGE_LABELS, filterDescriptor, filterDescriptors, filterLabel, filterValues, tierLabel } from '../src/core/vocabulary';

export const BOOLEAN_KEYS = new Set(filterDescriptors().filter((f) => f.valueType === 'boolean').map((f) => f.key));
export const SCALAR_KEYS = new Set(filterDescriptors().filter((f) => f.valueType === 'choice').map((f) => f.key));

/** A filter's label: "Phone numbers", "Pricing categories" (never the query key). */
export function paramLabel(key: string): string {
  return filterLabel(key);
}

const BASE_KEYS = new Set(['kind', 'provider', 'wabaId', 'from', 'to', 'granularity', 'range']);

/** The filters shown: every one this kind accepts (set or not; the vocabulary's list before the host says), then any other the query holds. */
export function filterKeys(q: PanelQuery, ctx: PanelContext | undefined): string[] {
  const keys = ctx?.accepts?.filters ? [...ctx.accepts.filters] : filterDescriptors(q.kind).map((f) => f.key);
  for (const k of Object.keys(q)) if (!BASE_KEYS.has(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

export interface ParamOption {
  value: string;
  label: string;
  /** The API's value or the id behind the label (a tooltip). */
  description?: string;
}

export { granularityLabel } from '../src/core/vocabulary';

/** Values of one dimension of the result (countries, tiers seen). */
function seen(result: ColumnarResult | undefined, dim: string): string[] {
  return result?.dims[dim]?.values.filter((v) => v !== '') ?? [];
}

/**
 * The choices of a multi-select filter: the vocabulary's known values (labels), the WABA's phone
 * numbers and templates (names), the countries and tiers seen in the result, and whatever the
 * query already holds (so nothing set is ever hidden). Values as the query holds them (strings).
 */
export function filterOptions(key: string, q: PanelQuery, ctx: PanelContext | undefined, result?: ColumnarResult): ParamOption[] {
  const out = new Map<string, ParamOption>();
  const add = (o: ParamOption) => {
    if (!out.has(o.value)) out.set(o.value, o);
  };
  const d = filterDescriptor(key);
  for (const v of filterValues(key, q.kind)) add({ value: String(v.value), label: v.label, description: `API value: ${v.value}` });
  if (key === 'phoneNumbers') {
    for (const p of ctx?.phones ?? []) add({ value: p.value, label: p.name ? `${p.display} · ${p.name}` : p.display, description: p.value });
    for (const v of seen(result, 'phone_number')) add({ value: v.replace(/\D/g, ''), label: v, description: v });
  } else if (key === 'templateIds') {
    const names = ctx?.templateNames ?? {};
    for (const t of ctx?.templates ?? []) add({ value: t.id, label: t.name ?? names[t.id] ?? t.id, description: `Template id ${t.id}` });
    for (const [id, name] of Object.entries(names)) add({ value: id, label: name, description: `Template id ${id}` });
  } else if (key === 'countryCodes') {
    for (const v of seen(result, 'country')) add({ value: v, label: v });
  } else if (key === 'tiers') {
    for (const v of seen(result, 'tier')) add({ value: v, label: tierLabel(v), description: `API value: ${v}` });
  }
  const current = q[key];
  for (const v of Array.isArray(current) ? current : current !== undefined && typeof current !== 'boolean' ? [current] : []) {
    const s = String(v);
    add({ value: s, label: d?.valueType === 'tiers' ? tierLabel(s) : s, ...(d?.valueType === 'tiers' ? { description: `API value: ${s}` } : {}) });
  }
  return [...out.values()];
}

/** Whether a filter takes any number of values (a multi-select). */
export function isMultiFilter(key: string, q: PanelQuery): boolean {
  if (BOOLEAN_KEYS.has(key) || SCALAR_KEYS.has(key)) return false;
  const v = q[key];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return false;
  return true;
}

/** The date presets of the form, then "Custom". */
export const CUSTOM_RANGE = 'custom';
export function datePresets(): ParamOption[] {
  return [...RELATIVE_RANGES.map((r) => ({ value: r as string, label: RELATIVE_RANGE_LABELS[r] })), { value: CUSTOM_RANGE, label: 'Custom' }];
}

/** A preset as UTC days, both inclusive, on the day of `now`: the saved queries' relative ranges. */
export const presetRange = resolveRelativeRange;

/** The preset a range is, on the day of `now`; CUSTOM_RANGE when none. */
export function presetOf(from: string, to: string, now = Date.now()): string {
  return RELATIVE_RANGES.find((r) => {
    const p = presetRange(r, now);
    return p.from === from && p.to === to;
  }) ?? CUSTOM_RANGE;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface FieldValue {
  key: string;
  boolean?: boolean;
  checked?: boolean;
  value?: string;
  /** A multi-select's chosen values. */
  values?: readonly string[];
}

/** Field values (by data-param) applied to a query: the query as edited, or what is wrong. Pure. */
export function applyParams(q: PanelQuery, fields: FieldValue[]): { query: PanelQuery } | { error: string } {
  const next: Record<string, unknown> = { ...q };
  for (const f of fields) {
    const key = f.key;
    if (f.boolean) {
      if (f.checked) next[key] = true;
      else delete next[key];
      continue;
    }
    const numeric = !!filterDescriptor(key)?.numeric || (Array.isArray(q[key]) && (q[key] as unknown[]).some((x) => typeof x === 'number'));
    if (f.values) {
      const items = [...new Set(f.values.map((s) => s.trim()).filter(Boolean))];
      if (!items.length) delete next[key];
      else if (numeric) {
        const nums = items.map(Number);
        if (nums.some((n) => !Number.isFinite(n))) return { error: `${paramLabel(key)}: numbers only.` };
        next[key] = nums;
      } else next[key] = items;
      continue;
    }
    const raw = String(f.value ?? '').trim();
    if (key === 'from' || key === 'to') {
      if (!DATE.test(raw)) return { error: `${key === 'from' ? 'From' : 'To'} must be a date written YYYY-MM-DD.` };
      next[key] = raw;
    } else if (key === 'granularity') {
      if (raw) next[key] = raw;
    } else if (SCALAR_KEYS.has(key) || typeof q[key] === 'string' || typeof q[key] === 'number') {
      if (raw) next[key] = typeof q[key] === 'number' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      else delete next[key];
    } else {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!items.length) delete next[key];
      else if (numeric) {
        const nums = items.map(Number);
        if (nums.some((n) => !Number.isFinite(n))) return { error: `${paramLabel(key)}: numbers only, separated by commas.` };
        next[key] = nums;
      } else next[key] = items;
    }
  }
  if (String(next.to) < String(next.from)) return { error: 'To is before From.' };
  const parsed = PanelQuerySchema.safeParse(next);
  if (!parsed.success) return { error: `The query is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  return { query: parsed.data };
}
