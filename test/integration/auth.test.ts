import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, REPO, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

function tokenFile(home: TestHome): string {
  const dir = home.stateDir;
  const name = readdirTokens(dir);
  return join(dir, name);
}

function readdirTokens(dir: string): string {
  const entries = readdirSync(dir);
  const found = entries.find((e) => e.startsWith('tokens-'));
  if (!found) throw new Error(`no token file in ${dir}`);
  return found;
}

function readTokens(home: TestHome): { accessToken: string; refreshToken: string; expiresAt: number } {
  return JSON.parse(readFileSync(tokenFile(home), 'utf8'));
}

function spawnFixture(home: TestHome, count: number, salt: string): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(REPO, 'test/fixtures/concurrent-uploads.mjs'), String(count), salt], {
    env: { ...home.env, MMT_SYNC_CONFIG: home.configFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

function runFixture(home: TestHome, count: number, salt: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnFixture(home, count, salt).done;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('login, refresh and logout against the sandbox (file token store)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tokenTtlS: 2 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('logs in with --no-browser and a scripted approval, storing tokens 0600 in a 0700 state dir', async () => {
    const home = makeHome(sandbox);
    const { result, callback } = await scriptedLogin(home);
    expect(result.code, result.stderr).toBe(0);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(result.stdout.split('\n')[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api3\/oauth\/authorize\?/);
    expect(result.stdout).toContain('logged in to');
    expect(statSync(home.stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(tokenFile(home)).mode & 0o777).toBe(0o600);
    const status = await runCli(['status', '--json'], home.env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ login: 'logged-in' });
    expect(status.stdout).not.toContain(readTokens(home).accessToken);
  });

  it('sends both spellings of the documented parameters, a random state and a PKCE S256 challenge', async () => {
    const home = makeHome(sandbox);
    const { result } = await scriptedLogin(home);
    const url = new URL(result.stdout.split('\n')[0]!);
    for (const name of ['redirect_uri', 'redirect_url', 'response_type', 'reponse_type', 'state', 'code_challenge']) {
      expect(url.searchParams.get(name), name).toBeTruthy();
    }
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(new URL(url.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');
  });

  it('fails cleanly (exit 3) when consent is denied', async () => {
    const home = makeHome(sandbox);
    const { result } = await scriptedLogin(home, 'deny');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/access was denied/);
    expect((await runCli(['status'], home.env)).code).toBe(3);
  });

  it('rejects a callback whose state does not match (exit 3), storing nothing', async () => {
    const home = makeHome(sandbox);
    const { startCli } = await import('../helpers/cli.js');
    const cli = startCli(['login', '--no-browser'], home.env);
    const authorize = new URL(await cli.firstLine);
    const redirect = new URL(authorize.searchParams.get('redirect_uri')!);
    redirect.searchParams.set('code', 'forged-code-123456');
    redirect.searchParams.set('state', 'not-the-state-we-sent');
    await (await fetch(redirect)).text();
    const result = await cli.done;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/state/);
    expect((await runCli(['status', '--json'], home.env)).code).toBe(3);
  });

  it('refreshes an expired access token and the call succeeds; the old refresh token is then dead', async () => {
    const home = makeHome(sandbox);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const before = readTokens(home);
    await sleep(2_200);
    const run = await runFixture(home, 1, 'refresh');
    expect(run.code, run.stderr).toBe(0);
    const after = readTokens(home);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
    // Reusing the rotated refresh token is refused (and, by design, kills the family).
    const reuse = await fetch(new URL('oauth/token', sandbox.baseUrl), {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refreshToken }),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('50 concurrent calls from each of 2 processes with an expired token make exactly one refresh', async () => {
    const own = await startSandbox({ tokenTtlS: 2 });
    try {
      const home = makeHome(own);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      await sleep(2_200);
      const before = (await readStats(own)).grants.refresh_token;
      const [a, b] = await Promise.all([runFixture(home, 50, 'a'), runFixture(home, 50, 'b')]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(JSON.parse(a.stdout).ok + JSON.parse(b.stdout).ok).toBe(100);
      expect((await readStats(own)).grants.refresh_token - before).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('a refresh whose process is frozen mid-way (a laptop suspended) is waited for, never taken over', async () => {
    // Every answer comes 1.5 s late, so the refresh is surely in flight when A is frozen.
    const own = await startSandbox({ latencyMs: 1_500 });
    try {
      const home = makeHome(own);
      expect((await scriptedLogin(home)).result.code).toBe(0);
      // Due now; the refreshed pair then lives an hour, so B has no reason of its own to refresh.
      writeFileSync(tokenFile(home), JSON.stringify({ ...readTokens(home), expiresAt: Date.now() - 1_000 }), { mode: 0o600 });
      const before = await readStats(own);
      const a = spawnFixture(home, 1, 'frozen');
      while ((await readStats(own)).requests['oauth/token']! === before.requests['oauth/token']!) await sleep(50);
      a.child.kill('SIGSTOP');
      // Longer than any heartbeat lock's staleness (proper-lockfile's was 10 s): B must still wait.
      await sleep(11_000);
      const b = spawnFixture(home, 1, 'woken');
      await sleep(1_000);
      a.child.kill('SIGCONT');
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code, ra.stderr + ra.stdout).toBe(0);
      expect(rb.code, rb.stderr + rb.stdout).toBe(0);
      const after = await readStats(own);
      expect(after.grants.refresh_token - before.grants.refresh_token).toBe(1);
      expect(after.familiesRevoked - before.familiesRevoked).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('a revoked session makes commands exit 3 with "run mmt-sync login", and status says so', async () => {
    const home = makeHome(sandbox);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const { refreshToken } = readTokens(home);
    const revoke = await fetch(new URL('oauth/revoke', sandbox.baseUrl), {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.status).toBe(200);
    await sleep(2_200);
    const upload = await runFixture(home, 1, 'revoked');
    expect(upload.code).toBe(1);
    expect(upload.stdout).toMatch(/mmt-sync login/);
    const doctor = await runCli(['doctor'], home.env);
    expect(doctor.code).toBe(3);
    expect(doctor.stderr).toMatch(/mmt-sync login/);
    const status = await runCli(['status', '--json'], home.env);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout).login).toBe('login-required');
  });

  it('logout revokes both tokens at the server and deletes the local copy', async () => {
    const home = makeHome(sandbox);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    const tokens = readTokens(home);
    const out = await runCli(['logout'], home.env);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/revoked at the server/);
    expect(() => tokenFile(home)).toThrow();
    const call = await fetch(new URL('uploadActivity', sandbox.baseUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.accessToken}` },
      body: new FormData(),
    });
    expect(call.status).toBe(401);
  });

  it('logout succeeds locally when the server is unreachable, and says so', async () => {
    const own = await startSandbox({});
    const home = makeHome(own);
    expect((await scriptedLogin(home)).result.code).toBe(0);
    await own.close();
    const out = await runCli(['logout'], home.env);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/logged out locally.*not revoked/);
    expect(() => tokenFile(home)).toThrow();
  });
});
