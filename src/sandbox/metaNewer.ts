/**
 * The sandbox's Meta analytics of 2026 (docs/dialects.md, "Meta: calls, template groups, WhatsApp
 * groups"): the `call_analytics` field (the guide's `data_points[]` shape; the older
 * `data[].data_points[]` shape on the second Meta WABA), the `template_group_analytics` and
 * `group_analytics` edges, and the `template_groups` listing (refused on the last Meta WABA, so
 * that "refused" can be told from "no groups"). Values are deterministic per id and day.
 */
import type { SandboxWaba } from './data';
import type { FieldSpec, ModifierValue } from './fields';
import { parseListParam } from './fields';
import type { SandboxGranularity } from './values';
import { DAY_MS, calendarOf, hashString, makeBuckets, money } from './values';

type Fail = (message: string) => Error;

export interface SandboxTemplateGroup {
  id: string;
  name: string;
  templateIds: string[];
}

/** Template groups of a WABA: its templates three by three, at most four groups. */
export function templateGroupsOf(waba: SandboxWaba): SandboxTemplateGroup[] {
  const out: SandboxTemplateGroup[] = [];
  for (let i = 0; i < Math.min(4, Math.ceil(waba.templates.length / 3)); i++) {
    out.push({ id: `${waba.id.slice(0, 10)}7${String(i + 1).padStart(4, '0')}`, name: `Campaign ${i + 1}`, templateIds: waba.templates.slice(i * 3, i * 3 + 3).map((t) => t.id) });
  }
  return out;
}

/** WhatsApp group ids of a WABA: two groups. */
export function whatsappGroupsOf(waba: SandboxWaba): string[] {
  return [`120363${waba.id.slice(-9)}01`, `120363${waba.id.slice(-9)}02`];
}

const n = (seed: string, max: number) => hashString(seed) % max;

/** `call_analytics.start(S).end(E).granularity(G)[.directions([...])][.dimensions([...])]…` */
export function callAnalytics(spec: FieldSpec, waba: SandboxWaba, now: number, older: boolean, fail: Fail): Record<string, unknown> {
  const mods = spec.modifiers;
  const allowed = ['start', 'end', 'granularity', 'phone_numbers', 'country_codes', 'directions', 'metric_types', 'dimensions', 'tiers'];
  for (const m of mods.keys()) if (!allowed.includes(m)) throw fail(`Unknown filtering parameter ${m} for call_analytics; accepted: ${allowed.join(', ')}`);
  const secs = (name: string, v: ModifierValue | undefined) => {
    if (typeof v !== 'string' || !/^\d{1,11}$/.test(v)) throw fail(`The parameter ${name} is required for call_analytics (UNIX seconds)`);
    return Number(v) * 1000;
  };
  const list = (v: ModifierValue | undefined) => (v === undefined ? [] : typeof v === 'string' ? (v ? [v] : []) : v);
  const startMs = secs('start', mods.get('start'));
  const endMs = secs('end', mods.get('end'));
  const g = String(mods.get('granularity') ?? '');
  if (!['HALF_HOUR', 'DAILY', 'MONTHLY'].includes(g)) throw fail(`Param granularity of call_analytics must be one of {HALF_HOUR, DAILY, MONTHLY} - got "${g}"`);
  const directions = list(mods.get('directions'));
  for (const d of directions) if (!['USER_INITIATED', 'BUSINESS_INITIATED', 'UNKNOWN'].includes(d)) throw fail(`Param directions must be one of {USER_INITIATED, BUSINESS_INITIATED, UNKNOWN} - got "${d}"`);
  const metrics = list(mods.get('metric_types'));
  for (const m of metrics) if (!['COUNT', 'COST', 'AVERAGE_DURATION'].includes(m)) throw fail(`Param metric_types must be one of {COUNT, COST, AVERAGE_DURATION} - got "${m}"`);
  const dims = list(mods.get('dimensions'));
  for (const d of dims) if (!['COUNTRY', 'DIRECTION', 'PHONE', 'TIER'].includes(d)) throw fail(`Param dimensions must be one of {COUNTRY, DIRECTION, PHONE, TIER} - got "${d}"`);
  const show = (m: string) => metrics.length === 0 || metrics.includes(m);
  const dirValues = dims.includes('DIRECTION') ? (directions.length ? directions : ['USER_INITIATED', 'BUSINESS_INITIATED']) : [undefined];
  const countries = dims.includes('COUNTRY') ? ['US', 'BR'] : [undefined];
  const phones = dims.includes('PHONE') ? waba.phones.map((p) => p.displayPhoneNumber.replace(/\D/g, '')) : [undefined];
  const points: Array<Record<string, unknown>> = [];
  for (const b of makeBuckets(startMs, endMs, now, calendarOf(g as SandboxGranularity), true)) {
    for (const direction of dirValues) {
      for (const country of countries) {
        for (const phone of phones) {
          const seed = `${waba.id}:${b.startMs}:${direction ?? ''}:${country ?? ''}:${phone ?? ''}`;
          const count = Math.round(((b.slotTo - b.slotFrom) / 48) * (5 + n(seed, 40)));
          const p: Record<string, unknown> = { start: Math.floor(b.startMs / 1000), end: Math.floor(b.endMs / 1000) };
          if (direction) p.direction = direction;
          if (country) p.country = country;
          if (phone) p.phone_number = phone;
          if (dims.includes('TIER')) p.tier = '0:MAX';
          if (show('COUNT')) p.count = count;
          if (show('COST') && !waba.partnerBilled) p.cost = money(count * 135);
          if (show('AVERAGE_DURATION')) p.average_duration = count ? 60 + n(`${seed}:d`, 120) : 0;
          points.push(p);
        }
      }
    }
  }
  const out: Record<string, unknown> = { granularity: g };
  if (directions.length === 1) out.directions = directions[0];
  if (older) out.data = [{ granularity: g, data_points: points }];
  else out.data_points = points;
  return out;
}

