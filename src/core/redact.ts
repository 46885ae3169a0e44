/**
 * The one redaction function. Every error message and every log line passes through it.
 * Known secrets (registered by whoever holds them) are replaced, and so is anything that looks
 * like a credential: access_token query parameters, Authorization header values, Graph tokens,
 * JWTs and PEM private keys.
 */

const secrets = new Set<string>();

/** Remember a secret so that it is masked wherever it would appear. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) {
    secrets.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) secrets.add(encoded);
    const b64 = Buffer.from(value).toString('base64');
    if (b64.length >= 8) secrets.add(b64);
  }
}

export function forgetSecret(value: string | undefined | null): void {
  if (typeof value === 'string') {
    secrets.delete(value);
    secrets.delete(encodeURIComponent(value));
    secrets.delete(Buffer.from(value).toString('base64'));
  }
}

export const REDACTED = '[REDACTED]';

const patterns: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/([?&;]|\b)(access_token|input_token|api_secret|client_secret|appsecret_proof|token|password)=([^&\s"'#]+)/gi, `$1$2=${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  [/\bEAA[A-Za-z0-9]{16,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

export function redact(text: string): string {
  let out = String(text);
  // Longest first, so that a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  for (const [re, rep] of patterns) out = out.replace(re, rep);
  return out;
}

/** A URL made safe to show or log: secret query parameters removed, userinfo dropped. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/^(access_token|input_token|api_secret|client_secret|appsecret_proof|token)$/i.test(key)) {
        u.searchParams.set(key, REDACTED);
      }
    }
    return redact(u.toString());
  } catch {
    return redact(url);
  }
}
