/**
 * One request from arrival to answer: which endpoint, latency, faults,
 * authentication, rate limit, body parsing, handler, error rendering.
 * Handlers only return data or throw typed errors; everything about the
 * wire (drops, Retry-After, error bodies) is decided here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizePageError, RateLimitedError, RefusedError, SandboxHttpError, methodNotAllowed, notFound } from './errors.js';
import { handleAuthorize, sendAuthorizeError } from './authorize.js';
import type { Fault, FaultInjector } from './faults.js';
import { bearerToken, drain, sendJson, sleep } from './http.js';
import { sendActivities, sendFile, sendIndex, sendStats } from './inspect.js';
import { START_FIELDS, STOP_FIELDS, UPDATE_FIELDS, handleStart, handleStop, handleUpdate } from './live.js';
import { type FieldSpec, type MultipartForm, parseMultipart } from './multipart.js';
import type { ResolvedOptions } from './options.js';
import { type Quirks, padded, sendProxyPage, sendQuirkyJson, userAgentAllowed } from './quirks.js';
import type { FaultKind, StatsRecorder } from './stats.js';
import type { SandboxStore } from './store.js';
import { handleRevoke, handleToken, oauthErrorHeaders } from './token-endpoints.js';
import type { TokenService } from './tokens.js';
import { UPLOAD_FIELDS, handleUpload } from './upload.js';

export const API_PREFIX = '/api3/';

export interface SandboxContext {
  readonly options: ResolvedOptions;
  readonly store: SandboxStore;
  readonly tokens: TokenService;
  readonly faults: FaultInjector;
  readonly stats: StatsRecorder;
  readonly baseUrl: string;
  /** The issuer identifier sent as `iss` under the iss quirk. */
  readonly issuer: string;
  /** Aborted by close(): cuts injected latency short. */
  readonly closing: AbortSignal;
}

interface DataEndpoint {
  readonly spec: FieldSpec;
  readonly handle: (form: MultipartForm, account: string, store: SandboxStore) => Promise<object>;
}

const DATA_ENDPOINTS: ReadonlyMap<string, DataEndpoint> = new Map([
  ['uploadActivity', { spec: UPLOAD_FIELDS, handle: handleUpload }],
  ['startActivity', { spec: START_FIELDS, handle: handleStart }],
  ['updateActivity', { spec: UPDATE_FIELDS, handle: handleUpdate }],
  ['stopActivity', { spec: STOP_FIELDS, handle: handleStop }],
]);

const OAUTH_ENDPOINTS = new Set(['oauth/authorize', 'oauth/token', 'oauth/revoke']);

/** Per-request facts the access log needs once the response is over. */
interface Exchange {
  fault?: FaultKind;
}

export async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: SandboxContext): Promise<void> {
  let url: URL;
  try {
    // Prefixing keeps "//host/path" request targets from being read as a host.
    url = new URL(`http://sandbox.invalid${req.url ?? '/'}`);
  } catch {
    await drain(req);
    return sendJson(res, 400, { error: 'bad_request', message: 'unparseable request target' });
  }
  const path = url.pathname;
  const inspection = path === '/' || path.startsWith('/sandbox/');
  const exchange: Exchange = {};
  if (!inspection) {
    observe(req, res, path, ctx.stats, exchange);
    ctx.options.onRequestStart?.(path);
  }
  await sleep(ctx.options.latencyMs, ctx.closing);
  try {
    if (inspection) await routeInspection(req, res, path, ctx);
    else await routeApi(req, res, url, ctx, exchange);
  } catch (error) {
    await sendError(req, res, error, path, inspection ? new Set() : ctx.options.quirks);
  }
}

function observe(req: IncomingMessage, res: ServerResponse, path: string, stats: StatsRecorder, exchange: Exchange): void {
  const t = Date.now();
  const name = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : '';
  stats.countRequest(OAUTH_ENDPOINTS.has(name) || DATA_ENDPOINTS.has(name) ? name : 'unknown');
  res.once('close', () => {
    const retryAfter = Number(res.getHeader('Retry-After'));
    stats.record({
      t,
      method: req.method ?? '',
      path,
      status: res.writableFinished ? res.statusCode : 0,
      ...(Number.isFinite(retryAfter) && res.writableFinished ? { retryAfter } : {}),
      ...(exchange.fault ? { fault: exchange.fault } : {}),
    });
  });
}

