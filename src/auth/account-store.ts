import type { Config } from '../config/schema.js';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { registerSecret } from '../redact.js';
import { clientSecretStore, type ClientSecretStore } from './client-secret.js';
import { endpointsFrom, type OAuthEndpoints } from './endpoints.js';
import { FileTokenStore } from './file-store.js';
import { KeychainTokenStore } from './keychain-store.js';
import { accountName, type TokenStore } from './token-store.js';

/** Which account this is and where its tokens are: all a reader of them needs (`status`). */
export interface AccountStore {
  readonly name: string;
  readonly endpoints: OAuthEndpoints;
  readonly store: TokenStore;
  /** Where `mmt-sync setup` keeps the client secret (beside the tokens): read when the config and env give none. */
  readonly clientSecret: ClientSecretStore;
}

/**
 * The account's token store without the refresh machinery (session, cross-process lock,
 * OAuth client): `status` starts without loading them (bench/results/startup.json).
 */
export function openAccountStore(config: Config, stateDir: string): AccountStore {
  registerSecret(config.api.clientSecret);
  ensurePrivateDir(stateDir);
  const configured = endpointsFrom(config);
  const name = accountName(configured.baseUrl, configured.clientId);
  const store: TokenStore = config.auth.tokenStore === 'file' ? new FileTokenStore(stateDir, name) : new KeychainTokenStore(name);
  const clientSecret = clientSecretStore(config.auth.tokenStore, stateDir, name);
  // Read once, when a request first needs it: a keychain look-up per token request would be wasted.
  let stored: Promise<string | undefined> | undefined;
  const storedSecret = () => (stored ??= clientSecret.read().catch((error: unknown) => {
    stored = undefined;
    throw error;
  }));
  return { name, endpoints: configured.clientSecret ? configured : { ...configured, storedSecret }, store, clientSecret };
}
