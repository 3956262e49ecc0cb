import { USER_AGENT } from '../package-root.js';
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
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Record<string, string>;
  readonly body?: FormData | URLSearchParams | string;
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

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** One HTTP exchange with a deadline. The only place fetch is called. */
export async function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  assertSafeUrl(request.url);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const what = `${request.method ?? 'GET'} ${new URL(request.url).pathname}`;
  try {
    const response = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: { 'User-Agent': USER_AGENT, Accept: 'application/json', ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      redirect: 'manual',
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
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
