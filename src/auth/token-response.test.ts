import { describe, expect, it } from 'vitest';
import { MmtError } from '../errors.js';
import { parseJsonBody } from '../http/reply.js';
import { DEFAULT_EXPIRES_IN_S, tokensFromResponse } from './token-response.js';

const NOW = 1_800_000_000_000;
const reply = (text: string) => ({ status: 200, text, json: parseJsonBody(text), headers: { get: () => null } });

describe('tokensFromResponse', () => {
  it('takes a numeric-string expires_in as that many seconds', () => {
    const tokens = tokensFromResponse(reply('{"access_token":"a-token-1","token_type":"Bearer","expires_in":"8","refresh_token":"r-token-1"}'), NOW);
    expect(tokens.expiresAt - NOW).toBe(8_000);
  });

  it('assumes an hour when expires_in is missing or nonsense', () => {
    for (const value of ['', ',"expires_in":null', ',"expires_in":"soon"', ',"expires_in":-5']) {
      const tokens = tokensFromResponse(reply(`{"access_token":"a-token-1"${value}}`), NOW);
      expect(tokens.expiresAt - NOW, value).toBe(DEFAULT_EXPIRES_IN_S * 1000);
    }
  });

  it('accepts a lower-case (or missing) token_type and refuses a token it cannot send as Bearer', () => {
    expect(tokensFromResponse(reply('{"access_token":"a-token-1","token_type":"bearer"}'), NOW).accessToken).toBe('a-token-1');
    expect(tokensFromResponse(reply('{"access_token":"a-token-1"}'), NOW).accessToken).toBe('a-token-1');
    expect(() => tokensFromResponse(reply('{"access_token":"a-token-1","token_type":"DPoP"}'), NOW)).toThrow(/"DPoP" access token.*only send Bearer/);
  });

  it('has no refresh token when the server sent none, and refuses an answer without an access token', () => {
    expect(tokensFromResponse(reply('{"access_token":"a-token-1","expires_in":60}'), NOW).refreshToken).toBeUndefined();
    const error = (() => {
      try {
        tokensFromResponse(reply('{"refresh_token":"r-token-1"}'), NOW);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MmtError);
    expect((error as MmtError).code).toBe('TOKEN_RESPONSE_INVALID');
  });
});
