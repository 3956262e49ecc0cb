/**
 * Retry as a wrapper around one call (house style 10): full-jitter backoff,
 * Retry-After as a floor, permanent refusals thrown at once, nothing after
 * the signal aborts. Live points are never given up while the process runs,
 * so there is no attempt limit: only the signal ends the waiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs, type RetryPolicy } from '../queue/backoff.js';
import { MmtError } from '../errors.js';
import { classifyFailure, type ClassifiedFailure } from '../queue/classify-error.js';

export interface RetryOptions {
  readonly policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  /** Aborting it ends the waiting; the last failure is thrown then. */
  readonly signal: AbortSignal;
  /**
   * How long to wait after "login required" before trying again: the user may
   * run `mmt-sync login` in another terminal meanwhile (the token store is read again).
   */
  readonly loginRetryMs: number;
  readonly onRetry?: (failure: ClassifiedFailure, delayMs: number, failures: number) => void;
  readonly random?: () => number;
}

export async function retrying<T>(work: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = { ...options.policy, maxAttempts: Number.POSITIVE_INFINITY };
  let failures = 0;
  for (;;) {
    options.signal.throwIfAborted();
    let failure: ClassifiedFailure;
    try {
      return await work(options.signal);
    } catch (error) {
      failure = classifyFailure(error);
      if (failure.kind === 'permanent' || failure.kind === 'aborted' || options.signal.aborted || isOwnFault(error)) throw error;
      failures++;
      const delayMs = failure.kind === 'login' ? options.loginRetryMs : retryDelayMs(failures, policy, failure.retryAfterMs, options.random);
      options.onRetry?.(failure, delayMs, failures);
      try {
        await sleep(delayMs, undefined, { signal: options.signal });
      } catch {
        // Aborted while waiting: the caller wants to know what kept it from finishing.
        throw error;
      }
    }
  }
}

/**
 * Failures of this process rather than of the network or the server: a bug,
 * or the live buffer refusing a write (a full disk). Retrying would not help,
 * and after a reply was already taken it would send the same points again.
 */
function isOwnFault(error: unknown): boolean {
  return !(error instanceof MmtError) || error.kind === 'internal' || error.code.startsWith('LIVE_');
}
