/**
 * Incremental GPX track point reader for live tracking: another program is
 * still appending to the file, so bytes arrive in pieces, the document is not
 * terminated yet, and a point is handed out only once its </trkpt> is in.
 */
import { createXmlStream, type XmlLimits } from '../xml/stream.js';
import { GpxWalker } from './walker.js';

export interface GpxPoint {
  readonly lat: number;
  readonly lon: number;
  readonly ele?: number;
  readonly time?: Date;
  /** Heart rate from a TrackPointExtension <hr>, any namespace prefix. */
  readonly hr?: number;
  /** Which <trkseg> the point belongs to (0-based across the file). */
  readonly segment: number;
}

export interface GpxReadResult {
  /** Points handed to onPoint (track points with a valid position). */
  readonly points: number;
  /** Why reading stopped early (malformed XML, a DTD, not a GPX, …); undefined when it did not. */
  readonly failure?: string;
}

export interface GpxPointReader {
  /** Feed the bytes appended since the last call. False once reading has failed. */
  write(chunk: Uint8Array): boolean;
  /** No more bytes for now; an unterminated document is fine. */
  close(): GpxReadResult;
}

export function createGpxPointReader(onPoint: (point: GpxPoint) => void, limits?: Partial<XmlLimits>): GpxPointReader {
  let points = 0;
  const walker = new GpxWalker((raw) => {
    if (raw.lat === undefined || raw.lon === undefined) return;
    points++;
    onPoint({
      lat: raw.lat,
      lon: raw.lon,
      ...(raw.ele !== undefined && { ele: raw.ele }),
      ...(raw.time !== undefined && { time: new Date(raw.time) }),
      ...(raw.hr !== undefined && { hr: raw.hr }),
      segment: raw.segment,
    });
  });
  const stream = createXmlStream(walker, limits);
  return {
    write: (chunk) => stream.write(chunk),
    close: () => {
      const failure = stream.endPartial();
      return failure ? { points, failure: failure.reason } : { points };
    },
  };
}
