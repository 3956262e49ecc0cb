import type { Definition } from './definition.js';
import { dropUnreadableDeveloperData } from './developer-data.js';
import { FitWriter } from './fit-writer.js';
import { MessageLog } from './message-log.js';
import { haversineM } from '../xml/track-summary.js';
import {
  DEGREES_PER_SEMICIRCLE,
  DISTANCE_SCALE,
  FIELD_TIMESTAMP,
  LAP as LAP_FIELDS,
  MESG_ACTIVITY,
  MESG_FILE_ID,
  MESG_LAP,
  MESG_RECORD,
  MESG_SESSION,
  SESSION,
  TIME_SCALE,
} from './profile.js';
import { writeRebuiltSummary, type RecordedSpan, type Rebuilt } from './rebuilt-summary.js';
import { scanFit, type Scan } from './scan.js';
import { findOutliers } from './track.js';
import { readField, readNumber } from './values.js';

/**
 * A damaged FIT activity rewritten as a valid FIT file: every data message that decodes
 * (up to the damage, and after it where resynchronisation found the records again) is
 * copied byte for byte, in file order, under definitions re-emitted as needed, in one
 * file with a correct header, data size and CRCs. Compressed-timestamp messages become
 * normal ones with a timestamp field (the time they decoded to), so no message depends
 * on one that was lost, and decoders without compressed-header support read them.
 * Records garbled into another time or place are left out (see findOutliers); a lost
 * summary is rebuilt from the records (rebuilt-summary.ts).
 */
export interface FitRepair {
  readonly bytes: Uint8Array;
  /** Our reader's scan of `bytes`: what goes up, for its summary. */
  readonly scan: Scan;
  /** Records kept, and of those the ones with a time. */
  readonly records: number;
  readonly timedRecords: number;
  /** Messages left out as garbled (out of line, or read out of step before a bad record). */
  readonly garbled: number;
  /** Messages past MessageLog.MAX_MESSAGES, not kept. */
  readonly notKept: number;
  readonly rebuilt: Rebuilt;
}

const UINT32 = 0x86;
const MAX_FIELDS = 255;

/** The repaired file, or undefined when no valid FIT file can be made of what decodes. */
export function repairFit(bytes: Uint8Array): FitRepair | undefined {
  const log = new MessageLog();
  const scan = scanFit(bytes, { sink: log });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { firstFileId, dropped } = dropUnusable(log, view, bytes);
  if (firstFileId < 0) return undefined;
  const garbled = dropped + dropGarbled(log, view);
  const kept = survey(log, view, scan);

  const out = new FitWriter(bytes.length + log.length * 5 + 512, protocolOf(bytes, log), bytes[2]! | (bytes[3]! << 8));
  // The file_id goes first, as the protocol asks, even where damage moved it.
  copyMessage(out, bytes, log, firstFileId);
  for (let i = 0; i < log.length; i++) {
    if (i !== firstFileId && !(log.flags[i]! & MessageLog.DROP)) copyMessage(out, bytes, log, i);
  }
  const rebuilt = kept.span ? writeRebuiltSummary(out, kept.span) : undefined;
  const result = out.finish();

  // What goes up must be a whole file to our own reader too, or it does not go up as FIT.
  const check = scanFit(result);
  const whole = check.segments.length === 1 && check.segments[0]!.faults.length === 0 && check.fileId !== undefined;
  if (!whole || check.records !== kept.records) return undefined;
  return { bytes: result, scan: check, records: kept.records, timedRecords: kept.timedRecords, garbled: garbled + log.takenBack, notKept: log.notLogged, rebuilt };
}

/**
 * Marks what cannot go into a valid file: a second file_id (of a chained file; consumers
 * take the last one they see for the file's type), and developer data messages that would
 * spoil the developer fields (developer-data.ts). Returns the index of the first file_id
 * (-1 without one) and how many were marked.
 */
function dropUnusable(log: MessageLog, view: DataView, bytes: Uint8Array): { readonly firstFileId: number; readonly dropped: number } {
  let firstFileId = -1;
  let dropped = 0;
  for (let i = 0; i < log.length; i++) {
    const def = log.definitionOf(i);
    if (def.global === MESG_FILE_ID) {
      if (firstFileId < 0) firstFileId = i;
      else {
        log.flags[i]! |= MessageLog.DROP;
        dropped++;
      }
    }
  }
  return { firstFileId, dropped: dropped + dropUnreadableDeveloperData(log, view, bytes) };
}

