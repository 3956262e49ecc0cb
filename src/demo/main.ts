/**
 * `npm run demo`: mmt-sync against the bundled sandbox, start to finish, on a fresh
 * clone. Everything lives in a temporary home that is removed at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../sandbox/server.js';
import { approveAuthorization } from '../sandbox/headless.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function step(text: string): void {
  process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);
}

/** Runs the real CLI; its stdout and stderr go straight to the terminal unless captured. */
function cli(args: string[], env: NodeJS.ProcessEnv, onFirstLine?: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', onFirstLine ? 'pipe' : 'inherit', 'inherit'] });
    if (onFirstLine && child.stdout) {
      let buffered = '';
      let seen = false;
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        process.stdout.write(chunk);
        const newline = buffered.indexOf('\n');
        if (!seen && newline >= 0) {
          seen = true;
          onFirstLine(buffered.slice(0, newline));
        }
      });
    }
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'mmt-sync-demo-'));
  const sandbox = await startSandbox({ tokenTtlS: 3600 });
  try {
    step(`sandbox Map My Tracks running at ${sandbox.baseUrl}`);
    const configDir = join(home, 'config', 'mmt-sync');
    mkdirSync(configDir, { recursive: true });
    // A file token store: a fresh machine (or CI container) may have no keyring.
    writeFileSync(
      join(configDir, 'config.yaml'),
      [
        'api:',
        `  baseUrl: ${sandbox.baseUrl}`,
        `  clientId: ${sandbox.clientId}`,
        `  clientSecret: ${sandbox.clientSecret}`,
        'auth:',
        '  tokenStore: file',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') };
    delete env.MMT_SYNC_CONFIG;

    step('mmt-sync login --no-browser   (approved by a script instead of a person)');
    let approval: Promise<void> = Promise.resolve();
    const loginCode = await cli(['login', '--no-browser'], env, (authorizeUrl) => {
      approval = (async () => {
        const callback = await approveAuthorization(authorizeUrl);
        await (await fetch(callback)).text();
      })();
    });
    await approval;
    if (loginCode !== 0) return loginCode;

    step('mmt-sync status');
    const statusCode = await cli(['status'], env);
    step(`done; sandbox activities page: ${new URL(sandbox.baseUrl).origin}/ (stopped now)`);
    return statusCode;
  } finally {
    await sandbox.close();
    rmSync(home, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
