import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approveAuthorization, basicAuth, loginHeadless } from './headless.js';
import { type RunningSandbox, startSandbox } from './server.js';
import { callApi, callOAuth, gpxTrack, readStats } from './testkit.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const verifier = () => randomBytes(32).toString('base64url');
const challengeOf = (v: string) => createHash('sha256').update(v).digest('base64url');

let sandbox: RunningSandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ codeTtlMs: 300 });
});
afterEach(() => sandbox.close());

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL('oauth/authorize', sandbox.baseUrl);
  url.search = new URLSearchParams({ client_id: sandbox.clientId, ...params }).toString();
  return url.href;
}

async function codeFor(params: Record<string, string> = {}): Promise<string> {
  const callback = await approveAuthorization(
    authorizeUrl({ redirect_uri: REDIRECT, response_type: 'code', state: 's1', ...params }),
  );
  expect(callback.searchParams.get('state')).toBe('s1');
  return callback.searchParams.get('code')!;
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  callOAuth(sandbox, 'oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra });
const refresh = (token: string) => callOAuth(sandbox, 'oauth/token', { grant_type: 'refresh_token', refresh_token: token });
const upload = (accessToken: string, salt = String(Math.random())) =>
  callApi(sandbox, 'uploadActivity', { status: 'private', activity_type: 'running', file: { bytes: gpxTrack(salt), filename: 'a.gpx' } }, accessToken);

describe('authorize', () => {
  it('shows a consent page whose form posts back to the same URL, accepting the doc spellings', async () => {
    const url = authorizeUrl({ redirect_url: REDIRECT, reponse_type: 'code', state: 'x' });
    const response = await fetch(url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('Approve');
    expect(html).toContain('Deny');
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&#38;/g, '&');
    expect(new URL(action, url).href).toBe(url);
    const callback = await approveAuthorization(url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it.each([
    ['an unknown client', { client_id: 'nope', redirect_uri: REDIRECT }],
    ['a non-loopback redirect', { redirect_uri: 'http://example.com/callback' }],
    ['an https loopback redirect', { redirect_uri: 'https://127.0.0.1:1/cb' }],
    ['a redirect with a fragment', { redirect_uri: `${REDIRECT}#x` }],
    ['two different redirect spellings', { redirect_uri: REDIRECT, redirect_url: 'http://localhost:1/cb' }],
  ])('answers 400 HTML and does not redirect for %s', async (_, params) => {
    const url = authorizeUrl({ response_type: 'code', state: 's', ...params });
    for (const init of [{}, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) }]) {
      const response = await fetch(url, { ...init, redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('accepts [::1] and localhost loopback redirects', async () => {
    for (const redirect of ['http://[::1]:9/cb', 'http://localhost:65000/x/y?keep=1']) {
      const callback = await approveAuthorization(authorizeUrl({ redirect_uri: redirect, response_type: 'code' }));
      expect(callback.searchParams.get('code')).toBeTruthy();
      if (redirect.includes('keep')) expect(callback.searchParams.get('keep')).toBe('1');
    }
  });

  it('redirects request errors to the client, and a denial as access_denied', async () => {
    const bad = await fetch(authorizeUrl({ redirect_uri: REDIRECT, response_type: 'token', state: 'q' }), { redirect: 'manual' });
    expect(bad.status).toBe(302);
    const location = new URL(bad.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('q');

    const denied = await approveAuthorization(authorizeUrl({ redirect_uri: REDIRECT, response_type: 'code', state: 'd' }), {
      decision: 'deny',
    });
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: 'access_denied', state: 'd' });
  });
});

describe('token', () => {
  it('runs the full flow: code, refresh with rotation, and reuse revoking the whole family', async () => {
    const v = verifier();
    const code = await codeFor({ code_challenge: challengeOf(v), code_challenge_method: 'S256' });
    const first = await exchange(code, { code_verifier: v });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
    });
    expect((await upload(first.body.access_token)).status).toBe(200);

    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect((await upload(second.body.access_token)).status).toBe(200);

    // The rotated token comes back: someone else holds it. Everything of this grant dies.
    const reuse = await refresh(first.body.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await upload(second.body.access_token)).status).toBe(401);
    expect((await upload(first.body.access_token)).status).toBe(401);
    expect((await refresh(second.body.refresh_token)).body.error).toBe('invalid_grant');

    const stats = await readStats(sandbox);
    expect(stats.grants).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(stats.refreshRejected).toBe(2);
    expect(stats.familiesRevoked).toBe(1);
    expect(stats.requests['oauth/token']).toBe(4);
  });

  it('keeps other families alive when one is revoked', async () => {
    const a = await loginHeadless(sandbox);
    const b = await loginHeadless(sandbox);
    await refresh(a.refresh_token);
    await refresh(a.refresh_token);
    expect((await upload(a.access_token)).status).toBe(401);
    expect((await upload(b.access_token)).status).toBe(200);
  });

  it('verifies PKCE: wrong or missing verifier fails, plain works', async () => {
    const v = verifier();
    const params = { code_challenge: challengeOf(v), code_challenge_method: 'S256' };
    expect((await exchange(await codeFor(params), { code_verifier: verifier() })).body.error).toBe('invalid_grant');
    expect((await exchange(await codeFor(params))).body.error).toBe('invalid_grant');
    expect((await exchange(await codeFor(params), { code_verifier: v })).status).toBe(200);
    const plain = await exchange(await codeFor({ code_challenge: v, code_challenge_method: 'plain' }), { code_verifier: v });
    expect(plain.status).toBe(200);
    // A verifier for a code that had no challenge is a downgrade or a bug.
    expect((await exchange(await codeFor(), { code_verifier: v })).body.error).toBe('invalid_grant');
  });

  it('rejects a malformed challenge at authorize time', async () => {
    const response = await fetch(
      authorizeUrl({ redirect_uri: REDIRECT, response_type: 'code', code_challenge: 'short', code_challenge_method: 'S256' }),
      { redirect: 'manual' },
    );
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a reused code and revokes the tokens issued from it', async () => {
    const code = await codeFor();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect((await upload(first.body.access_token)).status).toBe(401);
    expect((await refresh(first.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('refuses an expired code, a wrong redirect_uri and an unknown code', async () => {
    const late = await codeFor();
    await new Promise((r) => setTimeout(r, 400));
    expect((await exchange(late)).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') });
    expect((await exchange(await codeFor(), { redirect_uri: 'http://127.0.0.1:8765/other' })).body.error).toBe('invalid_grant');
    expect((await exchange('made-up')).body.error).toBe('invalid_grant');
  });

  it('authenticates the client by HTTP Basic only', async () => {
    const code = await codeFor();
    const params = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    for (const authorization of [null, basicAuth(sandbox.clientId, 'wrong'), basicAuth('other', sandbox.clientSecret), 'Basic !!!']) {
      const response = await callOAuth(sandbox, 'oauth/token', params, authorization);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    const inBody = await callOAuth(sandbox, 'oauth/token', { ...params, client_id: sandbox.clientId, client_secret: sandbox.clientSecret }, null);
    expect(inBody.status).toBe(401);
    // The code was never presented with valid credentials, so it still works.
    expect((await exchange(code)).status).toBe(200);
  });

  it('answers RFC 6749 errors for bad grant requests', async () => {
    expect((await callOAuth(sandbox, 'oauth/token', {})).body.error).toBe('invalid_request');
    expect((await callOAuth(sandbox, 'oauth/token', { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    expect((await callOAuth(sandbox, 'oauth/token', { grant_type: 'refresh_token' })).body.error).toBe('invalid_request');
    const json = await fetch(new URL('oauth/token', sandbox.baseUrl), {
      method: 'POST',
      headers: { Authorization: basicAuth(sandbox.clientId, sandbox.clientSecret), 'Content-Type': 'application/json' },
      body: '{"grant_type":"refresh_token"}',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    expect((await fetch(new URL('oauth/token', sandbox.baseUrl))).status).toBe(405);
  });

  it('expires access tokens after tokenTtlS', async () => {
    await sandbox.close();
    sandbox = await startSandbox({ tokenTtlS: 1 });
    const tokens = await loginHeadless(sandbox);
    expect(tokens.expires_in).toBe(1);
    expect((await upload(tokens.access_token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await upload(tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_token');
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const renewed = await refresh(tokens.refresh_token);
    expect((await upload(renewed.body.access_token)).status).toBe(200);
  });
});

describe('revoke', () => {
  it('revokes a refresh token with its family, an access token alone, and ignores unknown tokens', async () => {
    const a = await loginHeadless(sandbox);
    expect((await callOAuth(sandbox, 'oauth/revoke', { token: a.refresh_token, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect((await upload(a.access_token)).status).toBe(401);
    expect((await refresh(a.refresh_token)).body.error).toBe('invalid_grant');

    const b = await loginHeadless(sandbox);
    expect((await callOAuth(sandbox, 'oauth/revoke', { token: b.access_token })).status).toBe(200);
    expect((await upload(b.access_token)).status).toBe(401);
    expect((await refresh(b.refresh_token)).status).toBe(200);

    expect((await callOAuth(sandbox, 'oauth/revoke', { token: 'unknown' })).status).toBe(200);
    expect((await callOAuth(sandbox, 'oauth/revoke', { token: 'x' }, basicAuth(sandbox.clientId, 'no'))).status).toBe(401);
    expect((await callOAuth(sandbox, 'oauth/revoke', {})).body.error).toBe('invalid_request');
  });
});
