import { MmtError } from '../errors.js';
import { describeReply, oneLine, type ReplyLike } from '../http/reply.js';
import { registerSecret } from '../redact.js';
import type { StoredTokens } from './tokens.js';

/** RFC 6749 §5.1 leaves expires_in optional; without it the 401 rule catches a shorter life. */
export const DEFAULT_EXPIRES_IN_S = 3600;

/** expires_in as a number of seconds: a JSON number, or a numeric string as some servers send. */
function expiresInSeconds(value: unknown): number {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_EXPIRES_IN_S;
}

/**
 * A successful token response as servers really send it (RFC 6749 §5.1): an access token is
 * required; the refresh token may be missing (§6: a refresh MAY issue a new one; some logins
 * issue none); expires_in may be missing or a numeric string; token_type is compared without
 * case (§5.1: case-insensitive), and only a Bearer token (or an unnamed one) is usable here.
 */
export function tokensFromResponse(reply: ReplyLike & { readonly json: unknown }, now = Date.now()): StoredTokens {
  const body = typeof reply.json === 'object' && reply.json !== null ? (reply.json as Record<string, unknown>) : undefined;
  const accessToken = body?.access_token;
  if (typeof accessToken !== 'string' || !accessToken) {
    throw new MmtError('failed', 'TOKEN_RESPONSE_INVALID', `the token endpoint answered ${reply.status} without an access token (${describeReply(reply, reply.json)})`);
  }
  registerSecret(accessToken);
  const tokenType = body?.token_type;
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new MmtError(
      'usage',
      'TOKEN_TYPE_UNSUPPORTED',
      `the server issued a "${oneLine(tokenType, 40)}" access token; mmt-sync can only send Bearer tokens (RFC 6750)`,
    );
  }
  const refreshToken = typeof body?.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined;
  registerSecret(refreshToken);
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: now + expiresInSeconds(body?.expires_in) * 1000,
    obtainedAt: now,
  };
}
