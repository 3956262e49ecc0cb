import { openAccount } from '../../auth/account.js';
import { revokeToken } from '../../auth/oauth-client.js';
import type { StoredTokens } from '../../auth/tokens.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface LogoutResult {
  readonly wasLoggedIn: boolean;
  /** True when the server confirmed both revocations. */
  readonly revoked: boolean;
  readonly revokeError?: string;
}

/** Revokes at the server when it can, and always forgets locally. */
export async function runLogout(options: GlobalOptions, io: Io): Promise<LogoutResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const account = openAccount(loaded.config, stateDir, io.log);
  const tokens: StoredTokens | undefined = await account.store.read();
  if (!tokens) {
    io.out(options.json ? JSON.stringify({ wasLoggedIn: false, revoked: false }) : 'not logged in; nothing to do');
    return { wasLoggedIn: false, revoked: false };
  }
  let revoked = false;
  let revokeError: string | undefined;
  try {
    // The refresh token first: it is the long-lived one, and revoking it ends the family.
    const refreshRevoked = await revokeToken(account.endpoints, tokens.refreshToken, 'refresh_token');
    const accessRevoked = await revokeToken(account.endpoints, tokens.accessToken, 'access_token');
    revoked = refreshRevoked && accessRevoked;
    if (!revoked) revokeError = 'the server did not confirm the revocation';
  } catch (error) {
    revokeError = error instanceof Error ? error.message : String(error);
  }
  await account.store.delete();
  const result: LogoutResult = { wasLoggedIn: true, revoked, ...(revokeError ? { revokeError } : {}) };
  if (options.json) io.out(JSON.stringify(result));
  else if (revoked) io.out('logged out: tokens revoked at the server and deleted here');
  else io.out(`logged out locally: tokens deleted here, but not revoked at the server (${revokeError}); they stop working when they expire`);
  return result;
}
