/**
 * The palette's multi-step query builder: connection -> WABA -> (templates, template groups or
 * WhatsApp groups) -> range -> granularity -> breakdowns, metrics and filters. A tree node
 * pre-fills what it can. A connection whose provider does not offer the kind (its capabilities)
 * is said to lack it, and another one is asked for.
 *
 * Every step is titled "Step n/N" and has a Back button (from the second step on) that keeps
 * the answers given; Escape in a sub-step (a filter's values, a custom date) returns to the step
 * that opened it; Enter on an empty selection says what is needed instead of closing. Labels come
 * from the one table of src/core/vocabulary.ts, with the API value beside them.
 */
import * as vscode from 'vscode';
import { DAY, formatIsoDate, parseIsoDate, resolveRelativeRange, startOfDayUtc } from '../core/dates';
import type { KindCapabilities, QueryInput } from '../core/query';
import { describeError } from '../core/errors';
import type { Granularity, Kind, ProviderId, TemplateGroupInfo, TemplateInfo, WabaInfo } from '../core/types';
import type { RelativeRange } from '../core/vocabulary';
import { RELATIVE_RANGE_LABELS, dimensionLabel, filterDescriptors, filterValues, kindLabel, metricLabel, providerLabel, tierLabel, valueLabel } from '../core/vocabulary';
import { allProviderDescriptors, providerDescriptor } from '../providers/descriptors';
import type { AccountsService } from './accountsService';
import { Dismissed } from './commandRunner';
import type { ConnectionStore } from './connections';
import { readSettings } from './settings';

export interface Prefill {
  connectionId?: string;
  waba?: WabaInfo;
  templateIds?: string[];
  /** Template groups picked in the tree. */
  templateGroupIds?: string[];
  phoneNumbers?: string[];
}

export interface Item<T> extends vscode.QuickPickItem {
  value: T;
}

/** The Back button was pressed: the flow returns to the step before. */
export class Back extends Error {
  constructor() {
    super('back');
  }
}

export interface StepOptions<T> {
  title: string;
  placeHolder: string;
  items: Item<T>[];
  /** Show the Back button. */
  back: boolean;
  /** The value answered before (single pick: made the active item). */
  active?: T;
  /** Several picks; `required` is what Enter on an empty selection says (none: an empty selection is an answer). */
  many?: boolean;
  required?: string;
  /** A check of the accepted answer: a text keeps the step open and says it. */
  check?: (answer: T[]) => string | undefined;
}

/**
 * One quick pick: resolves with the picked values, rejects Back (the Back button) or Dismissed
 * (Escape, focus moved away). An empty acceptance, or one `check` refuses, keeps it open and
 * says what is needed in the title and the placeholder.
 */
export function showStep<T>(options: StepOptions<T>): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const qp = vscode.window.createQuickPick<Item<T>>();
    qp.title = options.title;
    qp.placeholder = options.placeHolder;
    qp.items = options.items;
    qp.canSelectMany = !!options.many;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.buttons = options.back ? [vscode.QuickInputButtons.Back] : [];
    if (options.many) qp.selectedItems = options.items.filter((i) => i.picked);
    else if (options.active !== undefined) {
      const active = options.items.find((i) => i.value === options.active);
      if (active) qp.activeItems = [active];
    }
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      qp.dispose();
    };
    const say = (message: string) => {
      qp.title = `${options.title} — ${message}`;
      qp.placeholder = message;
    };
    qp.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(() => reject(new Back()));
    });
    qp.onDidAccept(() => {
      const chosen = options.many ? [...qp.selectedItems] : qp.activeItems.slice(0, 1);
      if (!options.many && !chosen.length) return say(qp.value ? `Nothing matches "${qp.value}": pick one of the items, or press Escape` : 'Pick one of the items, or press Escape');
      if (options.many && !chosen.length && options.required) return say(options.required);
      const values = chosen.map((c) => c.value);
      const refused = options.check?.(values);
      if (refused) return say(refused);
      finish(() => resolve(values));
    });
    qp.onDidHide(() => finish(() => reject(new Dismissed())));
    qp.show();
  });
}

export interface InputOptions {
  title: string;
  prompt: string;
  value: string;
  back: boolean;
  validate: (s: string) => string | undefined;
}

