/**
 * waba-analytics: the command-line front of the core. Same providers, same normalized result.
 * Exit 0 on success, 1 on an API, validation or input error, 2 on a usage error; one line on
 * stderr for every error, never a stack trace, never a secret.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkCredential, readPrivateKeyFile } from './core/credentials';
import { csvCell, toCsv } from './core/csv';
import { WabaError, describeError } from './core/errors';
import { collectTemplates } from './core/listing';
import type { Warning } from './core/warnings';
import { warningLine } from './core/warnings';
import { checkAnswer } from './core/answerChecks';
import { describeIoError, fileDescriptorOf, planWrite, writeFileAtomic } from './core/files';
import type { CredentialField, Provider, ProviderConfig } from './core/provider';
import type { QueryInput } from './core/query';
import { QUERY_KEYS, resolveQuery, resolveRelativeRange, savedQueryOf } from './core/query';
import type { RelativeRange } from './core/vocabulary';
import { FILTERS, RELATIVE_RANGES, filterValues } from './core/vocabulary';
import { registerSecret } from './core/redact';
import { runQuery } from './core/run';
import type { Kind, Logger, ProviderId } from './core/types';
import { KINDS, PROVIDERS } from './core/types';
import { allProviderDescriptors, connectionSpec, credentialWhat, providerDescriptor, sandboxConnection } from './providers/descriptors';
import { CAPABILITIES, NORMALIZERS, createProvider } from './providers/registry';
import type { Sandbox } from './sandbox';
import { startSandbox } from './sandbox';
import { syncCommand } from './archive/cliSync';
import { answerWithArchive, describeSources } from './archive/answer';

/**
 * Tests and demos of the history archive: WABA_SANDBOX_NOW (an ISO time) stops the clock of
 * --sandbox there, and the command's own clock with it. Ignored without --sandbox.
 */
function sandboxNow(values: { sandbox?: boolean }): number | undefined {
  const text = values.sandbox ? process.env.WABA_SANDBOX_NOW : undefined;
  if (!text) return undefined;
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw new UsageError(`WABA_SANDBOX_NOW must be an ISO time, not "${text}"`);
  return t;
}

/** The filter flags, from the one table of src/core/vocabulary.ts: flag, label, kinds, known values. */
function filterHelp(): string {
  const lines = FILTERS.map((f) => {
    const arg = f.valueType === 'boolean' ? '' : ` ${f.example}`;
    const aliases = f.flagAliases?.length ? ` (or ${f.flagAliases.join(', ')})` : '';
    const known = filterValues(f.key);
    const values = known.length ? `; one of ${known.map((v) => (f.numeric ? `${v.value} (${v.label})` : String(v.value))).join(', ')}` : '';
    return `  ${`${f.flag}${arg}`.padEnd(44)} ${f.label}${aliases}; ${f.kinds.join(', ')}; none: ${f.none}${values}`;
  });
  return `Filters of query (comma-separated; a value may also be written as its label, e.g. "Marketing"):\n${lines.join('\n')}`;
}

