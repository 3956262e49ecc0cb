import { MmtError, failure } from '../errors.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../redact.js';
import type { OAuthEndpoints } from './endpoints.js';
import { LoopbackCallback } from './loopback-callback.js';
import { assertClientConfigured, exchangeCode } from './oauth-client.js';
import { createPkcePair, randomState } from './pkce.js';
import type { TokenStore } from './token-store.js';
import type { StoredTokens } from './tokens.js';

export interface LoginOptions {
  readonly endpoints: OAuthEndpoints;
  readonly store: TokenStore;
  readonly timeoutMs: number;
  /** Shows the authorize URL to the user: opens a browser, or prints it. */
  readonly presentUrl: (url: string) => Promise<void>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/**
 * The contract's authorize URL. The documentation misspells two parameters, so both
 * spellings go out; PKCE is harmless where the server ignores it.
 */
export function buildAuthorizeUrl(endpoints: OAuthEndpoints, redirectUri: string, state: string, challenge: string): string {
  const url = new URL(endpoints.authorizeUrl);
  const params: Array<[string, string]> = [
    ['client_id', endpoints.clientId],
    ['redirect_uri', redirectUri],
    ['redirect_url', redirectUri],
    ['response_type', 'code'],
    ['reponse_type', 'code'],
    ['state', state],
    ['code_challenge', challenge],
    ['code_challenge_method', 'S256'],
  ];
  for (const [key, value] of params) url.searchParams.set(key, value);
  return url.toString();
}

function abortable<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(failure('LOGIN_TIMEOUT', `no answer from the browser within ${Math.round(timeoutMs / 1000)} s; run \`mmt-sync login\` again`)),
      timeoutMs,
    );
    const onAbort = () => reject(new MmtError('failed', 'LOGIN_CANCELLED', 'login cancelled'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/** Authorization code grant with PKCE through a loopback redirect; stores the tokens. */
export async function login(options: LoginOptions): Promise<StoredTokens> {
  const { endpoints, store, log } = options;
  assertClientConfigured(endpoints);
  const callback = await LoopbackCallback.start();
  try {
    const state = randomState();
    const pkce = createPkcePair();
    registerSecret(pkce.verifier);
    await options.presentUrl(buildAuthorizeUrl(endpoints, callback.redirectUri, state, pkce.challenge));
    log.debug('waiting for the authorization callback', { redirectUri: callback.redirectUri });
    const result = await abortable(callback.wait(), options.timeoutMs, options.signal);
    if (result.code) registerSecret(result.code);
    if (result.error) {
      const reason = result.error === 'access_denied' ? 'access was denied in the browser' : `the server answered ${result.error}`;
      throw new MmtError('login', 'LOGIN_DENIED', `login failed: ${reason}${result.errorDescription ? ` (${result.errorDescription})` : ''}`);
    }
    if (!result.state || result.state !== state) {
      throw new MmtError('login', 'LOGIN_STATE_MISMATCH', 'login failed: the callback did not carry the state we sent (a stale or forged request); run `mmt-sync login` again');
    }
    if (!result.code) throw new MmtError('login', 'LOGIN_NO_CODE', 'login failed: the callback carried no authorization code');
    const tokens = await exchangeCode(endpoints, { code: result.code, redirectUri: callback.redirectUri, codeVerifier: pkce.verifier });
    await store.write(tokens);
    return tokens;
  } finally {
    callback.close();
  }
}
