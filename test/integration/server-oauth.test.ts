/**
 * OAuth against servers that answer the way RFC 6749 allows rather than the way the
 * contract's pages show: each case is a sandbox personality (`--quirks`), driven through the
 * built CLI with a scripted browser, over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { callOAuth, gpxTrack, readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, startCli, type ApiUnderTest, type TestHome } from '../helpers/cli.js';
import { noTokens, scriptedLogin, storedTokens } from '../helpers/login.js';
import { freePort } from '../helpers/net.js';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withSandbox(options: SandboxOptions, test: (sandbox: RunningSandbox) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox(options);
  try {
    await test(sandbox);
  } finally {
    await sandbox.close();
  }
}

async function loggedIn(api: ApiUnderTest, extraYaml = ''): Promise<{ home: TestHome; stderr: string }> {
  const home = makeHome(api, extraYaml);
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
  return { home, stderr: login.result.stderr };
}

async function statusJson(home: TestHome): Promise<{ code: number | null; status: Record<string, unknown> }> {
  const result = await runCli(['status', '--json'], home.env);
  return { code: result.code, status: JSON.parse(result.stdout) };
}

describe('tokens as servers vary (RFC 6749 §5.1, §6)', () => {
  it('no-rotation: a refresh answer without refresh_token keeps the stored one, and the next refresh works with it', async () => {
    await withSandbox({ tokenTtlS: 2, quirks: 'no-rotation' }, async (sandbox) => {
      const { home } = await loggedIn(sandbox);
      const first = storedTokens(home);
      for (const round of [1, 2]) {
        await sleep(2_200);
        const doctor = await runCli(['doctor'], home.env);
        expect(doctor.code, `refresh ${round}: ${doctor.stdout}${doctor.stderr}`).toBe(0);
        const now = storedTokens(home);
        expect(now.refreshToken).toBe(first.refreshToken);
        expect(now.accessToken).not.toBe(first.accessToken);
        expect(now.loginRequired).toBeUndefined();
      }
      expect((await readStats(sandbox)).grants.refresh_token).toBe(2);
      expect((await statusJson(home)).status.login).toBe('logged-in');
    });
  });

  it('no-refresh-token: login works and warns; at expiry commands exit 3 saying no refresh token was issued, and status says so', async () => {
    // Long enough for status to see the fresh token on a loaded machine; then wait it out.
    await withSandbox({ tokenTtlS: 5, quirks: 'no-refresh-token' }, async (sandbox) => {
      const { home, stderr } = await loggedIn(sandbox);
      expect(stderr).toMatch(/issued no refresh token: you will have to run `mmt-sync login` again when the access token expires/);
      const tokens = storedTokens(home);
      expect(tokens.refreshToken).toBeUndefined();
      const fresh = await statusJson(home);
      expect(fresh.code).toBe(0);
      expect(fresh.status).toMatchObject({ login: 'logged-in', refreshable: false });
      await sleep(Math.max(0, tokens.expiresAt - Date.now()) + 200);
      const doctor = await runCli(['doctor'], home.env);
      expect(doctor.code).toBe(3);
      expect(doctor.stdout).toMatch(/^FAIL  login: login required \(the access token expired and the server issued no refresh token\) — fix: run `mmt-sync login`$/m);
      const later = await statusJson(home);
      expect(later.code).toBe(3);
      expect(later.status).toMatchObject({ login: 'login-required', loginRequiredReason: 'the access token expired and the server issued no refresh token' });
      expect((await readStats(sandbox)).grants.refresh_token ?? 0).toBe(0);
    });
  });

  it('expires-in-string: "expires_in": "8" means 8 seconds, not an hour', async () => {
    await withSandbox({ tokenTtlS: 8, quirks: 'expires-in-string' }, async (sandbox) => {
      const before = Date.now();
      const { home } = await loggedIn(sandbox);
      const after = Date.now();
      // Eight seconds from the answer, which came between these two moments.
      expect(storedTokens(home).expiresAt).toBeGreaterThanOrEqual(before + 8_000);
      expect(storedTokens(home).expiresAt).toBeLessThanOrEqual(after + 8_000);
    });
  });

  it('no-expires-in and lowercase-token-type: an hour is assumed, and "bearer" is a Bearer token', async () => {
    await withSandbox({ tokenTtlS: 5, quirks: 'no-expires-in,lowercase-token-type' }, async (sandbox) => {
      const before = Date.now();
      const { home } = await loggedIn(sandbox);
      const after = Date.now();
      expect(storedTokens(home).expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(storedTokens(home).expiresAt).toBeLessThanOrEqual(after + 3_600_000);
    });
  });

  it('bom: token answers behind a byte order mark are read (login and refresh)', async () => {
    await withSandbox({ tokenTtlS: 2, quirks: 'bom' }, async (sandbox) => {
      const { home } = await loggedIn(sandbox);
      const first = storedTokens(home);
      await sleep(2_200);
      const doctor = await runCli(['doctor'], home.env);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      expect(storedTokens(home).refreshToken).not.toBe(first.refreshToken);
    });
  });
});

describe('the authorization request and response', () => {
  it('scope-required: without api.scope the server\'s invalid_scope is reported (exit 2, not "access was denied"); with it, login works', async () => {
    await withSandbox({ quirks: 'scope-required' }, async (sandbox) => {
      const bare = makeHome(sandbox);
      const refused = await scriptedLogin(bare);
      expect(refused.result.code).toBe(2);
      expect(refused.result.stderr).toMatch(/login failed: the server answered invalid_scope \(this server requires a scope\): set api\.scope/);
      expect(refused.result.stderr).not.toMatch(/denied/);
      expect(refused.page).toMatch(/invalid_scope/);
      expect(noTokens(bare)).toBe(true);

      const { home } = await loggedIn({ ...sandbox, apiYaml: '  scope: "activities write"\n' });
      expect(storedTokens(home).accessToken).toBeTruthy();
    });
  });

  it('iss (RFC 9207): with api.issuer set the matching iss logs in; a forged iss is refused and nothing stored; a response without iss is refused', async () => {
    await withSandbox({ quirks: 'iss' }, async (sandbox) => {
      const api = { ...sandbox, apiYaml: `  issuer: ${sandbox.issuer}\n` };
      const { home } = await loggedIn(api);
      expect(storedTokens(home).accessToken).toBeTruthy();

      const attacked = makeHome(api);
      const forged = await scriptedLogin(attacked, 'approve', [], (callback) => callback.searchParams.set('iss', 'https://evil.example'));
      expect(forged.result.code).toBe(3);
      expect(forged.result.stderr).toMatch(/came from issuer "https:\/\/evil\.example", but api\.issuer is ".*\/api3".*nothing was stored/);
      expect(noTokens(attacked)).toBe(true);
      // The code was never exchanged: it is still good for its owner.
      expect((await readStats(sandbox)).grants.authorization_code).toBe(1);
    });
    await withSandbox({}, async (plain) => {
      const home = makeHome({ ...plain, apiYaml: `  issuer: ${plain.issuer}\n` });
      const missing = await scriptedLogin(home);
      expect(missing.result.code).toBe(3);
      expect(missing.result.stderr).toMatch(/the authorization response carried no iss/);
    });
  });

  it('auth.callbackPort: a server that registered one exact redirect URI accepts the login; with a random port it refuses', async () => {
    const port = await freePort();
    const registered = `http://127.0.0.1:${port}/callback`;
    await withSandbox({ redirectUri: registered }, async (sandbox) => {
      const random = makeHome(sandbox);
      const cli = startCli(['login', '--no-browser'], random.env);
      const refusal = await approveAuthorization(await cli.firstLine).catch((error: Error) => error.message);
      expect(refusal).toMatch(/answered 400 instead of a redirect.*does not match the registered one/s);
      // Cancelled while waiting for the browser: it ends now, not when auth.loginTimeoutS runs out.
      const cancelledAt = Date.now();
      cli.child.kill('SIGTERM');
      expect((await cli.done).stderr).toMatch(/login cancelled/);
      expect(Date.now() - cancelledAt).toBeLessThan(10_000);

      const home = makeHome({ ...sandbox, authYaml: `  callbackPort: ${port}\n` });
      const login = await scriptedLogin(home);
      expect(login.result.code, login.result.stderr).toBe(0);
      expect(new URL(login.result.stdout.split('\n')[0]!).searchParams.get('redirect_uri')).toBe(registered);
    });
  });

  it('auth.callbackPort in use: one line naming the setting, exit 2', async () => {
    await withSandbox({}, async (sandbox) => {
      const port = await freePort();
      const { createServer } = await import('node:net');
      const squatter = createServer().listen(port, '127.0.0.1');
      try {
        const home = makeHome({ ...sandbox, authYaml: `  callbackPort: ${port}\n` });
        const result = await runCli(['login', '--no-browser'], home.env);
        expect(result.code).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(new RegExp(`auth\\.callbackPort ${port}: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
      } finally {
        squatter.close();
      }
    });
  });
});

describe('logout', () => {
  it('no-access-revoke: the refresh token is revoked and the access token reported as not revocable, on their own; the session is ended', async () => {
    await withSandbox({ quirks: 'no-access-revoke' }, async (sandbox) => {
      const { home } = await loggedIn(sandbox);
      const tokens = storedTokens(home);
      const out = await runCli(['logout', '--json'], home.env);
      expect(out.code, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual({ wasLoggedIn: true, revoked: true, refreshToken: 'revoked', accessToken: 'unsupported' });
      const text = await runCli(['logout'], home.env);
      expect(text.stdout).toMatch(/not logged in/);
      const reuse = await callOAuth(sandbox, 'oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refreshToken! });
      expect(reuse.body.error).toBe('invalid_grant');
      expect(noTokens(home)).toBe(true);
    });
  });

  it('tells each revocation in text: which token was revoked and which one only expires', async () => {
    await withSandbox({ quirks: 'no-access-revoke' }, async (sandbox) => {
      const { home } = await loggedIn(sandbox);
      const out = await runCli(['logout'], home.env);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^logged out: the session was revoked at the server/);
      expect(out.stdout).toMatch(/refresh token: revoked at the server/);
      expect(out.stdout).toMatch(/access token: {2}not revocable at this server \(RFC 7009 unsupported_token_type\)/);
    });
  });
});

describe('endpoints on other hosts', () => {
  it('takes every OAuth and data endpoint as an absolute URL: login, upload and logout never touch api.baseUrl', async () => {
    await withSandbox({}, async (sandbox) => {
      const paths = ['authorize:oauth/authorize', 'token:oauth/token', 'revoke:oauth/revoke', 'uploadActivity:uploadActivity', 'startActivity:startActivity', 'updateActivity:updateActivity', 'stopActivity:stopActivity']
        .map((pair) => {
          const [key, path] = pair.split(':');
          return `    ${key}: ${new URL(path!, sandbox.baseUrl).href}\n`;
        })
        .join('');
      // Port 9 (discard) on loopback: nothing answers there.
      const api = { ...sandbox, baseUrl: 'http://127.0.0.1:9/unused/', apiYaml: `  paths:\n${paths}` };
      const { home } = await loggedIn(api, 'intake:\n  settleS: 0\n  backfill: all\n');
      const folder = mkdtempSync(join(tmpdir(), 'mmt-abs-'));
      writeFileSync(join(folder, 'run.gpx'), gpxTrack('absolute'));
      const sync = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(JSON.parse(sync.stdout).uploaded).toBe(1);
      // doctor asks the upload endpoint's own host, not the unused base URL.
      const doctor = await runCli(['doctor'], home.env);
      expect(doctor.code, doctor.stdout).toBe(0);
      const upload = new URL('uploadActivity', sandbox.baseUrl);
      expect(doctor.stdout).toContain(`api: ${upload.host} answered GET ${upload.pathname} with HTTP`);
      expect(doctor.stdout).not.toContain('127.0.0.1:9');
      const out = await runCli(['logout', '--json'], home.env);
      expect(JSON.parse(out.stdout)).toMatchObject({ revoked: true });
    });
  });

  it('refuses an absolute endpoint over plain http to another machine, naming the setting (exit 2)', async () => {
    const home = makeHome({ baseUrl: 'https://www.mapmytracks.com/api3/', clientId: 'c', clientSecret: 's', apiYaml: '  paths:\n    token: http://auth.example.com/token\n' });
    const result = await runCli(['status'], home.env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /error: api\.paths\.token: expected a path relative to api\.baseUrl \(like oauth\/token\) or an https:\/\/ URL \(plain http only for a loopback host\), got "http:\/\/auth\.example\.com\/token"/,
    );
  });
});
