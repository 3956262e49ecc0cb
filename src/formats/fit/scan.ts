import { fitCrc } from './crc.js';
import { readDefinition, type Definition } from './definition.js';
import { readHeader } from './header.js';
import { findResume, type ResyncBudget } from './resync.js';
import {
  ACTIVITY,
  ALTITUDE_OFFSET,
  ALTITUDE_SCALE,
  DEVICE_INFO,
  DISTANCE_SCALE,
  FILE_ID,
  MESG_ACTIVITY,
  MESG_DEVICE_INFO,
  MESG_FILE_ID,
  MESG_RECORD,
  MESG_SESSION,
  MESG_SPORT,
  SESSION,
  SPORT,
  TIME_SCALE,
} from './profile.js';
import { Track } from './track.js';
import { readNumber, readString } from './values.js';

/**
 * One pass over a FIT file: every chained file in it, its integrity faults, and the
 * handful of values the classifier needs. Numbers are NaN when the file does not say.
 * Never throws on any input and allocates nothing per record (unless asked for the track).
 */
export type FaultKind = 'header' | 'truncated' | 'crc' | 'bad-record';

export interface Fault {
  readonly kind: FaultKind;
  /** Byte offset in the whole file where the fault shows. */
  readonly offset: number;
  readonly detail: string;
}

/** One FIT file of a chain (most files are a chain of one). */
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

