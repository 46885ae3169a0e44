/** What the dialect handlers share: the request as they see it, the reply they return, cursors and JSON splicing. */
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { SandboxDataImpl } from './data';
import type { SeriesCache } from './values';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface SandboxRequest {
  method: string;
  /** The path below the provider prefix (`/v25.0/123`, `/v1/channel-manager/whatsapp/wabas`). */
  path: string;
  /** The whole URL on the sandbox origin. */
  url: URL;
  query: URLSearchParams;
  /** A form-encoded body (POST), or empty. */
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The sandbox clock at arrival. */
  now: number;
}

export interface DialectContext {
  data: SandboxDataImpl;
  origin: string;
  metaFieldPageSize: number;
  metaEdgePageSize: number;
  metaTemplateLimitMax: number;
  vonagePageSize: number;
  metaToken: string;
  vonageApiKey: string;
  vonageApiSecret: string;
  vonageApplicationId: string;
  vonagePublicKey: KeyObject;
  /** Series of recent queries (pages of one query share it). */
  series: SeriesCache;
  /** A fresh trace id (Meta fbtrace_id). */
  trace(): string;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json; charset=UTF-8'): Reply {
  return { status, headers: { 'content-type': contentType, ...headers }, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) };
}

/** Opaque cursors: base64url of a short text. */
export function encodeCursor(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[\w.-]+:\d+$/.test(text) ? text : undefined;
}

/** `prefix:offset` cursor -> offset (undefined when malformed or for another prefix). */
export function cursorOffset(cursor: string, prefix: string): number | undefined {
  const text = decodeCursor(cursor);
  if (!text) return undefined;
  const i = text.lastIndexOf(':');
  if (text.slice(0, i) !== prefix) return undefined;
  return Number(text.slice(i + 1));
}

/** The absolute URL of a request with some query parameters replaced (undefined deletes). */
export function linkWith(req: SandboxRequest, origin: string, changes: Record<string, string | undefined>): string {
  const u = new URL(req.url.pathname + req.url.search, origin);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) u.searchParams.delete(k);
    else u.searchParams.set(k, v);
  }
  return u.toString();
}

/**
 * JSON with some values spliced in raw: build the body with `raw.slot(bytes)` placeholders, then
 * `raw.toBuffer(body)` replaces each placeholder by its bytes (already valid JSON).
 */
export class RawJson {
  private readonly parts: Buffer[] = [];
  private readonly tag = `@@raw${Math.random().toString(36).slice(2)}@@`;
  slot(bytes: Buffer | string): string {
    this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    return `${this.tag}${this.parts.length - 1}`;
  }
  toBuffer(body: unknown): Buffer {
    const s = JSON.stringify(body);
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const i = s.indexOf(`"${this.tag}`, at);
      if (i < 0) break;
      const close = s.indexOf('"', i + 1);
      out.push(Buffer.from(s.slice(at, i), 'utf8'), this.parts[Number(s.slice(i + 1 + this.tag.length, close))]!);
      at = close + 1;
    }
    out.push(Buffer.from(s.slice(at), 'utf8'));
    return Buffer.concat(out);
  }
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** All values of a query parameter, also under `name[]`. */
export function allParams(q: URLSearchParams, name: string): string[] {
  return [...q.getAll(name), ...q.getAll(`${name}[]`)];
}