/** Start/end of an edge request: UNIX seconds, or dates (end inclusive). */
function edgeRange(q: URLSearchParams, fail: Fail): [number, number] {
  const read = (name: string): number => {
    const raw = q.get(name);
    if (!raw) throw fail(`The parameter ${name} is required`);
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
    if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + (name === 'end' ? DAY_MS : 0);
    if (!/^\d{1,11}$/.test(raw)) throw fail(`Param ${name} must be a UNIX timestamp in seconds or a date - got "${raw}"`);
    return Number(raw) * 1000;
  };
  return [read('start'), read('end')];
}

function checkLookback(startMs: number, endMs: number, now: number, fail: Fail): void {
  if (endMs > now + 60_000) throw fail('End time must not be in the future');
  if (startMs < Math.floor(now / DAY_MS) * DAY_MS - 90 * DAY_MS) throw fail('Start time must be within the query period of the last 90 days');
  if (endMs <= startMs) throw fail('The end must be after the start');
}

/** `GET /<WABA>/template_group_analytics?granularity=daily&start&end&metric_types&template_group_ids=[..]` */
export function templateGroupAnalytics(q: URLSearchParams, waba: SandboxWaba, now: number, fail: Fail): Record<string, unknown> {
  const allowed = new Set(['start', 'end', 'granularity', 'metric_types', 'template_group_ids', 'use_waba_timezone', 'limit', 'after']);
  for (const k of q.keys()) if (!allowed.has(k)) throw fail(`Unknown parameter ${k} for template_group_analytics`);
  if ((q.get('granularity') ?? '').toUpperCase() !== 'DAILY') throw fail('Param granularity must be daily');
  const ids = [...new Set(parseListParam(q.getAll('template_group_ids')))];
  if (!ids.length) throw fail('The parameter template_group_ids is required');
  if (ids.length > 10) throw fail(`Param template_group_ids must have at most 10 elements - got ${ids.length}`);
  const groups = templateGroupsOf(waba);
  for (const id of ids) if (!groups.some((g) => g.id === id)) throw fail(`Param template_group_ids contains ${id}, which is not a template group of this WhatsApp Business Account`);
  const metrics = parseListParam(q.getAll('metric_types')).map((m) => m.toLowerCase());
  for (const m of metrics) if (!['cost', 'clicked', 'delivered', 'read', 'sent'].includes(m)) throw fail(`Param metric_types must be one of {cost, clicked, delivered, read, sent} - got "${m}"`);
  const show = (m: string) => metrics.length === 0 || metrics.includes(m);
  const [startMs, endMs] = edgeRange(q, fail);
  checkLookback(startMs, Math.min(endMs, now), now, fail);
  const points: Array<Record<string, unknown>> = [];
  for (const b of makeBuckets(startMs, Math.min(endMs, now), now, calendarOf('DAILY'), false)) {
    for (const id of ids) {
      const seed = `${id}:${b.startMs}`;
      const sent = Math.round(((b.slotTo - b.slotFrom) / 48) * (200 + n(seed, 1200)));
      const delivered = Math.round(sent * 0.97);
      const read = Math.round(delivered * (0.6 + n(`${seed}:r`, 30) / 100));
      const p: Record<string, unknown> = { template_group_id: id, start: Math.floor(b.startMs / 1000), end: Math.floor(b.endMs / 1000) };
      if (show('sent')) p.sent = sent;
      if (show('delivered')) p.delivered = delivered;
      if (show('read')) p.read = read;
      if (show('clicked')) p.clicked = [{ type: 'url_button', button_content: 'Shop now', count: Math.round(read * 0.08) }];
      if (show('cost') && !waba.partnerBilled) {
        const amount = money(delivered * 250);
        p.cost = [{ type: 'amount_spent', value: amount }, ...(delivered ? [{ type: 'cost_per_delivered', value: Math.round((amount / delivered) * 10000) / 10000 }] : [])];
      }
      points.push(p);
    }
  }
  return { data: [{ granularity: 'DAILY', data_points: points }], paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } };
}

