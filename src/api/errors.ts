import { MmtError } from '../errors.js';
import type { HttpResponse } from './http.js';

/** Statuses the contract says to retry with backoff. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** A refused API call, classified the way the queue acts on it. */
export class ApiError extends MmtError {
  constructor(
    readonly status: number,
    readonly apiCode: string | undefined,
    message: string,
    /** Retry later (with backoff); false means the request itself is wrong. */
    readonly retryable: boolean,
    /** From Retry-After, when the server said how long to wait. */
    readonly retryAfterMs: number | undefined,
  ) {
    super('failed', apiCode ?? `HTTP_${status}`, message);
  }
}

export function apiErrorFrom(endpoint: string, response: HttpResponse, retryAfterMs: number | undefined): ApiError {
  const body = response.json as { error?: unknown; message?: unknown } | undefined;
  const apiCode = typeof body?.error === 'string' ? body.error : undefined;
  const serverMessage = typeof body?.message === 'string' ? body.message : undefined;
  const detail = [apiCode, serverMessage].filter(Boolean).join(': ') || response.text.slice(0, 200).replace(/\s+/g, ' ').trim();
  return new ApiError(
    response.status,
    apiCode,
    `${endpoint}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`,
    RETRYABLE.has(response.status),
    retryAfterMs,
  );
}
