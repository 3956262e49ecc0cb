/**
 * What the daemon benchmarks share: one sandbox in its own process, one logged-in user
 * with a watched folder, and `mmt-sync watch --folder DIR` started as a real child.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  cliPath,
  makeHome,
  scriptedLogin,
  startChild,
  startSandboxProcess,
  stopChild,
  type BenchHome,
  type Child,
  type SandboxProcess,
} from '../upload/processes.js';

export interface DaemonBench {
  readonly sandbox: SandboxProcess;
  readonly home: BenchHome;
  /** The watched folder. */
  readonly folder: string;
  /** Same filesystem, outside the watched folder: files are written here, then renamed into place. */
  readonly staging: string;
  readonly settleS: number;
  close(): Promise<void>;
}

/** MMT_BENCH_SETTLE_S: the daemon's intake.settleS (default 2, the shipped default). */
export function settleSeconds(): number {
  return envNumber('MMT_BENCH_SETTLE_S', 2, 0);
}

export function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`Expected ${name} to be a number >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export async function setUpDaemonBench(): Promise<DaemonBench> {
  const settleS = settleSeconds();
  const sandbox = await startSandboxProcess();
  let home: BenchHome | undefined;
  try {
    home = makeHome(sandbox, ['intake:', `  settleS: ${settleS}`, '  backfill: all', ''].join('\n'), 'mmt-sync-bench-daemon-');
    await scriptedLogin(home);
    const folder = join(home.dir, 'Activity');
    const staging = join(home.dir, 'staging');
    mkdirSync(folder, { recursive: true });
    mkdirSync(staging, { recursive: true });
    const h = home;
    return {
      sandbox,
      home: h,
      folder,
      staging,
      settleS,
      close: async () => {
        try {
          await sandbox.close();
        } finally {
          h.remove();
        }
      },
    };
  } catch (error) {
    await sandbox.close().catch(() => {});
    home?.remove();
    throw error;
  }
}

/** `mmt-sync watch --folder DIR`, once it says it is watching. */
export async function startDaemon(bench: DaemonBench): Promise<Child> {
  const daemon = startChild(process.execPath, [cliPath(), 'watch', '--folder', bench.folder], bench.home.env);
  try {
    await daemon.waitForStderr('watching 1 source', 30_000);
  } catch (error) {
    await stopChild(daemon, 5_000);
    throw error;
  }
  return daemon;
}

/** SIGTERM and the time it took to exit: the daemon must stop on its own, not be killed. */
export async function stopDaemon(daemon: Child): Promise<{ exitMs: number; code: number | null; signal: string | null }> {
  const started = performance.now();
  const result = await stopChild(daemon, 30_000);
  const exitMs = performance.now() - started;
  if (result.killed) throw new Error(`Expected the daemon to exit on SIGTERM, it had to be killed; stderr: ${daemon.output().stderr.slice(-2000)}`);
  return { exitMs, code: result.code, signal: result.signal };
}
