import { fitCrc } from './crc.js';
import type { Definition } from './definition.js';
import { readHeader } from './header.js';
import { Reader } from './reader.js';
import { Track } from './track.js';

/**
 * One pass over a FIT file: every chained file in it, its integrity faults, and the
 * handful of values the classifier needs. Numbers are NaN when the file does not say.
 * Never throws on any input and allocates nothing per record (unless asked for the track).
 */
export type FaultKind = 'header' | 'truncated' | 'unclosed' | 'crc' | 'bad-record';

export interface Fault {
  readonly kind: FaultKind;
  /** Byte offset in the whole file where the fault shows. */
  readonly offset: number;
  readonly detail: string;
}

/** One FIT file of a chain (most files are a chain of one). */
/** Chained files read at most; the rest of a file beyond them is reported, not read. */
export const MAX_CHAINED_FILES = 1_000;

export interface Segment {
  readonly start: number;
  /** Offset just past this file's CRC, or the end of the bytes. */
  end: number;
  readonly faults: Fault[];
  records: number;
  positions: number;
  /** file_id.type of this segment, NaN when it has none. */
  fileType: number;
}

export interface FileId {
  type: number;
  manufacturer: number;
  product: number;
  serial: number;
  timeCreated: number;
  productName: string | undefined;
}

export interface Session {
  readonly start: number;
  readonly sport: number;
  readonly subSport: number;
  readonly elapsedS: number;
  readonly timerS: number;
  readonly distanceM: number;
}

export interface Creator {
  manufacturer: number;
  product: number;
  serial: number;
  productName: string | undefined;
}

/**
 * Receives every data message as it decodes, in file order (a repair copies them).
 * `pos` is where the message's fields start; `time` its timestamp (from its own field
 * or a compressed header), NaN when unknown. `badRecord` says the bytes stopped making
 * sense here: what was decoded just before may have been read out of step already.
 */
export interface MessageSink {
  message(def: Definition, pos: number, time: number, compressed: boolean): void;
  badRecord(): void;
}

export interface Scan {
  /** False when the bytes do not start with a FIT header. */
  readonly fit: boolean;
  readonly segments: Segment[];
  fileId: FileId | undefined;
  readonly sessions: Session[];
  sport: number;
  subSport: number;
  laps: number;
  /** sport and sub_sport of the first lap, NaN when absent. */
  lapSport: number;
  lapSubSport: number;
  activityMessages: number;
  activityTimerS: number;
  creator: Creator | undefined;
  records: number;
  positions: number;
  firstRecordTime: number;
  lastRecordTime: number;
  maxDistanceM: number;
  /** Positioned records, only when scanFit was asked for them. */
  readonly track: Track | undefined;
}

export interface ScanOptions {
  /** Collect the positioned records (a GPX rebuild needs them). */
  readonly track?: boolean;
  readonly sink?: MessageSink;
}

export function scanFit(bytes: Uint8Array, options: ScanOptions = {}): Scan {
  const scan: Scan = {
    fit: readHeader(bytes, 0) !== undefined,
    segments: [],
    fileId: undefined,
    sessions: [],
    sport: NaN,
    subSport: NaN,
    laps: 0,
    lapSport: NaN,
    lapSubSport: NaN,
    activityMessages: 0,
    activityTimerS: NaN,
    creator: undefined,
    records: 0,
    positions: 0,
    firstRecordTime: NaN,
    lastRecordTime: NaN,
    maxDistanceM: NaN,
    track: options.track ? new Track() : undefined,
  };
  if (!scan.fit) return scan;
  const reader = new Reader(bytes, scan, options.sink);
  let offset = 0;
  while (offset < bytes.length) {
    if (scan.segments.length >= MAX_CHAINED_FILES) {
      // Real devices chain a handful; a million empty ones is an attack on memory.
      scan.segments[scan.segments.length - 1]!.faults.push({
        kind: 'header',
        offset,
        detail: `more than ${MAX_CHAINED_FILES} chained FIT files; the last ${bytes.length - offset} bytes are not read`,
      });
      break;
    }
    const header = readHeader(bytes, offset);
    if (!header) {
      const fault: Fault = {
        kind: 'header',
        offset,
        detail: `${bytes.length - offset} bytes after the previous FIT file are not a FIT header`,
      };
      scan.segments.push({ start: offset, end: bytes.length, faults: [fault], records: 0, positions: 0, fileType: NaN });
      break;
    }
    const segment: Segment = { start: offset, end: offset, faults: [], records: 0, positions: 0, fileType: NaN };
    scan.segments.push(segment);
    if (!header.headerCrcOk) segment.faults.push({ kind: 'header', offset, detail: 'header CRC mismatch' });
    const dataStart = offset + header.headerSize;
    if (header.dataSize === 0 && dataStart + 2 < bytes.length && !readHeader(bytes, dataStart + 2)) {
      // A device writes the data size when it closes the file: 0 with data after it is a
      // recording that was never closed (battery died, crash). Its data runs to the end.
      segment.faults.push({ kind: 'unclosed', offset, detail: 'header declares no data, but data follows' });
      reader.readData(segment, dataStart, bytes.length, false);
      segment.end = bytes.length;
      break;
    }
    const dataEnd = dataStart + header.dataSize;
    const complete = dataEnd + 2 <= bytes.length;
    if (!complete) {
      segment.faults.push({
        kind: 'truncated',
        offset: bytes.length,
        detail: `ends after ${bytes.length - offset} of ${dataEnd + 2 - offset} bytes`,
      });
    } else {
      const stored = bytes[dataEnd]! | (bytes[dataEnd + 1]! << 8);
      if (stored !== fitCrc(bytes, offset, dataEnd)) {
        segment.faults.push({ kind: 'crc', offset: dataEnd, detail: 'CRC mismatch' });
      }
    }
    reader.readData(segment, dataStart, Math.min(dataEnd, bytes.length), complete);
    segment.end = Math.min(dataEnd + 2, bytes.length);
    if (!complete) break;
    offset = dataEnd + 2;
  }
  return scan;
}

