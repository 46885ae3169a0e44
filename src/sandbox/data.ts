/**
 * The sandbox's synthetic model (WABAs, phone numbers, templates, and the combinations of
 * dimension values each WABA has data for), deterministic from a seed, plus the value oracle
 * that tests use to know the right answers without going through any client code.
 */
import type { Combo, FreeTier, SandboxGranularity, SeriesKind, TemplateValues } from './values';
import {
  SLOT_MS,
  Series,
  calendarOf,
  hashString,
  makeBuckets,
  mix,
  money,
  prng,
  slotSpan,
  sumCombos,
  templateAccSize,
  templateSlot,
} from './values';

export type SandboxProvider = 'meta' | 'vonage';
export type SandboxKind = 'messaging' | 'conversation' | 'pricing' | 'template';

export interface SandboxPhone {
  id: string;
  /** As the API shows it: `+1 650-555-0111`. */
  displayPhoneNumber: string;
  /** What analytics filter and report: `16505550111`. */
  digits: string;
  verifiedName: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED';
  /** ISO country of the number. */
  country: string;
}

export interface SandboxButton {
  type: 'URL' | 'QUICK_REPLY' | 'OTP';
  text: string;
  url?: string;
}

export interface SandboxTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  /** Current category (a click-tracking call with another category changes it and sets status PENDING). */
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION' | string;
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | string;
  qualityScore: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  buttons: SandboxButton[];
  /** Button types present (URL, QUICK_REPLY, OTP). */
  buttonTypes: string[];
  clickTrackingOptedOut: boolean;
  /** The category it was created with (history does not change when the category does). */
  readonly initialCategory: string;
  /** Graph-style components (HEADER?, BODY, BUTTONS?). */
  components: unknown[];
}

export interface SandboxWaba {
  provider: SandboxProvider;
  id: string;
  name: string;
  /** ISO 4217. */
  currency: string;
  /** IANA time zone. */
  timezone: string;
  /** Meta's numeric timezone id, as a string (1 America/Los_Angeles, 25 America/Sao_Paulo, 47 Europe/Berlin); '' for Vonage. */
  timezoneId: string;
  /** Mutable: enabling insights through the API flips it. */
  insightsEnabled: boolean;
  /** Billed through a Solution Partner: no cost anywhere. */
  partnerBilled: boolean;
  businessId: string;
  /** Vonage: false for the WABA that exists but is not linked to the demo key (403, not listed). */
  linked: boolean;
  phones: SandboxPhone[];
  templates: SandboxTemplate[];
  /** Recipient countries this WABA has traffic with. */
  countries: string[];
  /** Base combinations per kind (internal to the value engine, exposed for tests). */
  combos: Record<SeriesKind, Combo[]>;
}

/** Filters, with the names of the query model (src/core/query.ts). Empty arrays mean all. */
export interface SandboxFilters {
  phoneNumbers?: string[];
  countryCodes?: string[];
  productTypes?: Array<number | string>;
  conversationCategories?: string[];
  conversationTypes?: string[];
  conversationDirections?: string[];
  pricingCategories?: string[];
  pricingTypes?: string[];
  tiers?: string[];
  templateIds?: string[];
  /** Template product type: CLOUD_API (default), MARKETING_MESSAGES_API_FOR_WHATSAPP (or MARKETING_MESSAGES_LITE_API). */
  productType?: string;
  /** Accepted for symmetry with the query model; totals always return every metric the API would. */
  metricTypes?: string[];
  dimensions?: string[];
}

export interface TotalsArgs {
  provider: SandboxProvider;
  wabaId: string;
  kind: SandboxKind;
  /** [startMs, endMs): half-hours whose start lies in the range (and that are complete before now) are summed. */
  startMs: number;
  endMs: number;
  filters?: SandboxFilters;
}

export interface PointsArgs extends TotalsArgs {
  granularity: SandboxGranularity;
  /** Point keys to break down by (phone_number, country, pricing_category, pricing_type, tier, conversation_*, product_type); template points are always per template_id. */
  dimensions?: string[];
  /** Template days in this time zone (as with use_waba_timezone); default UTC. */
  timezone?: string;
}

export interface OraclePoint {
  startMs: number;
  endMs: number;
  dims: Record<string, string>;
  metrics: Record<string, number>;
}

export interface SandboxData {
  readonly seed: number;
  readonly business: { id: string; name: string };
  readonly metaAppId: string;
  /** WABAs per provider (the Vonage list holds only the WABAs linked to the demo key). */
  readonly wabas: { meta: SandboxWaba[]; vonage: SandboxWaba[] };
  /** A Vonage WABA that exists but is not linked to the demo key: 403 everywhere, not listed. */
  readonly unlinkedVonageWaba: SandboxWaba;
  /** The sandbox clock. */
  now(): number;
  waba(provider: SandboxProvider, id: string): SandboxWaba | undefined;
  template(provider: SandboxProvider, id: string): { waba: SandboxWaba; template: SandboxTemplate } | undefined;
  /** Sums of each metric over the range (see TotalsArgs); costs rounded to 4 decimals. */
  totals(args: TotalsArgs): Record<string, number>;
  /** The points the API would return (every group x bucket), without paging. */
  points(args: PointsArgs): OraclePoint[];
}

