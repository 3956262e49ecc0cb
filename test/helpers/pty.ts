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
