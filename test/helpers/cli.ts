import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves with the first complete line on stdout. */
  readonly firstLine: Promise<string>;
  readonly done: Promise<CliResult>;
  output(): { stdout: string; stderr: string };
}

/** Starts the built CLI as a real child process; `stdin`, when given, is written to it and closed. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let stdout = '';
  let stderr = '';
  let resolveLine!: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => {
    resolveLine = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const newline = stdout.indexOf('\n');
    if (newline >= 0) resolveLine(stdout.slice(0, newline));
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, firstLine, done, output: () => ({ stdout, stderr }) };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}

export interface TestHome {
  readonly dir: string;
  readonly configFile: string;
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface ApiUnderTest {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** More `api:` settings, as YAML lines indented by two spaces. */
  readonly apiYaml?: string;
  /** More `auth:` settings, as YAML lines indented by two spaces. */
  readonly authYaml?: string;
}

/** An isolated user: its own XDG dirs and a config file pointing at the given API. */
export function makeHome(api: ApiUnderTest, extraYaml = '', tokenStore: 'file' | 'keychain' = 'file'): TestHome {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-test-'));
  const configDir = join(dir, 'config', 'mmt-sync');
  mkdirSync(configDir, { recursive: true });
  const configFile = join(configDir, 'config.yaml');
  // JSON strings are YAML strings: a secret with ': ', '%' or spaces stays one value.
  writeFileSync(
    configFile,
    `api:\n  baseUrl: ${api.baseUrl}\n  clientId: ${JSON.stringify(api.clientId)}\n  clientSecret: ${JSON.stringify(api.clientSecret)}\n  timeoutS: 10\n${api.apiYaml ?? ''}` +
      `auth:\n  tokenStore: ${tokenStore}\n${api.authYaml ?? ''}${extraYaml}`,
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_STATE_HOME: join(dir, 'state'),
    ...(process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {}),
  };
  return { dir, configFile, stateDir: join(dir, 'state', 'mmt-sync'), env };
}
