/**
 * A certified OAuth 2.0 server nobody here wrote (node-oidc-provider, configured in code as
 * its docs show), plus a tiny resource server that stands in for Map My Tracks' data
 * endpoints and checks bearer tokens with the provider itself. Both on 127.0.0.1, on
 * different ports: the authorization server is on another host as far as mmt-sync knows.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';

/** RFC 6749 §2.3.1 matters only for secrets like this: ':' '+' '%' '/' and a space, and a "%20" that must not be decoded twice. */
export const AWKWARD_SECRET = 'pa:ss+wo%20rd/with space';
export const CLIENT_ID = 'mmt-sync';
/** A client the provider issues no refresh token to (no refresh_token grant). */
export const CLIENT_WITHOUT_REFRESH = 'mmt-sync-short';
export const SCOPE = 'activities';

export interface InteropOptions {
  /** Lifetime of the access token a login gets, seconds. */
  readonly accessTokenTtlS: number;
  /**
   * Lifetime of access tokens from a refresh. Long, where a test counts refreshes: a second
   * process that starts late must find the fresh token valid, not due again. @default accessTokenTtlS
   */
  readonly refreshedTtlS?: number;
  /** Sends expires_in as a string, as some servers do (a koa post-middleware). @default false */
  readonly stringExpiresIn?: boolean;
}

export interface InteropServer {
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  /** The resource server's API base (its uploadActivity is what sync calls). */
  readonly apiBaseUrl: string;
  /** Grants by grant_type, reuse detections (revoked grants) and uploads, as the servers saw them. */
  readonly seen: { grants: Record<string, number>; revokedGrants: number; uploads: number; grantErrors: string[]; uploadLog: string[] };
  readonly provider: Provider;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The request body's SHA-256 (uploads are told apart by it in failure messages). */
async function bodyHash(req: IncomingMessage): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of req) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 12);
}

export async function startInteropServer(options: InteropOptions): Promise<InteropServer> {
  const providerServer = createServer();
  const issuer = await listen(providerServer);
  // An EC key is made in a millisecond; the provider's RSA default would not be.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const client = (id: string, grants: string[]): ClientMetadata => ({
    client_id: id,
    client_secret: AWKWARD_SECRET,
    // RFC 8252 §7.3: a native client's loopback redirect may use any port.
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: grants,
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  });
  const configuration: Configuration = {
    clients: [client(CLIENT_ID, ['authorization_code', 'refresh_token']), client(CLIENT_WITHOUT_REFRESH, ['authorization_code'])],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'interop', use: 'sig', alg: 'ES256' } as never] },
    cookies: { keys: ['interop-cookie-key'] },
    scopes: ['openid', SCOPE],
    features: { revocation: { enabled: true }, devInteractions: { enabled: false } },
    pkce: { required: () => true, methods: ['S256'] },
    // Every refresh spends the token and issues a new one; presenting a spent one revokes the grant.
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, c) => c.grantTypeAllowed('refresh_token'),
    // The tokens of an installed app outlive the browser session that approved it.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: (ctx) => (ctx?.oidc.params?.grant_type === 'refresh_token' ? (options.refreshedTtlS ?? options.accessTokenTtlS) : options.accessTokenTtlS),
      AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuer, configuration);
  const seen: InteropServer['seen'] = { grants: {}, revokedGrants: 0, uploads: 0, grantErrors: [], uploadLog: [] };
  provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    seen.grants[type] = (seen.grants[type] ?? 0) + 1;
  });
  provider.on('grant.revoked', () => {
    seen.revokedGrants++;
  });
  provider.on('grant.error', (_ctx, error) => {
    seen.grantErrors.push(`${(error as { error?: string }).error}: ${(error as { error_description?: string }).error_description}`);
  });
  if (options.stringExpiresIn) {
    // A post-middleware (docs: "Pre- and post-middlewares") turning the answer into what some servers send.
    provider.use(async (ctx, next) => {
      await next();
      const body = ctx.body as Record<string, unknown> | undefined;
      if (ctx.path === '/token' && body && typeof body.expires_in === 'number') ctx.body = { ...body, expires_in: String(body.expires_in) };
    });
  }
  const callback = provider.callback();
  providerServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (/^\/interaction\/[\w-]+$/.test(req.url ?? '')) {
      void interaction(provider, req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
      return;
    }
    void callback(req, res);
  });

  const api = createServer((req, res) => {
    void (async () => {
      const body = await bodyHash(req);
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = bearer ? await provider.AccessToken.find(bearer) : undefined;
      res.setHeader('Content-Type', 'application/json');
      if (!token || token.isExpired) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }).end('{"error":"invalid_token"}');
        return;
      }
      if (req.method !== 'POST' || req.url !== '/api3/uploadActivity') {
        res.writeHead(404).end('{"error":"not_found"}');
        return;
      }
      seen.uploads++;
      seen.uploadLog.push(`${new Date().toISOString()} body ${body} (${req.headers['content-length']} bytes) on port ${req.socket.remotePort}`);
      res.writeHead(200).end(JSON.stringify({ function: 'uploadActivity', activity_id: 1000 + seen.uploads, status: 'created' }));
    })();
  });
  const apiOrigin = await listen(api);
  return {
    issuer,
    authorizeUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    revokeUrl: `${issuer}/token/revocation`,
    apiBaseUrl: `${apiOrigin}/api3/`,
    seen,
    provider,
    close: async () => {
      await Promise.all([close(providerServer), close(api)]);
    },
  };
}

/**
 * The login and consent page, scripted: GET shows a form; POST with decision=approve signs in
 * the one test account and grants the requested scope (docs: "User flows", interactionFinished).
 */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<form method="post"><button name="decision" value="approve">Approve</button></form>');
    return;
  }
  let body = '';
  for await (const chunk of req) body += String(chunk);
  if (new URLSearchParams(body).get('decision') !== 'approve') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user said no' }, { mergeWithLastSubmission: false });
    return;
  }
  const params = details.params as { client_id: string; scope?: string };
  const grant = new provider.Grant({ accountId: 'runner', clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: 'runner' }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

/**
 * A browser without a screen: follows the provider's redirects with its cookies, approves on
 * the interaction page, and returns the callback URL it was finally sent to (not opened).
 */
export async function approveInBrowser(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await response.arrayBuffer();
    return response;
  };
  let url = authorizeUrl;
  for (let hop = 0; hop < 8; hop++) {
    const onInteraction = /\/interaction\/[\w-]+$/.test(new URL(url).pathname);
    const response = onInteraction
      ? await go(url, { method: 'POST', body: new URLSearchParams({ decision }), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      : await go(url);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) throw new Error(`${url} answered ${response.status} without a redirect`);
    const next = new URL(location, url);
    if (next.pathname === '/callback') return next;
    url = next.href;
  }
  throw new Error('too many redirects');
}
