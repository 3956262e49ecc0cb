import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface RunResult {
  /** Exit code; null when the program could not be started, was killed or timed out. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not run to an exit code: ENOENT, a timeout, a signal. */
  readonly failure?: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** @default 30_000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Let the child write straight to our stdout/stderr (a sync run's logs) instead of capturing. */
  readonly inherit?: boolean;
}

/** Runs a program (no shell) and never throws: the result says what happened. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (!command) return Promise.resolve({ code: null, stdout: '', stderr: '', failure: 'empty command' });
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.length < 1_000_000) stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 1_000_000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      failure = `timed out after ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code === 'ENOENT' ? `${command}: not found` : error.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal && !failure) failure = `killed by ${signal}`;
      resolve({ code: failure ? null : code, stdout, stderr, ...(failure ? { failure } : {}) });
    });
  });
}

/** The first executable called `name` on PATH, like `command -v`. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = isAbsolute(name) ? [name] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; next.
    }
  }
  return undefined;
}

/** The first line worth showing from a failed command. */
export function firstLine(result: RunResult): string {
  const text = (result.failure ?? (result.stderr.trim() || result.stdout.trim())) || `exit code ${result.code}`;
  return text.split('\n')[0]!.trim();
}
