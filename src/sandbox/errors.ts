/**
 * Typed errors for the sandbox. A handler throws one of these and the router
 * turns it into the exact response the contract prescribes, so no handler
 * writes error bodies by hand and each error shape lives in one place.
 */

/** Anything the router can answer with: a status, a JSON body, extra headers. */
export abstract class SandboxHttpError extends Error {
  abstract readonly status: number;
  abstract readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>> = {};
}

/**
 * RFC 6749 §5.2 (and RFC 7009 §2.2.1) errors of the token and revoke endpoints. invalid_client is
 * 401 with a Basic challenge (§5.2: the client tried to authenticate with the
 * Authorization header), everything else 400.
 */
export class OAuthError extends SandboxHttpError {
  override readonly name = 'OAuthError';
  readonly status: number;
  readonly body: Record<string, unknown>;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'unsupported_token_type',
    description: string,
  ) {
    super(`${error}: ${description}`);
    this.status = error === 'invalid_client' ? 401 : 400;
    this.body = { error, error_description: description };
    this.headers =
      error === 'invalid_client' ? { 'WWW-Authenticate': 'Basic realm="mmt-sandbox", charset="UTF-8"' } : {};
  }
}

/** RFC 6750 §3.1: a data endpoint called without a live access token. */
export class InvalidTokenError extends SandboxHttpError {
  override readonly name = 'InvalidTokenError';
  readonly status = 401;
  readonly body: Record<string, unknown>;
  override readonly headers = { 'WWW-Authenticate': 'Bearer realm="mmt-sandbox", error="invalid_token"' };
  constructor(description: string) {
    super(description);
    this.body = { error: 'invalid_token', error_description: description };
  }
}

/** The contract's 403 with `{function, error, message}`: permanent for this request. */
export class RefusedError extends SandboxHttpError {
  override readonly name: string = 'RefusedError';
  readonly status = 403;
  readonly body: Record<string, unknown>;
  constructor(fn: string, code: string, message: string) {
    super(`${fn}: ${message}`);
    this.body = { function: fn, error: code, message };
  }
}

/** The contract's 403 for a bad parameter. The code is misspelled on purpose. */
export class ParamError extends RefusedError {
  override readonly name = 'ParamError';
  constructor(fn: string, message: string) {
    super(fn, 'INVALID_PARAMENTER', message);
  }
}

/** 429 with the seconds until the sliding window has room again (contract: honour Retry-After). */
export class RateLimitedError extends SandboxHttpError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  readonly body: Record<string, unknown>;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(fn: string | undefined, readonly retryAfterS: number) {
    const message = `too many requests; retry after ${retryAfterS} s`;
    super(message);
    // Data endpoints answer in the contract's error shape, oauth/token in RFC 6749's.
    this.body = fn ? { function: fn, error: 'RATE_LIMITED', message } : { error: 'slow_down', error_description: message };
    this.headers = { 'Retry-After': String(retryAfterS) };
  }
}

/** Any other client mistake the contract has no word for: unreadable body, too large, wrong path or method. */
export class PlainHttpError extends SandboxHttpError {
  override readonly name = 'PlainHttpError';
  readonly body: Record<string, unknown>;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415,
    error: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.body = { error, message };
    this.headers = headers;
  }
}

export const notFound = (path: string) => new PlainHttpError(404, 'not_found', `no such endpoint: ${path}`);

export const methodNotAllowed = (allowed: readonly string[]) =>
  new PlainHttpError(405, 'method_not_allowed', `use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });

/**
 * The authorize page cannot redirect when the client or the redirect URI is
 * bad (RFC 6749 §4.1.2.1): it must tell the user instead, as HTML.
 */
export class AuthorizePageError extends Error {
  override readonly name = 'AuthorizePageError';
  constructor(readonly status: 400 | 405 | 413 | 415, message: string) {
    super(message);
  }
}
