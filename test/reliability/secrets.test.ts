import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import { CORPUS, makeHome, runCli, startCli, type TestHome } from '../helpers/cli.js';
import { corpusCopy } from '../helpers/tree.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ tokenTtlS: 1, clientSecret: 'sandbox-secret-never-in-any-file', failRate: 0.2, seed: 9 });
});
afterAll(async () => {
  await sandbox.close();
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function tokenFile(home: TestHome): string | undefined {
  const name = readdirSync(home.stateDir).find((f) => f.startsWith('tokens-'));
  return name ? join(home.stateDir, name) : undefined;
}

/** Samples the argv of a running process (and its children) while it lives. */
function sampleArgv(pid: number, into: Set<string>): () => void {
  const timer = setInterval(() => {
    for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const status = readFileSync(`/proc/${p}/status`, 'utf8');
        const ppid = /PPid:\s+(\d+)/.exec(status)?.[1];
        if (p === String(pid) || ppid === String(pid)) into.add(readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        // Processes come and go.
      }
    }
  }, 20);
  return () => clearInterval(timer);
}

describe('secrets and permissions after a full debug-level session', () => {
  it('no token, code or client secret in any output, argv, journal or file but the token store; modes 0700/0600', async () => {
    const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.3\n  onceWaitS: 10\n');
    const secrets = new Set<string>([sandbox.clientSecret]);
    const output: string[] = [];
    const argv = new Set<string>();

    const login = startCli(['login', '--no-browser', '-v'], home.env);
    const stopSampling = sampleArgv(login.child.pid!, argv);
    const callback = await approveAuthorization(await login.firstLine);
    secrets.add(callback.searchParams.get('code')!);
    await (await fetch(callback)).text();
    // The loopback listener took its one request: a second one is refused (404 while it closes, then no listener).
    const second = await fetch(new URL('/callback?code=x&state=y', callback)).then((r) => r.status, () => 'refused');
    expect([404, 'refused']).toContain(second);
    const loginResult = await login.done;
    stopSampling();
    expect(loginResult.code).toBe(0);
    expect(callback.hostname).toBe('127.0.0.1');
    output.push(loginResult.stdout, loginResult.stderr);

    const collect = () => {
      const file = tokenFile(home);
      if (!file) return;
      const t = JSON.parse(readFileSync(file, 'utf8')) as { accessToken: string; refreshToken: string };
      secrets.add(t.accessToken);
      secrets.add(t.refreshToken);
    };
    collect();
    const folder = corpusCopy();
    for (const args of [['--once', '--folder', folder, '-v'], ['status', '-v'], ['doctor', '-v'], ['--once', '--folder', join(CORPUS, 'gpx'), '-v', '--log-format', 'json']]) {
      await new Promise((r) => setTimeout(r, 1_100)); // expired: each command refreshes (and rotates)
      const run = startCli(args, home.env);
      const stop = sampleArgv(run.child.pid!, argv);
      const result = await run.done;
      stop();
      output.push(result.stdout, result.stderr);
      collect();
    }
    const logout = await runCli(['logout', '-v'], home.env);
    output.push(logout.stdout, logout.stderr);
    expect(logout.code).toBe(0);
    expect(secrets.size).toBeGreaterThanOrEqual(8);

    const everything = output.join('\n');
    expect(everything).toMatch(/refresh/i);
    const files = walk(home.stateDir).filter((f) => f !== tokenFile(home));
    expect(files.some((f) => f.endsWith('journal.sqlite'))).toBe(true);
    for (const secret of secrets) {
      const hint = `${secret.slice(0, 4)}…`;
      expect(everything.includes(secret), `a secret (${hint}) reached stdout/stderr`).toBe(false);
      for (const cmd of argv) expect(cmd.includes(secret), `a secret (${hint}) in argv: ${cmd.slice(0, 80)}`).toBe(false);
      for (const file of files) expect(readFileSync(file).includes(secret), `a secret (${hint}) in ${file}`).toBe(false);
    }
    expect(statSync(home.stateDir).mode & 0o777).toBe(0o700);
    for (const file of files) expect(statSync(file).mode & 0o077, `${file} is readable by others`).toBe(0);
  });
});
