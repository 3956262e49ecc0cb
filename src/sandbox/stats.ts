/**
 * Counters and a bounded request log for /sandbox/stats. Tests read them to
 * check client behaviour from the server's side: that Retry-After was
 * honoured, that exactly one refresh happened, how many faults were injected.
 */

/** One API request, recorded when it ends. No query string: it may hold a code or state. */
export interface RequestLogEntry {
  /** Arrival time, epoch milliseconds. */
  readonly t: number;
  readonly method: string;
  readonly path: string;
  /** HTTP status sent; 0 when the connection was dropped without a response. */
  readonly status: number;
  /** Seconds, when a Retry-After header was sent. */
  readonly retryAfter?: number;
  /** Set when the answer was an injected fault. */
  readonly fault?: FaultKind;
}

export type FaultKind = 'failFirst' | 'http500' | 'http502' | 'http503' | 'drop' | 'dropAfterStore' | 'rateLimited';

export type GrantType = 'authorization_code' | 'refresh_token';

export interface SandboxStats {
  /** Requests per endpoint name (`uploadActivity`, `oauth/token`, … ; `unknown` for 404s). */
  readonly requests: Record<string, number>;
  /** Tokens issued, by grant type. */
  readonly grants: Record<GrantType, number>;
  /** refresh_token grants answered with an error. */
  readonly refreshRejected: number;
  /** Token families revoked (refresh token reuse, code reuse, revoke endpoint). */
  readonly familiesRevoked: number;
  readonly faults: Record<FaultKind, number>;
  /** The last LOG_LIMIT API requests, oldest first. */
  readonly log: readonly RequestLogEntry[];
}

export const LOG_LIMIT = 10_000;

export class StatsRecorder {
  private readonly requests: Record<string, number> = {};
  private readonly grants: Record<GrantType, number> = { authorization_code: 0, refresh_token: 0 };
  private refreshRejected = 0;
  private familiesRevoked = 0;
  private readonly faults: Record<FaultKind, number> = {
    failFirst: 0,
    http500: 0,
    http502: 0,
    http503: 0,
    drop: 0,
    dropAfterStore: 0,
    rateLimited: 0,
  };
  // A ring would save the occasional splice; at 10k entries the copy is cheap and the code plain.
  private log: RequestLogEntry[] = [];

  constructor(private readonly onRequest?: (entry: RequestLogEntry) => void) {}

  countRequest(endpoint: string): void {
    this.requests[endpoint] = (this.requests[endpoint] ?? 0) + 1;
  }

  countGrant(type: GrantType): void {
    this.grants[type] += 1;
  }

  countRefreshRejected(): void {
    this.refreshRejected += 1;
  }

  countFamilyRevoked(): void {
    this.familiesRevoked += 1;
  }

  countFault(kind: FaultKind): void {
    this.faults[kind] += 1;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log = this.log.slice(this.log.length - LOG_LIMIT);
    this.onRequest?.(entry);
  }

  snapshot(): SandboxStats {
    return {
      requests: { ...this.requests },
      grants: { ...this.grants },
      refreshRejected: this.refreshRejected,
      familiesRevoked: this.familiesRevoked,
      faults: { ...this.faults },
      log: [...this.log],
    };
  }
}
