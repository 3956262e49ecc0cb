import { openAccount } from '../../auth/account.js';
import { KeychainUnreachable } from '../../auth/keychain-entry.js';
import { revokeToken, type Revocation } from '../../auth/oauth-client.js';
import type { OAuthEndpoints } from '../../auth/endpoints.js';
import type { StoredTokens } from '../../auth/tokens.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

/** One token's revocation, as the user needs to know it. */
export type RevocationReport = Revocation['outcome'] | 'unreachable' | 'none';

export interface LogoutResult {
  readonly wasLoggedIn: boolean;
  /** The keychain could not be reached, so nothing could be read or deleted there. */
  readonly tokenStoreError?: string;
  /** True when the server ended the session: the refresh token (or, without one, the access token) is revoked. */
  readonly revoked: boolean;
  readonly refreshToken?: RevocationReport;
  readonly accessToken?: RevocationReport;
  /** What kept a revocation from happening, when something did. */
  readonly revokeError?: string;
}

async function revoke(
  endpoints: OAuthEndpoints,
  token: string | undefined,
  hint: 'refresh_token' | 'access_token',
): Promise<{ report: RevocationReport; error?: string }> {
  if (!token) return { report: 'none' };
  try {
    const result = await revokeToken(endpoints, token, hint);
    return result.outcome === 'refused' ? { report: 'refused', error: result.detail } : { report: result.outcome };
  } catch (error) {
    return { report: 'unreachable', error: error instanceof Error ? error.message : String(error) };
  }
}

const SAID: Record<RevocationReport, string> = {
  revoked: 'revoked at the server',
  unsupported: 'not revocable at this server (RFC 7009 unsupported_token_type); it stops working when it expires',
  refused: 'not revoked (the server refused)',
  unreachable: 'not revoked (the server could not be reached)',
  none: 'none was issued',
};

function describe(tokens: StoredTokens, refresh: RevocationReport, access: RevocationReport, revoked: boolean, error: string | undefined): string {
  const lines = [
    revoked ? 'logged out: the session was revoked at the server and the tokens deleted here' : 'logged out locally: tokens deleted here, but the session was not revoked at the server',
    `  refresh token: ${SAID[refresh]}`,
    `  access token:  ${SAID[access]}${access === 'unsupported' ? ` (at ${new Date(tokens.expiresAt).toISOString()})` : ''}`,
  ];
  if (error) lines.push(`  reason: ${error}`);
  if (!revoked) lines.push('  they stop working when they expire; a refresh token can also be revoked on the site');
  return lines.join('\n');
}

/** Revokes at the server when it can, each token on its own, and always forgets locally. */
export async function runLogout(options: GlobalOptions, io: Io): Promise<LogoutResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const account = openAccount(loaded.config, stateDir, io.log);
  let tokens: StoredTokens | undefined;
  try {
    tokens = await account.store.read();
  } catch (error) {
    if (!(error instanceof KeychainUnreachable)) throw error;
    // Nothing can be revoked without the tokens, nor deleted: say so, as status does.
    const result = { wasLoggedIn: false, revoked: false, tokenStoreError: error.detail };
    io.out(options.json ? JSON.stringify(result) : `not logged in (keychain unreachable: ${error.detail}); nothing to do`);
    return result;
  }
  if (!tokens) {
    io.out(options.json ? JSON.stringify({ wasLoggedIn: false, revoked: false }) : 'not logged in; nothing to do');
    return { wasLoggedIn: false, revoked: false };
  }
  // The refresh token first: it is the long-lived one, and revoking it ends the grant.
  const refresh = await revoke(account.endpoints, tokens.refreshToken, 'refresh_token');
  const access = await revoke(account.endpoints, tokens.accessToken, 'access_token');
  // The session ends with the refresh token; an access token the server cannot revoke only lives out its hour.
  const revoked = tokens.refreshToken ? refresh.report === 'revoked' : access.report === 'revoked';
  const revokeError = refresh.error ?? access.error;
  await account.store.delete();
  const result: LogoutResult = {
    wasLoggedIn: true,
    revoked,
    refreshToken: refresh.report,
    accessToken: access.report,
    ...(revokeError ? { revokeError } : {}),
  };
  io.out(options.json ? JSON.stringify(result) : describe(tokens, refresh.report, access.report, revoked, revokeError));
  return result;
}
