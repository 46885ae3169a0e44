/** What the dialect handlers share: the request as they see it, the reply they return, cursors and JSON splicing. */
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { SandboxDataImpl } from './data';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
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
  vonagePageSize: number;
  metaToken: string;
  vonageApiKey: string;
  vonageApiSecret: string;
  vonageApplicationId: string;
  vonagePublicKey: KeyObject;
  /** A fresh trace id (Meta fbtrace_id). */
  trace(): string;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json; charset=UTF-8'): Reply {
  return { status, headers: { 'content-type': contentType, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
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
 * JSON with some values spliced in raw: build the body with `raw.slot(text)` placeholders,
 * then `raw.stringify(body)` replaces each placeholder by its text (already valid JSON).
 */
export class RawJson {
  private readonly parts: string[] = [];
  private readonly tag = `@@raw${Math.random().toString(36).slice(2)}@@`;
  slot(text: string): string {
    this.parts.push(text);
    return `${this.tag}${this.parts.length - 1}`;
  }
  stringify(body: unknown): string {
    const s = JSON.stringify(body);
    if (!this.parts.length) return s;
    const re = new RegExp(`"${this.tag}(\\d+)"`, 'g');
    return s.replace(re, (_m, i: string) => this.parts[Number(i)]!);
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
