/**
 * Real processes for the upload and daemon benchmarks: the sandbox in a process of its
 * own (so the figures measured on mmt-sync are mmt-sync's alone), an isolated user home
 * with a config file, the built CLI, and a scripted `login --no-browser`.
 *
 * The daemon benchmark imports this file too (bench/daemon/*).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import type { ActivityView, SandboxStats } from '../../src/sandbox/server.js';
import { packageRoot } from '../../src/package-root.js';

/** The built CLI, as a user runs it. */
export function cliPath(): string {
  return join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
}

const CLIENT_ID = 'bench';
const CLIENT_SECRET = 'bench-secret';

/** A child process whose stdout/stderr are collected (a full pipe would stall it). */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the first complete stdout line. */
  readonly firstLine: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
  /** Resolves once stderr has a line containing `text` (rejects if the process exits first). */
  waitForStderr(text: string, timeoutMs: number): Promise<void>;
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Expected ${command} to start, got no pid`);
  let stdout = '';
  let stderr = '';
  const stderrWaiters = new Set<() => void>();
  let resolveLine!: (line: string) => void;
  let rejectLine!: (error: Error) => void;
  const firstLine = new Promise<string>((resolve, reject) => {
    resolveLine = resolve;
    rejectLine = reject;
  });
  firstLine.catch(() => {});
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const newline = stdout.indexOf('\n');
    if (newline >= 0) resolveLine(stdout.slice(0, newline));
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wake of stderrWaiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      rejectLine(new Error(`${args.join(' ')} exited (${code ?? signal}) before printing a line; stderr: ${stderr.slice(-2000)}`));
      for (const wake of stderrWaiters) wake();
      resolve({ code, signal });
    });
  });
  let closed = false;
  void exited.then(() => {
    closed = true;
  });
  const waitForStderr = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`Expected "${text}" on stderr within ${timeoutMs} ms, got: ${stderr.slice(-2000)}`)), timeoutMs);
      const check = () => {
        if (stderr.includes(text)) finish();
        else if (closed) finish(new Error(`Expected "${text}" on stderr, but the process exited; stderr: ${stderr.slice(-2000)}`));
      };
      function finish(error?: Error) {
        clearTimeout(timer);
        stderrWaiters.delete(check);
        if (error) reject(error);
        else resolve();
      }
      stderrWaiters.add(check);
      check();
    });
  return { process: child, pid: child.pid, firstLine, exited, output: () => ({ stdout, stderr }), waitForStderr };
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: Child, graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return { ...(await child.exited), killed: false };
  child.process.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.process.kill('SIGKILL');
  }, graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return { ...result, killed };
}

/** The sandbox API server, run by the CLI in a process of its own. */
export interface SandboxProcess {
  readonly baseUrl: string;
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly child: Child;
  stats(): Promise<SandboxStats>;
  activities(): Promise<ActivityView[]>;
  close(): Promise<void>;
}

/** `args`: more sandbox flags (`--rate-limit 120`). */
export async function startSandboxProcess(args: readonly string[] = []): Promise<SandboxProcess> {
  const child = startChild(process.execPath, [cliPath(), 'sandbox', '--port', '0', '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET, ...args], {
    PATH: process.env.PATH,
  });
  const line = await child.firstLine;
  const match = /^sandbox listening: (\S+)$/.exec(line);
  if (!match) {
    await stopChild(child);
    throw new Error(`Expected "sandbox listening: <baseUrl>" from the sandbox, got ${JSON.stringify(line)}`);
  }
  const baseUrl = match[1]!;
  const origin = new URL(baseUrl).origin;
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${origin}${path}`);
    if (!response.ok) throw new Error(`Expected 200 from the sandbox's ${path}, got ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    baseUrl,
    origin,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    child,
    stats: () => getJson<SandboxStats>('/sandbox/stats'),
    activities: () => getJson<ActivityView[]>('/sandbox/activities'),
    close: async () => {
      const result = await stopChild(child);
      if (result.killed) throw new Error('the sandbox did not stop on SIGTERM and was killed');
    },
  };
}

/** An isolated user: its own HOME and XDG dirs, a config file, a folder to sync. */
export interface BenchHome {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  remove(): void;
}

/**
 * `extraYaml` is laid after the api/auth sections: intake, upload, … (tokens go to a file:
 * the benchmark must not depend on, or touch, a keychain). Devices are not looked for
 * unless `extraYaml` has a `devices:` section of its own.
 */
export function makeHome(sandbox: SandboxProcess, extraYaml: string, prefix: string): BenchHome {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const configDir = join(dir, 'config', 'mmt-sync');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'config.yaml'),
    [
      'api:',
      `  baseUrl: ${sandbox.baseUrl}`,
      `  clientId: ${sandbox.clientId}`,
      `  clientSecret: ${sandbox.clientSecret}`,
      'auth:',
      '  tokenStore: file',
      ...(/^devices:/m.test(extraYaml) ? [] : ['devices:', '  autoDetect: false']),
      extraYaml,
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
  };
  return { dir, env, stateDir: join(dir, 'state', 'mmt-sync'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `mmt-sync login --no-browser`, with a script clicking "Approve" (as test/helpers/login.ts does). */
export async function scriptedLogin(home: BenchHome): Promise<void> {
  const cli = startChild(process.execPath, [cliPath(), 'login', '--no-browser'], home.env);
  try {
    const authorizeUrl = await cli.firstLine;
    const callback = await approveAuthorization(authorizeUrl);
    const response = await fetch(callback);
    await response.text();
    const { code } = await cli.exited;
    if (code !== 0) throw new Error(`Expected login to exit 0, got ${code}; stderr: ${cli.output().stderr.slice(-2000)}`);
  } finally {
    await stopChild(cli, 5_000);
  }
}

/** Upload requests the sandbox logged (uploadActivity), oldest first. */
export function uploadRequests(stats: SandboxStats): SandboxStats['log'] {
  return stats.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/uploadActivity'));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function poll<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs} ms, got nothing`);
    await sleep(everyMs);
  }
}