/** One input box, with Back; rejects Back or Dismissed like `showStep`. An invalid value keeps it open. */
export function showInput(options: InputOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.prompt = options.prompt;
    box.value = options.value;
    box.ignoreFocusOut = true;
    box.buttons = options.back ? [vscode.QuickInputButtons.Back] : [];
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      box.dispose();
    };
    box.onDidChangeValue((v) => {
      box.validationMessage = v ? options.validate(v) : undefined;
    });
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(() => reject(new Back()));
    });
    box.onDidAccept(() => {
      const problem = options.validate(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      finish(() => resolve(box.value.trim()));
    });
    box.onDidHide(() => finish(() => reject(new Dismissed())));
    box.show();
  });
}

/** The range presets of the flow, as the relative ranges of saved queries. */
const PRESET_RANGES: Record<string, RelativeRange> = { '7d': 'last-7-days', '30d': 'last-30-days', '90d': 'last-90-days', thisMonth: 'this-month', lastMonth: 'previous-month' };

/** Range presets (the relative ranges of saved queries), in UTC days, inclusive. */
export function rangePreset(preset: string, now = Date.now()): { from: string; to: string } {
  const r = PRESET_RANGES[preset];
  if (!r) throw new Error(`unknown range ${preset}`);
  return resolveRelativeRange(r, now);
}

/** Ids as the query model takes them (template groups, WhatsApp groups). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A kind's label inside a sentence: "call analytics", but "WhatsApp group analytics". */
const inSentence = (label: string) => (/^[A-Z][a-z]+(\s|$)/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label);
const validIds = (what: string) => (s: string) => (listOf(s).length && listOf(s).every((x) => ID.test(x)) ? undefined : `Enter one or more ${what} ids (digits or letters), separated by commas.`);

const validDate = (s: string) => (parseIsoDate(s.trim()) === undefined ? 'Write a date as YYYY-MM-DD, e.g. 2026-11-01.' : undefined);
const listOf = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The first day a kind's lookback allows, and the refusal of an earlier one (undefined when `from` is fine). */
export function lookbackProblem(from: string, caps: Pick<KindCapabilities, 'lookbackDays'>, now = Date.now()): string | undefined {
  const earliest = startOfDayUtc(now) - caps.lookbackDays * DAY;
  const f = parseIsoDate(from);
  if (f === undefined) return undefined;
  if (f < earliest) return `This reaches back ${caps.lookbackDays} days: start on or after ${formatIsoDate(earliest)}.`;
  if (f > now) return 'The first day is in the future: pick a day up to today (UTC).';
  return undefined;
}

/** One step of the flow: whether it asks (else it is answered on its own), and what it does. */
interface Step {
  asks(): boolean;
  run(title: string, back: boolean): Promise<void>;
}

/** Run steps in order with Back: a step that asked is returned to; one that did not is skipped going back. */
async function runSteps(label: string, steps: Step[]): Promise<void> {
  const asked: number[] = [];
  let i = 0;
  while (i < steps.length) {
    const step = steps[i]!;
    const asks = step.asks();
    const n = asked.length + 1;
    const total = asked.length + steps.slice(i).filter((s) => s.asks()).length;
    try {
      await step.run(`${label} — Step ${n}/${Math.max(n, total)}`, asks && asked.length > 0);
      if (asks) asked.push(i);
      i++;
    } catch (e) {
      if (!(e instanceof Back)) throw e;
      const previous = asked.pop();
      if (previous !== undefined) i = previous;
    }
  }
}

