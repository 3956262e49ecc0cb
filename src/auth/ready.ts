import { loginRequired, usageError } from '../errors.js';
import type { AccountStore } from './account-store.js';
import { clientSecretOf } from './oauth-client.js';
import { NOT_LOGGED_IN } from './session.js';
import { deadReason } from './tokens.js';

/**
 * Before `sync` or the daemon does any work: is there an account to upload to? Throws the
 * error that says what to do — not set up (exit 2, `mmt-sync setup`), the keychain out of
 * reach (exit 2), not logged in or a dead login (exit 3, `mmt-sync login`) — so that a
 * user who set nothing up learns it at once, not after a scan and a table of zeros.
 */
export async function requireLogin(account: AccountStore): Promise<void> {
  if (!account.endpoints.clientId) {
    throw usageError('NOT_SET_UP', 'mmt-sync is not set up yet (no client id): run `mmt-sync setup`');
  }
  const tokens = await account.store.read();
  await clientSecretOf(account.endpoints);
  if (!tokens) throw loginRequired(NOT_LOGGED_IN);
  const dead = deadReason(tokens);
  if (dead) throw loginRequired(`login required (${dead}): run \`mmt-sync login\``);
}
