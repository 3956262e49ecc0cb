import type { Journal } from '../journal/journal.js';
import type { FileRecord } from '../journal/rows.js';
import { NOT_BEFORE_KEY } from './not-before.js';

export interface SentNow {
  /** Failed files queued again, their attempts counted from zero. */
  readonly failed: number;
  /** Waiting files whose backoff was dropped: due now. */
  readonly waiting: number;
}

/**
 * `mmt-sync retry ID|--all`: "send it now". A failed file goes back in the queue (attempts
 * from zero); a waiting one is due at once, its backoff dropped. `--all` also drops the
 * account's saved Retry-After: the user asked for now, and the server says again if it must.
 */
export function sendNow(journal: Journal, target: number | 'all', now = Date.now()): SentNow {
  return journal.batch(() => {
    const records: FileRecord[] = target === 'all' ? journal.list({ states: ['failed', 'queued'] }) : [journal.get(target)].filter((r): r is FileRecord => r !== undefined);
    let failed = 0;
    let waiting = 0;
    for (const record of records) {
      if (record.state === 'failed') {
        journal.move(record.id, 'queued', { attempts: 0, next_attempt_at: null }, now);
        failed++;
      } else if (record.state === 'queued') {
        if (record.nextAttemptAt !== null && record.nextAttemptAt > now) journal.move(record.id, 'queued', { next_attempt_at: null }, now);
        waiting++;
      }
    }
    if (target === 'all' && Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0) > now) journal.setMeta(NOT_BEFORE_KEY, '0');
    return { failed, waiting };
  });
}

/**
 * A `sync` run starts: what waits on a backoff left by an earlier run is due now. Running
 * `mmt-sync sync` is asking for that (the server may well be back); a run's own retries keep
 * their backoff, and a server's Retry-After still holds. Returns how many were due later.
 */
export function dueNow(journal: Journal, now = Date.now()): number {
  return journal.batch(() => {
    const later = journal.list({ states: ['queued'] }).filter((r) => r.nextAttemptAt !== null && r.nextAttemptAt > now);
    for (const record of later) journal.move(record.id, 'queued', { next_attempt_at: null }, now);
    return later.length;
  });
}
