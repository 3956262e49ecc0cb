import lockfile from 'proper-lockfile';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { usageError, type MmtError } from '../errors.js';

/**
 * One process of a kind per state directory (`daemon`, `import`). The lock is a
 * heartbeat-refreshed mkdir lock; one whose holder is gone (killed with -9) is taken over. `busy` words the refusal, given the holder's pid.
 */
export async function acquireInstanceLock(stateDir: string, name: string, busy: (pid: string) => MmtError, onLost: (error: Error) => void): Promise<() => Promise<void>> {
  ensurePrivateDir(stateDir);
  const target = join(stateDir, name);
  const pidFile = join(stateDir, `${name}.pid`);
  const lock = async () => {
    const release = await lockfile.lock(target, { realpath: false, stale: 10_000, update: 2_000, retries: 0, onCompromised: onLost });
    writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
    return release;
  };
  try {
    return await lock();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    let pid = 'unknown';
    try {
      pid = readFileSync(pidFile, 'utf8').trim();
    } catch {
      // The pid is only for the message.
    }
    if (!holderAlive(pid)) {
      // Killed with -9 moments ago: its lock is not stale yet, but nobody holds it. Taken over
      // at once (an import run again right after a crash), not after the stale time.
      // proper-lockfile's unlock() releases only its own locks: its lock directory is removed here.
      rmSync(`${target}.lock`, { recursive: true, force: true });
      return await lock().catch(() => {
        throw busy(pid);
      });
    }
    throw busy(pid);
  }
}

/** Whether the process named in a pid file still runs (unknown: assume it does). */
function holderAlive(pid: string): boolean {
  if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** One daemon per state directory. */
export function acquireDaemonLock(stateDir: string, onLost: (error: Error) => void): Promise<() => Promise<void>> {
  return acquireInstanceLock(
    stateDir,
    'daemon',
    (pid) => usageError('DAEMON_RUNNING', `another mmt-sync daemon (pid ${pid}) is already running for ${stateDir}; \`mmt-sync sync\` can run beside it`),
    onLost,
  );
}
