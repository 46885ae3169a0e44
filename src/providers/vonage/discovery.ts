/** Vonage discovery bodies (WABAs, numbers, v2 templates) mapped to the core's info types. */
import type { z } from 'zod';
import type { PhoneNumberInfo, TemplateInfo, WabaInfo } from '../../core/types';
import type { numberSchema, templateSchema, wabaSchema } from './schemas';

export function toWabaInfo(w: z.infer<typeof wabaSchema>, source: WabaInfo['source'], fallbackId?: string): WabaInfo | undefined {
  const id = w.waba_id ?? w.id ?? fallbackId;
  if (!id) return undefined;
  const info: WabaInfo = { provider: 'vonage', id: String(id), source };
  if (w.name) info.name = w.name;
  if (w.currency) info.currency = w.currency;
  if (w.timezone) info.timezone = w.timezone;
  if (typeof w.insights_enabled === 'boolean') info.insightsEnabled = w.insights_enabled;
  return info;
}

export function toPhoneNumberInfo(n: z.infer<typeof numberSchema>): PhoneNumberInfo | undefined {
  const display = n.display_phone_number ?? n.phone_number;
  const id = n.phone_number_id ?? n.id ?? display;
  if (!id || !display) return undefined;
  const info: PhoneNumberInfo = { id: String(id), displayPhoneNumber: display };
  if (n.verified_name) info.verifiedName = n.verified_name;
  if (n.quality_rating) info.qualityRating = n.quality_rating;
  return info;
}

export function toTemplateInfo(t: z.infer<typeof templateSchema>): TemplateInfo {
  const info: TemplateInfo = { id: String(t.id), name: t.name || String(t.id) };
  if (t.language) info.language = t.language;
  if (t.category) info.category = t.category;
  if (t.status) info.status = t.status;
  const q = t.quality_score;
  const score = typeof q === 'string' ? q : q?.score;
  if (score) info.qualityScore = score;
  const buttons = new Set<string>();
  for (const c of t.components ?? []) for (const b of c.buttons ?? []) if (b.type) buttons.add(b.type.toUpperCase());
  if (buttons.size) info.buttons = [...buttons];
  return info;
}

/** The `after` cursor of a next link (`…/templates?limit=…&after=C`), when it has one. */
export function afterCursorOf(href: string | undefined): string | undefined {
  if (!href) return undefined;
  try {
    return new URL(href, 'http://x.invalid').searchParams.get('after') ?? undefined;
  } catch {
    return undefined;
  }
}
