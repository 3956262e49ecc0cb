/**
 * Realistic FIT files for the demo, tests and benchmarks: what a Garmin watch writes
 * for a run or a ride, with a smooth loop track, heart rate and correct CRCs.
 *
 * Every message except the records is written by @garmin/fitsdk's Encoder. Records go
 * through a small writer of our own that lays them out exactly as the Encoder would
 * (same definition, base types, scale and offset), because the Encoder rebuilds a
 * message definition for every message: ~75 µs a record, 6.5 s for a 24-hour file.
 * fit-generator.test.ts checks the result with the SDK's decoder and integrity check.
 */
import {
  CrcCalculator,
  Encoder,
  type ActivityMesg,
  type DeviceInfoMesg,
  type Encodable,
  type EventMesg,
  type FileIdMesg,
  type LapMesg,
  type Mesg,
  type SessionMesg,
  type UserProfileMesg,
  type WorkoutMesg,
  type WorkoutStepMesg,
} from '@garmin/fitsdk';

export type GeneratedSport = 'running' | 'cycling' | 'walking' | 'hiking';

export interface FitActivityOptions {
  /** When the activity starts (whole seconds are kept). */
  readonly start: Date;
  /** Length of the recording in seconds; one record per `recordIntervalS`, at least 2. */
  readonly durationS: number;
  /** @default 'running' */
  readonly sport?: GeneratedSport;
  /** Device serial number written to file_id and device_info. @default 3912345678 */
  readonly serial?: number;
  /** Varies the loop's shape, pace and heart rate; same seed, same bytes. @default 1 */
  readonly seed?: number;
  /** Centre of the loop, degrees. @default 51.4769 (Greenwich) */
  readonly lat?: number;
  /** @default -0.0005 */
  readonly lon?: number;
  /** Seconds between records. @default 1 */
  readonly recordIntervalS?: number;
}

const MESG = {
  fileId: 0,
  userProfile: 3,
  lap: 19,
  record: 20,
  event: 21,
  deviceInfo: 23,
  workout: 26,
  workoutStep: 27,
  session: 18,
  activity: 34,
} as const;

const FIT_EPOCH_MS = 631_065_600_000;
const GARMIN_FENIX_5 = 2697;
const DEFAULT_SERIAL = 3_912_345_678;

/** Typical pace, heart rate and cadence of each sport. */
const PROFILE: Record<GeneratedSport, { speed: number; hr: number; cadence: number }> = {
  running: { speed: 2.9, hr: 148, cadence: 84 },
  cycling: { speed: 7.5, hr: 132, cadence: 88 },
  walking: { speed: 1.4, hr: 104, cadence: 56 },
  hiking: { speed: 1.1, hr: 118, cadence: 50 },
};

/** A complete, valid FIT activity file (file_id, device_info, events, records, lap, session, activity). */
export function generateFitActivity(opts: FitActivityOptions): Uint8Array {
  const o = validate(opts);
  const start = new Date(Math.floor(o.start.getTime() / 1000) * 1000);
  const count = Math.max(2, Math.floor(o.durationS / o.recordIntervalS));
  const track = loopTrack(o, count);
  // The timer stops one interval after the last record, so the session lasts durationS.
  const elapsedS = count * o.recordIntervalS;
  const end = new Date(start.getTime() + elapsedS * 1000);

  const head = new Encoder();
  put<FileIdMesg>(head, {
    mesgNum: MESG.fileId,
    type: 'activity',
    manufacturer: 'garmin',
    product: GARMIN_FENIX_5,
    serialNumber: o.serial,
    timeCreated: start,
  });
  put<DeviceInfoMesg>(head, {
    mesgNum: MESG.deviceInfo,
    timestamp: start,
    deviceIndex: 'creator',
    manufacturer: 'garmin',
    product: GARMIN_FENIX_5,
    serialNumber: o.serial,
    softwareVersion: 21.3,
  });
  put<EventMesg>(head, { mesgNum: MESG.event, timestamp: start, event: 'timer', eventType: 'start' });

  const records = encodeRecords(track, fitTime(start), o.recordIntervalS);

  const distance = track.distance[count - 1]!;
  const summary = {
    timestamp: end,
    startTime: start,
    totalElapsedTime: elapsedS,
    totalTimerTime: elapsedS,
    totalDistance: distance,
    sport: o.sport,
    subSport: 'generic',
    avgHeartRate: Math.round(mean(track.hr)),
    maxHeartRate: track.hr.reduce((a, b) => Math.max(a, b), 0),
    avgSpeed: distance / Math.max(1, elapsedS),
    startPositionLat: track.lat[0],
    startPositionLong: track.lon[0],
    eventType: 'stop',
  } as const;
  const tail = new Encoder();
  put<EventMesg>(tail, { mesgNum: MESG.event, timestamp: end, event: 'timer', eventType: 'stopAll' });
  put<LapMesg>(tail, { mesgNum: MESG.lap, ...summary, event: 'lap', messageIndex: 0 });
  put<SessionMesg>(tail, {
    mesgNum: MESG.session,
    ...summary,
    event: 'session',
    firstLapIndex: 0,
    numLaps: 1,
    messageIndex: 0,
  });
  put<ActivityMesg>(tail, {
    mesgNum: MESG.activity,
    timestamp: end,
    totalTimerTime: elapsedS,
    numSessions: 1,
    type: 'manual',
    event: 'activity',
    eventType: 'stop',
    localTimestamp: fitTime(end),
  });

  return assemble([dataOf(head.close()), records, dataOf(tail.close())]);
}

