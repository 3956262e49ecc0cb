import { describe, expect, it } from 'vitest';
import { redact } from '../redact.js';
import { Access, mintToken, newKey, TOKEN_LIFETIME_MS } from './access.js';

describe('dashboard access', () => {
  it('lets a token in once, as a new session with its own CSRF token', () => {
    const key = newKey();
    const access = new Access(key);
    const token = mintToken(key);
    const first = access.redeem(token);
    expect('session' in first).toBe(true);
    expect(access.redeem(token)).toEqual({ refused: 'used' });
    const session = 'session' in first ? first.session : undefined;
    expect(access.session(session!.id)).toBe(session);
    expect(access.csrfMatches(session!, session!.csrf)).toBe(true);
    expect(access.csrfMatches(session!, `${session!.csrf}x`)).toBe(false);
    expect(access.csrfMatches(session!, undefined)).toBe(false);
    expect(access.session('made-up')).toBeUndefined();
  });

  it('refuses expired, tampered and foreign tokens', () => {
    const key = newKey();
    const access = new Access(key);
    expect(access.redeem(mintToken(key, Date.now() - TOKEN_LIFETIME_MS - 1))).toEqual({ refused: 'expired' });
    const token = mintToken(key);
    const [expiry, nonce, mac] = token.split('.');
    const later = (parseInt(expiry!, 36) + 3_600_000).toString(36);
    expect(access.redeem(`${later}.${nonce}.${mac}`)).toEqual({ refused: 'malformed' });
    expect(access.redeem(mintToken(newKey()))).toEqual({ refused: 'malformed' });
    expect(access.redeem('x')).toEqual({ refused: 'malformed' });
    // The good one still works: refusals spend nothing.
    expect('session' in access.redeem(token)).toBe(true);
  });

  it('registers tokens, session ids and CSRF tokens for redaction the moment they exist', () => {
    const key = newKey();
    const token = mintToken(key);
    const redeemed = new Access(key).redeem(token);
    const session = 'session' in redeemed ? redeemed.session : undefined;
    const line = redact(`opened ${token} as ${session!.id} with ${session!.csrf} key ${key.toString('base64')}`);
    expect(line).not.toContain(token);
    expect(line).not.toContain(session!.id);
    expect(line).not.toContain(session!.csrf);
    expect(line).not.toContain(key.toString('base64'));
  });
});
