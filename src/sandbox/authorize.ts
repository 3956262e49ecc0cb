/**
 * GET/POST {base}oauth/authorize: the consent page. Accepts both parameter
 * spellings of the contract (redirect_uri/redirect_url, response_type/
 * reponse_type), only loopback redirect URIs (RFC 8252 §7.3) and optional PKCE.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safeEqual } from './crypto.js';
import { AuthorizePageError } from './errors.js';
import { type Params, mediaType, parseParams, readBody, sendHtml } from './http.js';
import { authorizePage, errorPage } from './pages.js';
import type { Quirks } from './quirks.js';
import type { ClientCredentials } from './store.js';
import type { ChallengeMethod, TokenService } from './tokens.js';

interface AuthorizeRequest {
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly challenge: { readonly value: string; readonly method: ChallengeMethod } | undefined;
}

/** What the quirks change about the authorize endpoint. */
export interface AuthorizePersonality {
  readonly quirks: Quirks;
  /** Sent as `iss` under the iss quirk (RFC 9207). */
  readonly issuer: string;
  /** The one redirect URI the client registered, if any. */
  readonly registeredRedirectUri: string | undefined;
}

/** An error we may send back to the client through the redirect URI (RFC 6749 §4.1.2.1). */
class RedirectableError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'unsupported_response_type' | 'access_denied' | 'invalid_scope',
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** RFC 7636 §4.2: 43-128 unreserved characters (S256 gives exactly 43). */
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
const ACCOUNT = /^[A-Za-z0-9._@-]{1,64}$/;
const DEFAULT_ACCOUNT = 'sandbox-user';

export async function handleAuthorize(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  client: ClientCredentials,
  tokens: TokenService,
  personality: AuthorizePersonality,
): Promise<void> {
  const query = parseParams(url.search);
  const redirectUri = trustedRedirect(query, client, personality.registeredRedirectUri);
  const iss = personality.quirks.has('iss') ? personality.issuer : undefined;
  let request: AuthorizeRequest;
  try {
    request = parseRequest(query, redirectUri);
    if (personality.quirks.has('scope-required') && query.get('scope') === undefined) {
      throw new RedirectableError('invalid_scope', 'this server requires a scope');
    }
  } catch (error) {
    if (!(error instanceof RedirectableError)) throw error;
    return redirect(res, redirectUri, { error: error.code, error_description: error.message, state: query.get('state'), iss });
  }

  if (req.method === 'GET') {
    sendHtml(res, 200, authorizePage(url.pathname + url.search, redirectUri), { 'Cache-Control': 'no-store' });
    return;
  }

  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new AuthorizePageError(415, 'The consent form must be posted as application/x-www-form-urlencoded.');
  }
  const form = parseParams((await readBody(req)).toString('utf8'));
  const decision = form.get('decision');
  if (decision === 'deny') {
    return redirect(res, redirectUri, { error: 'access_denied', state: request.state, iss });
  }
  if (decision !== 'approve' || form.repeated.length > 0) {
    throw new AuthorizePageError(400, 'Expected decision=approve or decision=deny, once.');
  }
  const account = form.get('account') ?? DEFAULT_ACCOUNT;
  if (!ACCOUNT.test(account)) throw new AuthorizePageError(400, 'Account: expected 1-64 characters of A-Z a-z 0-9 . _ @ -.');
  const code = tokens.issueCode({
    clientId: client.id,
    redirectUri: request.redirectUri,
    account,
    challenge: request.challenge,
  });
  redirect(res, redirectUri, { code, state: request.state, iss });
}

/** Renders an AuthorizePageError: the user sees why, and nobody is redirected. */
export function sendAuthorizeError(res: ServerResponse, error: AuthorizePageError): void {
  const allow: Record<string, string> = error.status === 405 ? { Allow: 'GET, POST' } : {};
  sendHtml(res, error.status, errorPage(error.message), { ...allow, 'Cache-Control': 'no-store' });
}

/**
 * The client and the redirect URI decide whether we may redirect at all; when
 * either is wrong the user gets an error page (an open redirector otherwise).
 */
function trustedRedirect(query: Params, client: ClientCredentials, registered: string | undefined): string {
  for (const name of ['client_id', 'redirect_uri', 'redirect_url']) {
    if (query.repeated.includes(name)) throw new AuthorizePageError(400, `Parameter ${name} was given more than once.`);
  }
  const clientId = query.get('client_id');
  if (clientId === undefined) throw new AuthorizePageError(400, 'Missing client_id.');
  if (!safeEqual(clientId, client.id)) throw new AuthorizePageError(400, 'Unknown client_id.');
  const uri = query.get('redirect_uri');
  const url = query.get('redirect_url');
  if (uri !== undefined && url !== undefined && uri !== url) {
    throw new AuthorizePageError(400, 'redirect_uri and redirect_url differ; send the same value in both or only one.');
  }
  const redirectUri = uri ?? url;
  if (redirectUri === undefined) throw new AuthorizePageError(400, 'Missing redirect_uri.');
  if (!isLoopbackRedirect(redirectUri)) {
    throw new AuthorizePageError(
      400,
      'redirect_uri must be a loopback http URI (http://127.0.0.1:PORT/…, http://[::1]:PORT/… or http://localhost:PORT/…) without a fragment.',
    );
  }
  if (registered !== undefined && redirectUri !== registered) {
    throw new AuthorizePageError(400, `redirect_uri does not match the registered one (${registered}).`);
  }
  return redirectUri;
}

export function isLoopbackRedirect(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // RFC 6749 §3.1.2: no fragment; no credentials either, they would leak into logs.
  if (value.includes('#') || url.username !== '' || url.password !== '') return false;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

function parseRequest(query: Params, redirectUri: string): AuthorizeRequest {
  if (query.repeated.length > 0) {
    throw new RedirectableError('invalid_request', `parameter given more than once: ${query.repeated.join(', ')}`);
  }
  const responseType = query.get('response_type');
  const reponseType = query.get('reponse_type');
  if (responseType !== undefined && reponseType !== undefined && responseType !== reponseType) {
    throw new RedirectableError('invalid_request', 'response_type and reponse_type differ');
  }
  const type = responseType ?? reponseType;
  if (type === undefined) throw new RedirectableError('invalid_request', 'missing response_type');
  if (type !== 'code') throw new RedirectableError('unsupported_response_type', 'only response_type=code is supported');

  const value = query.get('code_challenge');
  const method = query.get('code_challenge_method');
  let challenge: AuthorizeRequest['challenge'];
  if (value === undefined) {
    if (method !== undefined) throw new RedirectableError('invalid_request', 'code_challenge_method without code_challenge');
  } else {
    // RFC 7636 §4.3: no method means plain.
    const resolved = method ?? 'plain';
    if (resolved !== 'S256' && resolved !== 'plain') {
      throw new RedirectableError('invalid_request', 'code_challenge_method must be S256 or plain');
    }
    if (!CHALLENGE.test(value)) throw new RedirectableError('invalid_request', 'code_challenge must be 43-128 unreserved characters');
    challenge = { value, method: resolved };
  }
  return { redirectUri, state: query.get('state'), challenge };
}

function redirect(res: ServerResponse, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.append(name, value);
  }
  res.writeHead(302, { Location: target.href, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}
