/**
 * The outline of a track for drawing: positions go in one at a time (a GPX walker, a FIT
 * track), an encoded polyline of at most MAX_POINTS comes out. Memory stays bounded
 * whatever the file's size: positions are sampled into a reservoir of fixed size (when it
 * fills, every other sample goes and the sampling stride doubles), which keeps a point
 * every few metres of any real recording, far finer than the drawing's budget; the
 * simplifier then picks the points that carry the shape. Pure: no I/O.
 */
import { encodePolyline, type LatLon } from './codec.js';
import { simplifyToBudget } from './simplify.js';

/** Enough for a thumbnail and a page-sized drawing; ~1.6 kB a track in the journal. */
export const MAX_POINTS = 200;
const RESERVOIR = 2048;
const RAD = Math.PI / 180;

export class TrackSketch {
  private readonly lat = new Float64Array(RESERVOIR);
  private readonly lon = new Float64Array(RESERVOIR);
  private length = 0;
  private stride = 1;
  private seen = 0;
  private lastLat = NaN;
  private lastLon = NaN;

  /** A position in degrees; positions without a fix are not given. */
  add(lat: number, lon: number): void {
    const index = this.seen++;
    this.lastLat = lat;
    this.lastLon = lon;
    if (index % this.stride !== 0) return;
    if (this.length === RESERVOIR) {
      this.halve();
      if (index % this.stride !== 0) return;
    }
    this.lat[this.length] = lat;
    this.lon[this.length] = lon;
    this.length++;
  }

  /** The encoded outline, or undefined with fewer than two positions. */
  finish(maxPoints = MAX_POINTS): string | undefined {
    // The end of the track is where it ended, whatever the sampling stride.
    if (this.seen > 0 && (this.seen - 1) % this.stride !== 0) {
      if (this.length === RESERVOIR) this.length--;
      this.lat[this.length] = this.lastLat;
      this.lon[this.length] = this.lastLon;
      this.length++;
    }
    if (this.length < 2) return undefined;
    // Equirectangular around the first point: true enough for the few kilometres of an activity.
    const cosLat = Math.cos(this.lat[0]! * RAD);
    const xs = new Float64Array(this.length);
    const ys = this.lat.subarray(0, this.length);
    for (let i = 0; i < this.length; i++) xs[i] = this.lon[i]! * cosLat;
    const indices = simplifyToBudget(xs, ys, this.length, maxPoints);
    const points: LatLon[] = [];
    for (const i of indices) points.push([this.lat[i]!, this.lon[i]!]);
    return encodePolyline(points);
  }

  private halve(): void {
    for (let i = 0; i < this.length / 2; i++) {
      this.lat[i] = this.lat[2 * i]!;
      this.lon[i] = this.lon[2 * i]!;
    }
    this.length = Math.ceil(this.length / 2);
    this.stride *= 2;
  }
}
