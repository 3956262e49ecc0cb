import { spawn } from 'node:child_process';
import { CLI, type CliResult } from './cli.js';

/** A word for sh, single-quoted. */
const shellWord = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a real pseudo-terminal (util-linux `script`): stdout and stderr are
 * both a TTY, as in a person's terminal. What the terminal showed comes back as `stdout`
 * (both streams, with the terminal's \r\n line ends); `stderr` holds only script's own.
 */
export function runCliInPty(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() })),
  );
}

export interface InteractivePty {
  /** Types into the terminal (keys as bytes: "\r" is Enter, "\x1b[B" the down arrow). */
  type(text: string): void;
  /** Everything the terminal has shown so far. */
  screen(): string;
  /** Resolves once the screen shows `pattern` after `from` (a screen length), giving where it ended. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<{ match: RegExpExecArray; end: number }>;
  readonly done: Promise<CliResult>;
}

/** The built CLI on a real pseudo-terminal that a test types into, as a person would answer prompts. */
export function startCliInPty(args: readonly string[], env: NodeJS.ProcessEnv): InteractivePty {
  const command = [process.execPath, CLI, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: screen, stderr })),
  );
  let exited = false;
  void done.then(() => (exited = true));
  return {
    type: (text) => void child.stdin.write(text),
    screen: () => screen,
    async waitFor(pattern, from = 0, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
        const match = re.exec(screen.slice(from));
        if (match) return { match, end: from + match.index + match[0].length };
        if (exited || Date.now() > deadline) throw new Error(`the terminal never showed ${pattern} (${exited ? 'exited' : 'timed out'}):\n${screen.slice(from)}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    done,
  };
}