// ---------------------------------------------------------------------------------------------
// Static description of the world

const FX: Record<string, number> = { USD: 1, EUR: 0.92, BRL: 5.6, GBP: 0.79, INR: 84 };
/** USD per message: [MARKETING, UTILITY, AUTHENTICATION, AUTHENTICATION_INTERNATIONAL]. */
const RATES_USD: Record<string, [number, number, number, number]> = {
  US: [0.025, 0.004, 0.004, 0.0135],
  MX: [0.0305, 0.0085, 0.0239, 0.0239],
  BR: [0.0625, 0.0068, 0.0315, 0.0315],
  IN: [0.0107, 0.0014, 0.0014, 0.028],
  DE: [0.1365, 0.055, 0.0768, 0.0768],
  FR: [0.0859, 0.03, 0.0688, 0.0688],
  AT: [0.1323, 0.05, 0.0708, 0.0708],
  NL: [0.1597, 0.05, 0.0708, 0.0708],
  GB: [0.0529, 0.022, 0.0358, 0.0358],
  IE: [0.0732, 0.03, 0.0411, 0.0411],
  AR: [0.0618, 0.026, 0.0367, 0.0367],
  AE: [0.0384, 0.0157, 0.0178, 0.0178],
  SG: [0.049, 0.0137, 0.0276, 0.0276],
};

function rateUsd(country: string, category: string): number {
  const r = RATES_USD[country] ?? [0.05, 0.02, 0.03, 0.04];
  switch (category) {
    case 'MARKETING':
      return r[0];
    case 'MARKETING_LITE':
      return r[0] * 0.85;
    case 'UTILITY':
      return r[1];
    case 'AUTHENTICATION':
      return r[2];
    case 'AUTHENTICATION_INTERNATIONAL':
      return r[3];
    case 'SERVICE':
      return r[1] * 2;
    default:
      return r[0];
  }
}

function rate4(currency: string, country: string, category: string): number {
  return Math.round(rateUsd(country, category) * (FX[currency] ?? 1) * 10000);
}

type ButtonsSpec = 'url' | 'qr' | 'url+qr' | 'otp' | 'none';
type TemplateSpec = [name: string, category: string, status: string, buttons: ButtonsSpec, language?: string, optedOut?: boolean];

interface PhoneSpec {
  display: string;
  name: string;
  quality: SandboxPhone['qualityRating'];
  country: string;
  weight: number;
}

interface WabaSpec {
  provider: SandboxProvider;
  name: string;
  currency: string;
  timezone: string;
  timezoneId: string;
  /** Standard offset from UTC in half-hours (for the daily rhythm only). */
  tzSlots: number;
  insights: boolean;
  partnerBilled: boolean;
  linked: boolean;
  language: string;
  phones: PhoneSpec[];
  countries: string[];
  pricingCount: number;
  conversationCount: number;
  /** Extra pricing combinations always present: [phone index, country, category, type]. */
  extraPricing: Array<[number, string, string, string]>;
  templates: TemplateSpec[];
  scale: number;
}

