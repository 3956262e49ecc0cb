/**
 * Authorization codes, token families and their rules: single-use codes bound
 * to client, redirect URI and PKCE challenge; refresh tokens that rotate on
 * every use; reuse of a spent code or refresh token revokes everything that
 * descended from it (RFC 6749 §4.1.2 and §10.4, OAuth 2.0 Security BCP §4.14).
 */
import { randomToken, s256, safeEqual, tokenKey } from './crypto.js';
import { InvalidTokenError, OAuthError } from './errors.js';
import type { TokenFamily } from './model.js';
import type { StatsRecorder } from './stats.js';
import type { SandboxStore } from './store.js';

export type ChallengeMethod = 'S256' | 'plain';

export interface CodeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly account: string;
  readonly challenge: { readonly value: string; readonly method: ChallengeMethod } | undefined;
}

interface IssuedCode extends CodeRequest {
  readonly expiresAt: number;
  used: boolean;
  /** Set once tokens were issued from the code, so a replay can revoke them. */
  familyId?: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  /** Absent under the no-refresh-token and (on refresh) no-rotation quirks. */
  readonly refresh_token?: string;
}

/** How this server hands out refresh tokens (the contract's way unless a quirk says otherwise). */
export interface RefreshPolicy {
  /** Logins come with a refresh token. @default true */
  readonly issue: boolean;
  /** Each refresh kills the used token and issues a new one; false: the old one stays valid. @default true */
  readonly rotate: boolean;
}

/** RFC 7636 §4.1: 43-128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** Spent codes are kept this long after expiry so a late replay is still caught. */
const CODE_MEMORY_MS = 10 * 60_000;

export class TokenService {
  /** Codes live only in memory: they expire within a minute, a restart may forget them. */
  private readonly codes = new Map<string, IssuedCode>();

  constructor(
    private readonly store: SandboxStore,
    private readonly stats: StatsRecorder,
    private readonly tokenTtlS: number,
    private readonly codeTtlMs: number,
    private readonly refreshPolicy: RefreshPolicy = { issue: true, rotate: true },
  ) {}

  issueCode(request: CodeRequest): string {
    const now = Date.now();
    for (const [key, code] of this.codes) {
      if (code.expiresAt + CODE_MEMORY_MS < now) this.codes.delete(key);
    }
    const code = randomToken();
    this.codes.set(tokenKey(code), { ...request, expiresAt: now + this.codeTtlMs, used: false });
    return code;
  }

  async exchangeCode(clientId: string, code: string, redirectUri: string, verifier: string | undefined): Promise<TokenResponse> {
    const issued = this.codes.get(tokenKey(code));
    if (!issued) throw new OAuthError('invalid_grant', 'unknown authorization code');
    if (issued.used) {
      if (issued.familyId) this.revokeFamily(issued.familyId);
      await this.store.persist();
      throw new OAuthError('invalid_grant', 'authorization code already used; tokens issued from it are revoked');
    }
    // Spent on first presentation, right or wrong: a code is never worth a second guess.
    issued.used = true;
    if (issued.expiresAt <= Date.now()) throw new OAuthError('invalid_grant', 'authorization code expired');
    if (issued.clientId !== clientId) throw new OAuthError('invalid_grant', 'authorization code was issued to another client');
    if (issued.redirectUri !== redirectUri) {
      throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    }
    checkVerifier(issued.challenge, verifier);

    const family: TokenFamily = {
      id: randomToken(12),
      clientId,
      account: issued.account,
      createdAt: Date.now(),
      revoked: false,
    };
    this.store.families.set(family.id, family);
    issued.familyId = family.id;
    const response = this.issuePair(family.id, this.refreshPolicy.issue);
    await this.store.persist();
    this.stats.countGrant('authorization_code');
    return response;
  }

