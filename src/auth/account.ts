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
