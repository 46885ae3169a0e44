/**
 * The palette's multi-step query builder: connection -> WABA -> (templates) -> range ->
 * granularity -> breakdowns, metrics and filters. A tree node pre-fills what it can.
 */
import * as vscode from 'vscode';
import { DAY, formatIsoDate, parseIsoDate, startOfDayUtc, startOfMonthUtc, addMonthsUtc } from '../core/dates';
import type { KindCapabilities, QueryInput } from '../core/query';
import {
  CONVERSATION_CATEGORIES,
  CONVERSATION_DIMENSIONS,
  CONVERSATION_DIRECTIONS,
  CONVERSATION_METRICS,
  CONVERSATION_TYPES,
  PRICING_CATEGORIES,
  PRICING_DIMENSIONS,
  PRICING_METRICS,
  PRICING_TYPES,
  TEMPLATE_METRICS,
  kindLabel,
} from '../core/query';
import { describeError } from '../core/errors';
import type { Granularity, Kind, TemplateInfo, WabaInfo } from '../core/types';
import type { AccountsService } from './accountsService';
import { Dismissed } from './commandRunner';
import type { ConnectionStore } from './connections';
import { readSettings } from './settings';

export interface Prefill {
  connectionId?: string;
  waba?: WabaInfo;
  templateIds?: string[];
  phoneNumbers?: string[];
}

interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

async function pick<T>(title: string, items: Item<T>[], options: { placeHolder?: string } = {}): Promise<T> {
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder: options.placeHolder, ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true });
  if (!choice) throw new Dismissed();
  return choice.value;
}

async function pickMany<T>(title: string, items: Item<T>[], placeHolder: string): Promise<T[]> {
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder, canPickMany: true, ignoreFocusOut: true, matchOnDescription: true });
  if (!choice) throw new Dismissed();
  return choice.map((c) => c.value);
}

async function input(title: string, prompt: string, value: string, validate: (s: string) => string | undefined): Promise<string> {
  const v = await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validate });
  if (v === undefined) throw new Dismissed();
  return v.trim();
}

/** Range presets, in UTC days, inclusive. */
export function rangePreset(preset: string, now = Date.now()): { from: string; to: string } {
  const today = startOfDayUtc(now);
  switch (preset) {
    case '7d':
      return { from: formatIsoDate(today - 6 * DAY), to: formatIsoDate(today) };
    case '30d':
      return { from: formatIsoDate(today - 29 * DAY), to: formatIsoDate(today) };
    case '90d':
      return { from: formatIsoDate(today - 89 * DAY), to: formatIsoDate(today) };
    case 'thisMonth':
      return { from: formatIsoDate(startOfMonthUtc(now)), to: formatIsoDate(today) };
    case 'lastMonth': {
      const start = addMonthsUtc(startOfMonthUtc(now), -1);
      return { from: formatIsoDate(start), to: formatIsoDate(startOfMonthUtc(now) - DAY) };
    }
    default:
      throw new Error(`unknown range ${preset}`);
  }
}