export interface FitFileOptions {
  /** @default 3912345678 */
  readonly serial?: number;
  /** @default 2024-01-01T00:00:00Z */
  readonly timeCreated?: Date;
}

/** A valid FIT file that is not an activity: a settings file or a workout. */
export function generateFitFile(type: 'settings' | 'workout', opts: FitFileOptions = {}): Uint8Array {
  const encoder = new Encoder();
  put<FileIdMesg>(encoder, {
    mesgNum: MESG.fileId,
    type,
    manufacturer: 'garmin',
    product: GARMIN_FENIX_5,
    serialNumber: opts.serial ?? DEFAULT_SERIAL,
    timeCreated: opts.timeCreated ?? new Date('2024-01-01T00:00:00Z'),
  });
  if (type === 'settings') {
    put<UserProfileMesg>(encoder, {
      mesgNum: MESG.userProfile,
      friendlyName: 'mmt-sync',
      gender: 'female',
      age: 35,
      weight: 62.5,
      restingHeartRate: 52,
      messageIndex: 0,
    });
  } else {
    put<WorkoutMesg>(encoder, {
      mesgNum: MESG.workout,
      sport: 'running',
      numValidSteps: 2,
      wktName: 'Intervals',
    });
    put<WorkoutStepMesg>(encoder, {
      mesgNum: MESG.workoutStep,
      durationType: 'time',
      durationValue: 600_000,
      targetType: 'open',
      intensity: 'warmup',
      messageIndex: 0,
    });
    put<WorkoutStepMesg>(encoder, {
      mesgNum: MESG.workoutStep,
      durationType: 'distance',
      durationValue: 100_000,
      targetType: 'heartRate',
      targetValue: 3,
      intensity: 'active',
      messageIndex: 1,
    });
  }
  return encoder.close();
}

/** writeMesg with the message type named, so a misspelt field is a type error. */
function put<T extends Mesg>(encoder: Encoder, mesg: Encodable<T>): void {
  encoder.writeMesg(mesg);
}

type Resolved = Required<FitActivityOptions>;

function validate(opts: FitActivityOptions): Resolved {
  const o: Resolved = {
    sport: 'running',
    serial: DEFAULT_SERIAL,
    seed: 1,
    lat: 51.4769,
    lon: -0.0005,
    recordIntervalS: 1,
    ...opts,
  };
  const expect = (ok: boolean, what: string, got: unknown): void => {
    if (!ok) throw new RangeError(`Expected ${what}, got ${String(got)}`);
  };
  expect(o.start instanceof Date && Number.isFinite(o.start.getTime()) && o.start.getTime() > FIT_EPOCH_MS,
    'start to be a valid date after 1989-12-31', o.start);
  expect(Number.isFinite(o.durationS) && o.durationS > 0, 'durationS > 0', o.durationS);
  expect(o.sport in PROFILE, `sport to be one of ${Object.keys(PROFILE).join(', ')}`, o.sport);
  expect(Number.isInteger(o.serial) && o.serial > 0 && o.serial < 0xffffffff, 'serial to be an integer in 1..4294967294', o.serial);
  expect(Number.isInteger(o.seed), 'seed to be an integer', o.seed);
  expect(Math.abs(o.lat) <= 85, 'lat in -85..85', o.lat);
  expect(Math.abs(o.lon) <= 180, 'lon in -180..180', o.lon);
  expect(Number.isInteger(o.recordIntervalS) && o.recordIntervalS >= 1, 'recordIntervalS to be an integer >= 1', o.recordIntervalS);
  return o;
}

interface LoopTrack {
  readonly lat: Int32Array;
  readonly lon: Int32Array;
  /** Metres. */
  readonly altitude: Float64Array;
  readonly distance: Float64Array;
  /** m/s. */
  readonly speed: Float64Array;
  readonly hr: Uint8Array;
  readonly cadence: Uint8Array;
}

/**
 * A smooth closed loop around (lat, lon), run at a pace that drifts like a real one;
 * a long activity goes round it several times. Elevation depends on the place, so laps agree.
 */
