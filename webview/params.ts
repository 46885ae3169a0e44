/**
 * The form's pure part: which filters it shows, their labels, and the query as edited (from the
 * fields' values). No DOM here, so it is tested in node.
 */
import type { PanelContext, PanelQuery } from '../src/protocol';
import { PanelQuerySchema } from '../src/protocol';

export const BOOLEAN_KEYS = new Set(['useWabaTimezone']);
export const SCALAR_KEYS = new Set(['productType']);
const NUMBER_LIST_KEYS = new Set(['productTypes']);
const PARAM_LABELS: Record<string, string> = {
  phoneNumbers: 'Phone numbers (digits)',
  productTypes: 'Product types (0, 2, 100)',
  countryCodes: 'Country codes',
  metricTypes: 'Metric types',
  conversationCategories: 'Conversation categories',
  conversationTypes: 'Conversation types',
  conversationDirections: 'Conversation directions',
  dimensions: 'Dimensions',
  pricingTypes: 'Pricing types',
  pricingCategories: 'Pricing categories',
  tiers: 'Tiers',
  templateIds: 'Template ids',
  productType: 'Product type',
  useWabaTimezone: "Use the WABA's timezone",
};
export function paramLabel(key: string): string {
  return PARAM_LABELS[key] ?? key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

const BASE_KEYS = new Set(['kind', 'provider', 'wabaId', 'from', 'to', 'granularity']);

/** The filters shown: every one this kind accepts (set or not), then any other the query holds. */
export function filterKeys(q: PanelQuery, ctx: PanelContext | undefined): string[] {
  const keys = ctx?.accepts?.filters ? [...ctx.accepts.filters] : [];
  for (const k of Object.keys(q)) if (!BASE_KEYS.has(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Field values (by data-param) applied to a query: the query as edited, or what is wrong. Pure. */
export function applyParams(q: PanelQuery, fields: Array<{ key: string; boolean?: boolean; checked?: boolean; value?: string }>): { query: PanelQuery } | { error: string } {
  const next: Record<string, unknown> = { ...q };
  for (const f of fields) {
    const key = f.key;
    if (f.boolean) {
      if (f.checked) next[key] = true;
      else delete next[key];
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
      const numeric = NUMBER_LIST_KEYS.has(key) || (Array.isArray(q[key]) && (q[key] as unknown[]).some((x) => typeof x === 'number'));
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
