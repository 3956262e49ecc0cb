/** Small statistics and timing helpers shared by the benchmark modules. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile: always one of the measured values, never an interpolation. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('Expected at least one value, got none');
  if (!(p > 0 && p <= 100)) throw new RangeError(`Expected a percentile in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Rounds for JSON: results are read by people, not fed back into code. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const MB = 1_000_000;

/**
 * Every timed pass folds a number from its output into this module-level value, so the
 * compiler cannot prove the work unused and skip it.
 */
let sink = 0;
export function consume(value: number): void {
  sink = (sink + value) | 0;
}
/** Read by nobody in practice; exported so that `sink` stays observable. */
export function sinkValue(): number {
  return sink;
}

/**
 * Milliseconds per call of `pass`: repeats it until `minMs` have elapsed, so a pass
 * that takes a millisecond is not measured with a timer's granularity.
 */
export async function timePass(pass: () => unknown, minMs: number): Promise<number> {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    const pending = pass();
    if (pending instanceof Promise) await pending;
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return elapsed / calls;
}
