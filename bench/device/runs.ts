/**
 * One timed `mmt-sync` run as the benchmarks of a plugged-in watch need it: wall time
 * from spawn to exit, and when the sandbox saw the first and last upload request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, makeHome, scriptedLogin, startChild, startSandboxProcess, uploadRequests, type BenchHome, type SandboxProcess } from '../upload/processes.js';

export interface TimedRun {
  readonly wallMs: number;
  /** From spawn to the first upload request's arrival at the sandbox (undefined: none). */
  readonly firstUploadMs?: number;
  readonly lastUploadMs?: number;
  readonly uploads: number;
  readonly code: number | null;
  readonly summary: { uploaded: number; scan: Record<string, unknown>; pending: number; failed: unknown[] };
}

/** `mmt-sync sync --json ARGS…` in `home`, timed; a run that does not exit 0 is an error. */
export async function timedSync(sandbox: SandboxProcess, home: BenchHome, args: readonly string[] = []): Promise<TimedRun> {
  const before = uploadRequests(await sandbox.stats()).length;
  const startedAt = Date.now();
  const started = performance.now();
  const child = startChild(process.execPath, [cliPath(), 'sync', '--json', ...args], home.env);
  const { code, signal } = await child.exited;
  const wallMs = performance.now() - started;
  const { stdout, stderr } = child.output();
  if (code !== 0) throw new Error(`Expected mmt-sync sync ${args.join(' ')} to exit 0, got ${code ?? signal}; stderr: ${stderr.slice(-3000)}`);
  const uploads = uploadRequests(await sandbox.stats()).slice(before).map((e) => e.t).sort((a, b) => a - b);
  return {
    wallMs,
    ...(uploads.length ? { firstUploadMs: uploads[0]! - startedAt, lastUploadMs: uploads.at(-1)! - startedAt } : {}),
    uploads: uploads.length,
    code,
    summary: JSON.parse(stdout) as TimedRun['summary'],
  };
}

/** A fresh sandbox process and a logged-in user with `yaml` as config: one trial's world. */
export async function freshWorld(yaml: string, prefix: string): Promise<{ sandbox: SandboxProcess; home: BenchHome; close(): Promise<void> }> {
  const sandbox = await startSandboxProcess();
  const home = makeHome(sandbox, yaml, prefix);
  try {
    await scriptedLogin(home);
  } catch (error) {
    await sandbox.close();
    home.remove();
    throw error;
  }
  return {
    sandbox,
    home,
    close: async () => {
      await sandbox.close();
      home.remove();
    },
  };
}

/** The device's own time for everything: each file opened once and read once, one after another. */
export function readEverything(dir: string): { ms: number; files: number; bytes: number } {
  const started = performance.now();
  let bytes = 0;
  const names = readdirSync(dir);
  for (const name of names) bytes += readFileSync(join(dir, name)).length;
  return { ms: performance.now() - started, files: names.length, bytes };
}
