import { httpRequest, type HttpResponse } from '../api/http.js';
import { MmtError, loginRequired, usageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import type { OAuthEndpoints } from './endpoints.js';
import type { StoredTokens } from './tokens.js';

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64'd. */
function basicAuth(endpoints: OAuthEndpoints): string {
  const enc = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(endpoints.clientId)}:${enc(endpoints.clientSecret)}`).toString('base64')}`;
}

export function assertClientConfigured(endpoints: OAuthEndpoints): void {
  if (!endpoints.clientId || !endpoints.clientSecret) {
    throw usageError(
      'CLIENT_NOT_CONFIGURED',
      'api.clientId and api.clientSecret are not set: put them in the config file or set MMT_CLIENT_ID and MMT_CLIENT_SECRET',
    );
  }
}

function oauthError(response: HttpResponse): { error?: string; description?: string } {
  const body = response.json as { error?: unknown; error_description?: unknown } | undefined;
  return {
    ...(typeof body?.error === 'string' ? { error: body.error } : {}),
    ...(typeof body?.error_description === 'string' ? { description: body.error_description } : {}),
  };
}

async function tokenRequest(
  endpoints: OAuthEndpoints,
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<StoredTokens> {
  assertClientConfigured(endpoints);
  const response = await httpRequest({
    url: endpoints.tokenUrl,
    method: 'POST',
    headers: { Authorization: basicAuth(endpoints), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    timeoutMs: endpoints.timeoutMs,
    ...(signal ? { signal } : {}),
  });
  if (response.status === 200) {
    const body = response.json as Record<string, unknown> | undefined;
    const accessToken = body?.access_token;
    const refreshToken = body?.refresh_token;
    if (typeof accessToken !== 'string' || !accessToken || typeof refreshToken !== 'string' || !refreshToken) {
      throw new MmtError('failed', 'TOKEN_RESPONSE_INVALID', 'the token endpoint answered 200 without an access and a refresh token');
    }
    registerSecret(accessToken);
    registerSecret(refreshToken);
    const expiresIn = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const now = Date.now();
    return { accessToken, refreshToken, expiresAt: now + expiresIn * 1000, obtainedAt: now };
  }
  const { error, description } = oauthError(response);
  const detail = `${error ?? `HTTP ${response.status}`}${description ? `: ${description}` : ''}`;
  if (error === 'invalid_grant') {
    throw loginRequired(`the server refused the ${form.grant_type === 'refresh_token' ? 'refresh token' : 'authorization code'} (${detail}): run \`mmt-sync login\``);
  }
  if (error === 'invalid_client' || response.status === 401) {
    throw usageError('CLIENT_REJECTED', `the server rejected the client credentials (${detail}): check api.clientId and api.clientSecret`);
  }
  const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
  throw new MmtError('failed', retryable ? 'TOKEN_ENDPOINT_UNAVAILABLE' : 'TOKEN_REQUEST_FAILED', `token request failed (${detail})`);
}

export function exchangeCode(
  endpoints: OAuthEndpoints,
  params: { code: string; redirectUri: string; codeVerifier: string },
  signal?: AbortSignal,
): Promise<StoredTokens> {
  registerSecret(params.code);
  registerSecret(params.codeVerifier);
  return tokenRequest(
    endpoints,
    { grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri, code_verifier: params.codeVerifier },
    signal,
  );
}

export function refreshTokens(endpoints: OAuthEndpoints, refreshToken: string, signal?: AbortSignal): Promise<StoredTokens> {
  return tokenRequest(endpoints, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
}

/** RFC 7009. Resolves true when the server confirmed; throws when it could not be reached. */
export async function revokeToken(
  endpoints: OAuthEndpoints,
  token: string,
  hint: 'refresh_token' | 'access_token',
  signal?: AbortSignal,
): Promise<boolean> {
  assertClientConfigured(endpoints);
  const response = await httpRequest({
    url: endpoints.revokeUrl,
    method: 'POST',
    headers: { Authorization: basicAuth(endpoints), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: hint }),
    timeoutMs: endpoints.timeoutMs,
    ...(signal ? { signal } : {}),
  });
  return response.status === 200;
}
