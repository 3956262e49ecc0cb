/**
 * Paces the starts of uploads to a rate limit the server does not announce (the contract
 * names none; a server says only 429 and Retry-After once it is exceeded). AIMD, as TCP
 * finds a link's capacity, tuned so that an import of thousands of files meets a
 * per-minute limit with a handful of 429s at most:
 *
 * - **Start gently**: `startPerS`, then each accepted request adds a small step (a fixed
 *   fraction of the start rate), so the rate grows exponentially in time with a time
 *   constant of 1/(startPerS × RAMP): ~67 s from 1 request/s. Slow enough that a
 *   per-minute window is not overshot by much before its first 429; faster, the window
 *   (which lags the rate) would let the rate run far past the limit.
 * - **At a 429**: wait the Retry-After (every start waits), remember a ceiling — the lower
 *   of the rate then and the accepted requests of the last `spanS` (a per-minute window
 *   then holds exactly the limit; a window that has not been sending that long, or that
 *   waited on a Retry-After meanwhile, gives no such figure) — and drop to BACK_OFF of it.
 *   A second 429 within `spanS` of the first comes from the same full window, so it only
 *   lowers the rate, not the ceiling.
 * - **After**: climb back towards CEILING_SHARE of the ceiling, ten times more slowly,
 *   never past it.
 *
 * Measured in a simulation against the sandbox's own limiter (pacer.test.ts) and end to
 * end (bench/results/import.json). Pure: the caller says what time it is.
 */

/** Each accepted request adds this fraction of the start rate. */
const RAMP = 0.015;
/** After a 429 the rate drops to this share of the ceiling. */
const BACK_OFF = 0.85;
/** The rate never climbs back past this share of the ceiling. */
const CEILING_SHARE = 0.97;
/** After the first 429, the climb is this much slower. */
const CAREFUL = 0.1;

export interface PacerOptions {
  /** Requests per second to begin with. @default 1 */
  readonly startPerS?: number;
  /** Never faster than this, requests per second. @default Infinity */
  readonly maxPerS?: number;
  /**
   * The window accepted requests are counted over at a 429, seconds: per-minute limits are
   * the common case (and the sandbox's `--rate-limit`). @default 60
   */
  readonly spanS?: number;
  /** A ceiling learned by an earlier run against the same server (requests per second): start just under it. */
  readonly learnedCeilingPerS?: number;
}

export class Pacer {
  private rate: number;
  private readonly step: number;
  private readonly maxPerS: number;
  private readonly spanMs: number;
  private ceiling: number | undefined;
  private nextStartAt = 0;
  private firstAt: number | undefined;
  private last429At = -Infinity;
  private heldUntil = -Infinity;
  /** Start times of accepted requests within the last span, oldest first. */
  private readonly acceptedAt: number[] = [];
  /** 429 answers seen. */
  rateLimited = 0;

  constructor(options: PacerOptions = {}) {
    const start = options.startPerS ?? 1;
    if (!(start > 0) || !Number.isFinite(start)) throw new TypeError(`Expected startPerS to be a positive number, got ${String(start)}`);
    const max = options.maxPerS ?? Infinity;
    if (!(max > 0)) throw new TypeError(`Expected maxPerS to be a positive number, got ${String(max)}`);
    const span = options.spanS ?? 60;
    if (!(span > 0) || !Number.isFinite(span)) throw new TypeError(`Expected spanS to be a positive number, got ${String(span)}`);
    const learned = options.learnedCeilingPerS;
    if (learned !== undefined && !(learned > 0 && Number.isFinite(learned))) throw new TypeError(`Expected learnedCeilingPerS to be a positive number, got ${String(learned)}`);
    this.maxPerS = max;
    this.spanMs = span * 1000;
    this.step = start * RAMP;
    this.ceiling = learned;
    this.rate = Math.min(max, learned !== undefined ? learned * BACK_OFF : start);
  }

  /** Requests per second now. */
  get perS(): number {
    return this.rate;
  }

  /** The ceiling learned from the server's 429s (requests per second), if any yet. */
  get ceilingPerS(): number | undefined {
    return this.ceiling;
  }

  /** How long the next request must wait before it may start (0: now). */
  delayMs(now: number): number {
    return Math.max(0, this.nextStartAt - now);
  }

  /** A request starts now: the next may start one interval later. */
  started(now: number): void {
    this.nextStartAt = Math.max(this.nextStartAt, now) + 1000 / this.rate;
  }

  /** The server took a request started at `startedAt`: climb. */
  succeeded(startedAt: number): void {
    this.firstAt ??= startedAt;
    this.acceptedAt.push(startedAt);
    while (this.acceptedAt.length && this.acceptedAt[0]! <= startedAt - this.spanMs) this.acceptedAt.shift();
    const next = this.ceiling === undefined ? this.rate + this.step : Math.min(this.rate + this.step * CAREFUL, CEILING_SHARE * this.ceiling);
    // Never below where it is (a learned ceiling may sit under the rate after a back-off).
    this.rate = Math.min(this.maxPerS, Math.max(this.rate, next));
  }

  /** The server answered 429 at `now`, asking for `retryAfterMs` (if it said). */
  limited(now: number, retryAfterMs: number | undefined): void {
    this.rateLimited++;
    while (this.acceptedAt.length && this.acceptedAt[0]! <= now - this.spanMs) this.acceptedAt.shift();
    if (now - this.last429At >= this.spanMs) {
      const clean = this.firstAt !== undefined && now - this.firstAt >= this.spanMs && now - this.heldUntil >= this.spanMs;
      const measured = clean ? (this.acceptedAt.length * 1000) / this.spanMs : Infinity;
      const seen = Math.min(this.rate, measured);
      this.ceiling = this.ceiling === undefined ? seen : Math.min(this.ceiling, seen);
      this.rate = Math.min(this.rate, this.ceiling) * BACK_OFF;
    } else {
      this.rate *= BACK_OFF;
    }
    this.last429At = now;
    const wait = retryAfterMs ?? Math.max(1000, 2000 / this.rate);
    this.heldUntil = now + wait;
    this.nextStartAt = Math.max(this.nextStartAt, now + wait);
  }
}
