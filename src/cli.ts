/**
 * waba-analytics: the command-line front of the core. Same providers, same normalized result.
 * Exit 0 on success, 1 on an API, validation or input error, 2 on a usage error; one line on
 * stderr for every error, never a stack trace, never a secret.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { toCsv } from './core/csv';
import { WabaError, describeError } from './core/errors';
import { writeFileAtomic } from './core/files';
import type { Provider } from './core/provider';
import type { QueryInput } from './core/query';
import { resolveQuery } from './core/query';
import { registerSecret } from './core/redact';
import { runQuery } from './core/run';
import type { Kind, Logger, ProviderId, TemplateInfo } from './core/types';
import { KINDS, PROVIDERS } from './core/types';
import type { ConnectionSpec } from './providers/registry';
import { CAPABILITIES, NORMALIZERS, createProvider } from './providers/registry';
import type { Sandbox } from './sandbox';
import { startSandbox } from './sandbox';

const USAGE = `Usage:
  waba-analytics normalize --provider meta|vonage --kind messaging|conversation|pricing|template [FILE|-]
  waba-analytics query <kind> --provider P --waba ID --from YYYY-MM-DD --to YYYY-MM-DD
      [--granularity HALF_HOUR|DAILY|MONTHLY] [--dimensions A,B] [--templates ID,ID]
      [--phone-numbers N,N] [--countries US,BR] [--product-types 0,2] [--metrics COST,VOLUME]
      [--pricing-types T,T] [--pricing-categories C,C] [--tiers 0:100000,0:MAX]
      [--conversation-categories C,C] [--conversation-types T,T] [--conversation-directions D,D]
      [--product-type CLOUD_API] [--waba-timezone] [--query-file FILE.waba-query.json]
      [--sandbox] [--format json|csv] [--out FILE] [--force]
  waba-analytics wabas|templates|phones --provider P [--waba ID] [--sandbox]
  waba-analytics sandbox [--port N]

Credentials come from the environment: WABA_META_TOKEN; VONAGE_API_KEY, VONAGE_API_SECRET,
optionally VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY (PEM text or a file path).
WABA_META_BASE_URL, WABA_META_API_VERSION and VONAGE_BASE_URL override the providers' addresses.
--sandbox runs against an in-process demo API with its demo credentials.`;

class UsageError extends Error {}

const OPTIONS = {
  provider: { type: 'string' },
  kind: { type: 'string' },
  waba: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  granularity: { type: 'string' },
  dimensions: { type: 'string' },
  templates: { type: 'string' },
  'phone-numbers': { type: 'string' },
  countries: { type: 'string' },
  'country-codes': { type: 'string' },
  'product-types': { type: 'string' },
  metrics: { type: 'string' },
  'metric-types': { type: 'string' },
  'pricing-types': { type: 'string' },
  'pricing-categories': { type: 'string' },
  tiers: { type: 'string' },
  'conversation-categories': { type: 'string' },
  'conversation-types': { type: 'string' },
  'conversation-directions': { type: 'string' },
  'product-type': { type: 'string' },
  'waba-timezone': { type: 'boolean' },
  'query-file': { type: 'string' },
  sandbox: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  port: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCli>['values'];

function parseCli(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function providerOf(values: Values): ProviderId {
  const p = values.provider;
  if (!p) throw new UsageError('--provider is required (meta or vonage)');
  if (!(PROVIDERS as readonly string[]).includes(p)) throw new UsageError(`--provider must be meta or vonage, not "${p}"`);
  return p as ProviderId;
}

function env(name: string): string | undefined {
  const v = process.env[name];
  return v && v.trim() ? v.trim() : undefined;
}

function loadPrivateKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch {
    throw new WabaError('config', 'VONAGE_PRIVATE_KEY is neither a PEM key nor a readable file.', { hint: 'Set it to the key text or the path of the key file.' });
  }
}

function makeLogger(verbose: boolean | undefined): Logger {
  const write = (level: string) => (m: string) => {
    if (verbose) process.stderr.write(`[${level}] ${m}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

async function connect(provider: ProviderId, values: Values, cleanup: Array<() => Promise<void>>): Promise<Provider> {
  const logger = makeLogger(values.verbose);
  let sandbox: Sandbox | undefined;
  if (values.sandbox) {
    sandbox = await startSandbox();
    cleanup.push(() => sandbox!.close());
  }
  let spec: ConnectionSpec;
  if (provider === 'meta') {
    const accessToken = sandbox ? sandbox.credentials.metaToken : env('WABA_META_TOKEN');
    if (!accessToken) throw new WabaError('config', 'No Meta access token: set WABA_META_TOKEN (or use --sandbox).');
    registerSecret(accessToken);
    spec = {
      provider,
      credentials: { accessToken },
      config: { baseUrl: sandbox ? sandbox.metaBaseUrl : env('WABA_META_BASE_URL'), apiVersion: env('WABA_META_API_VERSION'), logger },
    };
  } else {
    const apiKey = sandbox ? sandbox.credentials.vonageApiKey : env('VONAGE_API_KEY');
    const apiSecret = sandbox ? sandbox.credentials.vonageApiSecret : env('VONAGE_API_SECRET');
    if (!apiKey || !apiSecret) throw new WabaError('config', 'No Vonage credentials: set VONAGE_API_KEY and VONAGE_API_SECRET (or use --sandbox).');
    const applicationId = sandbox ? sandbox.credentials.vonageApplicationId : env('VONAGE_APPLICATION_ID');
    const privateKey = sandbox ? sandbox.credentials.vonagePrivateKey : loadPrivateKey(env('VONAGE_PRIVATE_KEY'));
    registerSecret(apiSecret);
    registerSecret(privateKey);
    spec = {
      provider,
      credentials: { apiKey, apiSecret, applicationId, privateKey },
      config: { baseUrl: sandbox ? sandbox.vonageBaseUrl : env('VONAGE_BASE_URL'), logger },
    };
  }
  return createProvider(spec);
}

async function buildQuery(kind: string | undefined, values: Values): Promise<QueryInput> {
  let fromFile: Record<string, unknown> = {};
  if (values['query-file']) {
    try {
      const parsed: unknown = JSON.parse(await readFile(values['query-file'], 'utf8'));
      if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object');
      const q = (parsed as { query?: unknown }).query ?? parsed;
      fromFile = { ...(q as Record<string, unknown>) };
    } catch (e) {
      throw new WabaError('input', `Could not read the query file ${values['query-file']}: ${(e as Error).message}`);
    }
  }
  const k = kind ?? (fromFile.kind as string | undefined);
  if (!k) throw new UsageError(`query needs a kind: ${KINDS.join(', ')}`);
  if (!(KINDS as readonly string[]).includes(k)) throw new UsageError(`unknown query kind "${k}" (expected ${KINDS.join(', ')})`);
  const q: Record<string, unknown> = { ...fromFile, kind: k as Kind };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) q[key] = value;
  };
  set('provider', values.provider);
  set('wabaId', values.waba);
  set('from', values.from);
  set('to', values.to);
  set('granularity', values.granularity?.toUpperCase());
  set('dimensions', list(values.dimensions));
  set('templateIds', list(values.templates));
  set('phoneNumbers', list(values['phone-numbers']));
  set('countryCodes', list(values.countries ?? values['country-codes']));
  const pt = list(values['product-types']);
  set('productTypes', pt?.map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
  set('metricTypes', list(values.metrics ?? values['metric-types']));
  set('pricingTypes', list(values['pricing-types']));
  set('pricingCategories', list(values['pricing-categories']));
  set('tiers', list(values.tiers));
  set('conversationCategories', list(values['conversation-categories']));
  set('conversationTypes', list(values['conversation-types']));
  set('conversationDirections', list(values['conversation-directions']));
  set('productType', values['product-type']?.toUpperCase());
  if (values['waba-timezone']) q.useWabaTimezone = true;
  for (const [flag, key] of [
    ['--provider', 'provider'],
    ['--waba', 'wabaId'],
    ['--from', 'from'],
    ['--to', 'to'],
  ] as const) {
    if (q[key] === undefined) throw new UsageError(`query needs ${flag}`);
  }
  if (k === 'template' && q.templateIds === undefined) throw new UsageError('template queries need --templates ID,ID');
  return q as QueryInput;
}

async function emit(text: string, values: Values): Promise<void> {
  if (values.out) {
    await writeFileAtomic(path.resolve(values.out), text, { overwrite: Boolean(values.force) });
    process.stderr.write(`Wrote ${values.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

async function allTemplates(p: Provider, wabaId: string): Promise<TemplateInfo[]> {
  const out: TemplateInfo[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await p.listTemplates(wabaId, { cursor });
    out.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return out;
}

async function runSandbox(values: Values): Promise<void> {
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${values.port}"`);
  const sb = await startSandbox({ port });
  const dir = await mkdtemp(path.join(tmpdir(), 'waba-sandbox-'));
  const keyFile = path.join(dir, 'demo-private.key');
  await writeFile(keyFile, sb.credentials.vonagePrivateKey, { mode: 0o600 });
  process.stdout.write(
    [
      `WABA Analytics sandbox listening on ${sb.url} (demo data, demo credentials only)`,
      `export WABA_META_BASE_URL=${sb.metaBaseUrl}`,
      `export WABA_META_TOKEN=${sb.credentials.metaToken}`,
      `export VONAGE_BASE_URL=${sb.vonageBaseUrl}`,
      `export VONAGE_API_KEY=${sb.credentials.vonageApiKey}`,
      `export VONAGE_API_SECRET=${sb.credentials.vonageApiSecret}`,
      `export VONAGE_APPLICATION_ID=${sb.credentials.vonageApplicationId}`,
      `export VONAGE_PRIVATE_KEY=${keyFile}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sb.close();
}

export async function main(argv: string[]): Promise<number> {
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const { values, positionals } = parseCli(argv);
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      process.stdout.write(USAGE + '\n');
      return command || values.help ? 0 : 2;
    }
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, not "${format}"`);
    switch (command) {
      case 'normalize': {
        const provider = providerOf(values);
        const kind = values.kind;
        if (!kind || !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
        if (rest.length > 1) throw new UsageError('normalize takes one FILE (or - for standard input)');
        const file = rest[0] ?? '-';
        let text: string;
        try {
          text = file === '-' ? readFileSync(0, 'utf8') : await readFile(file, 'utf8');
        } catch (e) {
          throw new WabaError('input', `Could not read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new WabaError('input', `${file === '-' ? 'Standard input' : file} is not valid JSON (${(e as Error).message})`, {
            hint: 'Pass one raw API response body.',
          });
        }
        const { result } = NORMALIZERS[provider](body, { kind: kind as Kind, endpoint: kind });
        await emit(format === 'csv' ? toCsv(result) : JSON.stringify(result, null, 2) + '\n', values);
        return 0;
      }
      case 'query': {
        if (rest.length > 1) throw new UsageError('query takes one kind');
        if (values.provider !== undefined) providerOf(values);
        const input = await buildQuery(rest[0], values);
        // Check the query before anything else: a wrong date is reported even without credentials.
        resolveQuery(input, CAPABILITIES[input.provider]);
        const provider = await connect(input.provider, values, cleanup);
        const controller = new AbortController();
        const onSig = () => controller.abort();
        process.once('SIGINT', onSig);
        try {
          const run = await runQuery(provider, input, { signal: controller.signal });
          await emit(format === 'csv' ? toCsv(run.result) : JSON.stringify(run.result, null, 2) + '\n', values);
          for (const w of run.result.warnings) process.stderr.write(`warning: ${w}\n`);
        } finally {
          process.removeListener('SIGINT', onSig);
        }
        return 0;
      }
      case 'wabas':
      case 'templates':
      case 'phones': {
        if (rest.length) throw new UsageError(`${command} takes no positional argument`);
        const provider = await connect(providerOf(values), values, cleanup);
        let out: unknown;
        if (command === 'wabas') out = await provider.listWabas();
        else {
          if (!values.waba) throw new UsageError(`${command} needs --waba ID`);
          out = command === 'templates' ? await allTemplates(provider, values.waba) : await provider.listPhoneNumbers(values.waba);
        }
        if (format === 'csv') {
          const rows = out as Array<Record<string, unknown>>;
          const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
          const cell = (v: unknown) => {
            const s = v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
            return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
          };
          await emit([cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n', values);
        } else await emit(JSON.stringify(out, null, 2) + '\n', values);
        return 0;
      }
      case 'sandbox':
        await runSandbox(values);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`waba-analytics: ${e.message}\nRun waba-analytics --help for usage.\n`);
      return 2;
    }
    process.stderr.write(`waba-analytics: ${describeError(e).replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
