import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { failure } from '../errors.js';

/**
 * Cross-process mutual exclusion on a path (a daemon and a `--once` run share one
 * account), held by the kernel: an exclusive SQLite transaction on a small lock database
 * is an fcntl lock on its file, which the kernel releases the moment the holder exits,
 * however it exits (kill -9 included).
 *
 * Why not a lock file with a heartbeat (proper-lockfile, as before): such a lock is taken
 * over when its mtime looks stale, and a holder that is merely not running — a laptop
 * suspended in the middle of a refresh, a process starved on a loaded machine — looks
 * exactly like a dead one. For the token refresh that takeover is the one thing that must
 * never happen: the second process would spend the refresh token the first one already
 * rotated, and the server answers reuse by revoking the whole grant (the user is logged
 * out). A kernel lock has no staleness to guess.
 */
export async function withProcessLock<T>(lockPath: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  // timeout 0: a busy lock answers at once and we wait asynchronously, never blocking the
  // event loop (better-sqlite3's busy handler would sleep synchronously).
  const db = new Database(`${lockPath}.db`, { timeout: 0 });
  try {
    await acquire(db, lockPath, waitMs);
    try {
      return await work();
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

async function acquire(db: Database.Database, lockPath: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // In rollback-journal mode (the default for a new file) EXCLUSIVE takes the file lock now.
      db.exec('BEGIN EXCLUSIVE');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      if (Date.now() > deadline) {
        throw failure('LOCK_TIMEOUT', `another mmt-sync process has held ${lockPath} for over ${Math.round(waitMs / 1000)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
}