const USAGE = `Usage:
  waba-analytics normalize --provider meta|vonage --kind messaging|conversation|pricing|template|calls|template-groups|groups [FILE|-]
  waba-analytics query <kind> --provider P --waba ID (--from YYYY-MM-DD --to YYYY-MM-DD | --range ${RELATIVE_RANGES.join('|')})
      [--granularity HALF_HOUR|DAILY|MONTHLY] [FILTERS] [--compare] [--query-file FILE.waba-query.json]
      [--sandbox] [--format json|csv] [--out FILE] [--force] [--archive DIR]
  waba-analytics wabas|templates|phones --provider P [--waba ID] [--sandbox]
  waba-analytics sandbox [--port N]
  waba-analytics sync --provider P [--waba ID,ID] [--archive DIR] [--kinds K,K] [--since YYYY-MM-DD]
      [--through YYYY-MM-DD] [--sandbox]      keep every day in a Parquet archive (default ./waba-archive)
  query, wabas, templates, phones also take [--timeout SECONDS] [--retries N] (per request; default 30 and 4)
  --archive DIR answers DAILY/MONTHLY queries from the history archive where it holds the days (even
  beyond the API's lookback) and asks the API for the rest; stderr says which days came from where.
  --compare also fetches the previous period of the same length: JSON gains "previous", CSV a "period" column.

${filterHelp()}

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
  range: { type: 'string' },
  compare: { type: 'boolean' },
  'query-file': { type: 'string' },
  sandbox: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  port: { type: 'string' },
  verbose: { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // sync (src/archive)
  archive: { type: 'string' },
  kinds: { type: 'string' },
  since: { type: 'string' },
  through: { type: 'string' },
} as const;

/** The filter flags (and their other spellings), from the vocabulary's descriptors. */
const FILTER_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries(
  FILTERS.flatMap((f) => [f.flag, ...(f.flagAliases ?? [])].map((flag) => [flag.slice(2), { type: f.valueType === 'boolean' ? 'boolean' : 'string' }] as const)),
);

type Values = ReturnType<typeof parseCli>['values'];

function parseCli(argv: string[]) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...OPTIONS, ...FILTER_OPTIONS } as typeof OPTIONS, allowPositionals: true, strict: true });
    return parsed;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

/** A comma-separated flag; given but empty (`--countries ''`) is a usage error, never "no filter". */
function list(value: string | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UsageError(`${flag} is empty: give at least one value (A,B), or leave the flag out`);
  return items;
}

function providerOf(values: Values): ProviderId {
  const p = values.provider;
  if (!p) throw new UsageError(`--provider is required (${PROVIDERS.join(' or ')})`);
  if (!(PROVIDERS as readonly string[]).includes(p)) throw new UsageError(`--provider must be ${PROVIDERS.join(' or ')}, not "${p}"`);
  return p as ProviderId;
}

function env(name: string): string | undefined {
  const v = process.env[name];
  return v && v.trim() ? v.trim() : undefined;
}

/** A credential from the environment, refused with its own message when it holds a line break or another control character. */
function credential(name: string, what: string): string | undefined {
  const value = env(name);
  checkCredential(name, value, what);
  return value;
}

/** A key-file credential (VONAGE_PRIVATE_KEY): the PEM text, or the path of a regular key file of sane size (a FIFO is never waited on). */
function loadKeyFile(f: CredentialField): string | undefined {
  const value = env(f.env);
  if (!value || !f.keyFile) return value;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  return readPrivateKeyFile(value, f.env, f.keyFile);
}

function makeLogger(verbose: boolean | undefined): Logger {
  const write = (level: string) => (m: string) => {
    if (verbose) process.stderr.write(`[${level}] ${m}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** --timeout SECONDS (each request) and --retries N (after a transient failure), when given. */
function networkOptions(values: Values): { timeoutMs?: number; maxRetries?: number } {
  const out: { timeoutMs?: number; maxRetries?: number } = {};
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!values.timeout.trim() || !Number.isFinite(s) || s <= 0 || s > 3600) throw new UsageError(`--timeout must be a number of seconds (up to 3600), not "${values.timeout}"`);
    out.timeoutMs = Math.round(s * 1000);
  }
  if (values.retries !== undefined) {
    const n = Number(values.retries);
    if (!/^\d+$/.test(values.retries.trim()) || n > 10) throw new UsageError(`--retries must be a whole number from 0 to 10, not "${values.retries}"`);
    out.maxRetries = n;
  }
  return out;
}

