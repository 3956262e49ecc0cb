import { MmtError, failure } from '../errors.js';
import type { Logger } from '../log.js';
import { beginAuthorization, callbackParams, completeAuthorization } from './authorization.js';
import type { OAuthEndpoints } from './endpoints.js';
import { LoopbackCallback, type CallbackOutcome } from './loopback-callback.js';
import { clientSecretOf } from './oauth-client.js';
import type { TokenStore } from './token-store.js';
import type { StoredTokens } from './tokens.js';

export interface LoginOptions {
  readonly endpoints: OAuthEndpoints;
  readonly store: TokenStore;
  readonly timeoutMs: number;
  /** The loopback port the browser comes back to; 0 picks a free one (auth.callbackPort). */
  readonly callbackPort: number;
  /** Shows the authorize URL to the user: opens a browser, or prints it. */
  readonly presentUrl: (url: string) => Promise<void>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** The promise, or a timeout or cancellation; whichever comes first also ends the others' timer and listener. */
function abortable<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Cleared on every outcome: a timer left behind would keep a cancelled login's process alive.
    const settle = (finish: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const timer = setTimeout(
      () => settle(() => reject(failure('LOGIN_TIMEOUT', `no answer from the browser within ${Math.round(timeoutMs / 1000)} s; run \`mmt-sync login\` again`))),
      timeoutMs,
    );
    const onAbort = () => settle(() => reject(new MmtError('failed', 'LOGIN_CANCELLED', 'login cancelled')));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

/** Authorization code grant with PKCE through a loopback redirect; stores the tokens. */
export async function login(options: LoginOptions): Promise<StoredTokens> {
  const { endpoints, store, log } = options;
  // Everything that can fail without the user is checked before the browser opens: the
  // client credentials, and the token store (a keychain found unreachable after the browser
  // said "connected" would throw away an approval the user just gave).
  await clientSecretOf(endpoints);
  await store.read();
  const callback = await LoopbackCallback.start(options.callbackPort);
  let outcome: CallbackOutcome | undefined;
  try {
    const pending = beginAuthorization(endpoints, callback.redirectUri);
    await options.presentUrl(pending.url);
    log.debug('waiting for the authorization callback', { redirectUri: callback.redirectUri });
    const params = callbackParams(await abortable(callback.wait(), options.timeoutMs, options.signal));
    const tokens = await completeAuthorization(endpoints, pending, params, options.signal);
    await store.write(tokens);
    outcome = { ok: true, message: 'connected' };
    return tokens;
  } catch (error) {
    outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    throw error;
  } finally {
    callback.close(outcome);
  }
}
