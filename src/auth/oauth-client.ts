/**
 * The token and revocation endpoints (RFC 6749 §4.1.3 and §6, RFC 7009), over http/.
 */
import { MmtError, loginRequired, usageError } from '../errors.js';
import { describeReply, serverError } from '../http/reply.js';
import { httpRequest, type HttpResponse } from '../http/request.js';
import { registerSecret } from '../redact.js';
import type { OAuthEndpoints } from './endpoints.js';
import { tokensFromResponse } from './token-response.js';
import type { StoredTokens } from './tokens.js';

/**
 * RFC 6749 §2.3.1 and Appendix B: id and secret are each form-urlencoded, then joined with ':'
 * and base64'd. encodeURIComponent leaves only A-Z a-z 0-9 - _ . ! ~ * ' ( ) as they are, which
 * every form decoder reads back unchanged; a space becomes '+' as the form encoding has it.
 */
export function basicAuth(clientId: string, clientSecret: string): string {
  const enc = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** How to give mmt-sync its client credentials, for every message that finds them missing. */
const HOW_TO_CONFIGURE = 'run `mmt-sync setup` (or set api.clientId and api.clientSecret in the config file, or MMT_CLIENT_ID and MMT_CLIENT_SECRET)';

/**
 * The client secret: from the config file or the environment, else the one `mmt-sync setup`
 * kept in the token store. Throws (exit 2) with the way to set them when either is missing.
 */
export async function clientSecretOf(endpoints: OAuthEndpoints): Promise<string> {
  if (!endpoints.clientId) throw usageError('CLIENT_NOT_CONFIGURED', `no OAuth client id is set: ${HOW_TO_CONFIGURE}`);
  const secret = endpoints.clientSecret || (await endpoints.storedSecret?.()) || '';
  if (!secret) throw usageError('CLIENT_NOT_CONFIGURED', `no client secret for client "${endpoints.clientId}" in the config, the environment or the token store: ${HOW_TO_CONFIGURE}`);
  registerSecret(secret);
  return secret;
}

async function postForm(endpoints: OAuthEndpoints, url: string, form: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse> {
  const secret = await clientSecretOf(endpoints);
  return httpRequest({
    url,
    method: 'POST',
    headers: { Authorization: basicAuth(endpoints.clientId, secret), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    timeoutMs: endpoints.timeoutMs,
    ...(signal ? { signal } : {}),
  });
}

async function tokenRequest(endpoints: OAuthEndpoints, form: Record<string, string>, signal?: AbortSignal): Promise<StoredTokens> {
  const response = await postForm(endpoints, endpoints.tokenUrl, form, signal);
  if (response.status === 200) return tokensFromResponse(response);
  const { code: error } = serverError(response.json);
  const detail = `HTTP ${response.status}: ${describeReply(response)}`;
  if (error === 'invalid_grant') {
    throw loginRequired(`the server refused the ${form.grant_type === 'refresh_token' ? 'refresh token' : 'authorization code'} (${detail}): run \`mmt-sync login\``);
  }
  if (error === 'invalid_client' || response.status === 401) {
    throw usageError('CLIENT_REJECTED', `the server rejected the client credentials (${detail}): check the client id and secret (\`mmt-sync setup\` stores new ones)`);
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

/**
 * A refresh. RFC 6749 §6: the server MAY issue a new refresh token; when it does not, the one
 * we used stays valid and is kept (a server that rotates always sends the new one).
 */
export async function refreshTokens(endpoints: OAuthEndpoints, refreshToken: string, signal?: AbortSignal): Promise<StoredTokens> {
  const fresh = await tokenRequest(endpoints, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
  return fresh.refreshToken ? fresh : { ...fresh, refreshToken };
}

/** How one revocation went (RFC 7009 §2.2): each token is reported on its own. */
export type Revocation =
  | { readonly outcome: 'revoked' }
  /** §2.2.1 unsupported_token_type: this server does not revoke this kind of token (it expires). */
  | { readonly outcome: 'unsupported' }
  | { readonly outcome: 'refused'; readonly detail: string };

/** RFC 7009. Throws (HttpFailure) only when the server could not be reached. */
export async function revokeToken(
  endpoints: OAuthEndpoints,
  token: string,
  hint: 'refresh_token' | 'access_token',
  signal?: AbortSignal,
): Promise<Revocation> {
  const response = await postForm(endpoints, endpoints.revokeUrl, { token, token_type_hint: hint }, signal);
  if (response.status === 200) return { outcome: 'revoked' };
  if (serverError(response.json).code === 'unsupported_token_type') return { outcome: 'unsupported' };
  return { outcome: 'refused', detail: `HTTP ${response.status}: ${describeReply(response)}` };
}
