/**
 * auth/: the OAuth side of an account: login (authorization code + PKCE, the callback judged
 * by state and RFC 9207 iss), the token stores (OS keychain, 0600 file), the single-flight
 * refresh, revocation. May import http/ (below it, for every request), config/ (types),
 * fsutil/, net/, errors, log, redact. Never api/: the data client takes its bearer token
 * through api's AccessTokens interface, which AuthSession implements.
 */
import type { Config } from '../config/schema.js';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../redact.js';
import { endpointsFrom, type OAuthEndpoints } from './endpoints.js';
import { FileTokenStore } from './file-store.js';
import { KeychainTokenStore } from './keychain-store.js';
import { AuthSession } from './session.js';
import { accountName, type TokenStore } from './token-store.js';

/** Everything that identifies and authenticates one Map My Tracks account. */
export interface Account {
  readonly name: string;
  readonly endpoints: OAuthEndpoints;
  readonly store: TokenStore;
  readonly session: AuthSession;
}

export function openAccount(config: Config, stateDir: string, log: Logger): Account {
  registerSecret(config.api.clientSecret);
  ensurePrivateDir(stateDir);
  const endpoints = endpointsFrom(config);
  const name = accountName(endpoints.baseUrl, endpoints.clientId);
  const store: TokenStore =
    config.auth.tokenStore === 'file' ? new FileTokenStore(stateDir, name) : new KeychainTokenStore(name);
  const session = new AuthSession({ store, endpoints, stateDir, refreshMarginMs: config.auth.refreshMarginS * 1000, log });
  return { name, endpoints, store, session };
}
