/**
 * Fault injection: the failures a sync client must survive, on demand and
 * reproducibly. failFirst and failRate hit before a request is handled; a
 * dropped upload may instead be dropped after it was stored, so the client
 * sees a failure for an upload the server has (and must get "exists" next).
 */
import { seededRandom } from './crypto.js';
import type { FaultKind } from './stats.js';

export type Fault =
  | { readonly kind: Extract<FaultKind, 'failFirst' | 'http500' | 'http502' | 'http503'>; readonly status: 500 | 502 | 503 }
  | { readonly kind: Extract<FaultKind, 'drop' | 'dropAfterStore'> };

export interface FaultSettings {
  readonly failFirst: number;
  readonly failRate: number;
  readonly seed: number;
  readonly rateLimitPerMin: number | undefined;
  readonly rateWindowMs: number;
}

const PICKS: readonly Fault[] = [
  { kind: 'http500', status: 500 },
  { kind: 'http502', status: 502 },
  { kind: 'http503', status: 503 },
  { kind: 'drop' },
];

export class FaultInjector {
  private failFirstLeft: number;
  private readonly random: () => number;
  /** Accepted request times per rate-limit key, oldest first. */
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly settings: FaultSettings) {
    this.failFirstLeft = settings.failFirst;
    this.random = seededRandom(settings.seed);
  }

  /**
   * The fault for the next faultable request, if any. Draws from the PRNG in
   * a fixed pattern so one seed and one request order give one outcome.
   */
  next(mayDropAfterStore: boolean): Fault | undefined {
    if (this.failFirstLeft > 0) {
      this.failFirstLeft -= 1;
      return { kind: 'failFirst', status: 503 };
    }
    if (this.settings.failRate === 0 || this.random() >= this.settings.failRate) return undefined;
    const pick = PICKS[Math.floor(this.random() * PICKS.length)]!;
    if (pick.kind === 'drop' && mayDropAfterStore && this.random() < 0.5) return { kind: 'dropAfterStore' };
    return pick;
  }

  /**
   * Sliding-window rate limit. Undefined when the request may go ahead (it is
   * then counted); otherwise the seconds until the oldest request in the
   * window leaves it, rounded up so a client that waits exactly that long
   * gets in. Refused requests are not counted: waiting must always help.
   */
  retryAfter(key: string, now = Date.now()): number | undefined {
    const limit = this.settings.rateLimitPerMin;
    if (limit === undefined) return undefined;
    const window = this.settings.rateWindowMs;
    const times = this.windows.get(key) ?? [];
    while (times.length > 0 && times[0]! <= now - window) times.shift();
    if (times.length < limit) {
      times.push(now);
      this.windows.set(key, times);
      return undefined;
    }
    return Math.max(1, Math.ceil((times[0]! + window - now) / 1000));
  }
}