async function connect(provider: ProviderId, values: Values, cleanup: Array<() => Promise<void>>): Promise<Provider> {
  const logger = makeLogger(values.verbose);
  let sandbox: Sandbox | undefined;
  if (values.sandbox) {
    const at = sandboxNow(values);
    sandbox = await startSandbox(at !== undefined ? { now: () => at } : {});
    cleanup.push(() => sandbox!.close());
  }
  // Every credential as the provider's registry entry names it: from the sandbox, or from its environment variable.
  const d = providerDescriptor(provider);
  const demo = sandbox && sandboxConnection(d, sandbox);
  const read = (f: CredentialField) => (demo ? demo.credentials[f.key] : f.keyFile ? loadKeyFile(f) : credential(f.env, credentialWhat(f).replace(/^The /, 'the ')));
  const credentials: Record<string, string | undefined> = {};
  const required = d.credentials.filter((f) => !f.optional);
  for (const f of required) credentials[f.key] = read(f);
  if (required.some((f) => !credentials[f.key])) {
    const what = required.length === 1 ? `${d.label} ${required[0]!.name}` : `${d.label} credentials`;
    throw new WabaError('config', `No ${what}: set ${required.map((f) => f.env).join(' and ')} (or use --sandbox).`);
  }
  for (const f of d.credentials.filter((x) => x.optional)) credentials[f.key] = read(f);
  for (const f of d.credentials) if (f.secret) registerSecret(credentials[f.key]);
  const config: ProviderConfig = { baseUrl: demo ? demo.baseUrl : env(d.env.baseUrl), logger, ...networkOptions(values) };
  if (d.env.apiVersion) config.apiVersion = env(d.env.apiVersion);
  return createProvider(connectionSpec(provider, credentials, config));
}

async function buildQuery(kind: string | undefined, values: Values): Promise<QueryInput> {
  let fromFile: Record<string, unknown> = {};
  const file = values['query-file'];
  if (file !== undefined) {
    if (!file) throw new UsageError('--query-file is empty: give the path of a .waba-query.json file');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new WabaError('input', `Could not read the query file ${file}: ${e instanceof SyntaxError ? e.message : describeIoError(e)}`);
    }
    // An unknown key, around the query or in it, is refused by name (never ignored).
    fromFile = savedQueryOf(parsed, `The query file ${file}`, { bare: true }).query;
  }
  const k = kind ?? (fromFile.kind as string | undefined);
  if (!k) throw new UsageError(`query needs a kind: ${KINDS.join(', ')}`);
  if (!(KINDS as readonly string[]).includes(k)) throw new UsageError(`unknown query kind "${k}" (expected ${KINDS.join(', ')})`);
  const q: Record<string, unknown> = { ...fromFile, kind: k as Kind };
  const accepted = QUERY_KEYS[k as Kind];
  // A flag the kind has no field for is refused, never dropped.
  const set = (key: string, value: unknown, flag: string) => {
    if (value === undefined) return;
    if (!accepted.includes(key)) throw new UsageError(`${flag} does not apply to ${k} queries`);
    q[key] = value;
  };
  set('provider', values.provider, '--provider');
  set('wabaId', values.waba, '--waba');
  if (values.range !== undefined) {
    if (!(RELATIVE_RANGES as readonly string[]).includes(values.range)) throw new UsageError(`--range must be one of ${RELATIVE_RANGES.join(', ')}, not "${values.range}"`);
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('--range and --from/--to exclude each other: give one');
    Object.assign(q, resolveRelativeRange(values.range as RelativeRange));
  }
  set('from', values.from, '--from');
  set('to', values.to, '--to');
  set('granularity', values.granularity?.toUpperCase(), '--granularity');
  // Every filter flag from the one table: its spelling, its key, its values (a label is taken for its value).
  const raw = values as Record<string, unknown>;
  for (const f of FILTERS) {
    const flag = [f.flag, ...(f.flagAliases ?? [])].find((fl) => raw[fl.slice(2)] !== undefined);
    if (!flag) continue;
    const given = raw[flag.slice(2)];
    if (f.valueType === 'boolean') {
      if (given) set(f.key, true, flag);
      continue;
    }
    const known = filterValues(f.key, k as Kind);
    const items = list(given as string, flag)!.map((item) => {
      const byLabel = known.find((v) => v.label.toLowerCase() === item.toLowerCase());
      const value = byLabel ? byLabel.value : item;
      return f.numeric && /^\d+$/.test(String(value)) ? Number(value) : f.valueType === 'choice' ? String(value).toUpperCase() : value;
    });
    if (f.valueType === 'choice') {
      if (items.length > 1) throw new UsageError(`${flag} takes one value`);
      set(f.key, items[0], flag);
    } else set(f.key, items, flag);
  }
  for (const [flag, key] of [
    ['--provider', 'provider'],
    ['--waba', 'wabaId'],
    ['--from', 'from'],
    ['--to', 'to'],
  ] as const) {
    if (q[key] === undefined) throw new UsageError(`query needs ${flag}`);
  }
  if (k === 'template' && q.templateIds === undefined) throw new UsageError('template queries need --templates ID,ID');
  if (k === 'template-groups' && q.templateGroupIds === undefined) throw new UsageError('template-groups queries need --template-groups ID,ID');
  if (k === 'groups' && q.groupIds === undefined) throw new UsageError('groups queries need --groups ID,ID');
  return q as QueryInput;
}