async function routeInspection(req: IncomingMessage, res: ServerResponse, path: string, ctx: SandboxContext): Promise<void> {
  const files = /^\/sandbox\/files\/([^/]+)$/.exec(path);
  const known = path === '/' || path === '/sandbox/activities' || path === '/sandbox/stats' || files;
  if (!known) throw notFound(path);
  if (req.method !== 'GET') throw methodNotAllowed(['GET']);
  if (path === '/') return sendIndex(res, ctx.store, ctx.baseUrl);
  if (path === '/sandbox/activities') return sendActivities(res, ctx.store);
  if (path === '/sandbox/stats') return sendStats(res, ctx.stats);
  return sendFile(res, ctx.store, files![1]!);
}

async function routeApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: SandboxContext, exchange: Exchange): Promise<void> {
  const name = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : undefined;
  const { quirks } = ctx.options;
  if (name === 'oauth/authorize') {
    if (req.method !== 'GET' && req.method !== 'POST') throw new AuthorizePageError(405, 'Use GET or POST.');
    return handleAuthorize(req, res, url, ctx.store.client, ctx.tokens, {
      quirks,
      issuer: ctx.issuer,
      registeredRedirectUri: ctx.options.redirectUri,
    });
  }
  // v1 answered 403 to generic library user agents (a browser's authorize page excepted).
  if (name && quirks.has('ua-check') && !userAgentAllowed(req.headers['user-agent'])) {
    throw new RefusedError(name, 'FORBIDDEN', 'requests must carry a descriptive User-Agent');
  }
  if (name === 'oauth/token') {
    if (req.method !== 'POST') throw methodNotAllowed(['POST']);
    if (ctx.options.faultOAuth) {
      if (await injectFault(req, res, ctx, exchange, name, false)) return;
      checkRateLimit(ctx, exchange, 'client', undefined);
    }
    return handleToken(req, res, ctx.store.client, ctx.tokens, quirks);
  }
  if (name === 'oauth/revoke') {
    if (req.method !== 'POST') throw methodNotAllowed(['POST']);
    return handleRevoke(req, res, ctx.store.client, ctx.tokens, quirks);
  }
  const endpoint = name === undefined ? undefined : DATA_ENDPOINTS.get(name);
  if (!name || !endpoint) throw notFound(url.pathname);
  if (req.method !== 'POST') throw methodNotAllowed(['POST']);
  if (await answeredByProxy(req, res, url, name, quirks)) return;

  const fault = await injectFault(req, res, ctx, exchange, name, name === 'uploadActivity');
  if (fault === true) return;
  if (fault === false) return sendDataReply(res, await serveData(req, ctx, exchange, name, endpoint), quirks);
  // Do the work (or refuse it) as usual; the client never hears of it.
  await serveData(req, ctx, exchange, name, endpoint).catch((error: unknown) => {
    if (!(error instanceof SandboxHttpError)) reportBug(req, url.pathname, error);
  });
  req.socket.destroy();
}

/** A data endpoint's reply, or a typed error: authentication, rate limit, body, handler. */
async function serveData(
  req: IncomingMessage,
  ctx: SandboxContext,
  exchange: Exchange,
  name: string,
  endpoint: DataEndpoint,
): Promise<object> {
  const account = ctx.tokens.authenticate(bearerToken(req));
  checkRateLimit(ctx, exchange, `account:${account}`, name);
  const form = await parseMultipart(req, endpoint.spec);
  const { quirks } = ctx.options;
  if (name === 'uploadActivity' && quirks.has('refuse-upload')) throw new RefusedError(name, 'INVALID_ACTIVITY', 'invalid activity');
  if (name === 'startActivity' && quirks.has('no-plus')) {
    throw new RefusedError(name, 'PLUS_REQUIRED', 'Live tracking requires a PLUS membership');
  }
  return endpoint.handle(form, account, ctx.store);
}

