/**
 * auth/: the OAuth side of an account: login (authorization code + PKCE, the callback judged
 * by state and RFC 9207 iss), the token stores (OS keychain, 0600 file), the single-flight
 * refresh, revocation. May import http/ (below it, for every request), config/ (types),
 * fsutil/, net/, errors, log, redact. Never api/: the data client takes its bearer token
 * through api's AccessTokens interface, which AuthSession implements.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { openAccountStore, type AccountStore } from './account-store.js';
import { AuthSession } from './session.js';

/** Everything that identifies and authenticates one Map My Tracks account. */
export interface Account extends AccountStore {
  readonly session: AuthSession;
}

export function openAccount(config: Config, stateDir: string, log: Logger): Account {
  const account = openAccountStore(config, stateDir);
  const session = new AuthSession({ store: account.store, endpoints: account.endpoints, stateDir, refreshMarginMs: config.auth.refreshMarginS * 1000, log });
  return { ...account, session };
}
