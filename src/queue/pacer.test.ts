import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../sandbox/faults.js';
import { Pacer } from './pacer.js';

/**
 * The pacer against the sandbox's own rate limiter (the sliding window `--rate-limit`
 * uses), on a simulated clock: each request takes `latencyMs`, one at a time, as an
 * import sends them. Both sides are the real code; only time is simulated, so the
 * benchmark's full size runs in milliseconds.
 */
function simulate(options: { limit: number; windowMs: number; files: number; pacer: Pacer; latencyMs?: number }) {
  const limiter = new FaultInjector({ failFirst: 0, failRate: 0, seed: 1, rateLimitPerMin: options.limit, rateWindowMs: options.windowMs });
  const latency = options.latencyMs ?? 30;
  let now = 0;
  let sent = 0;
  let refused = 0;
  let notBefore = 0;
  let startedTooEarly = 0;
  while (sent < options.files) {
    now += options.pacer.delayMs(now);
    if (now < notBefore) startedTooEarly++;
    options.pacer.started(now);
    const retryAfterS = limiter.retryAfter('account', now);
    if (retryAfterS === undefined) {
      sent++;
      options.pacer.succeeded(now);
    } else {
      refused++;
      notBefore = now + retryAfterS * 1000;
      options.pacer.limited(now + latency, retryAfterS * 1000);
    }
    now += latency;
  }
  const minimumMs = (options.files / options.limit) * options.windowMs;
  return { refused, ratio: now / minimumMs, startedTooEarly };
}

describe('Pacer', () => {
  it('meets 120 a minute over 2,000 uploads (the benchmark) with at most 5 answers of 429, within 1.2x of the minimum time', () => {
    const result = simulate({ limit: 120, windowMs: 60_000, files: 2000, pacer: new Pacer() });
    expect(result.refused).toBeGreaterThan(0); // it found the limit, by meeting it
    expect(result.refused).toBeLessThanOrEqual(5);
    expect(result.ratio).toBeLessThanOrEqual(1.2);
    expect(result.startedTooEarly).toBe(0);
  });

  it('starts gently: with no limit in sight the first minute stays near the start rate', () => {
    const pacer = new Pacer({ startPerS: 1 });
    let now = 0;
    let count = 0;
    while (now < 60_000) {
      now += pacer.delayMs(now);
      pacer.started(now);
      pacer.succeeded(now);
      count++;
    }
    // 1/s growing with a ~67 s time constant: ~85 in the first minute, not a burst.
    expect(count).toBeGreaterThan(60);
    expect(count).toBeLessThan(110);
  });

  it('waits every Retry-After, and settles under a limit it starts above', () => {
    const result = simulate({ limit: 30, windowMs: 60_000, files: 300, pacer: new Pacer({ startPerS: 1 }) });
    expect(result.startedTooEarly).toBe(0);
    expect(result.ratio).toBeLessThanOrEqual(1.2);
    expect(result.refused).toBeLessThanOrEqual(12);
  });

  it('scales with its start rate: a fast server and a fast start finish near the limit', () => {
    const result = simulate({ limit: 20, windowMs: 1000, files: 400, pacer: new Pacer({ startPerS: 10, spanS: 1 }), latencyMs: 5 });
    expect(result.startedTooEarly).toBe(0);
    expect(result.ratio).toBeLessThanOrEqual(1.5);
    expect(result.refused).toBeLessThanOrEqual(8);
  });

  it('starts under a ceiling learned before, and never climbs past it', () => {
    const pacer = new Pacer({ startPerS: 1, learnedCeilingPerS: 2 });
    expect(pacer.perS).toBeCloseTo(1.7);
    let now = 0;
    for (let i = 0; i < 5000; i++) {
      now += pacer.delayMs(now);
      pacer.started(now);
      pacer.succeeded(now);
    }
    expect(pacer.perS).toBeCloseTo(1.94);
  });

  it('refuses nonsense settings with what it expected', () => {
    expect(() => new Pacer({ startPerS: 0 })).toThrow('Expected startPerS to be a positive number, got 0');
    expect(() => new Pacer({ spanS: Number.NaN })).toThrow('Expected spanS');
  });
});
