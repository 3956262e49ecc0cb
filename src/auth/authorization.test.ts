import { describe, expect, it } from 'vitest';
import { MmtError } from '../errors.js';
import { beginAuthorization, codeFromCallback, type CallbackParams } from './authorization.js';
import type { OAuthEndpoints } from './endpoints.js';

const endpoints = (over: Partial<OAuthEndpoints> = {}): OAuthEndpoints => ({
  baseUrl: 'https://api.test/api3/',
  authorizeUrl: 'https://id.test/authorize',
  tokenUrl: 'https://id.test/token',
  revokeUrl: 'https://id.test/revoke',
  clientId: 'client',
  clientSecret: 'secret',
  scope: '',
  issuer: '',
  timeoutMs: 1000,
  ...over,
});

function judged(ep: OAuthEndpoints, params: (state: string) => CallbackParams): MmtError | string {
  const pending = beginAuthorization(ep, 'http://127.0.0.1:1/callback');
  try {
    return codeFromCallback(ep, pending, params(pending.state));
  } catch (error) {
    return error as MmtError;
  }
}

describe('beginAuthorization', () => {
  it('asks for api.scope only when one is set, on an absolute authorize URL', () => {
    expect(new URL(beginAuthorization(endpoints(), 'http://127.0.0.1:1/callback').url).searchParams.has('scope')).toBe(false);
    const url = new URL(beginAuthorization(endpoints({ scope: 'activities write' }), 'http://127.0.0.1:1/callback').url);
    expect(url.origin + url.pathname).toBe('https://id.test/authorize');
    expect(url.searchParams.get('scope')).toBe('activities write');
  });
});

describe('codeFromCallback', () => {
  it('with api.issuer set, refuses a response from another issuer or without one (RFC 9207)', () => {
    const ep = endpoints({ issuer: 'https://id.test' });
    expect(judged(ep, (state) => ({ code: 'c-123456', state, iss: 'https://id.test' }))).toBe('c-123456');
    const forged = judged(ep, (state) => ({ code: 'c-123456', state, iss: 'https://evil.test' })) as MmtError;
    expect(forged.code).toBe('LOGIN_ISSUER_MISMATCH');
    expect(forged.message).toMatch(/came from issuer "https:\/\/evil\.test", but api\.issuer is "https:\/\/id\.test"/);
    const missing = judged(ep, (state) => ({ code: 'c-123456', state })) as MmtError;
    expect(missing.message).toMatch(/carried no iss/);
  });

  it('says "access was denied in the browser" only for access_denied; otherwise the server\'s error and description', () => {
    const denied = judged(endpoints({ scope: 'x' }), (state) => ({ error: 'access_denied', state })) as MmtError;
    expect(denied.message).toBe('login failed: access was denied in the browser');
    expect(denied.kind).toBe('login');
    const scope = judged(endpoints(), (state) => ({ error: 'invalid_scope', errorDescription: 'scope\nrequired', state })) as MmtError;
    expect(scope.message).toBe('login failed: the server answered invalid_scope (scope required): set api.scope to the scope(s) it expects');
    expect(scope.message).not.toMatch(/denied/);
    expect(scope.kind).toBe('usage');
    const down = judged(endpoints(), (state) => ({ error: 'temporarily_unavailable', state })) as MmtError;
    expect(down.message).toBe('login failed: the server answered temporarily_unavailable');
  });

  it('does not take an error with a foreign state for the server\'s word, and needs our state for a code', () => {
    expect((judged(endpoints(), () => ({ error: 'access_denied', state: 'forged' })) as MmtError).code).toBe('LOGIN_STATE_MISMATCH');
    expect((judged(endpoints(), () => ({ code: 'c-123456' })) as MmtError).code).toBe('LOGIN_STATE_MISMATCH');
  });
});
