import type { Config } from '../config/schema.js';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { registerSecret } from '../redact.js';
import { endpointsFrom, type OAuthEndpoints } from './endpoints.js';
import { FileTokenStore } from './file-store.js';
import { KeychainTokenStore } from './keychain-store.js';
import { accountName, type TokenStore } from './token-store.js';

/** Which account this is and where its tokens are: all a reader of them needs (`status`). */
export interface AccountStore {
  readonly name: string;
  readonly endpoints: OAuthEndpoints;
  readonly store: TokenStore;
}

/**
 * The account's token store without the refresh machinery (session, cross-process lock,
 * OAuth client): `status` starts without loading them (bench/results/startup.json).
 */
export function openAccountStore(config: Config, stateDir: string): AccountStore {
  registerSecret(config.api.clientSecret);
  ensurePrivateDir(stateDir);
  const endpoints = endpointsFrom(config);
  const name = accountName(endpoints.baseUrl, endpoints.clientId);
  const store: TokenStore = config.auth.tokenStore === 'file' ? new FileTokenStore(stateDir, name) : new KeychainTokenStore(name);
  return { name, endpoints, store };
}