  async refresh(clientId: string, refreshToken: string): Promise<TokenResponse> {
    try {
      const record = this.store.refreshTokens.get(tokenKey(refreshToken));
      const family = record && this.store.families.get(record.familyId);
      if (!record || !family) throw new OAuthError('invalid_grant', 'unknown refresh token');
      if (family.revoked) throw new OAuthError('invalid_grant', 'refresh token revoked');
      if (family.clientId !== clientId) throw new OAuthError('invalid_grant', 'refresh token was issued to another client');
      if (record.rotated) {
        // Two holders of one refresh token: one of them is not the user. Kill the whole line.
        this.revokeFamily(family.id);
        await this.store.persist();
        throw new OAuthError('invalid_grant', 'refresh token already used; all tokens of this grant are revoked');
      }
      // RFC 6749 §6 lets a server keep the refresh token: then it stays valid and none is sent.
      if (this.refreshPolicy.rotate) record.rotated = true;
      const response = this.issuePair(family.id, this.refreshPolicy.rotate);
      await this.store.persist();
      this.stats.countGrant('refresh_token');
      return response;
    } catch (error) {
      this.stats.countRefreshRejected();
      throw error;
    }
  }

  /**
   * RFC 7009: unknown tokens and tokens of another client are ignored (the
   * answer is 200 either way). A refresh token takes its family with it.
   */
  async revoke(clientId: string, token: string, hint: string | undefined): Promise<void> {
    const key = tokenKey(token);
    const lookups = hint === 'access_token' ? ['access', 'refresh'] : ['refresh', 'access'];
    for (const kind of lookups) {
      const record = kind === 'refresh' ? this.store.refreshTokens.get(key) : this.store.accessTokens.get(key);
      if (!record) continue;
      const family = this.store.families.get(record.familyId);
      if (!family || family.clientId !== clientId) return;
      if (kind === 'refresh') this.revokeFamily(family.id);
      else this.store.accessTokens.delete(key);
      await this.store.persist();
      return;
    }
  }

  /** The account behind a Bearer token, or InvalidTokenError (RFC 6750 §3.1). */
  authenticate(accessToken: string | undefined): string {
    if (!accessToken) throw new InvalidTokenError('missing Bearer access token');
    const record = this.store.accessTokens.get(tokenKey(accessToken));
    const family = record && this.store.families.get(record.familyId);
    if (!record || !family) throw new InvalidTokenError('unknown access token');
    if (family.revoked) throw new InvalidTokenError('access token revoked');
    if (record.expiresAt <= Date.now()) throw new InvalidTokenError('access token expired');
    return family.account;
  }

  /** True when `token` is a live access token (the revoke endpoint's no-access-revoke quirk asks). */
  isAccessToken(token: string): boolean {
    return this.store.accessTokens.has(tokenKey(token));
  }

  private issuePair(familyId: string, withRefreshToken: boolean): TokenResponse {
    const access = randomToken();
    this.store.accessTokens.set(tokenKey(access), {
      key: tokenKey(access),
      familyId,
      expiresAt: Date.now() + this.tokenTtlS * 1000,
    });
    const response = { access_token: access, token_type: 'Bearer', expires_in: this.tokenTtlS } as const;
    if (!withRefreshToken) return response;
    const refresh = randomToken();
    this.store.refreshTokens.set(tokenKey(refresh), { key: tokenKey(refresh), familyId, rotated: false });
    return { ...response, refresh_token: refresh };
  }

  private revokeFamily(familyId: string): void {
    const family = this.store.families.get(familyId);
    if (!family || family.revoked) return;
    family.revoked = true;
    this.stats.countFamilyRevoked();
  }
}

function checkVerifier(challenge: CodeRequest['challenge'], verifier: string | undefined): void {
  if (!challenge) {
    // OAuth 2.1 §4.1.3: a verifier without a challenge is a downgrade attempt or a client bug.
    if (verifier !== undefined) throw new OAuthError('invalid_grant', 'code_verifier sent but no code_challenge was');
    return;
  }
  if (verifier === undefined) throw new OAuthError('invalid_grant', 'code_verifier required');
  if (!VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier must be 43-128 unreserved characters');
  const derived = challenge.method === 'S256' ? s256(verifier) : verifier;
  if (!safeEqual(derived, challenge.value)) throw new OAuthError('invalid_grant', 'code_verifier does not match code_challenge');
}
