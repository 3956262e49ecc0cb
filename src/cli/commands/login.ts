import { openAccount } from '../../auth/account.js';
import { login } from '../../auth/login.js';
import { daemonPresence } from '../../daemon/running.js';
import { readManifest } from '../../service/manifest.js';
import { presentAuthorizeUrl } from '../authorize-url.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface LoginOptions extends GlobalOptions {
  /** Print the authorize URL on stdout instead of opening a browser. */
  readonly browser?: boolean;
}

export interface LoginResult {
  readonly account: string;
  readonly tokenStore: string;
  readonly accessTokenExpiresAt: string;
  /** False when the server issued no refresh token: another login is needed at expiry. */
  readonly refreshable: boolean;
}

export async function runLogin(options: LoginOptions, io: Io, signal: AbortSignal): Promise<LoginResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const account = openAccount(loaded.config, stateDir, io.log);
  const noBrowser = options.browser === false;
  const tokens = await login({
    endpoints: account.endpoints,
    store: account.store,
    timeoutMs: loaded.config.auth.loginTimeoutS * 1000,
    callbackPort: loaded.config.auth.callbackPort,
    log: io.log,
    signal,
    presentUrl: presentAuthorizeUrl(io, noBrowser),
  });
  const result = {
    account: account.name,
    tokenStore: account.store.description,
    accessTokenExpiresAt: new Date(tokens.expiresAt).toISOString(),
    refreshable: Boolean(tokens.refreshToken),
  };
  if (!result.refreshable) {
    io.log.warn(`the server issued no refresh token: you will have to run \`mmt-sync login\` again when the access token expires (${result.accessTokenExpiresAt})`);
  }
  io.out(options.json ? JSON.stringify(result) : `logged in to ${account.endpoints.baseUrl}; tokens stored in the ${account.store.description}`);
  // The service's daemon stops (exit 3) when it starts without a login, and is not restarted for it.
  if (readManifest(stateDir)?.mode === 'daemon' && !daemonPresence(stateDir).running) {
    io.log.warn('the background service is installed but its daemon is not running (it stops when there is no login): `mmt-sync service install` starts it again');
  }
  return result;
}
