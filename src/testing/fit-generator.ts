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
  Encoder,
  type ActivityMesg,
  type DeveloperDataIdMesg,
  type DeviceInfoMesg,
  type Encodable,
  type EventMesg,
  type FieldDescriptionMesg,
  type FileIdMesg,
  type LapMesg,
  type LengthMesg,
  type SessionMesg,
  type SportMesg,
} from '@garmin/fitsdk';
import { assemble, dataOf, DEFAULT_SERIAL, FIT_EPOCH_MS, fitTime, GARMIN_FENIX_5, MESG, put } from './fit-generator-encode.js';
import { lapSummary, mean, poolLengths } from './fit-generator-laps.js';
import { encodeRecords, type RecordLayout } from './fit-generator-records.js';
import { loopTrack, PROFILE, type GeneratedSport } from './fit-generator-track.js';

export type { GeneratedSport } from './fit-generator-track.js';
export { generateFitFile, type FitFileOptions } from './fit-generator-files.js';

export interface FitActivityOptions {
  /** When the activity starts (whole seconds are kept). */
  readonly start: Date;
  /** Length of the recording in seconds; one record per `recordIntervalS`, at least 2. */
  readonly durationS: number;
  /** @default 'running' */
  readonly sport?: GeneratedSport;
  /**
   * Recorded indoors, without positions: a treadmill run, a ride on a trainer, a walk on a
   * treadmill, a pool swim (with its lengths). @default false
   */
  readonly indoor?: boolean;
  /** Laps of equal length, each with its lap message where it ends. @default 1 */
  readonly laps?: number;
  /** Records carry power (a power meter or running pod). @default false */
  readonly power?: boolean;
  /** A developer field (Stryd's "Form Power") in every record, with its developer_data_id and field_description. @default false */
  readonly developerField?: boolean;
  /** Records use compressed-timestamp headers, as older Garmin devices write them. @default false */
  readonly compressedTimestamps?: boolean;
  /** Pool length of an indoor swim, metres. @default 25 */
  readonly poolLengthM?: number;
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


/** What each sport is called indoors and outdoors (FIT sub_sport). */
const SUB_SPORT: Record<GeneratedSport, { readonly outdoor: string; readonly indoor?: string }> = {
  running: { outdoor: 'generic', indoor: 'treadmill' },
  cycling: { outdoor: 'generic', indoor: 'indoorCycling' },
  walking: { outdoor: 'generic', indoor: 'indoorWalking' },
  hiking: { outdoor: 'generic' },
  swimming: { outdoor: 'openWater', indoor: 'lapSwimming' },
};

/**
 * A complete, valid FIT activity file: file_id, device_info, developer data ids and field
 * descriptions, events, records with a lap message at the end of each lap (and a pool
 * swim's lengths before it), session, activity.
 */
export function generateFitActivity(opts: FitActivityOptions): Uint8Array {
  const o = validate(opts);
  const start = new Date(Math.floor(o.start.getTime() / 1000) * 1000);
  const count = Math.max(2, Math.floor(o.durationS / o.recordIntervalS));
  const track = loopTrack(o, count);
  // The timer stops one interval after the last record, so the session lasts durationS.
  const elapsedS = count * o.recordIntervalS;
  const end = new Date(start.getTime() + elapsedS * 1000);
  const subSport = o.indoor ? SUB_SPORT[o.sport].indoor! : SUB_SPORT[o.sport].outdoor;
  const pool = o.indoor && o.sport === 'swimming';

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
  if (o.developerField) {
    put<DeveloperDataIdMesg>(head, {
      mesgNum: MESG.developerDataId,
      developerDataIndex: 0,
      applicationId: [0x18, 0xfb, 0x2c, 0xf0, 0x1a, 0x4b, 0x43, 0x0d, 0xad, 0x66, 0x98, 0x8c, 0x84, 0x7a, 0x7e, 0x3e],
      applicationVersion: 109,
    });
    put<FieldDescriptionMesg>(head, {
      mesgNum: MESG.fieldDescription,
      developerDataIndex: 0,
      fieldDefinitionNumber: 0,
      fitBaseTypeId: 0x84,
      fieldName: 'Form Power',
      units: 'Watts',
      nativeMesgNum: 'record',
    });
  }
  // Garmin devices name the sport near the start (and again in each lap and the session).
  put<SportMesg>(head, { mesgNum: MESG.sport, sport: o.sport, subSport: subSport as SportMesg['subSport'], name: o.sport });
  put<EventMesg>(head, { mesgNum: MESG.event, timestamp: start, event: 'timer', eventType: 'start' });

  const startTime = fitTime(start);
  const layout: RecordLayout = { positions: !o.indoor, power: o.power, developerField: o.developerField, compressed: o.compressedTimestamps };
  const laps: Uint8Array[] = [];
  let lengths = 0;
  for (let lap = 0; lap < o.laps; lap++) {
    const from = Math.floor((lap * count) / o.laps);
    const to = Math.floor(((lap + 1) * count) / o.laps);
    laps.push(encodeRecords(layout, { track, from, to, startTime, intervalS: o.recordIntervalS }));
    const summary = lapSummary(track, from, to, startTime, o.recordIntervalS);
    const lapEncoder = new Encoder();
    const lapLengths = pool ? poolLengths(track, from, to, startTime, o.recordIntervalS, o.poolLengthM) : [];
    lapLengths.forEach((length, k) => put<LengthMesg>(lapEncoder, { mesgNum: MESG.length, ...length, messageIndex: lengths + k }));
    put<LapMesg>(lapEncoder, {
      mesgNum: MESG.lap,
      ...summary,
      ...(o.indoor ? {} : { startPositionLat: track.lat[from], startPositionLong: track.lon[from] }),
      sport: o.sport,
      subSport,
      event: 'lap',
      eventType: 'stop',
      messageIndex: lap,
      ...(pool ? { firstLengthIndex: lengths, numLengths: lapLengths.length, numActiveLengths: lapLengths.length } : {}),
    } as Encodable<LapMesg>);
    lengths += lapLengths.length;
    laps.push(dataOf(lapEncoder.close()));
  }

  const distance = track.distance[count - 1]!;
  const tail = new Encoder();
  put<EventMesg>(tail, { mesgNum: MESG.event, timestamp: end, event: 'timer', eventType: 'stopAll' });
  put<SessionMesg>(tail, {
    mesgNum: MESG.session,
    timestamp: end,
    startTime: start,
    totalElapsedTime: elapsedS,
    totalTimerTime: elapsedS,
    totalDistance: distance,
    sport: o.sport,
    subSport,
    avgHeartRate: Math.round(mean(track.hr)),
    maxHeartRate: track.hr.reduce((a, b) => Math.max(a, b), 0),
    avgSpeed: distance / Math.max(1, elapsedS),
    ...(o.indoor ? {} : { startPositionLat: track.lat[0], startPositionLong: track.lon[0] }),
    ...(o.power ? { avgPower: Math.round(mean(track.power)) } : {}),
    ...(pool ? { poolLength: o.poolLengthM, poolLengthUnit: 'metric', numActiveLengths: lengths } : {}),
    event: 'session',
    eventType: 'stop',
    firstLapIndex: 0,
    numLaps: o.laps,
    messageIndex: 0,
  } as Encodable<SessionMesg>);
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

  return assemble([dataOf(head.close()), ...laps, dataOf(tail.close())]);
}

type Resolved = Required<FitActivityOptions>;

function validate(opts: FitActivityOptions): Resolved {
  const o: Resolved = {
    sport: 'running',
    indoor: false,
    laps: 1,
    power: false,
    developerField: false,
    compressedTimestamps: false,
    poolLengthM: 25,
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
  expect(!o.indoor || SUB_SPORT[o.sport].indoor !== undefined, `an indoor sport (${Object.keys(SUB_SPORT).filter((s) => SUB_SPORT[s as GeneratedSport].indoor).join(', ')})`, o.sport);
  expect(Number.isInteger(o.serial) && o.serial > 0 && o.serial < 0xffffffff, 'serial to be an integer in 1..4294967294', o.serial);
  expect(Number.isInteger(o.seed), 'seed to be an integer', o.seed);
  expect(Math.abs(o.lat) <= 85, 'lat in -85..85', o.lat);
  expect(Math.abs(o.lon) <= 180, 'lon in -180..180', o.lon);
  expect(Number.isInteger(o.recordIntervalS) && o.recordIntervalS >= 1, 'recordIntervalS to be an integer >= 1', o.recordIntervalS);
  expect(!o.compressedTimestamps || o.recordIntervalS < 32, 'recordIntervalS < 32 with compressed timestamps (5 bits of time)', o.recordIntervalS);
  const records = Math.max(2, Math.floor(o.durationS / o.recordIntervalS));
  expect(Number.isInteger(o.laps) && o.laps >= 1 && o.laps <= records, `laps to be an integer in 1..${records} (one record a lap at least)`, o.laps);
  expect(Number.isFinite(o.poolLengthM) && o.poolLengthM >= 10 && o.poolLengthM <= 100, 'poolLengthM in 10..100', o.poolLengthM);
  return o;
}

