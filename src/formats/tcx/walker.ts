/**
 * Walks Garmin Training Center (TCX v2) XML events: activities with their laps
 * and track points, courses and workouts (counted only: they are not recordings).
 * Track points inside a <Course> have times too, so only points under
 * Activities/…/Activity count.
 */
import type { XmlEvents } from '../xml/stream.js';
import { parseDateTime, parseDecimal, parseLatitude, parseLongitude } from '../xml/values.js';
import type { TrackPointSample } from '../xml/track-summary.js';

const enum Capture {
  None,
  Id,
  CreatorName,
  UnitId,
  Time,
  Lat,
  Lon,
  LapDistance,
}

const MAX_VALUE_CHARS = 256;

export const NOT_TCX = 'not a TCX document';

interface PointInProgress {
  lat?: number;
  lon?: number;
  time?: number;
  segment: number;
}

export class TcxWalker implements XmlEvents {
  activities = 0;
  courses = 0;
  workouts = 0;
  /** Sport attribute of each Activity, in order. */
  readonly sports: string[] = [];
  /** Earliest parseable Activity <Id> (the start time), ms since the epoch. */
  firstId: number | undefined;
  product: string | undefined;
  serial: string | undefined;
  laps = 0;
  lapsWithDistance = 0;
  lapDistanceM = 0;

  private readonly path: string[] = [];
  private activityDepth = 0;
  private segment = -1;
  private point: PointInProgress | undefined;
  private pointDepth = 0;
  private capture = Capture.None;
  private captureDepth = 0;
  private captured = '';

  constructor(private readonly onPoint: (point: TrackPointSample) => void) {}

  open(name: string, attributes: Readonly<Record<string, string>>, depth: number): string | undefined {
    const path = this.path;
    path.length = depth - 1;
    path.push(name);
    if (depth === 1) {
      return name === 'TrainingCenterDatabase' ? undefined : `${NOT_TCX} (root element <${name.slice(0, 40)}>)`;
    }
    if (this.point) {
      this.openInPoint(name, depth);
      return undefined;
    }
    if (this.activityDepth > 0) {
      this.openInActivity(name, depth);
      return undefined;
    }
    if (name === 'Activity' && path[1] === 'Activities') {
      // Activities/Activity, or inside Activities/MultiSportSession/FirstSport|NextSport.
      this.activityDepth = depth;
      this.activities++;
      const sport = attributes['Sport']?.trim();
      if (sport) this.sports.push(sport.slice(0, 64));
    } else if (depth === 3 && name === 'Course' && path[1] === 'Courses') {
      this.courses++;
    } else if (depth === 3 && name === 'Workout' && path[1] === 'Workouts') {
      this.workouts++;
    }
    return undefined;
  }

  private openInActivity(name: string, depth: number): void {
    const rel = depth - this.activityDepth;
    const parent = this.path[depth - 2];
    if (rel === 1) {
      if (name === 'Id') this.startCapture(Capture.Id, depth);
      else if (name === 'Lap') this.laps++;
    } else if (rel === 2) {
      if (parent === 'Lap') {
        if (name === 'Track') this.segment++;
        else if (name === 'DistanceMeters') this.startCapture(Capture.LapDistance, depth);
      } else if (parent === 'Creator') {
        if (name === 'Name') this.startCapture(Capture.CreatorName, depth);
        else if (name === 'UnitId') this.startCapture(Capture.UnitId, depth);
      }
    } else if (rel === 3 && name === 'Trackpoint' && parent === 'Track') {
      this.point = { segment: this.segment };
      this.pointDepth = depth;
    }
  }

  private openInPoint(name: string, depth: number): void {
    if (depth === this.pointDepth + 1) {
      if (name === 'Time') this.startCapture(Capture.Time, depth);
    } else if (depth === this.pointDepth + 2 && this.path[depth - 2] === 'Position') {
      if (name === 'LatitudeDegrees') this.startCapture(Capture.Lat, depth);
      else if (name === 'LongitudeDegrees') this.startCapture(Capture.Lon, depth);
    }
  }

  text(text: string): void {
    if (this.capture !== Capture.None && this.captured.length < MAX_VALUE_CHARS) this.captured += text;
  }

  close(_name: string, depth: number): void {
    if (this.capture !== Capture.None && depth === this.captureDepth) this.endCapture();
    if (this.point && depth === this.pointDepth) {
      const point = this.point;
      this.point = undefined;
      // A position needs both halves.
      if (point.lat === undefined || point.lon === undefined) {
        point.lat = undefined;
        point.lon = undefined;
      }
      this.onPoint(point);
    } else if (depth === this.activityDepth) {
      this.activityDepth = 0;
    }
  }

  private startCapture(what: Capture, depth: number): void {
    this.capture = what;
    this.captureDepth = depth;
    this.captured = '';
  }

  private endCapture(): void {
    const text = this.captured;
    const point = this.point;
    switch (this.capture) {
      case Capture.Time:
        if (point) point.time = parseDateTime(text);
        break;
      case Capture.Lat:
        if (point) point.lat = parseLatitude(text);
        break;
      case Capture.Lon:
        if (point) point.lon = parseLongitude(text);
        break;
      case Capture.Id: {
        const id = parseDateTime(text);
        if (id !== undefined && (this.firstId === undefined || id < this.firstId)) this.firstId = id;
        break;
      }
      case Capture.LapDistance: {
        const metres = parseDecimal(text);
        if (metres !== undefined && metres >= 0) {
          this.lapsWithDistance++;
          this.lapDistanceM += metres;
        }
        break;
      }
      case Capture.CreatorName:
        this.product ??= text.trim().slice(0, 200) || undefined;
        break;
      case Capture.UnitId:
        this.serial ??= text.trim().slice(0, 64) || undefined;
        break;
    }
    this.capture = Capture.None;
    this.captured = '';
  }
}
