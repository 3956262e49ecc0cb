/**
 * Interop against node-oidc-provider (a certified OpenID Connect / OAuth 2.0 server from npm):
 * the built CLI logs in, refreshes with rotation, refreshes from two processes at once,
 * revokes, and copes with a login without a refresh token and a string expires_in. The
 * provider revokes the whole grant when a spent refresh token comes back, so any reuse by
 * mmt-sync fails these tests loudly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../../src/auth/oauth-client.js';
import { gpxTrack } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, startCli, type CliResult, type TestHome } from '../helpers/cli.js';
import { authorizeUrlOf, storedTokens } from '../helpers/login.js';
import { AWKWARD_SECRET, CLIENT_ID, CLIENT_WITHOUT_REFRESH, SCOPE, approveInBrowser, startInteropServer, type InteropServer } from './lib/oidc-server.js';

const TTL_S = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function homeFor(server: InteropServer, options: { clientId?: string; scope?: string } = {}): TestHome {
  const apiYaml =
    `  scope: ${JSON.stringify(options.scope ?? SCOPE)}\n  issuer: ${server.issuer}\n  paths:\n` +
    `    authorize: ${server.authorizeUrl}\n    token: ${server.tokenUrl}\n    revoke: ${server.revokeUrl}\n`;
  return makeHome(
    { baseUrl: server.apiBaseUrl, clientId: options.clientId ?? CLIENT_ID, clientSecret: AWKWARD_SECRET, apiYaml },
    'intake:\n  settleS: 0\n  backfill: all\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.2\n  onceWaitS: 5\n',
  );
}

/** `mmt-sync login --no-browser`, the provider's pages clicked through by a script. */
async function login(home: TestHome): Promise<CliResult> {
  const cli = startCli(['login', '--no-browser'], home.env);
  const callback = await approveInBrowser(await authorizeUrlOf(cli));
  await (await fetch(callback)).text();
  return cli.done;
}

async function loggedIn(server: InteropServer, options?: { clientId?: string }): Promise<TestHome> {
  const home = homeFor(server, options);
  const result = await login(home);
  expect(result.code, result.stderr).toBe(0);
  return home;
}

function oneActivity(salt: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-interop-'));
  writeFileSync(join(folder, `${salt}.gpx`), gpxTrack(salt));
  return folder;
}

/** The provider's own answer to a refresh with this token (a spent one also revokes its grant). */
async function refreshAtProvider(server: InteropServer, refreshToken: string): Promise<{ status: number; error?: string }> {
  const response = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: { Authorization: basicAuth(CLIENT_ID, AWKWARD_SECRET) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, ...(body.error ? { error: body.error } : {}) };
}