/**
 * Garbled records are dropped (findOutliers): positioned ones out of line by place and
 * time, and any out of line by time alone (indoor records have no place). Other messages
 * are judged by no clock: devices stamp some with another one (Zwift's device_info says
 * 2015 in a 2017 ride), and those read out of step before a bad record were taken back
 * already (MessageLog.badRecord). Returns how many were dropped.
 */
function dropGarbled(log: MessageLog, view: DataView): number {
  // Typed columns sized once: a 24-hour file has 86,400 records, and garbage costs peak memory.
  const timed = new Uint32Array(log.length);
  const timedAt = new Float64Array(log.length);
  const positioned = new Uint32Array(log.length);
  const positionedAt = new Float64Array(log.length);
  const lat = new Int32Array(log.length);
  const lon = new Int32Array(log.length);
  let nTimed = 0;
  let nPositioned = 0;
  for (let i = 0; i < log.length; i++) {
    const def = log.definitionOf(i);
    if (def.global !== MESG_RECORD || log.flags[i]! & MessageLog.DROP) continue;
    const time = log.time[i]!;
    if (time === time) {
      timed[nTimed] = i;
      timedAt[nTimed++] = time;
    }
    if (positionOf(view, def, log.pos[i]!, SCRATCH)) {
      positioned[nPositioned] = i;
      positionedAt[nPositioned] = time;
      lat[nPositioned] = SCRATCH[0]!;
      lon[nPositioned++] = SCRATCH[1]!;
    }
  }
  let dropped = 0;
  const drop = (indices: Uint32Array, mask: Uint8Array): void => {
    for (let k = 0; k < mask.length; k++) {
      const i = indices[k]!;
      if (mask[k] && !(log.flags[i]! & MessageLog.DROP)) {
        log.flags[i]! |= MessageLog.DROP;
        dropped++;
      }
    }
  };
  drop(positioned, findOutliers({ length: nPositioned, time: positionedAt, lat, lon }).mask);
  drop(timed, findOutliers({ length: nTimed, time: timedAt }).mask);
  return dropped;
}

/** Where positionOf writes, so that reading 86,400 positions makes no garbage. */
const SCRATCH = new Int32Array(2);

/** Writes the record's position in semicircles into `out`; false without one (none, out of range, or 0,0: "no fix"), as the reader judges it. */
function positionOf(view: DataView, def: Definition, pos: number, out: Int32Array): boolean {
  const rec = def.rec;
  if (!rec || rec.lat < 0 || rec.lon < 0) return false;
  const lat = readNumber(view, pos + rec.lat, rec.latType, rec.latSize, def.little);
  const lon = readNumber(view, pos + rec.lon, rec.lonType, rec.lonSize, def.little);
  if (lat !== lat || lon !== lon || lat > 0x40000000 || lat < -0x40000000 || (lat === 0 && lon === 0)) return false;
  out[0] = lat;
  out[1] = lon;
  return true;
}

interface Survey {
  readonly records: number;
  readonly timedRecords: number;
  /** Undefined without a timed record: there is no span to summarise. */
  readonly span: RecordedSpan | undefined;
}

