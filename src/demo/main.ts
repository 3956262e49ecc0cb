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
import { escapesAllowed } from '../cli/terminal.js';
import { createDemoWatch } from './watch-folder.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

// Bold steps only on a terminal that wants escapes; `npm run demo > file` gets plain text.
const bold = process.stdout.isTTY && escapesAllowed(process.env);

function step(text: string): void {
  process.stdout.write(bold ? `\n\x1b[1m▶ ${text}\x1b[0m\n` : `\n▶ ${text}\n`);
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
  // Some injected faults, so the retries show.
  const sandbox = await startSandbox({ tokenTtlS: 3600, failRate: 0.2, seed: 42 });
  try {
    step(`sandbox Map My Tracks running at ${sandbox.baseUrl} (20 % of uploads fail on purpose)`);
    const mediaRoot = join(home, 'media');
    const watch = createDemoWatch(mediaRoot);
    step(`a watch "plugged in" at ${watch.volume}: ${watch.files.join(', ')}`);
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
        'devices:',
        `  mediaRoots: [${JSON.stringify(mediaRoot)}]`,
        'intake:',
        '  settleS: 1',
        'retry:',
        '  baseDelayS: 0.5',
        '  maxDelayS: 4',
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

    step('mmt-sync --once   (finds the watch, settles, classifies, uploads with retries)');
    const syncCode = await cli(['--once'], env);

    step('mmt-sync --once   again: nothing new, nothing uploaded twice');
    await cli(['--once', '-q'], env);

    step('mmt-sync status');
    await cli(['status'], env);
    const page = `${new URL(sandbox.baseUrl).origin}/`;
    if (process.stdin.isTTY) {
      step(`the sandbox's page lists what arrived: ${page}  — press Enter to stop`);
      await new Promise((resolve) => process.stdin.once('data', resolve));
      process.stdin.pause();
    } else {
      step(`sandbox page (while it runs): ${page}; stopping now`);
    }
    return syncCode;
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
