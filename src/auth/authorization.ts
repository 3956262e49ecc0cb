/**
 * The authorization code grant's three steps as plain functions, not tied to how the browser
 * comes back (the loopback listener of `mmt-sync login` today; a local web page later):
 * build the authorize URL, judge the callback (iss, state, error, code), exchange the code.
 */
import { MmtError, failure, usageError } from '../errors.js';
import { oneLine } from '../http/reply.js';
import { registerSecret } from '../redact.js';
import type { OAuthEndpoints } from './endpoints.js';
import { exchangeCode } from './oauth-client.js';
import { createPkcePair, randomState } from './pkce.js';
import type { StoredTokens } from './tokens.js';

/** One authorization in flight: what the callback is checked against. Keep it server-side. */
export interface PendingAuthorization {
  readonly url: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeVerifier: string;
}

/** The authorization response's parameters (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207 `iss`). */
export interface CallbackParams {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly errorDescription?: string;
  readonly iss?: string;
}

/**
 * The contract's authorize URL. The documentation misspells two parameters, so both
 * spellings go out; PKCE is harmless where the server ignores it; `scope` only when set.
 */
export function buildAuthorizeUrl(endpoints: OAuthEndpoints, redirectUri: string, state: string, challenge: string): string {
  const url = new URL(endpoints.authorizeUrl);
  const params: Array<[string, string]> = [
    ['client_id', endpoints.clientId],
    ['redirect_uri', redirectUri],
    ['redirect_url', redirectUri],
    ['response_type', 'code'],
    ['reponse_type', 'code'],
    ...(endpoints.scope ? ([['scope', endpoints.scope]] as Array<[string, string]>) : []),
    ['state', state],
    ['code_challenge', challenge],
    ['code_challenge_method', 'S256'],
  ];
  for (const [key, value] of params) url.searchParams.set(key, value);
  return url.toString();
}

export function beginAuthorization(endpoints: OAuthEndpoints, redirectUri: string): PendingAuthorization {
  const state = randomState();
  const pkce = createPkcePair();
  registerSecret(pkce.verifier);
  return { url: buildAuthorizeUrl(endpoints, redirectUri, state, pkce.challenge), redirectUri, state, codeVerifier: pkce.verifier };
}

export function callbackParams(search: URLSearchParams): CallbackParams {
  const found: Record<string, string> = {};
  for (const [key, name] of [
    ['code', 'code'],
    ['state', 'state'],
    ['error', 'error'],
    ['errorDescription', 'error_description'],
    ['iss', 'iss'],
  ] as const) {
    const value = search.get(name);
    if (value !== null) found[key] = value;
  }
  if (found.code) registerSecret(found.code);
  return found;
}

/** RFC 6749 §4.1.2.1 errors that mean our request or settings are wrong, not the user's choice. */
const SETTINGS_ERRORS = new Set(['invalid_request', 'unauthorized_client', 'unsupported_response_type', 'invalid_scope']);

function refusal(endpoints: OAuthEndpoints, error: string, description: string | undefined): MmtError {
  const said = description ? ` (${oneLine(description, 200)})` : '';
  if (error === 'access_denied') {
    // oidc-provider, for one, answers access_denied when nothing was granted because no scope was asked for.
    const hint = endpoints.scope ? '' : '; if you approved, the server may need a scope: set api.scope';
    return new MmtError('login', 'LOGIN_DENIED', `login failed: access was denied in the browser${said}${hint}`);
  }
  const what = `login failed: the server answered ${oneLine(error, 60)}${said}`;
  if (error === 'invalid_scope') return usageError('LOGIN_REFUSED', `${what}: set api.scope to the scope(s) it expects`);
  if (SETTINGS_ERRORS.has(error)) return usageError('LOGIN_REFUSED', `${what}: check api.clientId, api.scope and api.paths.authorize`);
  return failure('LOGIN_REFUSED', what);
}

/**
 * The authorization code of a callback, or a typed error saying why not. RFC 9207 first: when
 * an issuer is expected, a response without it or from another one is refused before anything
 * in it is believed. A code needs our state; an error with a foreign state is not reported as
 * the server's word either.
 */
export function codeFromCallback(endpoints: OAuthEndpoints, pending: PendingAuthorization, params: CallbackParams): string {
  if (endpoints.issuer && params.iss !== endpoints.issuer) {
    const got = params.iss === undefined ? 'carried no iss' : `came from issuer "${oneLine(params.iss, 120)}"`;
    throw new MmtError(
      'login',
      'LOGIN_ISSUER_MISMATCH',
      `login failed: the authorization response ${got}, but api.issuer is "${endpoints.issuer}" (RFC 9207: a mix-up or a forged response); nothing was stored`,
    );
  }
  const stateMatches = params.state !== undefined && params.state === pending.state;
  if (params.error && (stateMatches || params.state === undefined)) throw refusal(endpoints, params.error, params.errorDescription);
  if (!stateMatches) {
    throw new MmtError('login', 'LOGIN_STATE_MISMATCH', 'login failed: the callback did not carry the state we sent (a stale or forged request); run `mmt-sync login` again');
  }
  if (!params.code) throw new MmtError('login', 'LOGIN_NO_CODE', 'login failed: the callback carried no authorization code');
  return params.code;
}

/** Judges the callback and exchanges its code for tokens (nothing is stored here). */
export function completeAuthorization(
  endpoints: OAuthEndpoints,
  pending: PendingAuthorization,
  params: CallbackParams,
  signal?: AbortSignal,
): Promise<StoredTokens> {
  const code = codeFromCallback(endpoints, pending, params);
  return exchangeCode(endpoints, { code, redirectUri: pending.redirectUri, codeVerifier: pending.codeVerifier }, signal);
}
