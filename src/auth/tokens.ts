import { registerSecret } from '../redact.js';

/** What the token store keeps for one account. */
export interface StoredTokens {
  readonly accessToken: string;
  /** Absent when the server issued none (RFC 6749 §5.1: optional): log in again at expiry. */
  readonly refreshToken?: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly obtainedAt: number;
  /**
   * Set when the server answered invalid_grant: the pair is dead and the user must
   * log in again. Kept (not deleted) so status can say why, and so a queue paused
   * for login resumes the moment `mmt-sync login` writes a fresh pair.
   */
  readonly loginRequired?: string;
}

export function parseStoredTokens(text: string): StoredTokens | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.accessToken !== 'string' || typeof v.expiresAt !== 'number') return undefined;
  if (v.refreshToken !== undefined && typeof v.refreshToken !== 'string') return undefined;
  registerSecret(v.accessToken);
  registerSecret(v.refreshToken);
  return {
    accessToken: v.accessToken,
    ...(v.refreshToken ? { refreshToken: v.refreshToken } : {}),
    expiresAt: v.expiresAt,
    obtainedAt: typeof v.obtainedAt === 'number' ? v.obtainedAt : 0,
    ...(typeof v.loginRequired === 'string' ? { loginRequired: v.loginRequired } : {}),
  };
}

export function serializeTokens(tokens: StoredTokens): string {
  return JSON.stringify(tokens);
}

/** Why a pair without a refresh token cannot go on (status shows it as the login-required reason). */
export function noRefreshReason(tokens: StoredTokens, now = Date.now()): string {
  return tokens.expiresAt <= now
    ? 'the access token expired and the server issued no refresh token'
    : 'the server refused the access token and issued no refresh token';
}

/** Why a stored pair cannot be used any more, or undefined while it can (a refused refresh, or expired without a refresh token). */
export function deadReason(tokens: StoredTokens, now = Date.now()): string | undefined {
  return tokens.loginRequired ?? (!tokens.refreshToken && tokens.expiresAt <= now ? noRefreshReason(tokens, now) : undefined);
}