const validDate = (s: string) => (parseIsoDate(s.trim()) === undefined ? 'Write a date as YYYY-MM-DD, e.g. 2026-11-01.' : undefined);
const listOf = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export class QueryFlow {
  constructor(
    private readonly store: ConnectionStore,
    /** Listings come from the accounts service (shared with the tree; a failed one is asked again here). */
    private readonly accounts: AccountsService,
  ) {}

  /** Just a connection and a WABA (for commands that act on a WABA). */
  async pickWaba(title: string): Promise<{ connectionId: string; waba: WabaInfo }> {
    const connections = this.store.list();
    if (!connections.length) throw new Error('Add a connection first, or try the demo.');
    const connectionId =
      connections.length === 1
        ? connections[0]!.id
        : await pick(title, connections.map((c) => ({ label: c.label, description: c.provider, value: c.id })), { placeHolder: 'Which connection?' });
    const wabas = await this.accounts.loadWabas(connectionId, { retryFailed: true });
    if (!wabas.length) throw new Error('This connection reaches no WhatsApp Business Account.');
    const waba = await pick(
      title,
      wabas.map((w) => ({ label: w.name ?? `WABA ${w.id}`, description: w.id, detail: w.insightsEnabled === false ? 'insights off' : w.insightsEnabled ? 'insights on' : undefined, value: w })),
      { placeHolder: 'Which WhatsApp Business Account?' },
    );
    return { connectionId, waba };
  }

  async build(kind: Kind, prefill: Prefill = {}): Promise<{ connectionId: string; query: QueryInput; waba: WabaInfo }> {
    const settings = readSettings();
    const label = kindLabel(kind);
    let step = 0;
    const title = () => `${label} (${++step})`;

    // 1. Connection
    let connectionId = prefill.connectionId;
    if (!connectionId) {
      const candidates = this.store.list().filter((c) => kind !== 'conversation' || c.provider === 'meta');
      if (!candidates.length) {
        const add = await vscode.window.showInformationMessage(
          kind === 'conversation' ? 'Conversation analytics needs a Meta connection. Add one, or try the demo.' : 'Add a connection first, or try the demo.',
          'Try the Demo',
          'Add Meta Connection',
          'Add Vonage Connection',
        );
        if (add === 'Try the Demo') await vscode.commands.executeCommand('wabaAnalytics.addDemoConnection');
        else if (add === 'Add Meta Connection') await vscode.commands.executeCommand('wabaAnalytics.addMetaConnection');
        else if (add === 'Add Vonage Connection') await vscode.commands.executeCommand('wabaAnalytics.addVonageConnection');
        throw new Dismissed();
      }
      connectionId =
        candidates.length === 1
          ? candidates[0]!.id
          : await pick(
              title(),
              candidates.map((c) => ({ label: c.label, description: c.demo ? 'demo' : c.provider === 'meta' ? 'Meta' : 'Vonage', value: c.id })),
              { placeHolder: 'Which connection?' },
            );
    }
    const meta = this.store.get(connectionId);
    if (!meta) throw new Dismissed();
    const provider = await this.store.provider(connectionId);
    const caps: KindCapabilities | undefined = provider.capabilities[kind];
    if (!caps) {
      throw new Error(`${label} is not offered by ${meta.provider === 'meta' ? 'Meta' : 'Vonage'}${kind === 'conversation' ? '; use pricing analytics' : ''}.`);
    }

    // 2. WABA
    let waba = prefill.waba;
    if (!waba) {
      const wabas = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing WABAs…' }, () => this.accounts.loadWabas(connectionId, { retryFailed: true }));
      if (!wabas.length) throw new Error(`No WhatsApp Business Account is reachable with "${meta.label}". Add a WABA ID by hand from the connection's menu.`);
      waba =
        wabas.length === 1
          ? wabas[0]!
          : await pick(
              title(),
              wabas.map((w) => ({
                label: w.name ?? `WABA ${w.id}`,
                description: w.id,
                detail: [w.currency, w.timezone, w.insightsEnabled === false ? 'insights off' : undefined].filter(Boolean).join(' · ') || undefined,
                value: w,
              })),
              { placeHolder: 'Which WhatsApp Business Account?' },
            );
    }
    const q: Record<string, unknown> = { kind, provider: meta.provider, wabaId: waba.id };

    // 3. Templates
    if (kind === 'template') {
      let ids = prefill.templateIds;
      if (!ids?.length) {
        // Every page (a failure is an error, not "no templates"); the tree sees the same list.
        const templates: readonly TemplateInfo[] = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing templates…' }, () =>
          this.accounts.allTemplates(connectionId, waba!.id, { retryFailed: true }),
        );
        if (templates.length) {
          ids = await pickMany(
            title(),
            templates.map((t) => ({ label: t.name, description: `${t.id}`, detail: [t.category, t.language, t.status].filter(Boolean).join(' · '), value: t.id })),
            'Pick templates (more than 10 are fetched in batches of 10)',
          );
        } else {
          ids = listOf(
            await input(title(), 'Template IDs, separated by commas (this connection cannot list templates)', '', (s) => (listOf(s).every((x) => /^\d+$/.test(x)) && listOf(s).length ? undefined : 'Enter numeric template ids.')),
          );
        }
        if (!ids.length) throw new Dismissed();
      }
      q.templateIds = ids;
    }

    // 4. Range
    const presets: Item<string>[] = [
      { label: 'Last 7 days', value: '7d' },
      { label: 'Last 30 days', value: '30d' },
      { label: 'Last 90 days', value: '90d' },
      { label: 'This month', value: 'thisMonth' },
      { label: 'Last month', value: 'lastMonth' },
      { label: 'Custom range…', value: 'custom' },
    ].map((p) => ({ ...p, description: p.value === 'custom' ? undefined : `${rangePreset(p.value).from} → ${rangePreset(p.value).to}`, picked: p.value === settings.defaultRange }));
    const def = presets.find((p) => p.value === settings.defaultRange);
    if (def) {
      presets.splice(presets.indexOf(def), 1);
      presets.unshift({ ...def, detail: 'default' });
    }
    const range = await pick(title(), presets, { placeHolder: `Range (UTC days, lookback ${caps.lookbackDays} days)` });
    if (range === 'custom') {
      const t = title();
      const from = await input(t, 'First day (YYYY-MM-DD, UTC)', rangePreset('30d').from, validDate);
      const to = await input(t, 'Last day (YYYY-MM-DD, UTC; a day in the future means "until now")', rangePreset('30d').to, (s) =>
        validDate(s) ?? (parseIsoDate(s)! < parseIsoDate(from)! ? `The last day must not be before ${from}.` : undefined),
      );
      q.from = from;
      q.to = to;
    } else Object.assign(q, rangePreset(range));

    // 5. Granularity
    const grans = caps.granularities;
    q.granularity =
      grans.length === 1
        ? grans[0]
        : await pick<Granularity>(
            title(),
            grans.map((g) => ({ label: g === 'HALF_HOUR' ? 'Half-hourly' : g === 'DAILY' ? 'Daily' : 'Monthly', description: g, value: g })).sort((a) => (a.value === settings.defaultGranularity ? -1 : 0)),
            { placeHolder: 'Granularity' },
          );

    // 6. Breakdowns and metrics (optional, with defaults)
    if (caps.filters.includes('dimensions')) {
      const dims = kind === 'pricing' ? PRICING_DIMENSIONS : CONVERSATION_DIMENSIONS;
      const preset = kind === 'pricing' ? 'PRICING_CATEGORY' : 'CONVERSATION_CATEGORY';
      q.dimensions = await pickMany(
        title(),
        dims.map((d) => ({ label: d, picked: d === preset, value: d })),
        'Break down by (none: totals only)',
      );
    }
    if (caps.filters.includes('metricTypes')) {
      const metrics = kind === 'pricing' ? PRICING_METRICS : kind === 'conversation' ? CONVERSATION_METRICS : TEMPLATE_METRICS.filter((m) => m !== 'COST' || meta.provider === 'meta');
      const chosen = await pickMany(
        title(),
        metrics.map((m) => ({ label: m, picked: true, value: m })),
        'Metrics (all is the default)',
      );
      if (chosen.length && chosen.length < metrics.length) q.metricTypes = chosen;
    }

    // 7. Filters: a menu of the filters this endpoint accepts; "Run" ends it.
    // Phone numbers selected in the tree filter only the kinds that take them (a query refuses a key it has no field for).
    if (prefill.phoneNumbers?.length && caps.filters.includes('phoneNumbers')) q.phoneNumbers = prefill.phoneNumbers;
    const filterChoices: Array<Item<string>> = [];
    const add = (key: string, label: string) => caps.filters.includes(key) && filterChoices.push({ label, value: key });
    add('phoneNumbers', 'Phone numbers…');
    add('countryCodes', 'Countries…');
    add('productTypes', 'Message types…');
    add('pricingCategories', 'Pricing categories…');
    add('pricingTypes', 'Pricing types…');
    add('tiers', 'Tiers…');
    add('conversationCategories', 'Conversation categories…');
    add('conversationTypes', 'Conversation types…');
    add('conversationDirections', 'Conversation directions…');
    add('productType', 'Product type…');
    add('useWabaTimezone', 'Use the WABA timezone…');
    const t = title();
    for (let guard = 0; guard < 20 && filterChoices.length; guard++) {
      const set = Object.keys(q).filter((k) => filterChoices.some((f) => f.value === k));
      const choice = await pick(
        t,
        [{ label: '$(play) Run query', description: set.length ? `filters: ${set.join(', ')}` : 'no filters', value: 'run' }, ...filterChoices.map((f) => ({ ...f, description: q[f.value] !== undefined ? String(q[f.value]) : undefined }))],
        { placeHolder: 'Add filters, or run' },
      );
      if (choice === 'run') break;
      await this.editFilter(t, choice, q, connectionId, waba.id);
    }
    return { connectionId, query: q as unknown as QueryInput, waba };
  }

  private async editFilter(title: string, key: string, q: Record<string, unknown>, connectionId: string, wabaId: string): Promise<void> {
    const many = async (values: readonly string[]) =>
      pickMany(
        title,
        values.map((v) => ({ label: v, picked: Array.isArray(q[key]) && (q[key] as string[]).includes(v), value: v })),
        'None picked: all',
      );
    switch (key) {
      case 'phoneNumbers': {
        // A listing that fails is said, then the numbers can be typed: never an empty list that looks like "no numbers".
        let phones: readonly { displayPhoneNumber: string; verifiedName?: string }[] = [];
        let failure: string | undefined;
        try {
          phones = await this.accounts.loadPhones(connectionId, wabaId, { retryFailed: true });
        } catch (e) {
          failure = describeError(e);
          void vscode.window.showWarningMessage(`The phone numbers could not be listed: ${failure}`);
        }
        q[key] = phones.length
          ? await pickMany(
              title,
              phones.map((p) => ({ label: p.displayPhoneNumber, description: p.verifiedName, value: p.displayPhoneNumber.replace(/\D/g, '') })),
              'Phone numbers (none picked: all)',
            )
          : listOf(await input(title, failure ? 'The phone numbers could not be listed; type them (digits), separated by commas' : 'Phone numbers (digits), separated by commas', '', () => undefined));
        break;
      }
      case 'countryCodes':
        q[key] = listOf(await input(title, 'Two-letter country codes, e.g. US, BR', ((q[key] as string[]) ?? []).join(', '), (s) => (listOf(s).every((c) => /^[A-Za-z]{2}$/.test(c)) ? undefined : 'Use two-letter codes such as US, BR, IN.'))).map((c) => c.toUpperCase());
        break;
      case 'productTypes':
        q[key] = await pickMany(
          title,
          [
            { label: 'Template (notification) messages', description: '0', value: 0 },
            { label: 'Non-template (customer support) messages', description: '2', value: 2 },
            { label: 'Incoming messages', description: '100', value: 100 },
          ],
          'None picked: all',
        );
        break;
      case 'pricingCategories':
        q[key] = await many(PRICING_CATEGORIES);
        break;
      case 'pricingTypes':
        q[key] = await many(PRICING_TYPES);
        break;
      case 'conversationCategories':
        q[key] = await many(CONVERSATION_CATEGORIES);
        break;
      case 'conversationTypes':
        q[key] = await many(CONVERSATION_TYPES);
        break;
      case 'conversationDirections':
        q[key] = await many(CONVERSATION_DIRECTIONS);
        break;
      case 'tiers':
        q[key] = listOf(await input(title, 'Tiers, e.g. 0:750000, 750000:MAX', ((q[key] as string[]) ?? []).join(', '), (s) => (listOf(s).every((x) => /^\d+:(\d+|MAX)$/.test(x)) ? undefined : 'Tiers look like 0:750000 or 750000:MAX.')));
        break;
      case 'productType':
        q[key] = await pick(title, [
          { label: 'Cloud API', description: 'CLOUD_API (default)', value: 'CLOUD_API' },
          { label: 'Marketing Messages API for WhatsApp', description: 'MARKETING_MESSAGES_API_FOR_WHATSAPP', value: 'MARKETING_MESSAGES_API_FOR_WHATSAPP' },
        ]);
        break;
      case 'useWabaTimezone':
        q[key] = await pick(title, [
          { label: 'Days in the WABA timezone', value: true },
          { label: 'Days in UTC (default)', value: false },
        ]);
        break;
    }
    if (Array.isArray(q[key]) && (q[key] as unknown[]).length === 0) delete q[key];
  }
}