/** `--out ''`, `--out dir/` and `--out <an existing folder>` are usage errors, found before anything is sent. */
function checkOutFlag(out: string | undefined): void {
  if (out === undefined) return;
  if (!out.trim()) throw new UsageError('--out is empty: give the name of the file to write');
  const base = path.basename(out);
  let folder = /[/\\]$/.test(out) || base === '.' || base === '..';
  try {
    folder ||= statSync(out).isDirectory();
  } catch {
    // Not there yet: it will be created.
  }
  if (folder) throw new UsageError(`--out ${out} names a folder: give a file name, such as ${path.join(out, 'result.json')}`);
}

/** `--out` checked before the query runs: no API call is spent on an answer that could not be written. */
async function planOut(values: Values): Promise<void> {
  const out = values.out;
  if (out === undefined) return;
  const fd = fileDescriptorOf(out);
  if (fd === 1 || fd === 2) return;
  const target = await planWrite(out, { special: 'through' });
  if (target.mode === 'replace' && target.exists && !values.force) {
    throw new WabaError('input', `${out} already exists.`, { hint: 'Add --force to replace it, or choose another name.' });
  }
}

/** Write to standard output or error; a failure (closed pipe, full disk) is one WabaError, never an unhandled 'error' event. */
function writeStream(stream: NodeJS.WriteStream, text: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      const hint = code === 'EPIPE' ? 'The program reading the output stopped before the end.' : code === 'ENOSPC' || code === 'EDQUOT' ? 'Free some space, or write elsewhere with --out.' : undefined;
      reject(new WabaError('input', `Could not write to ${what}: ${describeIoError(e)}.`, { hint, cause: e }));
    };
    try {
      stream.write(text, (e) => (e ? fail(e) : resolve()));
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * The output: standard output, or `--out` (a regular file replaced atomically, only with --force;
 * /dev/null, /dev/stdout, a FIFO written through like a shell redirect; see core/files).
 */
async function emit(text: string, values: Values): Promise<void> {
  const out = values.out;
  const fd = out === undefined ? 1 : fileDescriptorOf(out);
  if (fd === 1 || fd === 2) return writeStream(fd === 1 ? process.stdout : process.stderr, text, fd === 1 ? 'standard output' : 'standard error');
  await planOut(values);
  const target = await writeFileAtomic(out!, text, { overwrite: Boolean(values.force), special: 'through' });
  if (target.mode === 'replace') process.stderr.write(`Wrote ${out}\n`);
}


async function runSandbox(values: Values): Promise<void> {
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${values.port}"`);
  const sb = await startSandbox({ port });
  const dir = await mkdtemp(path.join(tmpdir(), 'waba-sandbox-'));
  // Each provider's variables, as its registry entry names them; a key file is written beside, its path exported.
  const lines = [`WABA Analytics sandbox listening on ${sb.url} (demo data, demo credentials only)`];
  for (const d of allProviderDescriptors()) {
    const demo = sandboxConnection(d, sb);
    lines.push(`export ${d.env.baseUrl}=${demo.baseUrl}`);
    for (const f of d.credentials) {
      let value = demo.credentials[f.key]!;
      if (f.keyFile) {
        const keyFile = path.join(dir, `demo-${d.id}-${f.key}.key`);
        await writeFile(keyFile, value, { mode: 0o600 });
        value = keyFile;
      }
      lines.push(`export ${f.env}=${value}`);
    }
  }
  process.stdout.write([...lines, 'Press Ctrl+C to stop.', ''].join('\n'));
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
    checkOutFlag(values.out);
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
        // The same answer checks as a query (no asked range here: impossible values, repeats, credentials).
        const normalized = NORMALIZERS[provider](body, { kind: kind as Kind, endpoint: kind }).result;
        const result = checkAnswer(normalized, { granularity: normalized.granularity, kind: normalized.kind });
        await emit(format === 'csv' ? toCsv(result) : JSON.stringify(result, null, 2) + '\n', values);
        for (const w of result.warnings) process.stderr.write(`${warningLine(w)}\n`);
        return 0;
      }
      case 'query': {
        if (rest.length > 1) throw new UsageError('query takes one kind');
        if (values.provider !== undefined) providerOf(values);
        const input = await buildQuery(rest[0], values);
        const now = sandboxNow(values);
        // Check the query before anything else: a wrong date is reported even without credentials.
        // With --archive, days beyond the lookback may come from the archive (checked when answering).
        if (!values.archive) resolveQuery(input, CAPABILITIES[input.provider], now);
        await planOut(values);
        const provider = await connect(input.provider, values, cleanup);
        const controller = new AbortController();
        const onSig = () => controller.abort();
        process.once('SIGINT', onSig);
        try {
          const runOptions = { signal: controller.signal, compare: Boolean(values.compare), ...(now !== undefined ? { now } : {}) };
          const run = values.archive ? await answerWithArchive(provider, input, { ...runOptions, root: path.resolve(values.archive) }) : await runQuery(provider, input, runOptions);
          if (run.sources) process.stderr.write(`days: ${describeSources(run.sources, input.provider)}\n`);
          const previous = run.previous && run.previousRange ? { ...run.previousRange, result: run.previous } : undefined;
          const json = previous ? { ...run.result, previous } : run.result;
          await emit(format === 'csv' ? toCsv(run.result, previous?.result) : JSON.stringify(json, null, 2) + '\n', values);
          for (const w of run.result.warnings) process.stderr.write(`${warningLine(w)}\n`);
        } finally {
          process.removeListener('SIGINT', onSig);
        }
        return 0;
      }
      case 'wabas':
      case 'templates':
      case 'phones': {
        if (rest.length) throw new UsageError(`${command} takes no positional argument`);
        const providerId = providerOf(values);
        if (command !== 'wabas' && !values.waba) throw new UsageError(`${command} needs --waba ID`);
        await planOut(values);
        const provider = await connect(providerId, values, cleanup);
        // A listing that fails is an error (exit 1, one line), never an empty list; repeated ids
        // are shown once, with a warning on stderr.
        const onWarning = (w: Warning) => process.stderr.write(`${warningLine(w)}\n`);
        let out: unknown;
        if (command === 'wabas') out = await provider.listWabas(undefined, onWarning);
        else {
          if (!values.waba) throw new UsageError(`${command} needs --waba ID`);
          out = command === 'templates' ? await collectTemplates(provider, values.waba, { onWarning }) : await provider.listPhoneNumbers(values.waba, undefined, onWarning);
        }
        if (format === 'csv') {
          const rows = out as Array<Record<string, unknown>>;
          const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
          // The same cells as the query CSV: quoted when needed, formulas (= + - @ tab CR) made inert.
          await emit([cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n', values);
        } else await emit(JSON.stringify(out, null, 2) + '\n', values);
        return 0;
      }
      case 'sandbox':
        await runSandbox(values);
        return 0;
      case 'sync': {
        if (rest.length) throw new UsageError('sync takes no positional argument');
        const providerId = providerOf(values);
        const provider = await connect(providerId, values, cleanup);
        const controller = new AbortController();
        const onSig = () => controller.abort();
        process.once('SIGINT', onSig);
        try {
          const { report, code } = await syncCommand(provider, {
            wabas: list(values.waba, '--waba'),
            archive: values.archive,
            kinds: list(values.kinds, '--kinds'),
            since: values.since,
            through: values.through,
            signal: controller.signal,
            now: sandboxNow(values),
            log: (line) => process.stderr.write(`${line}\n`),
          });
          await emit(JSON.stringify({ requests: report.requests, kinds: report.kinds, problems: report.problems, warnings: report.warnings }, null, 2) + '\n', values);
          return code;
        } finally {
          process.removeListener('SIGINT', onSig);
        }
      }
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
  // A closed pipe or a full disk is reported by the write that failed (one line, exit 1); the
  // stream's 'error' event must not also end the process with a stack trace.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
