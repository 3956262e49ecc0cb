/**
 * Running totals over the track points of a GPX or TCX file, so a file of any
 * size is summarised without keeping its points: counters, earliest and latest
 * time, and the distance between consecutive positions within a segment.
 */
import { createHash, type Hash } from 'node:crypto';

export interface TrackPointSample {
  /** Undefined when the point has no valid position. */
  readonly lat?: number;
  readonly lon?: number;
  /** Milliseconds since the epoch. */
  readonly time?: number;
  /** Points are joined for distance only within the same segment. */
  readonly segment: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class TrackSummary {
  /** Every track point seen. */
  points = 0;
  /** Points with a valid position. */
  positions = 0;
  /** Points with a valid position and a valid time: what makes a recording. */
  timed = 0;
  /** Points with a valid time, positioned or not (an indoor activity has only these). */
  timedAny = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;
  /** Earliest and latest time of any point, positioned or not. */
  anyMinTime = Number.POSITIVE_INFINITY;
  anyMaxTime = Number.NEGATIVE_INFINITY;
  distanceM = 0;
  private lastLat = 0;
  private lastLon = 0;
  private lastSegment = -1;

  add(p: TrackPointSample): void {
    this.points++;
    // 0,0 is "no fix" (FIT devices write it so, exporters fake it so): not a place anyone recorded an activity.
    const positioned = p.lat !== undefined && p.lon !== undefined && !(p.lat === 0 && p.lon === 0);
    if (p.time !== undefined) {
      this.timedAny++;
      if (p.time < this.anyMinTime) this.anyMinTime = p.time;
      if (p.time > this.anyMaxTime) this.anyMaxTime = p.time;
    }
    if (!positioned) return;
    this.positions++;
    if (p.segment === this.lastSegment) {
      this.distanceM += haversineM(this.lastLat, this.lastLon, p.lat, p.lon);
    }
    this.lastLat = p.lat;
    this.lastLon = p.lon;
    this.lastSegment = p.segment;
    if (p.time === undefined) return;
    this.timed++;
    if (p.time < this.minTime) this.minTime = p.time;
    if (p.time > this.maxTime) this.maxTime = p.time;
  }

  /** Start, duration and the identity prefix, once there is a timed point. */
  get start(): string | undefined {
    return this.timed > 0 ? new Date(this.minTime).toISOString() : undefined;
  }

  /** Latest minus earliest timed point: never negative, even when a device wrote a stray out-of-order time. */
  get durationS(): number | undefined {
    return this.timed > 0 ? (this.maxTime - this.minTime) / 1000 : undefined;
  }

  /** The same for an indoor activity: every timed point counts. */
  get anyStart(): string | undefined {
    return this.timedAny > 0 ? new Date(this.anyMinTime).toISOString() : undefined;
  }

  get anyDurationS(): number | undefined {
    return this.timedAny > 0 ? (this.anyMaxTime - this.anyMinTime) / 1000 : undefined;
  }

  get roundedDistanceM(): number {
    return Math.round(this.distanceM * 10) / 10;
  }
}

/** sha256 fed chunk by chunk; the identity keeps the first 16 hex digits. */
export class ContentHash {
  private readonly hash: Hash = createHash('sha256');

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  prefix(): string {
    return this.hash.digest('hex').slice(0, 16);
  }
}

/**
 * `<fmt>:<first time ISO>:<timed point count>:<sha256 prefix>`, or undefined without a
 * timed point. An indoor activity (no timed point has a position) counts every timed point.
 */
export function trackIdentity(format: 'gpx' | 'tcx', summary: TrackSummary, hashPrefix: string): string | undefined {
  const indoor = recordingOf(summary) === 'indoor';
  const start = indoor ? summary.anyStart : summary.start;
  return start === undefined ? undefined : `${format}:${start}:${indoor ? summary.timedAny : summary.timed}:${hashPrefix}`;
}

/** The one rule of every format: two timed points with positions make a track; two without, an indoor activity. */
export type Recording = 'track' | 'indoor' | undefined;

export function recordingOf(summary: TrackSummary): Recording {
  if (summary.timed >= 2) return 'track';
  return summary.timedAny >= 2 ? 'indoor' : undefined;
}

/** Why an indoor activity goes up: how many timed points, and that they have no place. */
export function indoorReason(summary: TrackSummary): string {
  return `indoor activity: ${summary.timedAny} timed track points, ${summary.timed || 'none'} with a position`;
}
