import open from 'open';
import { openAccount } from '../../auth/account.js';
import { login } from '../../auth/login.js';
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
    presentUrl: async (url) => {
      if (noBrowser) {
        // Alone on the first line of stdout, so a script or a person on another machine can use it.
        io.out(url);
        io.log.info('open the URL above in a browser and approve mmt-sync; waiting…');
        return;
      }
      io.log.info(`opening your browser to approve mmt-sync; if it does not open, visit:\n${url}`);
      await open(url).catch((error: Error) => io.log.warn(`could not open a browser (${error.message}); visit the URL above`));
    },
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
  return result;
}
