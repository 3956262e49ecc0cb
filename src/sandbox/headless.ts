/**
 * Clicking "Approve" without a browser. The demo, benchmarks and tests use it
 * to get tokens from the sandbox the way a user would, through the real
 * authorize and token endpoints. Sandbox only: it posts to the sandbox's own
 * consent form, which the real service does not have.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SandboxClient {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface ApproveOptions {
  /** @default 'approve' */
  readonly decision?: 'approve' | 'deny';
  /** The sandbox account that approves. @default 'sandbox-user' */
  readonly account?: string;
  readonly signal?: AbortSignal;
}

/**
 * Posts the consent form of an authorize URL and returns where the sandbox
 * redirects to (the client's callback, with `code` and `state` or `error`).
 */
export async function approveAuthorization(authorizeUrl: string, options: ApproveOptions = {}): Promise<URL> {
  const form = new URLSearchParams({ decision: options.decision ?? 'approve' });
  if (options.account !== undefined) form.set('account', options.account);
  const response = await fetch(authorizeUrl, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) {
    throw new Error(`sandbox authorize answered ${response.status} instead of a redirect: ${await response.text()}`);
  }
  return new URL(location);
}

export interface SandboxTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
  readonly token_type: string;
}

/** The whole authorization code flow with PKCE, as mmt-sync login does it, minus the browser. */
export async function loginHeadless(
  sandbox: SandboxClient,
  options: Omit<ApproveOptions, 'decision'> & { readonly redirectUri?: string } = {},
): Promise<SandboxTokens> {
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:53682/callback';
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL('oauth/authorize', sandbox.baseUrl);
  authorize.search = new URLSearchParams({
    client_id: sandbox.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await approveAuthorization(authorize.href, options);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new Error(`sandbox authorize failed: ${callback.search}`);
  const response = await fetch(new URL('oauth/token', sandbox.baseUrl), {
    method: 'POST',
    headers: { Authorization: basicAuth(sandbox.clientId, sandbox.clientSecret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok) throw new Error(`sandbox token exchange answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SandboxTokens;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined and base64-encoded. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
