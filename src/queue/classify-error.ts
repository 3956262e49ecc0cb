import { ApiError } from '../api/errors.js';
import { HttpFailure } from '../http/failure.js';
import { MmtError } from '../errors.js';

export type FailureKind = 'retry' | 'permanent' | 'login' | 'aborted';

export interface ClassifiedFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly retryAfterMs?: number;
  /** The server said 429: too many requests, not a fault of this one. */
  readonly rateLimited?: boolean;
}

/** The contract's error rules, in one place: what to do after a failed upload. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError) {
    return error.retryable
      ? { kind: 'retry', message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }), ...(error.status === 429 ? { rateLimited: true } : {}) }
      : { kind: 'permanent', message };
  }
  if (error instanceof HttpFailure) return { kind: error.failureKind === 'aborted' ? 'aborted' : 'retry', message };
  if (error instanceof MmtError) {
    if (error.kind === 'login') return { kind: 'login', message };
    if (error.code === 'TOKEN_ENDPOINT_UNAVAILABLE' || error.code === 'LOCK_TIMEOUT') return { kind: 'retry', message };
    if (error.kind === 'usage') return { kind: 'permanent', message };
  }
  return { kind: 'retry', message };
}

/**
 * A retryable failure in a few words, for a progress line that must say why nothing moves:
 * "server unreachable", "no answer from the server", "server error (HTTP 503)", "rate limited".
 */
export function inFewWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'rate limited';
    if (error.status >= 500) return `server error (HTTP ${error.status})`;
    return `HTTP ${error.status}`;
  }
  if (error instanceof HttpFailure) {
    if (error.failureKind === 'timeout') return 'no answer from the server';
    if (error.failureKind === 'network') return 'server unreachable';
  }
  if (error instanceof MmtError && error.code === 'TOKEN_ENDPOINT_UNAVAILABLE') return 'login server unavailable';
  return error instanceof Error ? error.message : String(error);
}
