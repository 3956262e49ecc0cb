import { MmtError } from '../errors.js';
import { describeReply, parseRetryAfter, serverError } from '../http/reply.js';
import type { HttpResponse } from '../http/request.js';

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

function size(bytes: number): string {
  return bytes < 1_000_000 ? `${Math.max(1, Math.round(bytes / 1000))} kB` : `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * True for a 200 reply that is a refusal: `error` and no `activity_id` (nor `ok`). v1 sent its
 * errors with HTTP 200, and a server that still does must not be asked the same thing again.
 */
export function isRefusalAt200(json: Record<string, unknown>): boolean {
  const { error, activity_id: id } = json;
  const saysError = typeof error === 'string' ? error.trim() !== '' : error !== undefined && error !== null && error !== false;
  // v1 once answered with an empty activity_id (api-v1 #27): that is no id either.
  const hasId = id !== undefined && id !== null && id !== '' && id !== 0;
  return saysError && !hasId && json.ok === undefined;
}

/**
 * A reply that is not a success, in one line and classified: 5xx/408/425/429 are retried;
 * a redirect, a 413 (a proxy's body limit), an error sent with 200 and any other 4xx are
 * permanent for that request. `sentBytes` is what we sent, for the 413 message.
 */
export function apiErrorFrom(endpoint: string, response: HttpResponse, sentBytes: number): ApiError {
  const { code } = serverError(response.json);
  const detail = describeReply(response);
  const status = response.status;
  if (status === 413) {
    return new ApiError(status, code ?? 'TOO_LARGE', `${endpoint}: the server refused the file as too large, ${size(sentBytes)} (HTTP 413: ${detail})`, false, undefined);
  }
  if (status >= 300 && status < 400) {
    return new ApiError(status, 'REDIRECTED', `${endpoint}: HTTP ${status}, ${detail} (check api.baseUrl and api.paths.${endpoint})`, false, undefined);
  }
  if (status === 200) {
    return new ApiError(status, code ?? 'REFUSED', `${endpoint}: refused by the server: ${detail} (sent with HTTP 200)`, false, undefined);
  }
  return new ApiError(
    status,
    code,
    `${endpoint}: HTTP ${status} (${detail})`,
    RETRYABLE.has(status),
    RETRYABLE.has(status) ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
  );
}
