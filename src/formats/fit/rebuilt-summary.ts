import type { FitWriter } from './fit-writer.js';
import { DISTANCE_SCALE, MESG_ACTIVITY, MESG_LAP, MESG_SESSION, TIME_SCALE } from './profile.js';

/**
 * The summary messages a cut-off activity lost, computed from what its records say:
 * a lap (when it has none), a session and the activity message, laid out as the FIT
 * profile defines them and as devices write them last ("summary last"). An Activity
 * file needs file_id, activity, session, lap and record messages
 * (developer.garmin.com/fit/articles/file-types/activity.html); sites that import FIT
 * read the sport, start, duration and distance from the session.
 */
export interface RecordedSpan {
  /** FIT seconds of the first and last timed record. */
  readonly first: number;
  readonly last: number;
  /** The latest time of any kept message: summary messages come after everything. */
  readonly end: number;
  /** Metres: the records' own distance when they carry one, else the distance between their positions; NaN when neither. */
  readonly distanceM: number;
  /** Semicircles of the first positioned record, NaN without one. */
  readonly startLat: number;
  readonly startLon: number;
  /** FIT sport and sub_sport numbers, NaN when the file never said (written as invalid: unknown, not "generic"). */
  readonly sport: number;
  readonly subSport: number;
  /** Summary messages the repair kept from the original. */
  readonly laps: number;
  /** Where the last kept lap ended (FIT seconds; NaN without one), the distance by then, and the first position after it. */
  readonly lastLap: { readonly end: number; readonly distanceM: number; readonly nextLat: number; readonly nextLon: number };
  readonly sessions: number;
  /** Sum of the kept sessions' timer times, seconds (NaN when unknown). */
  readonly sessionsTimerS: number;
  readonly activity: boolean;
}

/** What was written: a whole summary, only the activity message, or nothing (the file had its own). */
export type Rebuilt = 'summary' | 'activity' | undefined;

type Field = readonly [num: number, size: number, baseType: number];

const ENUM = 0x00;
const UINT16 = 0x84;
const SINT32 = 0x85;
const UINT32 = 0x86;
const TIMESTAMP = 253;
const MESSAGE_INDEX = 254;
/** Profile values: event lap/session/activity, event_type stop, activity type manual. */
const EVENT = { session: 8, lap: 9, activity: 26 } as const;
const EVENT_TYPE_STOP = 1;
const ACTIVITY_TYPE_MANUAL = 0;

const LAP_FIELDS: readonly Field[] = [
  [MESSAGE_INDEX, 2, UINT16], [TIMESTAMP, 4, UINT32], [0, 1, ENUM], [1, 1, ENUM], [2, 4, UINT32],
  [3, 4, SINT32], [4, 4, SINT32], [7, 4, UINT32], [8, 4, UINT32], [9, 4, UINT32], [25, 1, ENUM], [39, 1, ENUM],
];
const SESSION_FIELDS: readonly Field[] = [
  [MESSAGE_INDEX, 2, UINT16], [TIMESTAMP, 4, UINT32], [0, 1, ENUM], [1, 1, ENUM], [2, 4, UINT32],
  [3, 4, SINT32], [4, 4, SINT32], [5, 1, ENUM], [6, 1, ENUM], [7, 4, UINT32], [8, 4, UINT32], [9, 4, UINT32],
  [25, 2, UINT16], [26, 2, UINT16], [28, 1, ENUM],
];
const ACTIVITY_FIELDS: readonly Field[] = [
  [TIMESTAMP, 4, UINT32], [0, 4, UINT32], [1, 2, UINT16], [2, 1, ENUM], [3, 1, ENUM], [4, 1, ENUM],
];

/** Slot keys of our own definitions (the original's are numbered from 0). */
const KEY = { lap: -1, session: -2, activity: -3 } as const;

export function writeRebuiltSummary(out: FitWriter, span: RecordedSpan): Rebuilt {
  if (span.sessions > 0) {
    if (span.activity) return undefined;
    writeActivity(out, span.end, span.sessionsTimerS, span.sessions);
    return 'activity';
  }
  const sport = span.sport === span.sport ? span.sport : 0xff;
  const subSport = span.subSport === span.subSport ? span.subSport : 0xff;
  // Laps cover the session: the whole of it without any, else what came after the last one the device closed.
  const lapStart = span.laps === 0 ? span.first : span.lastLap.end;
  const lapOpen = span.laps === 0 || span.last > lapStart;
  if (lapOpen) {
    const before = span.laps === 0 ? 0 : span.lastLap.distanceM;
    const lat = span.laps === 0 ? span.startLat : span.lastLap.nextLat;
    const lon = span.laps === 0 ? span.startLon : span.lastLap.nextLon;
    const elapsed = ms(span.last - lapStart);
    message(out, KEY.lap, MESG_LAP, LAP_FIELDS,
      [span.laps, span.end, EVENT.lap, EVENT_TYPE_STOP, lapStart, semicircles(lat), semicircles(lon), elapsed, elapsed, cm(span.distanceM - before), sport, subSport]);
  }
  const elapsed = ms(span.last - span.first);
  message(out, KEY.session, MESG_SESSION, SESSION_FIELDS,
    [0, span.end, EVENT.session, EVENT_TYPE_STOP, span.first, semicircles(span.startLat), semicircles(span.startLon), sport, subSport, elapsed, elapsed, cm(span.distanceM), 0, span.laps + (lapOpen ? 1 : 0), 0]);
  // A kept activity message (a summary-first file) already counts the session; a second would say two activities.
  if (!span.activity) writeActivity(out, span.end, elapsed / TIME_SCALE, 1);
  return 'summary';
}

/** Invalid values (the profile's "unknown") where the records do not say. */
const ms = (seconds: number): number => (seconds === seconds ? Math.max(0, Math.round(seconds * TIME_SCALE)) : 0xffffffff);
const cm = (metres: number): number => (metres === metres ? Math.max(0, Math.round(metres * DISTANCE_SCALE)) : 0xffffffff);
const semicircles = (value: number): number => (value === value ? value : 0x7fffffff);

function writeActivity(out: FitWriter, end: number, timerS: number, sessions: number): void {
  const timer = timerS === timerS ? Math.round(timerS * TIME_SCALE) : 0xffffffff;
  message(out, KEY.activity, MESG_ACTIVITY, ACTIVITY_FIELDS, [end, timer, sessions, ACTIVITY_TYPE_MANUAL, EVENT.activity, EVENT_TYPE_STOP]);
}

/** A little-endian message of our own, with its definition when its slot needs one. */
function message(out: FitWriter, key: number, global: number, fields: readonly Field[], values: readonly number[]): void {
  const { slot, define } = out.slotFor(key);
  if (define) {
    out.u8(0x40 | slot).u8(0).u8(0).uint(global, 2).u8(fields.length);
    for (const [num, size, type] of fields) out.u8(num).u8(size).u8(type);
  }
  out.u8(slot);
  // >>> 0: a negative sint32 (a southern or western position) as its two's complement.
  fields.forEach(([, size], i) => out.uint(values[i]! >>> 0, size));
}
