import lockfile from 'proper-lockfile';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { failure } from '../errors.js';

/** A lock left by a killed process is taken over after this long (proper-lockfile refreshes live ones). */
const STALE_MS = 10_000;

/**
 * Cross-process mutual exclusion on a path (a daemon and a `--once` run share one
 * account). proper-lockfile uses an atomic mkdir and an mtime heartbeat, so a
 * process killed with -9 cannot keep the lock for longer than STALE_MS.
 */
export async function withProcessLock<T>(
  lockPath: string,
  waitMs: number,
  work: () => Promise<T>,
  onCompromised: (error: Error) => void,
): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      release = await lockfile.lock(lockPath, { realpath: false, stale: STALE_MS, retries: 0, onCompromised });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() > deadline) {
        throw failure('LOCK_TIMEOUT', `another mmt-sync process has held ${lockPath} for over ${Math.round(waitMs / 1000)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await work();
  } finally {
    await release().catch(() => {
      // Already released as compromised (reported through onCompromised).
    });
  }
}
