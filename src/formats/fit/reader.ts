import { readDefinition, type Definition } from './definition.js';
import {
  ACTIVITY,
  ALTITUDE_OFFSET,
  ALTITUDE_SCALE,
  DEVICE_INFO,
  DISTANCE_SCALE,
  FILE_ID,
  LAP,
  MESG_ACTIVITY,
  MESG_DEVICE_INFO,
  MESG_FILE_ID,
  MESG_LAP,
  MESG_RECORD,
  MESG_SESSION,
  MESG_SPORT,
  SESSION,
  SPORT,
  TIME_SCALE,
} from './profile.js';
import { findResume, TrustedTime, type ResyncBudget } from './resync.js';
import type { MessageSink, Scan, Segment } from './scan.js';
import { readField, readNumber, readString } from './values.js';

/** A corrupt file can hold any number of "sessions"; a real one holds a few. */
const MAX_SESSIONS = 1000;

/**
 * Walks the records of one chained file's data, filling in the scan. Allocates nothing
 * per record; the few summary messages (file_id, session, …) are read field by field.
 */
export class Reader {
  private readonly view: DataView;
  private defs: (Definition | undefined)[] = [];
  private lastTime = NaN;
  private readonly trusted = new TrustedTime();
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
    private readonly sink: MessageSink | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = { left: 2 * bytes.length + 65_536 };
  }

  readData(segment: Segment, start: number, limit: number, complete: boolean): void {
    // Local message types and the timestamp reference do not carry over between chained files.
    this.defs = new Array<Definition | undefined>(16);
    this.lastTime = NaN;
    this.trusted.reset();
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
        } else if (result === 'invalid') {
          problem = 'definition with a base type the FIT protocol does not have';
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
          this.message(segment, def, pos + 1, compressed ? this.compressedTime(header & 0x1f) : NaN, compressed);
          pos += 1 + def.size;
          continue;
        }
      }
      if (bad++ === 0) {
        firstBad = `bad record at byte ${pos}: ${problem}`;
        firstBadAt = pos;
      }
      this.sink?.badRecord();
      const resume = findResume(bytes, this.view, this.defs, pos + 1, limit, this.trusted.time, this.budget);
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

  private message(segment: Segment, def: Definition, pos: number, time: number, compressed: boolean): void {
    this.prevTime = this.lastTime;
    this.undoRecord = false;
    if (def.tsOff >= 0) {
      const t = readNumber(this.view, pos + def.tsOff, def.tsType, def.tsSize, def.little);
      if (t === t) time = t;
    }
    if (time === time) {
      this.lastTime = time;
      this.trusted.see(time);
    }
    this.sink?.message(def, pos, time, compressed);
    switch (def.global) {
      case MESG_RECORD:
        this.record(segment, def, pos, time);
        break;
      case MESG_FILE_ID:
      case MESG_SESSION:
      case MESG_LAP:
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
    const num = (field: number): number => readField(this.view, def, pos, field);
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
      case MESG_LAP:
        if (scan.laps++ === 0) {
          scan.lapSport = num(LAP.sport);
          scan.lapSubSport = num(LAP.subSport);
        }
        return;
      case MESG_SPORT:
        if (scan.sport !== scan.sport) {
          scan.sport = num(SPORT.sport);
          scan.subSport = num(SPORT.subSport);
        }
        return;
      case MESG_ACTIVITY:
        scan.activityMessages++;
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
