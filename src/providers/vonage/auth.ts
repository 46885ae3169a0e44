/**
 * Vonage authentication. One rule: a JWT (RS256, made by `@vonage/jwt` from the application id and
 * private key) when both are configured, otherwise Basic `api_key:api_secret`. Never both headers.
 * The template-management API (v2) accepts only the JWT, so without one templates come from the
 * ids given by hand.
 */
import type * as VonageJwt from '@vonage/jwt';
import { WabaError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import type { VonageCredentials } from '../../core/provider';

export type VonageAuthMode = 'jwt' | 'basic' | 'none';

export interface VonageAuthOptions {
  /** JWT lifetime in seconds (default 900). */
  ttlSeconds?: number;
  /** Renew the JWT when fewer than this many seconds are left (default 60). */
  renewBeforeSeconds?: number;
  /** Clock in ms (default Date.now). The JWT library also reads the real clock, so keep it real outside tests. */
  now?: () => number;
}

export interface VonageAuth {
  readonly mode: VonageAuthMode;
  /** True when the JWT can be made (the v2 template API is usable). */
  readonly hasJwt: boolean;
  /** The Authorization header value; throws a config error when no credentials are set. */
  header(): string;
}

/** A private key pasted with literal `\n` (as env variables often hold it) becomes a real PEM. */
export function normalizePrivateKey(key: string): string {
  const trimmed = key.trim();
  return !trimmed.includes('\n') && trimmed.includes('\\n') ? trimmed.replace(/\\n/g, '\n') : trimmed;
}

function nonEmpty(s: string | undefined): s is string {
  return typeof s === 'string' && s.trim() !== '';
}

export function basicHeader(apiKey: string, apiSecret: string): string {
  return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`, 'utf8').toString('base64')}`;
}

export function createVonageAuth(credentials: VonageCredentials, options: VonageAuthOptions = {}): VonageAuth {
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? 900;
  const renewBefore = Math.min(options.renewBeforeSeconds ?? 60, Math.floor(ttl / 2));
  const apiKey = credentials.apiKey?.trim() ?? '';
  const apiSecret = credentials.apiSecret ?? '';
  const applicationId = credentials.applicationId?.trim() ?? '';
  const privateKey = nonEmpty(credentials.privateKey) ? normalizePrivateKey(credentials.privateKey) : '';

  registerSecret(credentials.apiSecret);
  registerSecret(credentials.privateKey);
  registerSecret(privateKey);
  if (nonEmpty(apiKey) && nonEmpty(apiSecret)) registerSecret(`${apiKey}:${apiSecret}`);

  const mode: VonageAuthMode = nonEmpty(applicationId) && nonEmpty(privateKey) ? 'jwt' : nonEmpty(apiKey) && nonEmpty(apiSecret) ? 'basic' : 'none';
  let cached: { token: string; exp: number } | undefined;

  const makeJwt = (): string => {
    const nowSec = Math.floor(now() / 1000);
    if (cached && nowSec < cached.exp - renewBefore) return cached.token;
    const exp = nowSec + ttl;
    // @vonage/jwt (jsonwebtoken, semver...) is loaded with the first JWT, not with the core: only
    // connections with an application id and private key need it (dist/vendor/jwt.js in the extension).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use on purpose (start-up time)
    const { tokenGenerate } = require('@vonage/jwt') as typeof VonageJwt;
    let token: string;
    try {
      // issued_at pins `iat` to our clock (the library would read its own, a second later under load).
      token = tokenGenerate(applicationId, privateKey, { exp, issued_at: nowSec });
    } catch {
      // The library's message may quote the key: say what is wrong without it.
      throw new WabaError('config', 'The Vonage private key could not sign a JWT.', {
        provider: 'vonage',
        hint: `Paste the whole PEM private key of application ${applicationId} (all of it, the BEGIN and END lines included) in the connection settings.`,
      });
    }
    cached = { token, exp };
    return token;
  };

  return {
    mode,
    hasJwt: mode === 'jwt',
    header(): string {
      if (mode === 'jwt') return `Bearer ${makeJwt()}`;
      if (mode === 'basic') return basicHeader(apiKey, apiSecret);
      const partial = nonEmpty(applicationId) !== nonEmpty(privateKey);
      throw new WabaError('config', 'No Vonage credentials are set.', {
        provider: 'vonage',
        hint: partial
          ? `Set the ${nonEmpty(applicationId) ? 'private key' : 'application id'} too, or the API key and secret, in the connection settings.`
          : 'Set the API key and secret (or the application id and private key) in the connection settings.',
      });
    },
  };
}
