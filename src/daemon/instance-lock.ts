import lockfile from 'proper-lockfile';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { usageError, type MmtError } from '../errors.js';

/**
 * One process of a kind per state directory (`daemon`, `import`). The lock is a
 * heartbeat-refreshed mkdir lock, so a process killed with -9 does not block the next one
 * for more than a few seconds. `busy` words the refusal, given the holder's pid.
 */
export async function acquireInstanceLock(stateDir: string, name: string, busy: (pid: string) => MmtError, onLost: (error: Error) => void): Promise<() => Promise<void>> {
  ensurePrivateDir(stateDir);
  const target = join(stateDir, name);
  const pidFile = join(stateDir, `${name}.pid`);
  try {
    const release = await lockfile.lock(target, { realpath: false, stale: 10_000, update: 2_000, retries: 0, onCompromised: onLost });
    writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
    return release;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    let pid = 'unknown';
    try {
      pid = readFileSync(pidFile, 'utf8').trim();
    } catch {
      // The pid is only for the message.
    }
    throw busy(pid);
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