/** A value of a filter, labelled, its API value beside it. */
function valueItem<T extends string | number>(key: string, value: T, picked: boolean): Item<T> {
  const label = key === 'tiers' ? tierLabel(String(value)) : valueLabel(key, value);
  return { label, description: label === String(value) ? undefined : String(value), picked, value };
}

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
    let connectionId = connections[0]!.id;
    let waba: WabaInfo | undefined;
    let wabas: readonly WabaInfo[] = [];
    await runSteps(title, [
      {
        asks: () => connections.length > 1,
        run: async (t, back) => {
          if (connections.length > 1) {
            [connectionId] = await showStep({ title: t, back, placeHolder: 'Which connection?', active: connectionId, items: connections.map((c) => ({ label: c.label, description: c.provider, value: c.id })) });
          }
          wabas = await this.accounts.loadWabas(connectionId, { retryFailed: true });
          if (!wabas.length) throw new Error('This connection reaches no WhatsApp Business Account.');
        },
      },
      {
        asks: () => true,
        run: async (t, back) => {
          [waba] = await showStep({
            title: t,
            back,
            placeHolder: 'Which WhatsApp Business Account?',
            active: waba,
            items: wabas.map((w) => ({ label: w.name ?? `WABA ${w.id}`, description: w.id, detail: w.insightsEnabled === false ? 'insights off' : w.insightsEnabled ? 'insights on' : undefined, value: w })),
          });
        },
      },
    ]);
    return { connectionId, waba: waba! };
  }

  /** `range`: the preset the dates were picked as (a relative range), none for a custom range. */
  async build(kind: Kind, prefill: Prefill = {}): Promise<{ connectionId: string; query: QueryInput; waba: WabaInfo; range?: RelativeRange }> {
    const settings = readSettings();
    const label = kindLabel(kind);
    const now = Date.now();

    let connectionId = prefill.connectionId;
    // Conversation analytics: only the connections of providers that offer it are offered.
    const offering = allProviderDescriptors().filter((d) => d.capabilities[kind]);
    const candidates = this.store.list().filter((c) => kind !== 'conversation' || offering.some((d) => d.id === c.provider));
    if (!connectionId && !candidates.length) {
      const adds = allProviderDescriptors().map((d) => ({ button: `Add ${d.label} Connection`, command: d.addCommand }));
      const add = await vscode.window.showInformationMessage(
        kind === 'conversation' ? `${label} needs a ${offering.map((d) => d.label).join(' or ')} connection. Add one, or try the demo.` : 'Add a connection first, or try the demo.',
        'Try the Demo',
        ...adds.map((a) => a.button),
      );
      if (add === 'Try the Demo') await vscode.commands.executeCommand('wabaAnalytics.addDemoConnection');
      const command = adds.find((a) => a.button === add)?.command;
      if (command) await vscode.commands.executeCommand(command);
      throw new Dismissed();
    }
    let provider: ProviderId = 'meta';
    let caps: KindCapabilities | undefined;
    let wabas: readonly WabaInfo[] | undefined;
    /** The connection whose WABAs and templates are listed (another one drops them). */
    let listedFor: string | undefined;
    let waba = prefill.waba;
    let templates: readonly TemplateInfo[] | undefined;
    let templateIds = prefill.templateIds;
    let templateGroupIds = prefill.templateGroupIds;
    let groupIds: string[] | undefined;
    /** Connections whose provider was found not to offer this kind (marked when the step is shown again). */
    const lacking = new Set<string>();
    let range: string | undefined;
    const q: Record<string, unknown> = { kind };
    if (prefill.phoneNumbers?.length) q.phoneNumbers = prefill.phoneNumbers;

    const steps: Step[] = [
      // 1. Connection (and its capabilities)
      {
        asks: () => !prefill.connectionId && candidates.length > 1,
        run: async (title, back) => {
          let notice: string | undefined;
          for (;;) {
            if (!prefill.connectionId) {
              connectionId =
                candidates.length === 1
                  ? candidates[0]!.id
                  : (
                      await showStep({
                        title: notice ? `${title} — ${notice}` : title,
                        back,
                        placeHolder: notice ?? 'Which connection?',
                        active: connectionId,
                        items: candidates.map((c) => ({
                          label: c.label,
                          description: `${lacking.has(c.id) ? '$(warning) ' : ''}${c.demo ? 'demo' : providerLabel(c.provider)}${lacking.has(c.id) ? ` · no ${inSentence(label)}` : ''}`,
                          value: c.id,
                        })),
                      })
                    )[0]!;
            }
            const chosen = this.store.get(connectionId!);
            if (!chosen) throw new Dismissed();
            // What the provider offers decides (never its name): a kind it lacks is said, and another connection asked for.
            if ((await this.store.provider(connectionId!)).capabilities[kind]) break;
            const refusal = `${providerLabel(chosen.provider)} does not offer ${inSentence(label)}${kind === 'conversation' ? '; use pricing analytics' : ''}`;
            if (prefill.connectionId || candidates.length === 1) throw new Error(`${refusal}.`);
            lacking.add(connectionId!);
            notice = `${refusal}: pick another connection`;
          }
          const meta = this.store.get(connectionId!)!;
          if (listedFor !== connectionId) {
            listedFor = connectionId;
            // Another connection: its own WABAs and templates (answers that no longer apply are dropped).
            wabas = undefined;
            templates = undefined;
            if (!prefill.templateGroupIds) templateGroupIds = undefined;
            if (!prefill.waba) waba = undefined;
          }
          provider = meta.provider;
          caps = (await this.store.provider(connectionId!)).capabilities[kind];
          if (!caps) throw new Error(`${label} is not offered by ${providerLabel(provider)}${kind === 'conversation' ? '; use pricing analytics' : ''}.`);
          // Phone numbers selected in the tree filter only the kinds that take them.
          if (!caps.filters.includes('phoneNumbers')) delete q.phoneNumbers;
        },
      },
      // 2. WABA (a template query marks the WABAs whose insights are off)
      {
        asks: () => !prefill.waba && (wabas === undefined || wabas.length > 1),
        run: async (title, back) => {
          if (prefill.waba) return;
          wabas ??= await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing WABAs…' }, () => this.accounts.loadWabas(connectionId!, { retryFailed: true }));
          if (!wabas.length) throw new Error(`No WhatsApp Business Account is reachable with "${this.store.get(connectionId!)?.label}". Add a WABA ID by hand from the connection's menu.`);
          if (wabas.length === 1) {
            waba = wabas[0]!;
            return;
          }
          const chosen = await showStep({
            title,
            back,
            placeHolder: 'Which WhatsApp Business Account?',
            active: waba,
            items: wabas.map((w) => {
              const off = w.insightsEnabled === false;
              const warn = off && kind === 'template';
              return {
                label: w.name ?? `WABA ${w.id}`,
                description: `${warn ? '$(warning) ' : ''}${w.id}${off ? ' · insights off' : ''}`,
                detail: [warn ? 'Template analytics need insights: enable them from the WABA\'s menu' : undefined, w.currency, w.timezone].filter(Boolean).join(' · ') || undefined,
                value: w,
              };
            }),
          });
          if (chosen[0]!.id !== waba?.id) {
            templates = undefined;
            if (!prefill.templateGroupIds) templateGroupIds = undefined;
          }
          waba = chosen[0]!;
        },
      },
      // 3. Templates
      {
        asks: () => kind === 'template' && !prefill.templateIds?.length,
        run: async (title, back) => {
          if (kind !== 'template' || prefill.templateIds?.length) return;
          // Every page (a failure is an error, not "no templates"); the tree sees the same list.
          templates ??= await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing templates…' }, () =>
            this.accounts.allTemplates(connectionId!, waba!.id, { retryFailed: true }),
          );
          if (templates.length) {
            templateIds = await showStep({
              title,
              back,
              many: true,
              required: 'Pick at least one template (Space checks one), then press Enter',
              placeHolder: 'Pick templates (more than 10 are fetched in batches of 10)',
              items: templates.map((t) => ({ label: t.name, description: t.id, detail: [t.category ? valueLabel('pricing_category', t.category) : undefined, t.language, t.status].filter(Boolean).join(' · '), picked: !!templateIds?.includes(t.id), value: t.id })),
            });
          } else {
            templateIds = listOf(
              await showInput({
                title,
                back,
                prompt: 'Template IDs, separated by commas (this connection cannot list templates)',
                value: (templateIds ?? []).join(', '),
                validate: (s) => (listOf(s).length && listOf(s).every((x) => /^\d+$/.test(x)) ? undefined : 'Enter one or more numeric template ids.'),
              }),
            );
          }
        },
      },
      // 3b. Template groups: picked from the listing, or typed when the listing is refused (said, never "no groups")
      {
        asks: () => kind === 'template-groups' && !prefill.templateGroupIds?.length,
        run: async (title, back) => {
          if (kind !== 'template-groups' || prefill.templateGroupIds?.length) return;
          let groups: readonly TemplateGroupInfo[] = [];
          let refusal: string | undefined;
          try {
            groups = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing template groups…' }, () => this.accounts.loadTemplateGroups(connectionId!, waba!.id, { retryFailed: true }));
          } catch (e) {
            refusal = describeError(e);
          }
          if (groups.length) {
            templateGroupIds = await showStep({
              title,
              back,
              many: true,
              required: 'Pick at least one template group (Space checks one), then press Enter',
              placeHolder: 'Pick template groups (more than 10 are fetched in batches of 10)',
              items: groups.map((g) => ({
                label: g.name ?? `Template group ${g.id}`,
                description: g.id,
                detail: `${g.templateIds.length} template${g.templateIds.length === 1 ? '' : 's'}`,
                picked: !!templateGroupIds?.includes(g.id),
                value: g.id,
              })),
            });
          } else {
            templateGroupIds = listOf(
              await showInput({
                title,
                back,
                prompt: refusal ? `The template groups could not be listed (${refusal}). Type template group ids, separated by commas` : 'No template group is listed for this WABA. Type template group ids, separated by commas',
                value: (templateGroupIds ?? []).join(', '),
                validate: validIds('template group'),
              }),
            );
          }
        },
      },
      // 3c. WhatsApp groups: typed (one request per group is the provider's business)
      {
        asks: () => kind === 'groups',
        run: async (title, back) => {
          if (kind !== 'groups') return;
          groupIds = listOf(
            await showInput({
              title,
              back,
              prompt: 'WhatsApp group ids, separated by commas (from the Groups API or WhatsApp Manager)',
              value: (groupIds ?? []).join(', '),
              validate: validIds('WhatsApp group'),
            }),
          );
        },
      },
      // 4. Range, checked against the lookback here (a custom range: each day as it is typed)
      {
        asks: () => true,
        run: async (title, back) => {
          const lookback = caps!.lookbackDays;
          const presets: Item<string>[] = (['7d', '30d', '90d', 'thisMonth', 'lastMonth'] as const).map((p) => {
            const r = rangePreset(p, now);
            const problem = lookbackProblem(r.from, caps!, now);
            const names: Record<string, RelativeRange> = { '7d': 'last-7-days', '30d': 'last-30-days', '90d': 'last-90-days', thisMonth: 'this-month', lastMonth: 'previous-month' };
            return { label: p === 'lastMonth' ? 'Last month' : RELATIVE_RANGE_LABELS[names[p]!], description: `${r.from} → ${r.to}`, detail: problem ? `$(warning) beyond the ${lookback}-day lookback` : p === settings.defaultRange ? 'default' : undefined, value: p };
          });
          presets.push({ label: 'Custom range…', value: 'custom' });
          const def = presets.find((p) => p.value === settings.defaultRange);
          if (def) {
            presets.splice(presets.indexOf(def), 1);
            presets.unshift(def);
          }
          for (;;) {
            [range] = await showStep({
              title,
              back,
              placeHolder: `Range (UTC days; ${inSentence(label)} reach back ${lookback} days)`,
              active: range ?? def?.value,
              items: presets,
              check: ([v]) => (v !== 'custom' ? lookbackProblem(rangePreset(v!, now).from, caps!, now) : undefined),
            });
            if (range !== 'custom') {
              Object.assign(q, rangePreset(range!, now));
              return;
            }
            // Custom: Escape or Back on the first day returns to the presets; Back on the last day to the first.
            const custom = await this.customRange(title, q, caps!, now);
            if (custom) {
              Object.assign(q, custom);
              return;
            }
          }
        },
      },
      // 5. Granularity
      {
        asks: () => (caps?.granularities.length ?? 2) > 1,
        run: async (title, back) => {
          const grans = caps!.granularities;
          if (grans.length === 1) {
            q.granularity = grans[0];
            return;
          }
          const names: Record<Granularity, string> = { HALF_HOUR: 'Half-hourly', DAILY: 'Daily', MONTHLY: 'Monthly' };
          [q.granularity] = await showStep<Granularity>({
            title,
            back,
            placeHolder: 'Granularity',
            active: (q.granularity as Granularity | undefined) ?? settings.defaultGranularity,
            items: grans.map((g) => ({ label: names[g], description: g, value: g })).sort((a) => (a.value === settings.defaultGranularity ? -1 : 0)),
          });
        },
      },
      // 6. Breakdowns (none: totals only)
      {
        asks: () => caps?.filters.includes('dimensions') ?? (kind === 'pricing' || kind === 'conversation'),
        run: async (title, back) => {
          if (!caps!.filters.includes('dimensions')) return;
          const presets: Partial<Record<Kind, string>> = { pricing: 'PRICING_CATEGORY', conversation: 'CONVERSATION_CATEGORY', calls: 'DIRECTION' };
          const preset = presets[kind];
          const before = q.dimensions as string[] | undefined;
          q.dimensions = await showStep({
            title,
            back,
            many: true,
            placeHolder: 'Break down by (none: totals only)',
            items: filterValues('dimensions', kind).map((d) => ({ label: dimensionLabel(String(d.value)), description: String(d.value), picked: before ? before.includes(String(d.value)) : d.value === preset, value: String(d.value) })),
          });
        },
      },
      // 7. Metrics (at least one; all is the default)
      {
        asks: () => caps?.filters.includes('metricTypes') ?? kind !== 'messaging',
        run: async (title, back) => {
          if (!caps!.filters.includes('metricTypes')) return;
          // The provider's registry entry names the values it accepts where they are fewer (Vonage: no COST).
          const accepted = providerDescriptor(provider).metricTypes?.[kind];
          const metrics = filterValues('metricTypes', kind)
            .map((m) => String(m.value))
            .filter((m) => !accepted || accepted.includes(m));
          const before = q.metricTypes as string[] | undefined;
          const chosen = await showStep({
            title,
            back,
            many: true,
            required: 'Pick at least one metric, then press Enter',
            placeHolder: 'Metrics (all is the default)',
            items: metrics.map((m) => ({ label: metricLabel(m), description: m, picked: before ? before.includes(m) : true, value: m })),
          });
          if (chosen.length < metrics.length) q.metricTypes = chosen;
          else delete q.metricTypes;
        },
      },
      // 8. Filters: a menu of the filters this endpoint accepts; "Run query" ends it.
      {
        asks: () => true,
        run: async (title, back) => {
          const descriptors = filterDescriptors(kind).filter((f) => caps!.filters.includes(f.key) && !['templateIds', 'templateGroupIds', 'groupIds', 'dimensions', 'metricTypes'].includes(f.key));
          for (;;) {
            const set = descriptors.filter((f) => q[f.key] !== undefined);
            const [choice] = await showStep<string>({
              title,
              back,
              placeHolder: 'Add filters, or run',
              items: [
                { label: '$(play) Run query', description: set.length ? `filters: ${set.map((f) => f.label).join(', ')}` : 'no filters', value: 'run' },
                ...descriptors.map((f) => ({ label: `${f.label}…`, description: this.describeFilter(f.key, q[f.key]) ?? f.none, detail: f.key, value: f.key })),
              ],
            });
            if (choice === 'run') return;
            try {
              await this.editFilter(`${title} · ${descriptors.find((f) => f.key === choice)?.label ?? choice}`, choice!, q, kind, connectionId!, waba!.id);
            } catch (e) {
              // Escape or Back in a filter's values returns to this menu, the filter as it was.
              if (!(e instanceof Dismissed || e instanceof Back)) throw e;
            }
          }
        },
      },
    ];
    await runSteps(label, steps);
    Object.assign(q, { provider, wabaId: waba!.id });
    if (kind === 'template') q.templateIds = templateIds;
    if (kind === 'template-groups') q.templateGroupIds = templateGroupIds;
    if (kind === 'groups') q.groupIds = groupIds;
    const relative = range ? PRESET_RANGES[range] : undefined;
    return { connectionId: connectionId!, query: q as unknown as QueryInput, waba: waba!, ...(relative ? { range: relative } : {}) };
  }

  /** The custom range's two days; undefined when the user went back to the presets. */
  private async customRange(title: string, q: Record<string, unknown>, caps: KindCapabilities, now: number): Promise<{ from: string; to: string } | undefined> {
    let from = typeof q.from === 'string' ? q.from : rangePreset('30d', now).from;
    for (;;) {
      try {
        from = await showInput({ title, back: true, prompt: `First day (YYYY-MM-DD, UTC; reaches back ${caps.lookbackDays} days)`, value: from, validate: (s) => validDate(s) ?? lookbackProblem(s.trim(), caps, now) });
      } catch (e) {
        if (e instanceof Back || e instanceof Dismissed) return undefined;
        throw e;
      }
      try {
        const to = await showInput({
          title,
          back: true,
          prompt: 'Last day (YYYY-MM-DD, UTC; a day in the future means "until now")',
          value: typeof q.to === 'string' && q.to >= from ? q.to : rangePreset('30d', now).to,
          validate: (s) => validDate(s) ?? (parseIsoDate(s.trim())! < parseIsoDate(from)! ? `The last day must not be before ${from}.` : undefined),
        });
        return { from, to };
      } catch (e) {
        if (e instanceof Back) continue;
        if (e instanceof Dismissed) return undefined;
        throw e;
      }
    }
  }

  /** A filter's current values as people read them, for the menu. */
  private describeFilter(key: string, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => (key === 'tiers' ? tierLabel(String(v)) : valueLabel(key, v as string | number))).join(', ');
  }

  private async editFilter(title: string, key: string, q: Record<string, unknown>, kind: Kind, connectionId: string, wabaId: string): Promise<void> {
    const current = (Array.isArray(q[key]) ? q[key] : []) as Array<string | number>;
    const known = filterValues(key, kind);
    if (known.length && key !== 'productType') {
      q[key] = await showStep({ title, back: true, many: true, placeHolder: 'None picked: all', items: known.map((v) => valueItem(key, v.value, current.includes(v.value))) });
    } else {
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
            ? await showStep({
                title,
                back: true,
                many: true,
                placeHolder: 'Phone numbers (none picked: all)',
                items: phones.map((p) => {
                  const digits = p.displayPhoneNumber.replace(/\D/g, '');
                  return { label: p.displayPhoneNumber, description: p.verifiedName, picked: current.includes(digits), value: digits };
                }),
              })
            : listOf(
                await showInput({
                  title,
                  back: true,
                  prompt: failure ? 'The phone numbers could not be listed; type them (digits), separated by commas' : 'Phone numbers (digits), separated by commas',
                  value: current.join(', '),
                  validate: (s) => (listOf(s).every((x) => /^\+?[\d\s()-]{4,24}$/.test(x)) ? undefined : 'Phone numbers are digits, e.g. 15550001111.'),
                }),
              ).map((x) => x.replace(/\D/g, ''));
          break;
        }
        case 'countryCodes':
          q[key] = listOf(
            await showInput({ title, back: true, prompt: 'Two-letter country codes, e.g. US, BR (empty: all countries)', value: current.join(', '), validate: (s) => (listOf(s).every((c) => /^[A-Za-z]{2}$/.test(c)) ? undefined : 'Use two-letter codes such as US, BR, IN.') }),
          ).map((c) => c.toUpperCase());
          break;
        case 'tiers':
          q[key] = listOf(
            await showInput({ title, back: true, prompt: 'Tiers, e.g. 0:750000 (0–750,000), 750000:MAX (750,000+)', value: current.join(', '), validate: (s) => (listOf(s).every((x) => /^\d+:(\d+|MAX)$/.test(x)) ? undefined : 'Tiers look like 0:750000 or 750000:MAX.') }),
          );
          break;
        case 'productType': {
          const [v] = await showStep({ title, back: true, placeHolder: 'Product (Cloud API is the default)', active: q[key] as string | undefined, items: known.map((d) => valueItem(key, String(d.value), false)) });
          q[key] = v;
          break;
        }
        case 'useWabaTimezone': {
          const [v] = await showStep({
            title,
            back: true,
            placeHolder: 'Which days?',
            active: q[key] === true,
            items: [
              { label: "Days in the WABA's timezone", value: true },
              { label: 'Days in UTC (default)', value: false },
            ],
          });
          q[key] = v;
          break;
        }
      }
    }
    if ((Array.isArray(q[key]) && (q[key] as unknown[]).length === 0) || q[key] === false) delete q[key];
  }
}