/** `GET /<WABA>/group_analytics?start&end&granularity=DAILY&group_ids=['id']&metric_types=[…]` */
export function groupAnalytics(q: URLSearchParams, waba: SandboxWaba, now: number, fail: Fail): Record<string, unknown> {
  const allowed = new Set(['start', 'end', 'granularity', 'group_ids', 'metric_types', 'limit', 'after']);
  for (const k of q.keys()) if (!allowed.has(k)) throw fail(`Unknown parameter ${k} for group_analytics`);
  if (q.get('granularity') !== 'DAILY') throw fail('Param granularity must be DAILY');
  const ids = parseListParam(q.getAll('group_ids'));
  if (ids.length !== 1) throw fail(`Param group_ids must hold exactly one group id - got ${ids.length}`);
  const id = ids[0]!;
  if (!whatsappGroupsOf(waba).includes(id)) throw fail(`Param group_ids contains ${id}, which is not a group of this WhatsApp Business Account`);
  const metrics = parseListParam(q.getAll('metric_types'));
  if (!metrics.length) throw fail('The parameter metric_types is required');
  for (const m of metrics) if (!['SENT', 'DELIVERED', 'READ', 'PARTICIPANTS_JOINED', 'PARTICIPANTS_LEFT'].includes(m)) throw fail(`Param metric_types must be one of {SENT, DELIVERED, READ, PARTICIPANTS_JOINED, PARTICIPANTS_LEFT} - got "${m}"`);
  const [startMs, endMs] = edgeRange(q, fail);
  checkLookback(startMs, Math.min(endMs, now), now, fail);
  const points: Array<Record<string, unknown>> = [];
  for (const b of makeBuckets(startMs, Math.min(endMs, now), now, calendarOf('DAILY'), false)) {
    const seed = `${id}:${b.startMs}`;
    const sent = Math.round(((b.slotTo - b.slotFrom) / 48) * (20 + n(seed, 120)));
    const p: Record<string, unknown> = { group_id: id, start: Math.floor(b.startMs / 1000), end: Math.floor(b.endMs / 1000) };
    if (metrics.includes('SENT')) p.sent = sent;
    if (metrics.includes('DELIVERED')) p.delivered = sent * 2;
    if (metrics.includes('READ')) p.read = Math.round(sent * 1.6);
    if (metrics.includes('PARTICIPANTS_JOINED')) p.joined = n(`${seed}:j`, 6);
    if (metrics.includes('PARTICIPANTS_LEFT')) p.left = n(`${seed}:l`, 3);
    points.push(p);
  }
  return { data: [{ granularity: 'DAILY', data_points: points }], paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } };
}

/** `GET /<WABA>/template_groups` (Meta's Python SDK; fields unconfirmed). */
export function templateGroupsListing(waba: SandboxWaba): Record<string, unknown> {
  return {
    data: templateGroupsOf(waba).map((g) => ({ id: g.id, name: g.name, whatsapp_business_templates: g.templateIds.map((id) => ({ id })) })),
    paging: { cursors: { before: 'MAZDZD', after: 'MAZDZD' } },
  };
}
