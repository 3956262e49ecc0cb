/**
 * The positioned records of a file, column by column in typed arrays, so a 24-hour
 * recording (86,400 points) costs about 2 MB instead of 86,400 objects. Only built
 * when a damaged file has to be rebuilt as GPX.
 */
export class Track {
  /** More than two days at one point a second: beyond this a rebuild keeps the start (hostile files stay bounded). */
  static readonly MAX_POINTS = 200_000;
  length = 0;
  /** Points not kept because of MAX_POINTS. */
  dropped = 0;
  /** FIT timestamp (seconds since the FIT epoch), NaN when the record has none. */
  time = new Float64Array(1024);
  /** Semicircles. */
  lat = new Int32Array(1024);
  lon = new Int32Array(1024);
  /** Metres, NaN when absent. */
  ele = new Float32Array(1024);
  /** Beats per minute, 0 when absent. */
  hr = new Uint8Array(1024);
  /** Revolutions or strides per minute, 255 when absent. */
  cad = new Uint8Array(1024);

  push(time: number, lat: number, lon: number, ele: number, hr: number, cad: number): void {
    if (this.length >= Track.MAX_POINTS) {
      this.dropped++;
      return;
    }
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.lat[i] = lat;
    this.lon[i] = lon;
    this.ele[i] = ele;
    this.hr[i] = hr === hr ? hr : 0;
    this.cad[i] = cad === cad ? cad : 255;
  }

  private grow(): void {
    const size = this.time.length * 2;
    this.time = copy(new Float64Array(size), this.time);
    this.lat = copy(new Int32Array(size), this.lat);
    this.lon = copy(new Int32Array(size), this.lon);
    this.ele = copy(new Float32Array(size), this.ele);
    this.hr = copy(new Uint8Array(size), this.hr);
    this.cad = copy(new Uint8Array(size), this.cad);
  }
}

/** `source` copied into the front of `target` (a grown typed array). */
export function copy<T extends { set(source: ArrayLike<number>): void }>(target: T, source: ArrayLike<number>): T {
  target.set(source);
  return target;
}

/** Faster than any aircraft a FIT device records: 350 m/s, 1,260 km/h. */
const MAX_SPEED_MS = 350;
const MAX_GAP_S = 6 * 3600;
const METRES_PER_SEMICIRCLE = (2 * Math.PI * 6_371_000) / 2 ** 32;

/** A column view of points in time order: what the outlier check needs. */
export interface TimedPoints {
  readonly length: number;
  /** FIT seconds, NaN when unknown. */
  readonly time: ArrayLike<number>;
  /** Semicircles; without them only the times are judged. */
  readonly lat?: ArrayLike<number>;
  readonly lon?: ArrayLike<number>;
}

/** A run this long is what a device recorded, however far it is from the rest. */
const TRUSTED_RUN = 16;

/**
 * Points of a damaged file that were decoded from garbled bytes. Consecutive points that
 * are out of line with each other (hours apart in time, or further than 350 m/s could
 * take them) split the track into runs; a run too short to be a recording of its own
 * (under 16 points, and under an eighth of the track) that is not the longest is garbled:
 * a single wild point, or the few messages read out of step after a lost byte, which all
 * carry the same wrong time. A real jump (a tunnel, a GPS restart, a night's pause)
 * leaves long runs on both sides. Returns a mask (1 = drop) and the number of outliers.
 */
export function findOutliers(points: TimedPoints): { readonly mask: Uint8Array; readonly count: number } {
  const n = points.length;
  const mask = new Uint8Array(n);
  let count = 0;
  if (n < 3) return { mask, count };
  const starts: number[] = [0];
  for (let i = 1; i < n; i++) if (!plausible(points, i - 1, i)) starts.push(i);
  if (starts.length === 1) return { mask, count };
  starts.push(n);
  let longest = 0;
  for (let r = 0; r + 1 < starts.length; r++) longest = Math.max(longest, starts[r + 1]! - starts[r]!);
  for (let r = 0; r + 1 < starts.length; r++) {
    const length = starts[r + 1]! - starts[r]!;
    if (length >= TRUSTED_RUN || length * 8 >= n || length >= longest) continue;
    mask.fill(1, starts[r], starts[r + 1]);
    count += length;
  }
  return { mask, count };
}

function plausible(points: TimedPoints, a: number, b: number): boolean {
  const dt = Math.abs(points.time[b]! - points.time[a]!);
  if (dt !== dt) return true; // no time to judge by
  if (dt > MAX_GAP_S) return false;
  const { lat, lon } = points;
  if (!lat || !lon) return true;
  const cosLat = Math.cos(lat[a]! * (Math.PI / 2 ** 31));
  const dy = (lat[b]! - lat[a]!) * METRES_PER_SEMICIRCLE;
  const dx = (lon[b]! - lon[a]!) * METRES_PER_SEMICIRCLE * cosLat;
  return Math.hypot(dx, dy) <= MAX_SPEED_MS * Math.max(dt, 1);
}
