/**
 * The Graph API `fields` syntax, as the sandbox reads it: a comma-separated list of fields, each
 * with optional dot-chained modifiers (`pricing_analytics.start(1).end(2).dimensions(["COUNTRY"])`)
 * and an optional `{sub,fields}` block. Whitespace and line breaks are ignored outside values,
 * array items may be quoted or not (`[CONVERSATION_TYPE]`, `["A","B"]`, `['A']`, typographic quotes),
 * and a quoted item holding commas (`"COUNTRY,PHONE"`) counts as several items.
 */

export type ModifierValue = string | string[];

export interface FieldSpec {
  name: string;
  /** Modifier name -> value (a string, or the items of an array argument). */
  modifiers: Map<string, ModifierValue>;
  /** The text inside `{...}` after the field, if any (not interpreted). */
  subfields?: string;
}

export class FieldsSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FieldsSyntaxError';
  }
}

const QUOTES = new Set(['"', "'", '\u201c', '\u201d', '\u2018', '\u2019']);
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

/** Parse a whole `fields` value (already URL-decoded). */
export function parseFields(text: string): FieldSpec[] {
  const s = text;
  let pos = 0;
  const fields: FieldSpec[] = [];

  const skipWs = () => {
    while (pos < s.length && /\s/.test(s[pos]!)) pos++;
  };
  const fail = (what: string): never => {
    const near = s.slice(Math.max(0, pos - 10), pos + 10);
    throw new FieldsSyntaxError(`Syntax error "${what}" at character ${pos}: ${near}`, pos);
  };
  const readIdent = (): string => {
    const from = pos;
    while (pos < s.length && isIdentChar(s[pos]!)) pos++;
    return s.slice(from, pos);
  };
  /** Read from an opening bracket to its match; return the inner text. */
  const readBalanced = (): string => {
    const open = s[pos]!;
    const stack = [OPEN[open]!];
    const from = ++pos;
    let quote = false;
    while (pos < s.length) {
      const c = s[pos]!;
      if (quote) {
        // Values hold no quotes, so any quote mark closes (tolerates “mixed" quotes).
        if (QUOTES.has(c)) quote = false;
      } else if (QUOTES.has(c)) {
        quote = true;
      } else if (OPEN[c]) {
        stack.push(OPEN[c]!);
      } else if (c === stack[stack.length - 1]) {
        stack.pop();
        if (stack.length === 0) {
          pos++;
          return s.slice(from, pos - 1);
        }
      } else if (c === ')' || c === ']' || c === '}') {
        fail(`Unexpected "${c}"`);
      }
      pos++;
    }
    return fail(`Expected "${stack[stack.length - 1]}" before the end`);
  };

  skipWs();
  if (pos >= s.length) return fields;
  for (;;) {
    skipWs();
    const name = readIdent();
    if (!name) fail(s[pos] === undefined ? 'Expected a field name before the end' : `Expected a field name instead of "${s[pos]}"`);
    const spec: FieldSpec = { name, modifiers: new Map() };
    for (;;) {
      skipWs();
      const c = s[pos];
      if (c === '.') {
        pos++;
        skipWs();
        const mod = readIdent();
        if (!mod) fail('Expected a modifier name after "."');
        skipWs();
        if (s[pos] !== '(') fail(`Expected "(" after .${mod}`);
        spec.modifiers.set(mod, parseModifierValue(readBalanced()));
      } else if (c === '{') {
        spec.subfields = readBalanced().trim();
      } else {
        break;
      }
    }
    fields.push(spec);
    skipWs();
    if (pos >= s.length) break;
    if (s[pos] !== ',') fail(`Expected "," or the end instead of "${s[pos]}"`);
    pos++;
  }
  return fields;
}

function stripQuotes(text: string): string {
  let out = '';
  for (const c of text) if (!QUOTES.has(c)) out += c;
  return out.trim();
}

/** `[..]` becomes the list of its items (quotes removed, commas inside quotes split too); anything else a string. */
export function parseModifierValue(raw: string): ModifierValue {
  const t = raw.trim();
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new FieldsSyntaxError(`Syntax error "Expected ] at the end of ${t}"`, 0);
    return stripQuotes(t.slice(1, -1))
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
  return stripQuotes(t);
}

/**
 * A list given in a query parameter: repeated values, `a,b`, `[a,b]`, `["a","b"]`; items trimmed,
 * quotes removed, empties dropped.
 */
export function parseListParam(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = v.trim();
    const inner = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
    for (const item of stripQuotes(inner).split(',')) {
      const x = item.trim();
      if (x) out.push(x);
    }
  }
  return out;
}
