import http from 'node:http';
import https from 'node:https';
import { USER_AGENT } from '../package-root.js';
import type { EncodedForm } from './multipart.js';
import { isLoopbackHost } from '../net/loopback.js';
import { MmtError } from '../errors.js';

/** What went wrong on the wire, in the words the retry logic needs. */
export type HttpFailureKind = 'timeout' | 'network' | 'aborted';

export class HttpFailure extends MmtError {
  constructor(
    readonly failureKind: HttpFailureKind,
    message: string,
    cause?: unknown,
  ) {
    super('failed', failureKind === 'timeout' ? 'HTTP_TIMEOUT' : failureKind === 'aborted' ? 'ABORTED' : 'NETWORK', message, {
      cause,
    });
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Record<string, string>;
  /** A form body: URLSearchParams, or a multipart body already encoded. */
  readonly body?: URLSearchParams | EncodedForm;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Refuses to send anything (tokens above all) over plain http to another machine. */
export function assertSafeUrl(url: string): void {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return;
  throw new MmtError('usage', 'INSECURE_URL', `refusing to send a request to ${parsed.origin}: https is required (plain http only for a loopback host)`);
}

/** Answers larger than this are not an API's JSON; reading stops there. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

// Connections are kept alive between calls, as a browser or fetch would.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };

function describeNetworkError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return err.code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * One HTTP exchange with a deadline. The only place the network is used. node:http and
 * node:https rather than fetch: same behaviour for our JSON API, a third of the memory.
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  assertSafeUrl(request.url);
  const url = new URL(request.url);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const what = `${request.method ?? 'GET'} ${url.pathname}`;
  let body: Buffer | undefined;
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/json', ...request.headers };
  if (request.body instanceof URLSearchParams) {
    body = Buffer.from(request.body.toString());
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (request.body) {
    body = request.body.body;
    headers['Content-Type'] = request.body.contentType;
  }
  if (body) headers['Content-Length'] = String(body.length);
  const exchange = (fresh: boolean) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const agent = fresh ? undefined : url.protocol === 'https:' ? agents.https : agents.http;
      const req = transport.request(url, { method: request.method ?? 'GET', headers, ...(agent ? { agent } : {}), signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const raw = res.headers;
          const get = (name: string) => {
            const value = raw[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          };
          resolve({ status: res.statusCode ?? 0, headers: { get }, text, json });
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while idle: the request never reached it
        // (Node's documented `reusedSocket` case), so it is sent once more on a new connection.
        if (!fresh && req.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) exchange(true).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  try {
    return await exchange(false);
  } catch (error) {
    if (request.signal?.aborted) throw new HttpFailure('aborted', `${what}: cancelled`, error);
    if (timeout.aborted) throw new HttpFailure('timeout', `${what}: no answer within ${request.timeoutMs / 1000} s`, error);
    throw new HttpFailure('network', `${what}: ${describeNetworkError(error)}`, error);
  }
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
