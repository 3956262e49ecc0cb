export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a random wait in [0, min(cap, base·2^(n−1))] spreads retries of many
 * clients instead of letting them hit the server in waves.
 */
export function backoffDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/** The server's Retry-After is a floor, never shortened by jitter. */
export function retryDelayMs(failures: number, policy: RetryPolicy, retryAfterMs: number | undefined, random?: () => number): number {
  const backoff = backoffDelayMs(failures, policy, random);
  return retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs);
}
