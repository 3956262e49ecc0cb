import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { makeHome, runCli, REPO, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ tokenTtlS: 1, clientSecret: 'sandbox-client-secret-do-not-log' });
});
afterAll(async () => {
  await sandbox.close();
});

function currentTokens(home: TestHome): string[] {
  const file = readdirSync(home.stateDir).find((f) => f.startsWith('tokens-'));
  if (!file) return [];
  const t = JSON.parse(readFileSync(join(home.stateDir, file), 'utf8')) as { accessToken: string; refreshToken: string };
  return [t.accessToken, t.refreshToken];
}

function fixture(home: TestHome, salt: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'test/fixtures/concurrent-uploads.mjs'), '3', salt], {
      env: { ...home.env, MMT_SYNC_CONFIG: home.configFile, FIXTURE_LOG_LEVEL: 'debug' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('close', () => resolve(out));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a full debug-level session (login, refresh, uploads, errors, logout) never prints a token, code or secret', async () => {
  const home = makeHome(sandbox);
  const secrets = new Set<string>([sandbox.clientSecret]);
  const output: string[] = [];

  const login = await scriptedLogin(home, 'approve', ['-v']);
  expect(login.result.code).toBe(0);
  secrets.add(login.callback.searchParams.get('code')!);
  output.push(login.result.stdout, login.result.stderr);
  currentTokens(home).forEach((t) => secrets.add(t));

  for (const round of ['one', 'two']) {
    await sleep(1_200); // expired: every round refreshes (and rotates)
    output.push(await fixture(home, round));
    currentTokens(home).forEach((t) => secrets.add(t));
    for (const args of [['doctor', '-v'], ['status', '-v'], ['status', '--json', '-v', '--log-format', 'json']]) {
      const r = await runCli(args, home.env);
      output.push(r.stdout, r.stderr);
      currentTokens(home).forEach((t) => secrets.add(t));
    }
  }
  // An error path at debug level: the server refuses the client credentials.
  const wrong = makeHome({ ...sandbox, clientSecret: 'wrong-secret-also-never-logged' });
  secrets.add('wrong-secret-also-never-logged');
  const refused = await scriptedLogin(wrong, 'approve', ['-v']);
  expect(refused.result.code).toBe(2);
  secrets.add(refused.callback.searchParams.get('code')!);
  output.push(refused.result.stdout, refused.result.stderr);

  const logout = await runCli(['logout', '-v'], home.env);
  expect(logout.code).toBe(0);
  output.push(logout.stdout, logout.stderr);

  const all = output.join('\n');
  expect(all).toMatch(/refresh/i); // the session really refreshed and logged about it
  expect(secrets.size).toBeGreaterThanOrEqual(8);
  for (const secret of secrets) {
    expect(all.includes(secret), `a secret (${secret.slice(0, 4)}…) reached the output`).toBe(false);
  }
});

it('a bad config value exits 2 with one line naming the key, the value and what is expected', async () => {
  const home = makeHome(sandbox, 'upload:\n  status: pubic\n');
  const result = await runCli(['status'], home.env);
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('upload.status: expected "public" or "private", got "pubic"');
});

it('a non-https base URL to another host is refused (exit 2)', async () => {
  const home = makeHome({ ...sandbox, baseUrl: 'http://example.com/api3/' });
  const result = await runCli(['doctor'], home.env);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/api\.baseUrl: expected an https:\/\/ URL/);
  const status = await runCli(['status'], home.env);
  expect(status.code).toBe(2);
});

it('an unknown setting exits 2 naming it', async () => {
  const home = makeHome(sandbox, 'uplaod:\n  status: public\n');
  const result = await runCli(['status'], home.env);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/uplaod: unknown setting/);
});
