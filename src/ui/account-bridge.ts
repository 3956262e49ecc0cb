import { openAccount } from '../auth/account.js';
import { login } from '../auth/login.js';
import { noRefreshReason } from '../auth/session.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

/**
 * The dashboard's one door into auth/: what the login state is, and a login run in the
 * user's own browser (the same authorization code + PKCE flow as `mmt-sync login`, its
 * loopback callback included). Nothing else in ui/ imports auth/.
 */
export type LoginState = 'logged-in' | 'login-required' | 'not-logged-in' | 'unreadable';

export interface LoginView {
  readonly state: LoginState;
  readonly reason?: string;
  readonly server: string;
  readonly tokenStore: string;
  readonly accessTokenExpiresAt?: number;
  /** A login started from the page is waiting for the browser. */
  readonly pending: boolean;
  /** Why the last login started from the page did not complete. */
  readonly lastError?: string;
}

export interface AccountBridge {
  loginView(): Promise<LoginView>;
  /** Starts a login; resolves with the authorize URL to send the browser to. */
  startBrowserLogin(): Promise<string>;
  /** The origin of the authorize page (the CSP lets "Log in" lead there). */
  readonly authorizeOrigin: string;
  close(): void;
}

const STATE_TTL_MS = 5_000;

export function accountBridge(config: Config, stateDir: string, log: Logger, onChange: () => void): AccountBridge {
  const account = openAccount(config, stateDir, log);
  let pending: AbortController | undefined;
  let lastError: string | undefined;
  let cached: { at: number; view: LoginView } | undefined;

  const read = async (): Promise<LoginView> => {
    const base = { server: account.endpoints.baseUrl, tokenStore: account.store.description, pending: pending !== undefined, ...(lastError ? { lastError } : {}) };
    try {
      const tokens = await account.store.read();
      if (!tokens) return { ...base, state: 'not-logged-in' };
      if (tokens.loginRequired) return { ...base, state: 'login-required', reason: tokens.loginRequired };
      // Without a refresh token an expired pair is as dead as a refused one.
      if (!tokens.refreshToken && tokens.expiresAt <= Date.now()) return { ...base, state: 'login-required', reason: noRefreshReason(tokens) };
      return { ...base, state: 'logged-in', accessTokenExpiresAt: tokens.expiresAt };
    } catch (error) {
      return { ...base, state: 'unreadable', reason: (error as Error).message };
    }
  };

  return {
    authorizeOrigin: new URL(account.endpoints.authorizeUrl).origin,
    async loginView() {
      if (!cached || Date.now() - cached.at > STATE_TTL_MS) cached = { at: Date.now(), view: await read() };
      return cached.view;
    },
    startBrowserLogin() {
      pending?.abort();
      const controller = new AbortController();
      pending = controller;
      lastError = undefined;
      cached = undefined;
      return new Promise<string>((resolve, reject) => {
        login({
          endpoints: account.endpoints,
          store: account.store,
          timeoutMs: config.auth.loginTimeoutS * 1000,
          callbackPort: config.auth.callbackPort,
          log,
          signal: controller.signal,
          presentUrl: async (url) => resolve(url),
        }).then(
          () => log.info('logged in from the dashboard'),
          (error: Error) => {
            if (!controller.signal.aborted) {
              lastError = error.message;
              log.warn(`login from the dashboard did not complete: ${error.message}`);
            }
            reject(error);
          },
        ).finally(() => {
          if (pending === controller) pending = undefined;
          cached = undefined;
          onChange();
        });
      });
    },
    close() {
      pending?.abort();
    },
  };
}