/** What the kept messages hold: counts, and what a rebuilt summary would say. */
function survey(log: MessageLog, view: DataView, scan: Scan): Survey {
  let records = 0;
  let timedRecords = 0;
  let first = Infinity;
  let last = -Infinity;
  let end = -Infinity;
  let maxDistance = NaN;
  let pathM = 0;
  let prevLat = NaN;
  let prevLon = NaN;
  let startLat = NaN;
  let startLon = NaN;
  let laps = 0;
  let lastLapEnd = NaN;
  let distanceAtLapEnd = NaN;
  let afterLapLat = NaN;
  let afterLapLon = NaN;
  let sessions = 0;
  let sessionsTimerS = 0;
  let activity = false;
  const known = (n: number): boolean => n === n;
  const distance = (): number => (known(maxDistance) ? maxDistance : known(startLat) ? pathM : NaN);
  for (let i = 0; i < log.length; i++) {
    if (log.flags[i]! & MessageLog.DROP) continue;
    const def = log.definitionOf(i);
    const pos = log.pos[i]!;
    const time = log.time[i]!;
    if (time > end) end = time;
    switch (def.global) {
      case MESG_RECORD: {
        records++;
        if (time === time) {
          timedRecords++;
          if (time < first) first = time;
          if (time > last) last = time;
        }
        const rec = def.rec!;
        if (rec.dist >= 0) {
          const d = readNumber(view, pos + rec.dist, rec.distType, rec.distSize, def.little) / DISTANCE_SCALE;
          if (d === d && !(d <= maxDistance)) maxDistance = d;
        }
        if (!positionOf(view, def, pos, SCRATCH)) break;
        const lat = SCRATCH[0]!;
        const lon = SCRATCH[1]!;
        if (!known(startLat)) {
          startLat = lat;
          startLon = lon;
        }
        if (!known(afterLapLat)) {
          afterLapLat = lat;
          afterLapLon = lon;
        }
        if (known(prevLat)) pathM += haversineM(prevLat * DEGREES_PER_SEMICIRCLE, prevLon * DEGREES_PER_SEMICIRCLE, lat * DEGREES_PER_SEMICIRCLE, lon * DEGREES_PER_SEMICIRCLE);
        prevLat = lat;
        prevLon = lon;
        break;
      }
      case MESG_LAP: {
        laps++;
        // Where the lap ended: its start plus its elapsed time, or its timestamp (summary last).
        const lapEnd = readField(view, def, pos, LAP_FIELDS.startTime) + readField(view, def, pos, LAP_FIELDS.totalElapsedTime) / TIME_SCALE;
        lastLapEnd = known(lapEnd) ? lapEnd : time;
        distanceAtLapEnd = distance();
        afterLapLat = NaN;
        afterLapLon = NaN;
        break;
      }
      case MESG_SESSION:
        sessions++;
        sessionsTimerS += readField(view, def, pos, SESSION.totalTimerTime) / TIME_SCALE;
        break;
      case MESG_ACTIVITY:
        activity = true;
        break;
    }
  }
  if (timedRecords === 0) return { records, timedRecords, span: undefined };
  return {
    records,
    timedRecords,
    span: {
      first,
      last,
      end,
      distanceM: distance(),
      startLat,
      startLon,
      sport: known(scan.sport) ? scan.sport : scan.lapSport,
      subSport: known(scan.sport) ? scan.subSport : scan.lapSubSport,
      laps,
      lastLap: { end: lastLapEnd, distanceM: distanceAtLapEnd, nextLat: afterLapLat, nextLon: afterLapLon },
      sessions,
      sessionsTimerS,
      activity,
    },
  };
}

/** Protocol 1.0 stays 1.0 unless developer fields (a 2.0 feature) are kept; anything else is written as 2.0. */
function protocolOf(bytes: Uint8Array, log: MessageLog): number {
  const developerFields = log.defs.some((def) => def.devSize > 0);
  return bytes[1] === 0x10 && !developerFields ? 0x10 : 0x20;
}

/**
 * One kept message: its definition first when its slot needs one. A compressed-timestamp
 * message whose time is known is written with a normal header and its time as a
 * timestamp field, added after the definition's own fields (developer fields stay last).
 */
function copyMessage(out: FitWriter, bytes: Uint8Array, log: MessageLog, i: number): void {
  const def = log.definitionOf(i);
  const time = log.time[i]!;
  const fieldCount = bytes[def.at + 5]!;
  const stamped = (log.flags[i]! & MessageLog.COMPRESSED) !== 0 && def.tsOff < 0 && time === time && fieldCount < MAX_FIELDS;
  const { slot, define } = out.slotFor(log.def[i]! * 2 + (stamped ? 1 : 0));
  if (define) {
    const fieldsEnd = def.at + 6 + fieldCount * 3;
    // Reserved byte 0 and architecture 0/1, whatever the original held there.
    out.u8(0x40 | (bytes[def.at]! & 0x20) | slot).u8(0).u8(def.little ? 0 : 1);
    out.copy(bytes, def.at + 3, def.at + 5).u8(fieldCount + (stamped ? 1 : 0)).copy(bytes, def.at + 6, fieldsEnd);
    if (stamped) out.u8(FIELD_TIMESTAMP).u8(4).u8(UINT32);
    out.copy(bytes, fieldsEnd, def.end);
  }
  const pos = log.pos[i]!;
  out.u8(slot);
  if (!stamped) {
    out.copy(bytes, pos, pos + def.size);
    return;
  }
  const regular = pos + def.size - def.devSize;
  out.copy(bytes, pos, regular).uint(time, 4, def.little).copy(bytes, regular, pos + def.size);
}