/** What a reverse proxy in front of the API answers by itself under the quirks: a redirect, a 413 page. */
async function answeredByProxy(req: IncomingMessage, res: ServerResponse, url: URL, name: string, quirks: Quirks): Promise<boolean> {
  if (quirks.has('redirect')) {
    await drain(req);
    res.writeHead(301, { Location: `https://${req.headers.host ?? 'localhost'}${url.pathname}`, 'Content-Length': 0 }).end();
    return true;
  }
  if (quirks.has('html-413') && name === 'uploadActivity') {
    await drain(req);
    sendProxyPage(res, 413);
    return true;
  }
  return false;
}

/** Under huge-reply the body grows to 2 MiB of white space: still JSON, far past what a client should read. */
function sendDataReply(res: ServerResponse, body: object, quirks: Quirks): void {
  sendQuirkyJson(res, 200, body, quirks, {}, quirks.has('huge-reply') ? padded(body, 2 * 1024 * 1024) : JSON.stringify(body));
}

/**
 * Applies the next injected fault. true: the request was answered or
 * dropped; 'after': handle it, then drop the connection; false: no fault.
 */
async function injectFault(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SandboxContext,
  exchange: Exchange,
  fn: string,
  mayDropAfterStore: boolean,
): Promise<boolean | 'after'> {
  const fault: Fault | undefined = ctx.faults.next(mayDropAfterStore);
  if (!fault) return false;
  exchange.fault = fault.kind;
  ctx.stats.countFault(fault.kind);
  if (!('status' in fault)) {
    if (fault.kind === 'dropAfterStore') return 'after';
    req.socket.destroy();
    return true;
  }
  await drain(req);
  const oauth = fn.startsWith('oauth/');
  if (fault.status === 502 || (!oauth && ctx.options.quirks.has('html-errors'))) {
    // What a reverse proxy sends when the app behind it is down: HTML, not the API's JSON.
    sendProxyPage(res, fault.status);
  } else {
    const message = `injected fault (${fault.kind})`;
    const body = oauth ? { error: 'server_error', error_description: message } : { function: fn, error: 'SERVER_ERROR', message };
    sendQuirkyJson(res, fault.status, body, ctx.options.quirks);
  }
  return true;
}

function checkRateLimit(ctx: SandboxContext, exchange: Exchange, key: string, fn: string | undefined): void {
  const retryAfter = ctx.faults.retryAfter(key);
  if (retryAfter === undefined) return;
  exchange.fault = 'rateLimited';
  ctx.stats.countFault('rateLimited');
  throw new RateLimitedError(fn, retryAfter);
}

async function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, path: string, quirks: Quirks): Promise<void> {
  if (res.headersSent || res.destroyed || req.socket.destroyed) return;
  await drain(req);
  if (error instanceof AuthorizePageError) return sendAuthorizeError(res, error);
  if (error instanceof SandboxHttpError) {
    const oauth = path === `${API_PREFIX}oauth/token` || path === `${API_PREFIX}oauth/revoke`;
    if (oauth) return sendQuirkyJson(res, error.status, error.body, quirks, { ...error.headers, ...oauthErrorHeaders });
    // v1 sent its refusals with HTTP 200; a proxy in front renders what is left as its own page.
    const status = quirks.has('error-at-200') && error instanceof RefusedError ? 200 : error.status;
    if (status >= 400 && quirks.has('html-errors') && path.startsWith(API_PREFIX)) return sendProxyPage(res, status, error.headers);
    return sendQuirkyJson(res, status, error.body, quirks, error.headers);
  }
  reportBug(req, path, error);
  sendJson(res, 500, { error: 'internal_error', message: 'sandbox bug; see its stderr' });
}

/** A bug in the sandbox (or a full disk), not a fault the client should learn to survive: make it loud. */
function reportBug(req: IncomingMessage, path: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`mmt-sync sandbox: internal error on ${req.method} ${path}: ${detail}\n`);
}
