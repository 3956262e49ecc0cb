/**
 * A FUSE filesystem written in Python (python3-fusepy), mounted for tests and benchmarks:
 * a pullable watch (test/reliability), a slow MTP-like watch (bench/device). Needs root,
 * /dev/fuse and `apt-get install python3-fusepy`; `canFuse()` says whether this machine
 * has them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

let probed: boolean | undefined;

export function canFuse(): boolean {
  if (probed !== undefined) return probed;
  probed =
    existsSync('/dev/fuse') &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    spawnSync(PYTHON, ['-c', 'import fusepy'], { stdio: 'ignore' }).status === 0;
  return probed;
}

export const isMounted = (mountpoint: string): boolean =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === mountpoint);

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface FuseMount {
  readonly mountpoint: string;
  /** Kills the filesystem's process with SIGKILL: a dead mount, every call ENOTCONN. */
  kill(): void;
  /** Whether the process still serves the mount. */
  readonly alive: boolean;
  /** Unmounts (lazily) and starts the filesystem again on the same mount point. */
  restart(): Promise<void>;
  /** Unmounts and stops the process. */
  stop(): Promise<void>;
}

/**
 * Writes `script` to `dir` and runs it as `python3 script mountpoint ...args`, resolving
 * once the mount is up. The script mounts in the foreground and exits when unmounted.
 */
export async function startFuse(dir: string, script: string, mountpoint: string, args: readonly string[]): Promise<FuseMount> {
  const path = join(dir, 'fuse_fs.py');
  mkdirSync(mountpoint, { recursive: true });
  writeFileSync(path, script);
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async () => {
    stderr = '';
    child = spawn(PYTHON, [path, mountpoint, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let i = 0; i < 200 && !isMounted(mountpoint); i++) {
      if (child.exitCode !== null) break;
      await pause(25);
    }
    if (!isMounted(mountpoint)) throw new Error(`the FUSE mount did not come up: ${stderr}`);
  };
  const unmount = () => spawnSync('umount', ['-l', mountpoint], { stdio: 'ignore' });
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = (proc: ChildProcess) => (proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve())));

  await start();
  return {
    mountpoint,
    kill: () => child?.kill('SIGKILL'),
    get alive() {
      return running();
    },
    async restart() {
      unmount();
      if (child && running()) {
        child.kill('SIGTERM');
        await exited(child);
      }
      await start();
    },
    async stop() {
      unmount();
      if (child) {
        child.kill('SIGTERM');
        await exited(child);
      }
    },
  };
}