describe('interop with node-oidc-provider (rotation on, PKCE required, short access tokens, revocation)', () => {
  let server: InteropServer;
  beforeAll(async () => {
    server = await startInteropServer({ accessTokenTtlS: TTL_S, refreshedTtlS: 600 });
  });
  afterAll(() => server.close());

  it('sends client_secret_basic as RFC 6749 §2.3.1 has it: each part form-encoded, then base64', () => {
    const decoded = Buffer.from(basicAuth(CLIENT_ID, AWKWARD_SECRET).slice('Basic '.length), 'base64').toString();
    expect(decoded).toBe('mmt-sync:pa%3Ass%2Bwo%2520rd%2Fwith+space');
  });

  it('logs in: PKCE, the configured scope, iss checked against api.issuer, a secret with ": + % /" and a space; OAuth endpoints on another host', async () => {
    const home = await loggedIn(server);
    const tokens = storedTokens(home);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt - Date.now()).toBeLessThanOrEqual(TTL_S * 1000);
    expect(server.seen.grantErrors).toEqual([]);
    const sync = await runCli(['--once', '--folder', oneActivity('login'), '--json'], home.env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout).uploaded).toBe(1);
  });

  it('refreshes with rotation after expiry: the upload goes through, and the provider finds the old refresh token spent', async () => {
    const home = await loggedIn(server);
    const before = storedTokens(home);
    const refreshes = server.seen.grants.refresh_token ?? 0;
    await sleep(TTL_S * 1000 + 200);
    const sync = await runCli(['--once', '--folder', oneActivity('rotate'), '--json'], home.env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ uploaded: 1, retries: 0 });
    expect((server.seen.grants.refresh_token ?? 0) - refreshes).toBe(1);
    const after = storedTokens(home);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // Spent: the provider refuses it (and, by design, revokes the grant, so this comes last).
    expect(await refreshAtProvider(server, before.refreshToken!)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('two CLI processes after expiry make exactly one refresh and never reuse the spent token (the grant survives)', async () => {
    const home = await loggedIn(server);
    const refreshes = server.seen.grants.refresh_token ?? 0;
    const revoked = server.seen.revokedGrants;
    const uploads = server.seen.uploads;
    await sleep(TTL_S * 1000 + 200);
    const [a, b] = await Promise.all([
      runCli(['--once', '--folder', oneActivity('first'), '--json'], home.env),
      runCli(['--once', '--folder', oneActivity('second'), '--json'], home.env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect((server.seen.grants.refresh_token ?? 0) - refreshes).toBe(1);
    expect(server.seen.revokedGrants - revoked, server.seen.grantErrors.join('\n')).toBe(0);
    expect(server.seen.uploads - uploads, [...server.seen.uploadLog.slice(uploads), a.stdout, a.stderr, b.stdout, b.stderr].join('\n')).toBe(2);
    // The one stored pair is the live one: the provider still takes its refresh token.
    expect((await refreshAtProvider(server, storedTokens(home).refreshToken!)).status).toBe(200);
    expect(server.seen.revokedGrants - revoked).toBe(0);
  });

  it('logout revokes the grant at the provider: both tokens reported revoked, the refresh token refused afterwards', async () => {
    const home = await loggedIn(server);
    const tokens = storedTokens(home);
    const out = await runCli(['logout', '--json'], home.env);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ wasLoggedIn: true, revoked: true, refreshToken: 'revoked', accessToken: 'revoked' });
    expect(await refreshAtProvider(server, tokens.refreshToken!)).toEqual({ status: 400, error: 'invalid_grant' });
    expect(await server.provider.AccessToken.find(tokens.accessToken)).toBeUndefined();
  });

  it('a login the provider gives no refresh token: it works, says so, and at expiry asks for a new login (exit 3)', async () => {
    const home = homeFor(server, { clientId: CLIENT_WITHOUT_REFRESH });
    const result = await login(home);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/issued no refresh token/);
    expect(storedTokens(home).refreshToken).toBeUndefined();
    await sleep(TTL_S * 1000 + 200);
    const sync = await runCli(['--once', '--folder', oneActivity('short'), '--json'], home.env);
    expect(sync.code).toBe(3);
    const status = await runCli(['status'], home.env);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/login required \(the access token expired and the server issued no refresh token\)/);
  });

  it('without api.scope the provider grants nothing and answers access_denied: the message points at api.scope', async () => {
    const home = homeFor(server, { scope: '' });
    const result = await login(home);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/access was denied in the browser; if you approved, the server may need a scope: set api\.scope/);
  });
});

describe('interop with node-oidc-provider answering expires_in as a string', () => {
  let server: InteropServer;
  beforeAll(async () => {
    server = await startInteropServer({ accessTokenTtlS: 6, stringExpiresIn: true });
  });
  afterAll(() => server.close());

  it('takes "expires_in": "6" as 6 seconds, at login and at refresh', async () => {
    const started = Date.now();
    const home = await loggedIn(server);
    const done = Date.now();
    const first = storedTokens(home);
    // Six seconds from the answer, which came between these two moments (an hour if read as missing).
    expect(first.expiresAt).toBeGreaterThanOrEqual(started + 6_000);
    expect(first.expiresAt).toBeLessThanOrEqual(done + 6_000);
    await sleep(first.expiresAt - Date.now() + 200);
    const doctor = await runCli(['doctor'], home.env);
    expect(doctor.code, doctor.stdout).toBe(0);
    const second = storedTokens(home);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresAt - Date.now()).toBeLessThanOrEqual(6_000);
    expect(server.seen.grants.refresh_token).toBe(1);
  });
});
