/**
 * POST {base}oauth/token and {base}oauth/revoke. Client authentication is
 * HTTP Basic only, as the contract says; a client that sends its secret in
 * the body is told so instead of being quietly accepted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safeEqual } from './crypto.js';
import { OAuthError } from './errors.js';
import { type Params, basicCredentials, mediaType, parseParams, readBody } from './http.js';
import { sendQuirkyJson, type Quirks } from './quirks.js';
import type { ClientCredentials } from './store.js';
import type { TokenResponse, TokenService } from './tokens.js';

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientCredentials,
  tokens: TokenService,
  quirks: Quirks,
): Promise<void> {
  const form = await authenticatedForm(req, client);
  const grantType = form.get('grant_type');
  let response;
  switch (grantType) {
    case 'authorization_code': {
      const code = required(form, 'code');
      const redirectUri = required(form, 'redirect_uri');
      response = await tokens.exchangeCode(client.id, code, redirectUri, form.get('code_verifier'));
      break;
    }
    case 'refresh_token':
      response = await tokens.refresh(client.id, required(form, 'refresh_token'));
      break;
    case undefined:
      throw new OAuthError('invalid_request', 'missing grant_type');
    default:
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }
  sendQuirkyJson(res, 200, shapeTokenResponse(response, quirks), quirks, NO_STORE);
}

/** The token response as the quirks have it: what RFC 6749 §5.1 allows servers to vary. */
function shapeTokenResponse(response: TokenResponse, quirks: Quirks): Record<string, unknown> {
  const { expires_in: expiresIn, ...rest } = response;
  return {
    ...rest,
    ...(quirks.has('lowercase-token-type') ? { token_type: 'bearer' } : {}),
    ...(quirks.has('no-expires-in') ? {} : { expires_in: quirks.has('expires-in-string') ? String(expiresIn) : expiresIn }),
  };
}

export async function handleRevoke(
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientCredentials,
  tokens: TokenService,
  quirks: Quirks,
): Promise<void> {
  const form = await authenticatedForm(req, client);
  const token = required(form, 'token');
  if (quirks.has('no-access-revoke') && tokens.isAccessToken(token)) {
    throw new OAuthError('unsupported_token_type', 'this server does not revoke access tokens; they expire');
  }
  // RFC 7009 §2.1: an unknown token_type_hint may be ignored; the lookup covers both kinds anyway.
  await tokens.revoke(client.id, token, form.get('token_type_hint'));
  sendQuirkyJson(res, 200, {}, quirks, NO_STORE);
}

/** Error bodies of these endpoints carry the same no-store headers as their successes. */
export const oauthErrorHeaders = NO_STORE;

async function authenticatedForm(req: IncomingMessage, client: ClientCredentials): Promise<Params> {
  const body = await readBody(req);
  const credentials = basicCredentials(req);
  if (!credentials) throw new OAuthError('invalid_client', 'client authentication by HTTP Basic is required');
  if (!safeEqual(credentials.id, client.id) || !safeEqual(credentials.secret, client.secret)) {
    throw new OAuthError('invalid_client', 'unknown client or wrong secret');
  }
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'expected Content-Type: application/x-www-form-urlencoded');
  }
  const form = parseParams(body.toString('utf8'));
  if (form.repeated.length > 0) {
    throw new OAuthError('invalid_request', `parameter given more than once: ${form.repeated.join(', ')}`);
  }
  // RFC 6749 §2.3: one authentication method per request.
  if (form.get('client_secret') !== undefined) {
    throw new OAuthError('invalid_request', 'send client credentials by HTTP Basic only, not in the body');
  }
  const bodyClientId = form.get('client_id');
  if (bodyClientId !== undefined && bodyClientId !== credentials.id) {
    throw new OAuthError('invalid_request', 'client_id in the body differs from the authenticated client');
  }
  return form;
}

function required(form: Params, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw new OAuthError('invalid_request', `missing ${name}`);
  return value;
}
