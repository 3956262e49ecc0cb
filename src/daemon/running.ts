import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What acquireDaemonLock (instance-lock.ts) leaves while the daemon lives: proper-lockfile's
 * directory, refreshed every 2 s and stale after 10 s, and the pid file written when it starts.
 */
const DAEMON_LOCK_DIR = 'daemon.lock';
const DAEMON_PID_FILE = 'daemon.pid';
const DAEMON_LOCK_STALE_MS = 10_000;

export interface DaemonPresence {
  readonly running: boolean;
  readonly pid?: number;
  /** Epoch ms: when the running daemon took its instance lock. */
  readonly since?: number;
}

/**
 * Whether a daemon runs for this state directory, read from its instance lock without
 * loading the lock library (`status` starts fast): the lock directory's mtime is refreshed
 * every 2 s while the daemon lives, and the pid file is written once, when it started.
 */
export function daemonPresence(stateDir: string, now = Date.now()): DaemonPresence {
  let heartbeat: number;
  try {
    heartbeat = statSync(join(stateDir, DAEMON_LOCK_DIR)).mtimeMs;
  } catch {
    return { running: false };
  }
  if (now - heartbeat > DAEMON_LOCK_STALE_MS) return { running: false };
  const pidFile = join(stateDir, DAEMON_PID_FILE);
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const since = statSync(pidFile).mtimeMs;
    return { running: true, ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}), since };
  } catch {
    return { running: true };
  }
}
