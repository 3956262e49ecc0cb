import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { MmtError, loginRequired } from '../errors.js';
import type { Logger } from '../log.js';
import type { OAuthEndpoints } from './endpoints.js';
import { refreshTokens } from './oauth-client.js';
import { withProcessLock } from './process-lock.js';
import type { TokenStore } from './token-store.js';
import type { StoredTokens } from './tokens.js';

export interface AuthSessionOptions {
  readonly store: TokenStore;
  readonly endpoints: OAuthEndpoints;
  readonly stateDir: string;
  /** Refresh this long before expiry (capped at half the token's lifetime). */
  readonly refreshMarginMs: number;
  readonly log: Logger;
}

export const NOT_LOGGED_IN = 'not logged in: run `mmt-sync login`';

// In tokens.ts (pure, so `status` reads it without loading the refresh machinery); kept importable from here.
export { noRefreshReason } from './tokens.js';
import { noRefreshReason } from './tokens.js';

/**
 * Hands out a valid access token and owns the refresh. Refresh tokens rotate, so a
 * refresh is the one operation that can log the user out: it runs at most once at a
 * time per account, within this process (one shared promise) and across processes
 * (a lock file), and the new pair is stored before anybody uses it.
 */
export class AuthSession {
  private cached: StoredTokens | undefined;
  private inflight: Promise<StoredTokens> | undefined;
  /** A refreshed pair we could not store yet: kept in memory and stored again at the next chance. */
  private unsaved: StoredTokens | undefined;
  private readonly lockPath: string;

  constructor(private readonly options: AuthSessionOptions) {
    const id = createHash('sha256').update(`${options.endpoints.baseUrl}#${options.endpoints.clientId}`).digest('hex').slice(0, 16);
    this.lockPath = join(options.stateDir, 'locks', `auth-${id}`);
  }

  /** A token that is valid now, refreshing first when it is about to expire. */
  async accessToken(): Promise<string> {
    await this.saveUnsaved();
    const tokens = this.cached ?? (await this.load());
    if (!this.isDue(tokens)) return tokens.accessToken;
    return (await this.refresh(tokens.accessToken)).accessToken;
  }

  /** After a 401 for `rejected`: a different, valid token (refreshing if nobody else did). */
  async renewAfterRejection(rejected: string): Promise<string> {
    return (await this.refresh(rejected)).accessToken;
  }

  /** Proactive refresh for the daemon's schedule: refreshes only when due. */
  async refreshIfDue(): Promise<StoredTokens> {
    const tokens = this.cached ?? (await this.load());
    return this.isDue(tokens) ? this.refresh(tokens.accessToken) : tokens;
  }

  /** The stored pair as it is now (for status), without refreshing. */
  async peek(): Promise<StoredTokens | undefined> {
    return this.options.store.read();
  }

  private async load(): Promise<StoredTokens> {
    const tokens = await this.options.store.read();
    if (!tokens) throw loginRequired(NOT_LOGGED_IN);
    if (tokens.loginRequired) throw loginRequired(`login required (${tokens.loginRequired}): run \`mmt-sync login\``);
    this.cached = tokens;
    return tokens;
  }

  private isDue(tokens: StoredTokens, now = Date.now()): boolean {
    // Nothing to refresh with: the token is used until it really expires.
    if (!tokens.refreshToken) return tokens.expiresAt <= now;
    const lifetime = Math.max(0, tokens.expiresAt - tokens.obtainedAt);
    const margin = Math.min(this.options.refreshMarginMs, lifetime / 2);
    return tokens.expiresAt - margin <= now;
  }

  private refresh(stale: string): Promise<StoredTokens> {
    this.inflight ??= this.refreshAcrossProcesses(stale).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refreshAcrossProcesses(stale: string): Promise<StoredTokens> {
    const { store, endpoints, log } = this.options;
    const waitMs = endpoints.timeoutMs * 2 + 5_000;
    return withProcessLock(
      this.lockPath,
      waitMs,
      async () => {
        // Another process (or an earlier call here) may have refreshed while we waited.
        const current = this.unsaved ?? (await store.read());
        if (!current) throw loginRequired(NOT_LOGGED_IN);
        if (current.loginRequired) throw loginRequired(`login required (${current.loginRequired}): run \`mmt-sync login\``);
        if (current.accessToken !== stale && !this.isDue(current)) {
          log.debug('access token was already refreshed by another caller');
          this.cached = current;
          return current;
        }
        if (!current.refreshToken) {
          const reason = noRefreshReason(current);
          await store.write({ ...current, loginRequired: reason }).catch(() => {});
          this.cached = undefined;
          throw loginRequired(`login required (${reason}): run \`mmt-sync login\``);
        }
        log.debug('refreshing the access token', { expiresAt: new Date(current.expiresAt).toISOString() });
        let fresh: StoredTokens;
        try {
          fresh = await refreshTokens(endpoints, current.refreshToken);
        } catch (error) {
          if (error instanceof MmtError && error.kind === 'login') {
            await store.write({ ...current, loginRequired: 'the server refused the refresh token' }).catch(() => {});
            this.cached = undefined;
          }
          throw error;
        }
        // The old refresh token is dead from this moment: the new pair is stored before use.
        this.cached = fresh;
        this.unsaved = fresh;
        // Still under the lock: another process must not read the dead pair meanwhile.
        for (const pauseMs of [0, 100, 400, 1_600]) {
          if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          await this.saveUnsaved(pauseMs === 1_600);
          if (!this.unsaved) break;
        }
        const kept = fresh.refreshToken === current.refreshToken ? ' (the server kept the refresh token)' : '';
        log.info(`access token refreshed${kept}`, { expiresAt: new Date(fresh.expiresAt).toISOString() });
        return fresh;
      },
    );
  }

  private async saveUnsaved(report = true): Promise<void> {
    const pending = this.unsaved;
    if (!pending) return;
    try {
      await this.options.store.write(pending);
      if (this.unsaved === pending) this.unsaved = undefined;
    } catch (error) {
      if (!report) return;
      this.options.log.error(
        `could not store the refreshed tokens in the ${this.options.store.description} (${(error as Error).message}); ` +
          'they are kept in memory and stored again at the next chance — if this process stops first, you will have to log in again',
      );
    }
  }
}
