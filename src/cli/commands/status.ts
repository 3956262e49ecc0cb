import { openAccountStore } from '../../auth/account-store.js';
import { KeychainUnreachable } from '../../auth/keychain-entry.js';
import { deadReason, type StoredTokens } from '../../auth/tokens.js';
import { daemonPresence, type DaemonPresence } from '../../daemon/running.js';
import { loginRequired } from '../../errors.js';
import { Journal, type StateCounts } from '../../journal/journal.js';
import { readLastSync, type LastSync } from '../../journal/last-sync.js';
import { when } from '../../present/present.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export type LoginState = 'logged-in' | 'login-required' | 'not-logged-in';

export interface StatusResult {
  readonly account: { readonly baseUrl: string; readonly clientId: string };
  readonly tokenStore: string;
  readonly login: LoginState;
  readonly loginRequiredReason?: string;
  /** Why the token store could not be read (the keychain unreachable): reported as not logged in. */
  readonly tokenStoreError?: string;
  /** The background daemon (`mmt-sync watch`) for this state directory: running, its pid, since when (ISO). */
  readonly daemon: { readonly running: boolean; readonly pid?: number; readonly since?: string };
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
  /** The last run that sent anything, whoever ran it (`by`: the daemon or a `sync`). */
  readonly lastSync?: LastSync;
  readonly nextRetryAt?: string;
  /** `id` is the file id `retry`, `forget` and `list` take. */
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
    const lastSync = readLastSync(journal);
    const due = journal.nextDueAt();
    const failures = journal.list({ states: ['failed'], orderBy: 'updated', limit: 5 });
    return {
      counts,
      unread: unread(journal),
      ...(lastSync ? { lastSync } : {}),
      ...(due && due > Date.now() ? { nextRetryAt: new Date(due).toISOString() } : {}),
      recentFailures: failures.map((f) => ({ id: f.id, file: f.path, reason: f.lastError ?? f.reason ?? 'unknown', at: new Date(f.updatedAt).toISOString() })),
    };
  } finally {
    journal.close();
  }
}

/** What needs attention. Exits 3 (through the thrown error) when the user must log in. */
/** The stored tokens, or why they could not be read: an unreachable keychain is "not logged in", said with its reason. */
async function readTokens(read: () => Promise<StoredTokens | undefined>): Promise<{ tokens?: StoredTokens; unreachable?: string }> {
  try {
    const tokens = await read();
    return tokens ? { tokens } : {};
  } catch (error) {
    if (error instanceof KeychainUnreachable) return { unreachable: error.detail };
    throw error;
  }
}

function daemonLine(daemon: DaemonPresence, now: number): string {
  if (!daemon.running) return 'not running (`mmt-sync service install` runs it in the background)';
  const since = daemon.since ? ` since ${when(daemon.since, now)}` : '';
  return `running${since}${daemon.pid ? `, pid ${daemon.pid}` : ''}`;
}

function loginLine(result: StatusResult): string {
  if (result.login === 'logged-in') return 'logged in';
  if (result.login === 'login-required') return `login required (${result.loginRequiredReason}): run \`mmt-sync login\``;
  if (result.tokenStoreError) return `not logged in (keychain unreachable: ${result.tokenStoreError}): start a keyring or set auth.tokenStore: file, then \`mmt-sync login\``;
  if (!result.account.clientId) return 'not set up: run `mmt-sync setup`';
  return 'not logged in: run `mmt-sync login`';
}

export async function runStatus(options: GlobalOptions, io: Io): Promise<StatusResult> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  const account = openAccountStore(loaded.config, stateDir);
  const { tokens, unreachable } = await readTokens(() => account.store.read());
  const now = Date.now();
  const daemon = daemonPresence(stateDir, now);
  // Without a refresh token an expired pair is as dead as a refused one.
  const required = tokens ? deadReason(tokens, now) : undefined;
  const login: LoginState = !tokens ? 'not-logged-in' : required ? 'login-required' : 'logged-in';
  const result: StatusResult = {
    account: { baseUrl: account.endpoints.baseUrl, clientId: account.endpoints.clientId },
    tokenStore: account.store.description,
    login,
    ...(required ? { loginRequiredReason: required } : {}),
    ...(unreachable ? { tokenStoreError: unreachable } : {}),
    daemon: { running: daemon.running, ...(daemon.pid ? { pid: daemon.pid } : {}), ...(daemon.since ? { since: new Date(daemon.since).toISOString() } : {}) },
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
      `login:        ${loginLine(result)}`,
    ];
    if (tokens && !required) {
      const renewal = tokens.refreshToken ? 'refreshed automatically' : 'no refresh token was issued: log in again then';
      lines.push(
        `access token: ${tokens.expiresAt <= now ? 'expired' : 'expires'} ${when(tokens.expiresAt, now)}; ${renewal}`,
      );
    }
    const { queue } = result;
    const c = queue.counts;
    const last = queue.lastSync;
    lines.push(
      `daemon:       ${daemonLine(daemon, now)}`,
      `last sync:    ${last ? `${when(Date.parse(last.at), now)}${last.by ? ` by ${last.by === 'daemon' ? 'the daemon' : '`mmt-sync sync`'}` : ''}: ${last.uploaded} uploaded, ${last.alreadyThere} already there, ${last.failed} failed, ${last.pending} pending` : 'never'}`,
      `files:        ${c.uploaded} uploaded, ${c.queued + c.uploading} waiting, ${c.failed} failed, ${c.skipped} skipped, ${c.duplicate} duplicates, ${c.baseline} baseline${queue.unread.baseline ? ` (${queue.unread.baseline} not read: older than the backfill window by their date)` : ''}`,
    );
    if (queue.unread.requested) lines.push(`to read:      ${queue.unread.requested} file${queue.unread.requested === 1 ? '' : 's'} asked for (--since, forget) are read when their device or folder is next seen`);
    if (login !== 'logged-in' && c.queued) lines.push(`paused:       ${c.queued} uploads wait for \`mmt-sync login\``);
    if (queue.nextRetryAt) lines.push(`next retry:   ${when(Date.parse(queue.nextRetryAt), now)} (\`mmt-sync retry --all\` tries now)`);
    for (const f of queue.recentFailures) lines.push(`failed #${f.id}:  ${f.file}: ${f.reason} (\`mmt-sync retry ${f.id}\`)`);
    if (c.failed > queue.recentFailures.length) lines.push(`              \`mmt-sync list --failed\` shows all ${c.failed}`);
    io.out(lines.join('\n'));
  }
  if (login !== 'logged-in') throw loginRequired(loginLine(result));
  return result;
}