export interface Scan {
  /** False when the bytes do not start with a FIT header. */
  readonly fit: boolean;
  readonly segments: Segment[];
  fileId: FileId | undefined;
  readonly sessions: Session[];
  sport: number;
  subSport: number;
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

/** A corrupt file can hold any number of "sessions"; a real one holds a few. */
const MAX_SESSIONS = 1000;

export function scanFit(bytes: Uint8Array, options: { readonly track?: boolean } = {}): Scan {
  const scan: Scan = {
    fit: readHeader(bytes, 0) !== undefined,
    segments: [],
    fileId: undefined,
    sessions: [],
    sport: NaN,
    subSport: NaN,
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
  const reader = new Reader(bytes, scan);
  let offset = 0;
  while (offset < bytes.length) {
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

/** Walks the records of one segment's data. */
class Reader {
  private readonly view: DataView;
  private defs: (Definition | undefined)[] = [];
  private lastTime = NaN;
  /** The last message, in case a bad record right after it shows it was garbled too. */
  private prevTime = NaN;
  private undoRecord = false;
  private undoPositioned = false;
  private undoFirst = NaN;
  private undoLast = NaN;
  private readonly budget: ResyncBudget;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly scan: Scan,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = { left: 2 * bytes.length + 65_536 };
  }

  readData(segment: Segment, start: number, limit: number, complete: boolean): void {
    // Local message types and the timestamp reference do not carry over between chained files.
    this.defs = new Array<Definition | undefined>(16);
    this.lastTime = NaN;
    this.undoRecord = false;
    const bytes = this.bytes;
    let pos = start;
    let bad = 0;
    let firstBad = '';
    let firstBadAt = 0;
    let skipped = 0;
    while (pos < limit) {
      const header = bytes[pos]!;
      let problem = '';
      if (header & 0x40 && !(header & 0x80)) {
        const result = readDefinition(bytes, pos, limit);
        if (result === 'incomplete') {
          if (!complete) break;
          problem = 'definition runs past the end of the data';
        } else {
          this.defs[header & 0x0f] = result.def;
          pos = result.next;
          continue;
        }
      } else {
        const compressed = (header & 0x80) !== 0;
        const local = compressed ? (header >> 5) & 0x03 : header & 0x0f;
        const def = this.defs[local];
        if (!def) {
          problem = `${compressed ? 'compressed-timestamp' : 'data'} record uses undefined local message type ${local}`;
          // A record that does not follow on from its predecessor suggests that one was garbled too.
          this.undoLastMessage(segment);
        } else if (pos + 1 + def.size > limit) {
          if (!complete) break;
          problem = 'record runs past the end of the data';
        } else {
          this.message(segment, def, pos + 1, compressed ? this.compressedTime(header & 0x1f) : NaN);
          pos += 1 + def.size;
          continue;
        }
      }
      if (bad++ === 0) {
        firstBad = `bad record at byte ${pos}: ${problem}`;
        firstBadAt = pos;
      }
      const resume = findResume(bytes, this.view, this.defs, pos + 1, limit, this.lastTime, this.budget);
      if (resume < 0) break;
      skipped += resume - pos;
      pos = resume;
    }
    if (bad > 0) {
      const more = bad > 1 ? ` (and ${bad - 1} more)` : '';
      const resynced = skipped > 0 ? `; skipped ${skipped} bytes to resynchronise` : '';
      segment.faults.push({ kind: 'bad-record', offset: firstBadAt, detail: `${firstBad}${more}${resynced}` });
    }
  }

  private undoLastMessage(segment: Segment): void {
    this.lastTime = this.prevTime;
    if (!this.undoRecord) return;
    this.undoRecord = false;
    const scan = this.scan;
    scan.records--;
    segment.records--;
    scan.firstRecordTime = this.undoFirst;
    scan.lastRecordTime = this.undoLast;
    if (!this.undoPositioned) return;
    scan.positions--;
    segment.positions--;
    if (scan.track) scan.track.length--;
  }

  /** A compressed header carries the low 5 bits of the time; the rest comes from the last timestamp. */
  private compressedTime(offset: number): number {
    const last = this.lastTime;
    if (last !== last) return NaN;
    const low = last % 32;
    return last - low + offset + (offset >= low ? 0 : 32);
  }

  private message(segment: Segment, def: Definition, pos: number, time: number): void {
    this.prevTime = this.lastTime;
    this.undoRecord = false;
    if (def.tsOff >= 0) {
      const t = readNumber(this.view, pos + def.tsOff, def.tsType, def.tsSize, def.little);
      if (t === t) time = t;
    }
    if (time === time) this.lastTime = time;
    switch (def.global) {
      case MESG_RECORD:
        this.record(segment, def, pos, time);
        break;
      case MESG_FILE_ID:
      case MESG_SESSION:
      case MESG_SPORT:
      case MESG_ACTIVITY:
      case MESG_DEVICE_INFO:
        this.summaryMessage(segment, def, pos);
        break;
    }
  }

  private record(segment: Segment, def: Definition, pos: number, time: number): void {
    const scan = this.scan;
    const rec = def.rec!;
    const view = this.view;
    const little = def.little;
    scan.records++;
    segment.records++;
    this.undoRecord = true;
    this.undoPositioned = false;
    this.undoFirst = scan.firstRecordTime;
    this.undoLast = scan.lastRecordTime;
    if (time === time) {
      if (scan.firstRecordTime !== scan.firstRecordTime) scan.firstRecordTime = time;
      scan.lastRecordTime = time;
    }
    if (rec.dist >= 0) {
      const d = readNumber(view, pos + rec.dist, rec.distType, rec.distSize, little) / DISTANCE_SCALE;
      if (d === d && !(d <= scan.maxDistanceM)) scan.maxDistanceM = d;
    }
    if (rec.lat < 0 || rec.lon < 0) return;
    const lat = readNumber(view, pos + rec.lat, rec.latType, rec.latSize, little);
    const lon = readNumber(view, pos + rec.lon, rec.lonType, rec.lonSize, little);
    // Semicircles beyond +-90 degrees of latitude are not a place; 0,0 is "no fix" on some devices.
    if (lat !== lat || lon !== lon || lat > 0x40000000 || lat < -0x40000000 || (lat === 0 && lon === 0)) return;
    scan.positions++;
    segment.positions++;
    this.undoPositioned = true;
    const track = scan.track;
    if (!track) return;
    let ele = rec.ealt >= 0 ? readNumber(view, pos + rec.ealt, rec.ealtType, rec.ealtSize, little) : NaN;
    if (ele !== ele && rec.alt >= 0) ele = readNumber(view, pos + rec.alt, rec.altType, rec.altSize, little);
    const hr = rec.hr >= 0 ? readNumber(view, pos + rec.hr, rec.hrType, rec.hrSize, little) : NaN;
    const cad = rec.cad >= 0 ? readNumber(view, pos + rec.cad, rec.cadType, rec.cadSize, little) : NaN;
    track.push(time, lat, lon, ele / ALTITUDE_SCALE - ALTITUDE_OFFSET, hr, cad);
  }

  /** The rare messages (file_id, session, …): read field by field. */
  private summaryMessage(segment: Segment, def: Definition, pos: number): void {
    const f = def.fields;
    const num = (field: number): number => {
      for (let i = 0; i < f.length; i += 4) {
        if (f[i] === field) return readNumber(this.view, pos + f[i + 1]!, f[i + 3]!, f[i + 2]!, def.little);
      }
      return NaN;
    };
    const str = (field: number): string | undefined => {
      for (let i = 0; i < f.length; i += 4) {
        if (f[i] === field) return readString(this.bytes, pos + f[i + 1]!, f[i + 3]!, f[i + 2]!);
      }
      return undefined;
    };
    const scan = this.scan;
    switch (def.global) {
      case MESG_FILE_ID: {
        const type = num(FILE_ID.type);
        if (segment.fileType !== segment.fileType) segment.fileType = type;
        if (scan.fileId) return;
        scan.fileId = {
          type,
          manufacturer: num(FILE_ID.manufacturer),
          product: num(FILE_ID.product),
          serial: num(FILE_ID.serial),
          timeCreated: num(FILE_ID.timeCreated),
          productName: str(FILE_ID.productName),
        };
        return;
      }
      case MESG_SESSION:
        if (scan.sessions.length >= MAX_SESSIONS) return;
        scan.sessions.push({
          start: num(SESSION.startTime),
          sport: num(SESSION.sport),
          subSport: num(SESSION.subSport),
          elapsedS: num(SESSION.totalElapsedTime) / TIME_SCALE,
          timerS: num(SESSION.totalTimerTime) / TIME_SCALE,
          distanceM: num(SESSION.totalDistance) / DISTANCE_SCALE,
        });
        return;
      case MESG_SPORT:
        if (scan.sport !== scan.sport) {
          scan.sport = num(SPORT.sport);
          scan.subSport = num(SPORT.subSport);
        }
        return;
      case MESG_ACTIVITY:
        if (scan.activityTimerS !== scan.activityTimerS) scan.activityTimerS = num(ACTIVITY.totalTimerTime) / TIME_SCALE;
        return;
      case MESG_DEVICE_INFO:
        // Device index 0 is the device that created the file.
        if (scan.creator || num(DEVICE_INFO.deviceIndex) !== 0) return;
        scan.creator = {
          manufacturer: num(DEVICE_INFO.manufacturer),
          product: num(DEVICE_INFO.product),
          serial: num(DEVICE_INFO.serial),
          productName: str(DEVICE_INFO.productName),
        };
        return;
    }
  }
}