function loopTrack(o: Resolved, count: number): LoopTrack {
  const random = mulberry32(o.seed);
  const phase = (): number => random() * 2 * Math.PI;
  const [p1, p2, p3, p4, q1, q2, q3, q4, theta0] = [phase(), phase(), phase(), phase(), phase(), phase(), phase(), phase(), phase()];
  const sport = PROFILE[o.sport];
  const pace = sport.speed * (0.9 + 0.2 * random());
  const circumference = Math.min(6000, Math.max(400, pace * count * o.recordIntervalS));
  const radius = circumference / (2 * Math.PI);
  const metresPerDegLat = 111_320;
  const metresPerDegLon = metresPerDegLat * Math.cos((o.lat * Math.PI) / 180);
  const toSemicircles = 2 ** 31 / 180;

  const t: LoopTrack = {
    lat: new Int32Array(count),
    lon: new Int32Array(count),
    altitude: new Float64Array(count),
    distance: new Float64Array(count),
    speed: new Float64Array(count),
    hr: new Uint8Array(count),
    cadence: new Uint8Array(count),
  };
  let distance = 0;
  for (let i = 0; i < count; i++) {
    const s = i * o.recordIntervalS;
    const speed = pace * (1 + 0.12 * Math.sin((2 * Math.PI * s) / 420 + q1) + 0.05 * Math.sin((2 * Math.PI * s) / 97 + q2));
    if (i > 0) distance += speed * o.recordIntervalS;
    const theta = theta0 + (2 * Math.PI * distance) / circumference;
    const r = radius * (1 + 0.12 * Math.sin(2 * theta + p1) + 0.06 * Math.sin(3 * theta + p2));
    t.lat[i] = Math.round((o.lat + (r * Math.sin(theta)) / metresPerDegLat) * toSemicircles);
    t.lon[i] = Math.round((o.lon + (r * Math.cos(theta)) / metresPerDegLon) * toSemicircles);
    t.altitude[i] = 40 + 15 * Math.sin(theta + p3) + 4 * Math.sin(3 * theta + p4);
    t.distance[i] = distance;
    t.speed[i] = speed;
    const warmUp = Math.min(1, s / 600);
    const hr = sport.hr - 30 * (1 - warmUp) + 8 * Math.sin((2 * Math.PI * s) / 900 + q3) + 40 * (speed / pace - 1);
    t.hr[i] = Math.round(Math.min(195, Math.max(60, hr)));
    t.cadence[i] = Math.round(sport.cadence + 3 * Math.sin((2 * Math.PI * s) / 60 + q4));
  }
  return t;
}

/**
 * Record messages as the Encoder lays them out for a message with these fields in
 * this order: one definition (local message 0), then one data message per record.
 */
const RECORD_FIELDS: ReadonlyArray<readonly [num: number, size: number, baseType: number]> = [
  [253, 4, 0x86], // timestamp uint32
  [0, 4, 0x85], // position_lat sint32
  [1, 4, 0x85], // position_long sint32
  [2, 2, 0x84], // altitude uint16, scale 5, offset 500
  [3, 1, 0x02], // heart_rate uint8
  [4, 1, 0x02], // cadence uint8
  [5, 4, 0x86], // distance uint32, scale 100
  [6, 2, 0x84], // speed uint16, scale 1000
];
const RECORD_SIZE = 1 + RECORD_FIELDS.reduce((sum, [, size]) => sum + size, 0);

function encodeRecords(t: LoopTrack, startTime: number, intervalS: number): Uint8Array {
  const count = t.lat.length;
  const definitionSize = 6 + RECORD_FIELDS.length * 3;
  const out = new Uint8Array(definitionSize + count * RECORD_SIZE);
  const view = new DataView(out.buffer);
  out.set([0x40, 0, 0, MESG.record, 0, RECORD_FIELDS.length]);
  RECORD_FIELDS.forEach(([num, size, type], i) => out.set([num, size, type], 6 + i * 3));
  let p = definitionSize;
  for (let i = 0; i < count; i++) {
    out[p] = 0x00;
    view.setUint32(p + 1, startTime + i * intervalS, true);
    view.setInt32(p + 5, t.lat[i]!, true);
    view.setInt32(p + 9, t.lon[i]!, true);
    view.setUint16(p + 13, Math.round((t.altitude[i]! + 500) * 5), true);
    out[p + 15] = t.hr[i]!;
    out[p + 16] = t.cadence[i]!;
    view.setUint32(p + 17, Math.round(t.distance[i]! * 100), true);
    view.setUint16(p + 21, Math.round(t.speed[i]! * 1000), true);
    p += RECORD_SIZE;
  }
  return out;
}

/** The data records of a file the Encoder closed: without its 14-byte header and 2-byte CRC. */
function dataOf(file: Uint8Array): Uint8Array {
  return file.subarray(file[0]!, file.length - 2);
}

/** One FIT file from data sections: a 14-byte header with CRC, the data, the file CRC. */
function assemble(parts: readonly Uint8Array[]): Uint8Array {
  const dataSize = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(14 + dataSize + 2);
  const view = new DataView(out.buffer);
  out[0] = 14;
  out[1] = 0x20; // protocol 2.0
  view.setUint16(2, 21217, true); // profile version the records were laid out for
  view.setUint32(4, dataSize, true);
  out.set([0x2e, 0x46, 0x49, 0x54], 8); // ".FIT"
  view.setUint16(12, CrcCalculator.calculateCRC(out, 0, 12), true);
  let p = 14;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  view.setUint16(p, CrcCalculator.calculateCRC(out, 0, p), true);
  return out;
}

function fitTime(date: Date): number {
  return Math.round((date.getTime() - FIT_EPOCH_MS) / 1000);
}

function mean(values: Uint8Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

/** A small seeded PRNG, so a seed always gives the same file. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
