import { openAccountStore } from '../../auth/account-store.js';
import { noRefreshReason } from '../../auth/tokens.js';
import { loginRequired } from '../../errors.js';
import { Journal, type StateCounts } from '../../journal/journal.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export type LoginState = 'logged-in' | 'login-required' | 'not-logged-in';

export interface StatusResult {
  readonly account: { readonly baseUrl: string; readonly clientId: string };
  readonly tokenStore: string;
  readonly login: LoginState;
  readonly loginRequiredReason?: string;
  /** ISO time; the token itself is never shown. */
  readonly accessTokenExpiresAt?: string;
  readonly accessTokenExpired?: boolean;
  /** False when the server issued no refresh token: a new login is needed when the access token expires. */
  readonly refreshable?: boolean;
  readonly queue: QueueStatus;
}

export interface QueueStatus {
  readonly counts: StateCounts;
  /** Baseline files judged by their stat alone (never read), and files asked for (--since, forget) not read yet. */
  readonly unread: { readonly baseline: number; readonly requested: number };
  readonly lastSync?: { at: string; uploaded: number; alreadyThere: number; failed: number; pending: number };
  readonly nextRetryAt?: string;
  readonly recentFailures: ReadonlyArray<{ id: number; file: string; reason: string; at: string }>;
}

function unread(journal: Journal): QueueStatus['unread'] {
  const { baseline, requestedBySource } = journal.unreadCounts();
  return { baseline, requested: [...requestedBySource.values()].reduce((sum, n) => sum + n, 0) };
}

function queueStatus(stateDir: string): QueueStatus {
  const journal = Journal.open(stateDir);
  try {
    const counts = journal.counts();
    const lastSync = journal.getMeta('last_sync');
    const due = journal.nextDueAt();
    const failures = journal.list({ states: ['failed'], orderBy: 'updated', limit: 5 });
    return {
      counts,
      unread: unread(journal),
      ...(lastSync ? { lastSync: JSON.parse(lastSync) as QueueStatus['lastSync'] } : {}),
      ...(due && due > Date.now() ? { nextRetryAt: new Date(due).toISOString() } : {}),
      recentFailures: failures.map((f) => ({ id: f.id, file: f.path, reason: f.lastError ?? f.reason ?? 'unknown', at: new Date(f.updatedAt).toISOString() })),
    };
  } finally {
    journal.close();
  }
}

function relative(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

/** What needs attention. Exits 3 (through the thrown error) when the user must log in. */
export async function runStatus(options: GlobalOptions, io: Io): Promise<StatusResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const account = openAccountStore(loaded.config, stateDir);
  const tokens = await account.store.read();
  const now = Date.now();
  // Without a refresh token an expired pair is as dead as a refused one.
  const required = tokens?.loginRequired ?? (tokens && !tokens.refreshToken && tokens.expiresAt <= now ? noRefreshReason(tokens, now) : undefined);
  const login: LoginState = !tokens ? 'not-logged-in' : required ? 'login-required' : 'logged-in';
  const result: StatusResult = {
    account: { baseUrl: account.endpoints.baseUrl, clientId: account.endpoints.clientId },
    tokenStore: account.store.description,
    login,
    ...(required ? { loginRequiredReason: required } : {}),
    ...(tokens && !required
      ? {
          accessTokenExpiresAt: new Date(tokens.expiresAt).toISOString(),
          accessTokenExpired: tokens.expiresAt <= now,
          refreshable: Boolean(tokens.refreshToken),
        }
      : {}),
    queue: queueStatus(stateDir),
  };
  if (options.json) {
    io.out(JSON.stringify(result, null, 2));
  } else {
    const lines = [
      `account:      ${result.account.baseUrl} (client ${result.account.clientId || 'not configured'})`,
      `token store:  ${result.tokenStore}`,
      `login:        ${
        login === 'logged-in'
          ? 'logged in'
          : login === 'login-required'
            ? `login required (${result.loginRequiredReason}): run \`mmt-sync login\``
            : 'not logged in: run `mmt-sync login`'
      }`,
    ];
    if (tokens && !required) {
      const renewal = tokens.refreshToken ? 'refreshed automatically' : 'no refresh token was issued: log in again then';
      lines.push(
        `access token: ${tokens.expiresAt <= now ? 'expired' : 'expires'} ${result.accessTokenExpiresAt} (${relative(tokens.expiresAt - now)}; ${renewal})`,
      );
    }
    const { queue } = result;
    const c = queue.counts;
    lines.push(
      `last sync:    ${queue.lastSync ? `${queue.lastSync.at} (${queue.lastSync.uploaded} uploaded, ${queue.lastSync.alreadyThere} already there, ${queue.lastSync.failed} failed, ${queue.lastSync.pending} pending)` : 'never'}`,
      `files:        ${c.uploaded} uploaded, ${c.queued + c.uploading} waiting, ${c.failed} failed, ${c.skipped} skipped, ${c.duplicate} duplicates, ${c.baseline} baseline${queue.unread.baseline ? ` (${queue.unread.baseline} not read: older than the backfill window by their date)` : ''}`,
    );
    if (queue.unread.requested) lines.push(`to read:      ${queue.unread.requested} file${queue.unread.requested === 1 ? '' : 's'} asked for (--since, forget) are read when their device or folder is next seen`);
    if (login !== 'logged-in' && c.queued) lines.push(`paused:       ${c.queued} uploads wait for \`mmt-sync login\``);
    if (queue.nextRetryAt) lines.push(`next retry:   ${queue.nextRetryAt}`);
    for (const f of queue.recentFailures) lines.push(`failed #${f.id}:  ${f.file}: ${f.reason} (mmt-sync retry ${f.id})`);
    io.out(lines.join('\n'));
  }
  if (login !== 'logged-in') {
    throw loginRequired(login === 'login-required' ? `login required (${result.loginRequiredReason}): run \`mmt-sync login\`` : 'not logged in: run `mmt-sync login`');
  }
  return result;
}
