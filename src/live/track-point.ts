/**
 * One position of a live track, whatever it came from (gpsd, NMEA, GPX).
 * Pure: no I/O, shared by the sources, the buffer and the uplink.
 */
export interface TrackPoint {
  readonly lat: number;
  readonly lon: number;
  /** Metres above mean sea level, when the source knows it. */
  readonly ele?: number;
  /** UTC, milliseconds since the epoch (sub-second precision kept for ordering). */
  readonly timeMs: number;
  /** Beats per minute, when the source has it (GPX TrackPointExtension). */
  readonly hr?: number;
}

/** The contract's `timestamp` is integer Unix seconds up to 2^32−1 (the sandbox enforces it). */
const MAX_TIME_MS = 0xffffffff * 1000;

/**
 * Whether the contract can carry this point: a position on the globe, a time
 * in range. Checked before a point is buffered, so a bad fix can never make a
 * batch fail permanently later.
 */
export function isSendable(point: TrackPoint): boolean {
  return (
    Number.isFinite(point.lat) &&
    Number.isFinite(point.lon) &&
    point.lat >= -90 &&
    point.lat <= 90 &&
    point.lon >= -180 &&
    point.lon <= 180 &&
    Number.isFinite(point.timeMs) &&
    point.timeMs >= 0 &&
    point.timeMs < MAX_TIME_MS &&
    (point.ele === undefined || Number.isFinite(point.ele))
  );
}

/** A heart rate the contract accepts (integer 0..300); anything else is dropped, the position kept. */
export function sendableHeartRate(hr: number | undefined): number | undefined {
  if (hr === undefined || !Number.isFinite(hr)) return undefined;
  const rounded = Math.round(hr);
  return rounded > 0 && rounded <= 300 ? rounded : undefined;
}
