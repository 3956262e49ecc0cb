import { afterEach, describe, expect, it } from 'vitest';
import { approveAuthorization, basicAuth, loginHeadless } from './headless.js';
import { QUIRKS, parseQuirks } from './quirks.js';
import { type RunningSandbox, startSandbox } from './server.js';
import { callApi, callOAuth, gpxTrack, liveData } from './testkit.js';

let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function personality(quirks: string, extra: Parameters<typeof startSandbox>[0] = {}): Promise<RunningSandbox> {
  sandbox = await startSandbox({ ...extra, quirks });
  return sandbox;
}

const upload = (s: RunningSandbox, token: string) =>
  callApi(s, 'uploadActivity', { status: 'private', activity_type: 'running', file: { bytes: gpxTrack(String(Math.random())), filename: 'a.gpx' } }, token);

/** The raw bytes of an upload's answer (fetch's text() would quietly drop a BOM). */
async function rawUpload(s: RunningSandbox, token: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('status', 'private');
  form.append('activity_type', 'running');
  form.append('file', new Blob([gpxTrack(String(Math.random()))]), 'a.gpx');
  return fetch(new URL('uploadActivity', s.baseUrl), { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}`, ...headers }, redirect: 'manual' });
}

function authorizeUrl(s: RunningSandbox, params: Record<string, string> = {}): string {
  const url = new URL('oauth/authorize', s.baseUrl);
  url.search = new URLSearchParams({ client_id: s.clientId, redirect_uri: 'http://127.0.0.1:9/callback', response_type: 'code', state: 'st', ...params }).toString();
  return url.href;
}

describe('sandbox quirks', () => {
  it('parses a comma-separated list and names the known quirks when one is unknown', () => {
    expect([...parseQuirks(' bom, iss ,')]).toEqual(['bom', 'iss']);
    expect(() => parseQuirks('bom,nope')).toThrow(new RegExp(`unknown quirk "nope"; known: ${Object.keys(QUIRKS).join(', ')}`));
  });

  it('bom: API JSON starts with a UTF-8 byte order mark and a blank line', async () => {
    const s = await personality('bom');
    const token = (await loginHeadless(s)).access_token;
    const bytes = Buffer.from(await (await rawUpload(s, token)).arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 0x0a]);
    expect(JSON.parse(bytes.subarray(4).toString())).toMatchObject({ function: 'uploadActivity', status: 'created' });
  });

  it('error-at-200 with refuse-upload: the contract\'s refusal body, sent with HTTP 200', async () => {
    const s = await personality('error-at-200,refuse-upload');
    const reply = await upload(s, (await loginHeadless(s)).access_token);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ function: 'uploadActivity', error: 'INVALID_ACTIVITY', message: 'invalid activity' });
  });

  it('html-errors: an error of a data endpoint is a proxy page; html-413 refuses uploads so; redirect points to https', async () => {
    const s = await personality('html-errors');
    const unauthorised = await rawUpload(s, 'not-a-token');
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.text()).toMatch(/<title>401 Unauthorized<\/title>/);
    await s.close();

    const big = await personality('html-413');
    const refused = await rawUpload(big, 'whatever');
    expect(refused.status).toBe(413);
    expect(await refused.text()).toMatch(/<title>413 Request Entity Too Large<\/title>[\s\S]*nginx/);
    await big.close();

    const moved = await personality('redirect');
    const redirect = await rawUpload(moved, 'whatever');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(new URL('uploadActivity', moved.baseUrl).href.replace(/^http:/, 'https:'));
  });

  it('huge-reply: a success padded to 2 MiB, still JSON', async () => {
    const s = await personality('huge-reply');
    const response = await rawUpload(s, (await loginHeadless(s)).access_token);
    expect(Number(response.headers.get('content-length'))).toBe(2 * 1024 * 1024);
    expect(JSON.parse(await response.text())).toMatchObject({ status: 'created' });
  });

  it('no-plus: startActivity is refused with the contract\'s 403', async () => {
    const s = await personality('no-plus');
    const reply = await callApi(s, 'startActivity', { status: 'private', data: liveData(2) }, (await loginHeadless(s)).access_token);
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ function: 'startActivity', error: 'PLUS_REQUIRED', message: 'Live tracking requires a PLUS membership' });
  });

  it('ua-check: a generic User-Agent gets 403 on every API endpoint; mmt-sync/… passes the filter', async () => {
    const s = await personality('ua-check');
    await expect(loginHeadless(s)).rejects.toThrow(/token exchange answered 403.*descriptive User-Agent/);
    expect((await rawUpload(s, 'not-a-token', { 'User-Agent': 'python-requests/2.31' })).status).toBe(403);
    // Past the filter, the request meets the next rule: no valid token.
    expect((await rawUpload(s, 'not-a-token', { 'User-Agent': 'mmt-sync/0.1.0' })).status).toBe(401);
  });

  it('token answers: no-refresh-token, expires-in-string, no-expires-in, lowercase-token-type', async () => {
    const s = await personality('no-refresh-token,expires-in-string,lowercase-token-type', { tokenTtlS: 8 });
    const tokens = (await loginHeadless(s)) as unknown as Record<string, unknown>;
    expect(tokens).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: '8' });
    await s.close();
    const bare = await personality('no-expires-in');
    expect(Object.keys(await loginHeadless(bare)).sort()).toEqual(['access_token', 'refresh_token', 'token_type']);
  });

  it('no-rotation: a refresh answer has no refresh token, and the one used stays valid', async () => {
    const s = await personality('no-rotation');
    const { refresh_token: refreshToken } = await loginHeadless(s);
    for (let i = 0; i < 3; i++) {
      const reply = await callOAuth(s, 'oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(reply.status).toBe(200);
      expect(reply.body.refresh_token).toBeUndefined();
      expect((await upload(s, reply.body.access_token)).status).toBe(200);
    }
  });

  it('scope-required and iss: no scope is invalid_scope; every authorization response carries iss', async () => {
    const s = await personality('scope-required,iss');
    const refused = await approveAuthorization(authorizeUrl(s));
    expect(Object.fromEntries(refused.searchParams)).toEqual({ error: 'invalid_scope', error_description: 'this server requires a scope', state: 'st', iss: s.issuer });
    const granted = await approveAuthorization(authorizeUrl(s, { scope: 'activities' }));
    expect(granted.searchParams.get('code')).toBeTruthy();
    expect(granted.searchParams.get('iss')).toBe(s.issuer);
  });

  it('no-access-revoke: an access token is answered unsupported_token_type (RFC 7009 §2.2.1); a refresh token is revoked', async () => {
    const s = await personality('no-access-revoke');
    const tokens = await loginHeadless(s);
    const access = await callOAuth(s, 'oauth/revoke', { token: tokens.access_token, token_type_hint: 'access_token' });
    expect(access.status).toBe(400);
    expect(access.body.error).toBe('unsupported_token_type');
    const refresh = await callOAuth(s, 'oauth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    expect(refresh.status).toBe(200);
    expect((await upload(s, tokens.access_token)).status).toBe(401);
  });

  it('redirectUri: only the registered redirect URI is accepted, and a client secret may hold ": + % /" and spaces', async () => {
    const s = await startSandbox({ redirectUri: 'http://127.0.0.1:9/callback', clientSecret: 'pa:ss+wo%20rd/with space' });
    sandbox = s;
    await expect(approveAuthorization(authorizeUrl(s, { redirect_uri: 'http://127.0.0.1:10/callback' }))).rejects.toThrow(/does not match the registered one/);
    const tokens = await loginHeadless(s, { redirectUri: 'http://127.0.0.1:9/callback' });
    expect(tokens.access_token).toBeTruthy();
    const wrong = await fetch(new URL('oauth/token', s.baseUrl), {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${s.clientId}:pa:ss+wo%20rd/with space`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    // Sent without RFC 6749 §2.3.1's form-encoding, the secret does not match.
    expect(wrong.status).toBe(401);
    expect(basicAuth(s.clientId, s.clientSecret)).not.toContain(' space');
  });
});
