/**
 * Walks GPX 1.0/1.1 XML events and hands out track points one at a time.
 * Shared by the whole-file classifier and the incremental point reader used
 * for live tracking, so both read a GPX the same way. Matches local names, so
 * default namespaces, prefixes (`gpx:trkpt`) and no namespace all work.
 */
import type { XmlEvents } from '../xml/stream.js';
import { parseDateTime, parseDecimal, parseLatitude, parseLongitude } from '../xml/values.js';

export interface GpxRawPoint {
  /** Undefined when missing or out of range. */
  lat?: number;
  lon?: number;
  ele?: number;
  /** Milliseconds since the epoch. */
  time?: number;
  hr?: number;
  /** 0-based <trkseg> number across the file (loose points directly in a <trk> get one of their own). */
  segment: number;
}

const enum Capture {
  None,
  Time,
  Ele,
  Hr,
  Type,
}

/** Values we read are short; anything longer is not a number or time anyway. */
const MAX_VALUE_CHARS = 256;

export const NOT_GPX = 'not a GPX document';

export class GpxWalker implements XmlEvents {
  creator: string | undefined;
  /** The first non-empty trk/type. */
  trackType: string | undefined;
  routePoints = 0;
  waypoints = 0;
  tracks = 0;

  private readonly path: string[] = [];
  private segment = -1;
  private inLooseSegment = false;
  private point: GpxRawPoint | undefined;
  private pointDepth = 0;
  private capture = Capture.None;
  private captureDepth = 0;
  private captured = '';

  constructor(private readonly onPoint: (point: GpxRawPoint) => void) {}

  open(name: string, attributes: Readonly<Record<string, string>>, depth: number): string | undefined {
    const path = this.path;
    path.length = depth - 1;
    path.push(name);
    if (depth === 1) {
      if (name !== 'gpx') return `${NOT_GPX} (root element <${name.slice(0, 40)}>)`;
      this.creator = attributes['creator']?.trim().slice(0, 200) || undefined;
      return undefined;
    }
    if (this.point) {
      if (depth === this.pointDepth + 1) {
        if (name === 'time') this.startCapture(Capture.Time, depth);
        else if (name === 'ele') this.startCapture(Capture.Ele, depth);
      } else if ((name === 'hr' || name === 'heartrate') && path[this.pointDepth] === 'extensions') {
        // Garmin TrackPointExtension <gpxtpx:hr> (any prefix), Cluetrust <gpxdata:hr>.
        this.startCapture(Capture.Hr, depth);
      }
      return undefined;
    }
    switch (depth) {
      case 2:
        if (name === 'trk') {
          this.tracks++;
          this.inLooseSegment = false;
        } else if (name === 'wpt') this.waypoints++;
        break;
      case 3:
        if (path[1] === 'trk') {
          if (name === 'trkseg') {
            this.segment++;
            this.inLooseSegment = false;
          } else if (name === 'type' && this.trackType === undefined) this.startCapture(Capture.Type, depth);
          else if (name === 'trkpt') {
            // Not valid GPX, but some writers put points straight into <trk>.
            if (!this.inLooseSegment) this.segment++;
            this.inLooseSegment = true;
            this.startPoint(attributes, depth);
          }
        } else if (path[1] === 'rte' && name === 'rtept') this.routePoints++;
        break;
      case 4:
        if (name === 'trkpt' && path[1] === 'trk' && path[2] === 'trkseg') this.startPoint(attributes, depth);
        break;
    }
    return undefined;
  }

  text(text: string): void {
    if (this.capture !== Capture.None && this.captured.length < MAX_VALUE_CHARS) this.captured += text;
  }

  close(_name: string, depth: number): void {
    if (this.capture !== Capture.None && depth === this.captureDepth) this.endCapture();
    if (this.point && depth === this.pointDepth) {
      const point = this.point;
      this.point = undefined;
      this.onPoint(point);
    }
  }

  private startPoint(attributes: Readonly<Record<string, string>>, depth: number): void {
    this.point = {
      lat: parseLatitude(attributes['lat']),
      lon: parseLongitude(attributes['lon']),
      segment: this.segment,
    };
    this.pointDepth = depth;
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
      case Capture.Ele:
        if (point) point.ele = parseDecimal(text);
        break;
      case Capture.Hr: {
        const hr = parseDecimal(text);
        if (point && hr !== undefined && hr > 0 && hr < 300) point.hr = Math.round(hr);
        break;
      }
      case Capture.Type: {
        const type = text.trim();
        if (type.length > 0 && type.length <= 64) this.trackType = type;
        break;
      }
    }
    this.capture = Capture.None;
    this.captured = '';
  }
}