const WORLD: WabaSpec[] = [
  {
    provider: 'meta',
    name: 'Acme Outdoor US',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
    timezoneId: '1',
    tzSlots: -16,
    insights: true,
    partnerBilled: false,
    linked: true,
    language: 'en_US',
    phones: [
      { display: '+1 650-555-0111', name: 'Acme Outdoor', quality: 'GREEN', country: 'US', weight: 1 },
      { display: '+1 650-555-0112', name: 'Acme Outdoor Support', quality: 'GREEN', country: 'US', weight: 0.6 },
      { display: '+52 55 5555 0148', name: 'Acme Outdoor México', quality: 'YELLOW', country: 'MX', weight: 0.5 },
    ],
    countries: ['US', 'MX', 'BR', 'IN', 'DE'],
    // 75 core combinations + 1 AUTHENTICATION_INTERNATIONAL + 4 free-entry-point ones = 80.
    pricingCount: 80,
    conversationCount: 40,
    extraPricing: [[0, 'IN', 'AUTHENTICATION_INTERNATIONAL', 'REGULAR']],
    scale: 1,
    templates: [
      ['spring_sale', 'MARKETING', 'APPROVED', 'url+qr'],
      ['cart_reminder', 'MARKETING', 'APPROVED', 'url'],
      ['back_in_stock', 'MARKETING', 'APPROVED', 'url+qr'],
      ['oferta_relampago', 'MARKETING', 'APPROVED', 'url', 'es_MX'],
      ['new_arrivals', 'MARKETING', 'APPROVED', 'qr'],
      ['vip_invite', 'MARKETING', 'PAUSED', 'url'],
      ['price_drop', 'MARKETING', 'APPROVED', 'url', undefined, true],
      ['loyalty_points', 'MARKETING', 'APPROVED', 'none'],
      ['referral_bonus', 'MARKETING', 'REJECTED', 'url'],
      ['holiday_promo', 'MARKETING', 'PENDING', 'url+qr', 'es_MX'],
      ['welcome_offer', 'MARKETING', 'APPROVED', 'url+qr'],
      ['review_request', 'MARKETING', 'APPROVED', 'qr'],
      ['order_confirmation', 'UTILITY', 'APPROVED', 'url'],
      ['shipping_update', 'UTILITY', 'APPROVED', 'url'],
      ['entrega_estimada', 'UTILITY', 'APPROVED', 'qr', 'es_MX'],
      ['payment_receipt', 'UTILITY', 'APPROVED', 'none'],
      ['refund_processed', 'UTILITY', 'APPROVED', 'url'],
      ['appointment_reminder', 'UTILITY', 'APPROVED', 'qr'],
      ['order_cancelled', 'UTILITY', 'APPROVED', 'none'],
      ['subscription_renewal', 'UTILITY', 'PENDING', 'url'],
      ['account_alert', 'UTILITY', 'APPROVED', 'none'],
      ['store_hours_update', 'UTILITY', 'REJECTED', 'none'],
      ['login_code', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['codigo_verificacion', 'AUTHENTICATION', 'APPROVED', 'otp', 'es_MX'],
      ['two_factor_code', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['password_reset_code', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['verify_email', 'AUTHENTICATION', 'PAUSED', 'otp'],
      ['signup_code', 'AUTHENTICATION', 'PENDING', 'otp', 'pt_BR'],
    ],
  },
  {
    provider: 'meta',
    name: 'Acme Outdoor Europe',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    timezoneId: '47',
    tzSlots: 2,
    insights: false,
    partnerBilled: false,
    linked: true,
    language: 'de',
    phones: [
      { display: '+49 30 55550142', name: 'Acme Outdoor Europa', quality: 'GREEN', country: 'DE', weight: 1 },
      { display: '+49 89 55550177', name: 'Acme Outdoor Kundenservice', quality: 'YELLOW', country: 'DE', weight: 0.5 },
    ],
    countries: ['DE', 'FR', 'AT', 'NL'],
    pricingCount: 42,
    conversationCount: 24,
    extraPricing: [],
    scale: 0.7,
    templates: [
      ['bestellbestaetigung', 'UTILITY', 'APPROVED', 'url'],
      ['versand_update', 'UTILITY', 'APPROVED', 'none'],
      ['sommer_sale', 'MARKETING', 'APPROVED', 'url+qr'],
      ['anmeldecode', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['newsletter_optin', 'MARKETING', 'REJECTED', 'qr'],
    ],
  },
  {
    provider: 'meta',
    name: 'Loja Acme Brasil',
    currency: 'BRL',
    timezone: 'America/Sao_Paulo',
    timezoneId: '25',
    tzSlots: -6,
    insights: true,
    partnerBilled: true,
    linked: true,
    language: 'pt_BR',
    phones: [
      { display: '+55 11 95555-0123', name: 'Loja Acme', quality: 'GREEN', country: 'BR', weight: 1 },
      { display: '+55 21 95555-0190', name: 'Loja Acme Rio', quality: 'RED', country: 'BR', weight: 0.4 },
    ],
    countries: ['BR', 'AR', 'US'],
    pricingCount: 34,
    conversationCount: 24,
    // A new pricing category the client does not know yet (seen rarely: tiny volumes).
    extraPricing: [[0, 'BR', 'MARKETING_LITE', 'REGULAR']],
    scale: 0.8,
    templates: [
      ['confirmacao_pedido', 'UTILITY', 'APPROVED', 'url'],
      ['promocao_semana', 'MARKETING', 'APPROVED', 'url+qr'],
      ['codigo_acesso', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['lembrete_carrinho', 'MARKETING', 'APPROVED', 'url'],
      ['pesquisa_satisfacao', 'MARKETING', 'PAUSED', 'qr'],
      ['atualizacao_entrega', 'UTILITY', 'PENDING', 'none'],
    ],
  },
  {
    provider: 'vonage',
    name: 'Acme Outdoor UK',
    currency: 'GBP',
    timezone: 'Europe/London',
    timezoneId: '',
    tzSlots: 0,
    insights: true,
    partnerBilled: false,
    linked: true,
    language: 'en_GB',
    phones: [
      { display: '+44 20 7946 0018', name: 'Acme Outdoor UK', quality: 'GREEN', country: 'GB', weight: 1 },
      { display: '+44 161 496 0321', name: 'Acme Outdoor Manchester', quality: 'GREEN', country: 'GB', weight: 0.5 },
    ],
    countries: ['GB', 'IE', 'DE', 'IN'],
    pricingCount: 44,
    conversationCount: 0,
    extraPricing: [],
    scale: 0.9,
    templates: [
      ['order_dispatched', 'UTILITY', 'APPROVED', 'url'],
      ['basket_reminder', 'MARKETING', 'APPROVED', 'url+qr'],
      ['one_time_passcode', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['winter_sale', 'MARKETING', 'APPROVED', 'url'],
      ['delivery_feedback', 'MARKETING', 'APPROVED', 'qr'],
      ['booking_confirmed', 'UTILITY', 'APPROVED', 'none'],
      ['loyalty_update', 'MARKETING', 'REJECTED', 'url'],
      ['returns_label', 'UTILITY', 'PENDING', 'url'],
      // 25 in all, so that a template query of more than 10 is split into batches (3 for all 25).
      ['click_and_collect_ready', 'UTILITY', 'APPROVED', 'url'],
      ['payment_received', 'UTILITY', 'APPROVED', 'none'],
      ['refund_processed', 'UTILITY', 'APPROVED', 'url'],
      ['delivery_slot_changed', 'UTILITY', 'APPROVED', 'qr'],
      ['account_login_code', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['spring_collection', 'MARKETING', 'APPROVED', 'url+qr'],
      ['weekend_deals', 'MARKETING', 'APPROVED', 'url'],
      ['new_store_opening', 'MARKETING', 'APPROVED', 'url'],
      ['review_request', 'MARKETING', 'APPROVED', 'qr'],
      ['back_in_stock_uk', 'MARKETING', 'APPROVED', 'url'],
      ['price_drop_alert', 'MARKETING', 'APPROVED', 'url+qr'],
      ['membership_renewal', 'UTILITY', 'APPROVED', 'url'],
      ['appointment_reminder', 'UTILITY', 'APPROVED', 'qr'],
      ['survey_invite', 'MARKETING', 'PAUSED', 'url'],
      ['gift_card_balance', 'UTILITY', 'APPROVED', 'none'],
      ['black_friday_preview', 'MARKETING', 'PENDING', 'url'],
      ['password_reset_code', 'AUTHENTICATION', 'APPROVED', 'otp'],
    ],
  },
  {
    provider: 'vonage',
    name: 'Acme Outdoor India',
    currency: 'INR',
    timezone: 'Asia/Kolkata',
    timezoneId: '',
    tzSlots: 11,
    insights: false,
    partnerBilled: false,
    linked: true,
    language: 'en',
    phones: [
      { display: '+91 22 5555 0101', name: 'Acme Outdoor India', quality: 'GREEN', country: 'IN', weight: 1 },
      { display: '+91 80 5555 0199', name: 'Acme Outdoor Bengaluru', quality: 'YELLOW', country: 'IN', weight: 0.6 },
    ],
    countries: ['IN', 'AE', 'SG'],
    pricingCount: 33,
    conversationCount: 0,
    extraPricing: [],
    scale: 1.2,
    templates: [
      ['otp_login', 'AUTHENTICATION', 'APPROVED', 'otp'],
      ['festive_offer', 'MARKETING', 'APPROVED', 'url+qr'],
      ['order_update_hi', 'UTILITY', 'APPROVED', 'url', 'hi'],
      ['recharge_reminder', 'UTILITY', 'PAUSED', 'qr'],
      ['kyc_pending', 'UTILITY', 'PENDING', 'none'],
    ],
  },
  {
    provider: 'vonage',
    name: 'Partner Retail Ltd',
    currency: 'GBP',
    timezone: 'Europe/London',
    timezoneId: '',
    tzSlots: 0,
    insights: false,
    partnerBilled: false,
    linked: false,
    language: 'en_GB',
    phones: [{ display: '+44 20 7946 0999', name: 'Partner Retail', quality: 'GREEN', country: 'GB', weight: 1 }],
    countries: ['GB'],
    pricingCount: 5,
    conversationCount: 0,
    extraPricing: [],
    scale: 0.5,
    templates: [
      ['partner_promo', 'MARKETING', 'APPROVED', 'url'],
      ['partner_otp', 'AUTHENTICATION', 'APPROVED', 'otp'],
    ],
  },
];

/** Category x pricing type pairs; the first five are the core ones every (phone, country) has. */
const PRICING_PAIRS: Array<[string, string]> = [
  ['AUTHENTICATION', 'REGULAR'],
  ['MARKETING', 'REGULAR'],
  ['UTILITY', 'REGULAR'],
  ['UTILITY', 'FREE_CUSTOMER_SERVICE'],
  ['SERVICE', 'FREE_CUSTOMER_SERVICE'],
  ['AUTHENTICATION', 'FREE_ENTRY_POINT'],
  ['MARKETING', 'FREE_ENTRY_POINT'],
  ['UTILITY', 'FREE_ENTRY_POINT'],
  ['SERVICE', 'FREE_ENTRY_POINT'],
];
const CATEGORY_WEIGHT: Record<string, number> = {
  AUTHENTICATION: 6,
  MARKETING: 8,
  UTILITY: 10,
  SERVICE: 12,
  AUTHENTICATION_INTERNATIONAL: 2,
  MARKETING_LITE: 1,
};
/** Conversation category x type x direction. */
const CONVERSATION_TRIPLES: Array<[string, string, string]> = [
  ['MARKETING', 'REGULAR', 'BUSINESS_INITIATED'],
  ['UTILITY', 'REGULAR', 'BUSINESS_INITIATED'],
  ['AUTHENTICATION', 'REGULAR', 'BUSINESS_INITIATED'],
  ['SERVICE', 'REGULAR', 'USER_INITIATED'],
  ['SERVICE', 'FREE_TIER', 'USER_INITIATED'],
  ['SERVICE', 'FREE_ENTRY_POINT', 'USER_INITIATED'],
  ['MARKETING', 'FREE_ENTRY_POINT', 'BUSINESS_INITIATED'],
  ['AUTHENTICATION', 'REGULAR', 'UNKNOWN'],
  ['UTILITY', 'FREE_TIER', 'UNKNOWN'],
];

/** The billing change of 1 Oct 2026 (src/core/vocabulary.ts BILLING_CHANGE_2026_10), as a slot. */
export const BILLING_CHANGE_SLOT = Date.UTC(2026, 9, 1) / SLOT_MS;
/** Service messages free per phone number per UTC month from the billing change on. */
export const SERVICE_FREE_TIER = 1000;

/**
 * What the billing change of 1 Oct 2026 does to the pricing combinations (the same messages, now
 * charged): utility messages inside an open customer-service window stop being FREE_CUSTOMER_SERVICE
 * and are REGULAR (charged at the utility rate); service messages stay free for the first
 * SERVICE_FREE_TIER per phone number and month, and the rest are REGULAR (charged at the service
 * rate). Returns the combinations that begin on that day; the ones that end are cut in place.
 */
function billingChange2026(pricing: Combo[], tierOf: (c: Combo) => string, rateOf: (c: Combo) => number): Combo[] {
  const out: Combo[] = [];
  const tiers = new Map<string, FreeTier>();
  for (const c of pricing) {
    if (c.dims.pricing_type !== 'FREE_CUSTOMER_SERVICE') continue;
    // The same messages (the same key and weight), charged from the change on.
    const charged: Combo = { dims: { ...c.dims, pricing_type: 'REGULAR', tier: tierOf(c) }, key: c.key, weight: c.weight, rate4: rateOf(c), tzSlots: c.tzSlots, activeFrom: BILLING_CHANGE_SLOT };
    if (c.dims.pricing_category === 'UTILITY') {
      c.activeTo = BILLING_CHANGE_SLOT;
      out.push(charged);
    } else if (c.dims.pricing_category === 'SERVICE') {
      const phone = c.dims.phone_number!;
      let tier = tiers.get(phone);
      if (!tier) tiers.set(phone, (tier = { fromSlot: BILLING_CHANGE_SLOT, limit: SERVICE_FREE_TIER, flows: [] }));
      const index = tier.flows.push(c) - 1;
      c.freeTier = { tier, part: 'inside', index };
      out.push({ ...charged, freeTier: { tier, part: 'beyond', index } });
    }
  }
  return out;
}

function digitsOf(display: string): string {
  return display.replace(/\D/g, '');
}

function templateComponents(name: string, category: string, buttons: SandboxButton[]): unknown[] {
  const components: unknown[] = [];
  if (category === 'MARKETING') components.push({ type: 'HEADER', format: 'TEXT', text: 'Acme Outdoor' });
  const body =
    category === 'AUTHENTICATION'
      ? { type: 'BODY', add_security_recommendation: true }
      : { type: 'BODY', text: `Hello {{1}}, this is the ${name.replace(/_/g, ' ')} message.`, example: { body_text: [['Alex']] } };
  components.push(body);
  if (buttons.length) {
    components.push({
      type: 'BUTTONS',
      buttons: buttons.map((b) =>
        b.type === 'URL' ? { type: 'URL', text: b.text, url: b.url } : b.type === 'OTP' ? { type: 'OTP', otp_type: 'COPY_CODE', text: b.text } : { type: 'QUICK_REPLY', text: b.text },
      ),
    });
  }
  return components;
}

function buttonsOf(spec: ButtonsSpec, name: string): SandboxButton[] {
  const url = (text: string): SandboxButton => ({ type: 'URL', text, url: `https://shop.example.com/${name.replace(/_/g, '-')}?ref={{1}}` });
  switch (spec) {
    case 'url':
      return [url('Open')];
    case 'qr':
      return [
        { type: 'QUICK_REPLY', text: 'Yes' },
        { type: 'QUICK_REPLY', text: 'Not now' },
      ];
    case 'url+qr':
      return [url('Shop now'), { type: 'QUICK_REPLY', text: 'Stop promotions' }];
    case 'otp':
      return [{ type: 'OTP', text: 'Copy code' }];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Building the world

interface Internal {
  waba: SandboxWaba;
  spec: WabaSpec;
  templateValues: Map<string, { cloud: TemplateValues; mm: TemplateValues }>;
}

const KIND_METRICS_OUT: Record<SeriesKind, readonly string[]> = { messaging: ['sent', 'delivered'], conversation: ['conversation', 'cost'], pricing: ['volume', 'cost'] };

export class SandboxDataImpl implements SandboxData {
  readonly business: { id: string; name: string };
  readonly metaAppId: string;
  readonly wabas: { meta: SandboxWaba[]; vonage: SandboxWaba[] };
  readonly unlinkedVonageWaba: SandboxWaba;
  private readonly internals = new Map<string, Internal>();

  constructor(
    readonly seed: number,
    private readonly clock: () => number,
  ) {
    const rand = prng(mix(seed >>> 0, 0x5eed));
    const used = new Set<string>();
    const newId = (): string => {
      for (;;) {
        const id = String(100_000_000_000_000 + Math.floor(rand() * 899_999_999_999_999));
        if (!used.has(id)) {
          used.add(id);
          return id;
        }
      }
    };
    this.business = { id: newId(), name: 'Acme Outdoor Group' };
    this.metaAppId = newId();
    const vonageBusinessId = newId();
    const all: SandboxWaba[] = [];
    for (const spec of WORLD) {
      const waba = this.build(spec, spec.provider === 'meta' ? this.business.id : vonageBusinessId, newId);
      all.push(waba);
    }
    this.wabas = { meta: all.filter((w) => w.provider === 'meta'), vonage: all.filter((w) => w.provider === 'vonage' && w.linked) };
    this.unlinkedVonageWaba = all.find((w) => w.provider === 'vonage' && !w.linked)!;
  }

  now(): number {
    return this.clock();
  }

  private build(spec: WabaSpec, businessId: string, newId: () => string): SandboxWaba {
    const id = newId();
    const wkey = hashString(spec.name, this.seed);
    const phones: SandboxPhone[] = spec.phones.map((p) => ({
      id: newId(),
      displayPhoneNumber: p.display,
      digits: digitsOf(p.display),
      verifiedName: p.name,
      qualityRating: p.quality,
      country: p.country,
    }));
    const countryWeight = (phone: PhoneSpec, country: string) => (country === phone.country ? 1 : country === spec.countries[0] ? 0.6 : 0.3);
    const combo = (kind: string, dims: Record<string, string>, weight: number, r4: number): Combo => ({
      dims,
      key: hashString(`${kind}|${Object.values(dims).join('|')}`, wkey),
      weight,
      rate4: r4,
      tzSlots: spec.tzSlots,
    });

    // Messaging: phone x country x product type (0 template, 2 non-template).
    const messaging: Combo[] = [];
    spec.phones.forEach((p, pi) => {
      for (const country of spec.countries) {
        for (const pt of ['0', '2']) {
          const w = 14 * spec.scale * p.weight * countryWeight(p, country) * (pt === '0' ? 1 : 0.7);
          messaging.push(combo('messaging', { phone_number: phones[pi]!.digits, country, product_type: pt }, w, 0));
        }
      }
    });

    // Pricing: phone x country x category x type; core pairs first, then extras, then by hash.
    const pricingCandidates: Array<{ c: Combo; rank: number }> = [];
    const pricingCombo = (pi: number, country: string, category: string, type: string): Combo => {
      const p = spec.phones[pi]!;
      const free = type !== 'REGULAR';
      const dims: Record<string, string> = { phone_number: phones[pi]!.digits, country, pricing_category: category, pricing_type: type };
      const key = hashString(`tier|${pi}|${country}|${category}`, wkey);
      if (!free) dims.tier = category === 'MARKETING' || category === 'MARKETING_LITE' ? '0:MAX' : key % 4 === 0 ? '750000:MAX' : '0:750000';
      const w = (CATEGORY_WEIGHT[category] ?? 4) * spec.scale * p.weight * countryWeight(p, country) * (type === 'FREE_ENTRY_POINT' ? 0.25 : 1);
      return combo('pricing', dims, category === 'MARKETING_LITE' ? 1 : w, free ? 0 : rate4(spec.currency, country, category));
    };
    spec.phones.forEach((_p, pi) => {
      for (const country of spec.countries) {
        PRICING_PAIRS.forEach(([cat, type], i) => {
          const c = pricingCombo(pi, country, cat, type);
          pricingCandidates.push({ c, rank: i < 5 ? 0 : 2 + (c.key >>> 0) / 4294967296 });
        });
      }
    });
    for (const [pi, country, cat, type] of spec.extraPricing) pricingCandidates.push({ c: pricingCombo(pi, country, cat, type), rank: 1 });
    const pricing = pricingCandidates
      .sort((a, b) => a.rank - b.rank)
      .slice(0, spec.pricingCount)
      .map((x) => x.c);
    pricing.push(...billingChange2026(pricing, (c) => {
      const pi = phones.findIndex((p) => p.digits === c.dims.phone_number);
      return hashString(`tier|${pi}|${c.dims.country}|${c.dims.pricing_category}`, wkey) % 4 === 0 ? '750000:MAX' : '0:750000';
    }, (c) => rate4(spec.currency, c.dims.country!, c.dims.pricing_category!)));

    // Conversations (Meta only): phone x country x (category, type, direction), picked by hash.
    const conversationCandidates: Array<{ c: Combo; rank: number }> = [];
    if (spec.conversationCount > 0) {
      spec.phones.forEach((p, pi) => {
        for (const country of spec.countries) {
          CONVERSATION_TRIPLES.forEach(([cat, type, dir], i) => {
            const w = (CATEGORY_WEIGHT[cat] ?? 4) * 0.4 * spec.scale * p.weight * countryWeight(p, country) * (type === 'REGULAR' ? 1 : 0.3);
            const c = combo(
              'conversation',
              { phone_number: phones[pi]!.digits, country, conversation_category: cat, conversation_type: type, conversation_direction: dir },
              w,
              type === 'REGULAR' ? rate4(spec.currency, country, cat) : 0,
            );
            conversationCandidates.push({ c, rank: (i < 4 && country === spec.countries[0] ? 0 : 1) + (c.key >>> 0) / 4294967296 });
          });
        }
      });
    }
    const conversation = conversationCandidates
      .sort((a, b) => a.rank - b.rank)
      .slice(0, spec.conversationCount)
      .map((x) => x.c);

    const waba: SandboxWaba = {
      provider: spec.provider,
      id,
      name: spec.name,
      currency: spec.currency,
      timezone: spec.timezone,
      timezoneId: spec.timezoneId,
      insightsEnabled: spec.insights,
      partnerBilled: spec.partnerBilled,
      businessId,
      linked: spec.linked,
      phones,
      templates: [],
      countries: [...spec.countries],
      combos: { messaging, conversation, pricing },
    };

    const templateValues = new Map<string, { cloud: TemplateValues; mm: TemplateValues }>();
    const qualities: SandboxTemplate['qualityScore'][] = ['GREEN', 'GREEN', 'GREEN', 'YELLOW', 'GREEN', 'RED'];
    spec.templates.forEach(([name, category, status, buttonsSpec, language, optedOut], ti) => {
      const buttons = buttonsOf(buttonsSpec, name);
      const t: SandboxTemplate = {
        id: newId(),
        wabaId: id,
        name,
        language: language ?? spec.language,
        category,
        status,
        qualityScore: status === 'APPROVED' || status === 'PAUSED' ? qualities[ti % qualities.length]! : 'UNKNOWN',
        buttons,
        buttonTypes: [...new Set(buttons.map((b) => b.type))],
        clickTrackingOptedOut: optedOut === true,
        initialCategory: category,
        components: templateComponents(name, category, buttons),
      };
      waba.templates.push(t);
      const active = status === 'APPROVED' || status === 'PAUSED';
      const clickButtons = buttons.filter((b): b is SandboxButton & { type: 'URL' | 'QUICK_REPLY' } => b.type === 'URL' || b.type === 'QUICK_REPLY').map((b) => ({ type: b.type, text: b.text }));
      const mainCountry = spec.phones[0]!.country;
      const weight = active ? (category === 'AUTHENTICATION' ? 5 : category === 'MARKETING' ? 7 : 9) * spec.scale * (0.6 + ((hashString(name, wkey) % 1000) / 1000) * 0.8) : 0;
      const cloud: TemplateValues = { key: hashString(`template|${name}`, wkey), weight, rate4: rate4(spec.currency, mainCountry, category), tzSlots: spec.tzSlots, clickButtons };
      const mm: TemplateValues = { ...cloud, key: hashString(`template-mm|${name}`, wkey), weight: category === 'MARKETING' ? weight * 0.35 : 0 };
      templateValues.set(t.id, { cloud, mm });
    });
    this.internals.set(`${spec.provider}:${id}`, { waba, spec, templateValues });
    return waba;
  }

  waba(provider: SandboxProvider, id: string): SandboxWaba | undefined {
    return this.internals.get(`${provider}:${id}`)?.waba;
  }

  template(provider: SandboxProvider, id: string): { waba: SandboxWaba; template: SandboxTemplate } | undefined {
    for (const { waba } of this.internals.values()) {
      if (waba.provider !== provider) continue;
      const template = waba.templates.find((t) => t.id === id);
      if (template) return { waba, template };
    }
    return undefined;
  }

  /** The value parameters of a template (internal). */
  templateValues(provider: SandboxProvider, templateId: string, productType?: string): TemplateValues | undefined {
    const found = this.template(provider, templateId);
    if (!found) return undefined;
    const v = this.internals.get(`${provider}:${found.waba.id}`)!.templateValues.get(templateId)!;
    return isMarketingMessagesProduct(productType) ? v.mm : v.cloud;
  }

  private requireWaba(provider: SandboxProvider, id: string): SandboxWaba {
    const w = this.waba(provider, id);
    if (!w) throw new Error(`No ${provider} WABA ${id} in the sandbox data.`);
    return w;
  }

  totals(args: TotalsArgs): Record<string, number> {
    const waba = this.requireWaba(args.provider, args.wabaId);
    const now = this.now();
    const [sFrom, sTo] = slotSpan(args.startMs, args.endMs, now);
    if (args.kind === 'template') {
      const ids = args.filters?.templateIds?.length ? args.filters.templateIds : waba.templates.map((t) => t.id);
      const out: Record<string, number> = { sent: 0, delivered: 0, read: 0 };
      let clickable = false;
      let url = 0;
      let unique = 0;
      let qr = 0;
      let amount4 = 0;
      for (const id of ids) {
        const found = this.template(args.provider, id);
        if (!found || found.waba.id !== waba.id) throw new Error(`Template ${id} is not on WABA ${waba.id}.`);
        const tv = this.templateValues(args.provider, id, args.filters?.productType)!;
        const acc = new Float64Array(templateAccSize(tv));
        for (let s = sFrom; s < sTo; s++) templateSlot(tv, s, acc);
        out.sent! += acc[0]!;
        out.delivered! += acc[1]!;
        out.read! += acc[2]!;
        amount4 += acc[3]!;
        if (clicksShown(found.template)) {
          clickable = true;
          const n = tv.clickButtons.length;
          tv.clickButtons.forEach((b, i) => {
            if (b.type === 'URL') {
              url += acc[4 + i]!;
              unique += acc[4 + n + i]!;
            } else qr += acc[4 + i]!;
          });
        }
      }
      if (clickable) Object.assign(out, { clicked: url + qr, url_button: url, unique_url_button: unique, quick_reply_button: qr });
      if (args.provider === 'meta' && !waba.partnerBilled) {
        out.cost = money(amount4);
        out.amount_spent = money(amount4);
      }
      return out;
    }
    const kind = args.kind as SeriesKind;
    if (kind === 'conversation' && args.provider !== 'meta') throw new Error('Vonage has no conversation analytics.');
    const combos = filterCombos(waba.combos[kind], args.filters);
    const acc = sumCombos(kind, combos, sFrom, sTo);
    return this.metricsOut(kind, waba, acc);
  }

  private metricsOut(kind: SeriesKind, waba: SandboxWaba, acc: Float64Array): Record<string, number> {
    const names = KIND_METRICS_OUT[kind];
    const out: Record<string, number> = { [names[0]!]: acc[0]! };
    if (kind === 'messaging') out.delivered = acc[1]!;
    else if (!waba.partnerBilled && !(waba.provider === 'vonage' && kind === 'pricing')) out.cost = money(acc[1]!);
    return out;
  }

  points(args: PointsArgs): OraclePoint[] {
    const waba = this.requireWaba(args.provider, args.wabaId);
    const now = this.now();
    if (args.kind === 'template') {
      const ids = args.filters?.templateIds?.length ? args.filters.templateIds : waba.templates.map((t) => t.id);
      const buckets = makeBuckets(args.startMs, args.endMs, now, calendarOf('DAILY', args.timezone), false);
      const out: OraclePoint[] = [];
      for (const b of buckets) {
        for (const id of ids) {
          const t = this.template(args.provider, id)!.template;
          const tv = this.templateValues(args.provider, id, args.filters?.productType)!;
          const acc = new Float64Array(templateAccSize(tv));
          for (let s = b.slotFrom; s < b.slotTo; s++) templateSlot(tv, s, acc);
          const metrics: Record<string, number> = { sent: acc[0]!, delivered: acc[1]!, read: acc[2]! };
          if (clicksShown(t)) metrics.clicked = tv.clickButtons.reduce((sum, _b, i) => sum + acc[4 + i]!, 0);
          if (args.provider === 'meta' && !waba.partnerBilled) metrics.cost = money(acc[3]!);
          out.push({ startMs: b.startMs, endMs: b.endMs, dims: { template_id: id }, metrics });
        }
      }
      return out;
    }
    const kind = args.kind as SeriesKind;
    const combos = filterCombos(waba.combos[kind], args.filters);
    const series = new Series(kind, combos, args.dimensions ?? [], makeBuckets(args.startMs, args.endMs, now, calendarOf(args.granularity)));
    const out: OraclePoint[] = [];
    for (let i = 0; i < series.length; i++) {
      const { group, bucket } = series.compute(i);
      out.push({ startMs: bucket.startMs, endMs: bucket.endMs, dims: { ...group.dims }, metrics: this.metricsOut(kind, waba, series.acc) });
    }
    return out;
  }
}

export function isMarketingMessagesProduct(productType: string | undefined): boolean {
  return !!productType && /^MARKETING_MESSAGES/i.test(productType);
}

/** Whether template analytics show clicks for a template now: MARKETING/UTILITY with URL or quick-reply buttons, tracking on. */
export function clicksShown(t: SandboxTemplate): boolean {
  return (t.category === 'MARKETING' || t.category === 'UTILITY') && !t.clickTrackingOptedOut && t.buttons.some((b) => b.type === 'URL' || b.type === 'QUICK_REPLY');
}

const FILTER_DIMS: Array<[keyof SandboxFilters, string, (v: string) => string]> = [
  ['phoneNumbers', 'phone_number', (v) => v.replace(/\D/g, '')],
  ['countryCodes', 'country', (v) => v.trim().toUpperCase()],
  ['productTypes', 'product_type', (v) => String(v).trim()],
  ['pricingCategories', 'pricing_category', (v) => v.trim().toUpperCase()],
  ['pricingTypes', 'pricing_type', (v) => v.trim().toUpperCase()],
  ['tiers', 'tier', (v) => v.trim().toUpperCase()],
  ['conversationCategories', 'conversation_category', (v) => v.trim().toUpperCase()],
  ['conversationTypes', 'conversation_type', (v) => (v.trim().toUpperCase() === 'FREE_ENTRY' ? 'FREE_ENTRY_POINT' : v.trim().toUpperCase())],
  ['conversationDirections', 'conversation_direction', (v) => v.trim().toUpperCase()],
];

/** Keep the combinations that pass every non-empty filter. */
export function filterCombos(combos: readonly Combo[], filters: SandboxFilters | undefined): Combo[] {
  if (!filters) return [...combos];
  const checks: Array<[string, Set<string>]> = [];
  for (const [name, dim, norm] of FILTER_DIMS) {
    const values = filters[name] as Array<string | number> | undefined;
    if (values && values.length) checks.push([dim, new Set(values.map((v) => norm(String(v))))]);
  }
  return combos.filter((c) => checks.every(([dim, set]) => c.dims[dim] !== undefined && set.has(c.dims[dim]!)));
}

