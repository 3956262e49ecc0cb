/**
 * http/: the one HTTP client of mmt-sync and the rules for reading what servers answer.
 * Used by auth/ (OAuth endpoints) and api/ (data endpoints), which both sit above it and
 * do not import each other's HTTP code. May import only node:, ../errors, ../net and
 * ../package-root: nothing here knows about tokens, accounts or the Map My Tracks contract.
 *
 * The rules every request follows: https only (loopback excepted), `User-Agent:
 * mmt-sync/<version>`, a deadline, redirects never followed (the caller says where they
 * pointed), a reply over 1 MiB refused unread, JSON read past a BOM or leading white space.
 */
import http from 'node:http';
import https from 'node:https';
import { USER_AGENT } from '../package-root.js';
import { requestDeadline } from './deadline.js';
import { HttpFailure } from './failure.js';
import type { EncodedForm } from './multipart.js';
import { parseJsonBody } from './reply.js';
import { assertSafeUrl } from './url.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
  /** The body parsed as JSON (after a BOM or white space), or undefined when it is not JSON. */
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

/** Our replies are a few hundred bytes of JSON; anything this big is not one of them. */
export const MAX_REPLY_BYTES = 1024 * 1024;

// Connections are kept alive between calls, as a browser or fetch would.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };

function describeNetworkError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return err.code ?? (error instanceof Error ? error.message : String(error));
}

function headerReader(raw: http.IncomingHttpHeaders): HttpResponse['headers'] {
  return {
    get: (name: string) => {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * One HTTP exchange with a deadline. node:http and node:https rather than fetch: same
 * behaviour for our JSON API, a third of the memory (docs/decisions.md).
 */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  assertSafeUrl(request.url);
  const url = new URL(request.url);
  const deadline = requestDeadline(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
  const what = `${request.method ?? 'GET'} ${url.pathname}`;
  let body: Buffer | undefined;
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers, 'User-Agent': USER_AGENT };
  if (request.body instanceof URLSearchParams) {
    body = Buffer.from(request.body.toString());
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (request.body) {
    body = request.body.body;
    headers['Content-Type'] = request.body.contentType;
  }
  if (body) headers['Content-Length'] = String(body.length);
  const tooLarge = (detail: string) => new HttpFailure('too-large', `${what}: the reply ${detail}; it is not an answer of this API and was not read`);
  const exchange = (fresh: boolean) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const agent = fresh ? undefined : url.protocol === 'https:' ? agents.https : agents.http;
      let answered = false;
      const req = transport.request(url, { method: request.method ?? 'GET', headers, ...(agent ? { agent } : {}), signal }, (res) => {
        answered = true;
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_REPLY_BYTES) {
          // Refused unread: the socket goes, so nothing more of it is received.
          res.destroy();
          reject(tooLarge(`announced ${declared} bytes (over 1 MiB)`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) {
            res.destroy();
            reject(tooLarge('went on past 1 MiB'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: headerReader(res.headers), text, json: parseJsonBody(text) });
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while idle: the request never reached it
        // (Node's documented `reusedSocket` case), so it is sent once more on a new connection.
        // Never once an answer began: the server had the request then.
        if (!answered && !fresh && req.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted) exchange(true).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  try {
    return await exchange(false);
  } catch (error) {
    if (error instanceof HttpFailure) throw error;
    if (request.signal?.aborted) throw new HttpFailure('aborted', `${what}: cancelled`, error);
    if (deadline.expired()) throw new HttpFailure('timeout', `${what}: no answer within ${request.timeoutMs / 1000} s`, error);
    throw new HttpFailure('network', `${what}: ${describeNetworkError(error)}`, error);
  } finally {
    deadline.clear();
  }
}
