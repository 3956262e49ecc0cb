import { Decoder, Encoder, Stream, type RecordMesg } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { classifyFit } from '../formats/fit/classify.js';
import { generateFitActivity, generateFitFile } from './fit-generator.js';
import { parseWithFitFileParser } from './fit-reference.js';

const start = new Date('2024-05-01T06:30:00Z');

function sdkRead(bytes: Uint8Array) {
  const decoder = new Decoder(Stream.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  return { integrity: decoder.checkIntegrity(), ...decoder.read() };
}

describe('generateFitActivity', () => {
  it('writes a valid activity that the FIT SDK decodes without errors', () => {
    const bytes = generateFitActivity({ start, durationS: 600, sport: 'cycling', serial: 12345, seed: 3 });
    const { integrity, errors, messages } = sdkRead(bytes);
    expect(integrity).toBe(true);
    expect(errors).toEqual([]);
    expect(messages.fileIdMesgs?.[0]).toMatchObject({ type: 'activity', manufacturer: 'garmin', serialNumber: 12345, timeCreated: start });
    expect(messages.deviceInfoMesgs?.[0]).toMatchObject({ deviceIndex: 'creator', manufacturer: 'garmin', serialNumber: 12345 });
    expect(messages.sessionMesgs?.[0]).toMatchObject({ sport: 'cycling', startTime: start, totalElapsedTime: 600 });
    expect(messages.lapMesgs).toHaveLength(1);
    expect(messages.activityMesgs?.[0]).toMatchObject({ numSessions: 1 });

    const records = messages.recordMesgs as RecordMesg[];
    expect(records).toHaveLength(600);
    expect(records[0]!.timestamp).toEqual(start);
    expect(records[599]!.timestamp).toEqual(new Date(start.getTime() + 599_000));
    const steps = records.slice(1).map((b, i) => b.distance! - records[i]!.distance!);
    expect(Math.min(...steps)).toBeGreaterThan(0);
    expect(Math.max(...steps)).toBeLessThan(12); // a bike, not a plane
    const climbs = records.slice(1).map((b, i) => Math.abs(b.altitude! - records[i]!.altitude!));
    expect(Math.max(...climbs)).toBeLessThan(2);
    expect(Math.min(...records.map((r) => r.heartRate!))).toBeGreaterThanOrEqual(60);
    expect(messages.sessionMesgs?.[0]?.totalDistance).toBeCloseTo(records[599]!.distance!, 1);
  });

  it('is judged a complete activity by the classifier, with the right counts and sport', () => {
    const bytes = generateFitActivity({ start, durationS: 3600, sport: 'hiking', recordIntervalS: 5, serial: 777 });
    const a = classifyFit(bytes);
    expect(a).toMatchObject({
      verdict: 'upload',
      kind: 'activity',
      sport: 'hiking',
      activityType: 'hiking',
      start: '2024-05-01T06:30:00Z',
      durationS: 3600,
      points: 720,
      positions: 720,
      identity: 'fit:garmin:777:2024-05-01T06:30:00Z',
      problems: [],
    });
    expect(a.distanceM).toBeGreaterThan(3000);
    expect(a.distanceM).toBeLessThan(5000);
  });

  it('lays records out exactly as the SDK Encoder does', () => {
    const bytes = generateFitActivity({ start, durationS: 120, seed: 9 });
    const records = sdkRead(bytes).messages.recordMesgs as RecordMesg[];
    const encoder = new Encoder();
    for (const r of records) {
      const { timestamp, positionLat, positionLong, altitude, heartRate, cadence, distance, speed } = r;
      encoder.writeMesg({ mesgNum: 20, timestamp, positionLat, positionLong, altitude, heartRate, cadence, distance, speed } as RecordMesg & { mesgNum: 20 });
    }
    const encoded = encoder.close();
    const ours = encoded.subarray(14, encoded.length - 2);
    const at = indexOf(bytes, ours.subarray(0, 30));
    expect(at).toBeGreaterThan(0);
    expect(bytes.subarray(at, at + ours.length)).toEqual(ours);
  });

  it('gives every serial, start and seed its own activity, and the same bytes for the same options', () => {
    const base = { start, durationS: 60 };
    const a = generateFitActivity(base);
    expect(generateFitActivity(base)).toEqual(a);
    const others = [
      generateFitActivity({ ...base, serial: 2 }),
      generateFitActivity({ ...base, start: new Date(start.getTime() + 1000) }),
      generateFitActivity({ ...base, seed: 2 }),
    ];
    const identities = [a, ...others].map((b) => classifyFit(b).identity);
    expect(new Set(identities.slice(0, 3)).size).toBe(3);
    expect(others[2]).not.toEqual(a);
  });

  it('draws a loop near the requested place', () => {
    const bytes = generateFitActivity({ start, durationS: 1800, lat: -33.86, lon: 151.21, sport: 'running' });
    const records = sdkRead(bytes).messages.recordMesgs as RecordMesg[];
    const deg = (semicircles: number): number => (semicircles * 180) / 2 ** 31;
    expect(Math.max(...records.map((r) => Math.abs(deg(r.positionLat!) + 33.86)))).toBeLessThan(0.02);
    expect(Math.max(...records.map((r) => Math.abs(deg(r.positionLong!) - 151.21)))).toBeLessThan(0.02);
    // A closed loop: the track comes back to where it started.
    const first = records[0]!;
    const nearest = Math.min(...records.slice(600).map((r) => Math.hypot(r.positionLat! - first.positionLat!, r.positionLong! - first.positionLong!)));
    expect(deg(nearest)).toBeLessThan(0.0005);
  });

  it('writes a 24-hour recording of 86,400 records', () => {
    const bytes = generateFitActivity({ start, durationS: 86_400, sport: 'walking' });
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'upload', points: 86_400, positions: 86_400, durationS: 86_400 });
  });

  it('writes laps, power, a developer field, and indoor files without positions, which the SDK decodes without errors', () => {
    const bytes = generateFitActivity({ start, durationS: 600, sport: 'cycling', indoor: true, laps: 3, power: true, developerField: true, seed: 4 });
    const { integrity, errors, messages } = sdkRead(bytes);
    expect(integrity).toBe(true);
    expect(errors).toEqual([]);
    expect(messages.sportMesgs?.[0]).toMatchObject({ sport: 'cycling', subSport: 'indoorCycling' });
    expect(messages.developerDataIdMesgs).toHaveLength(1);
    expect(messages.fieldDescriptionMesgs?.[0]).toMatchObject({ fieldName: 'Form Power', units: 'Watts' });
    const records = messages.recordMesgs as RecordMesg[];
    expect(records).toHaveLength(600);
    expect(records.every((r) => r.positionLat === undefined && r.power! > 0 && typeof r.developerFields?.[0] === 'number')).toBe(true);
    const laps = messages.lapMesgs!;
    expect(laps.map((l) => l.totalElapsedTime)).toEqual([200, 200, 200]);
    expect(laps.reduce((sum, l) => sum + l.totalDistance!, 0)).toBeCloseTo(messages.sessionMesgs![0]!.totalDistance!, 1);
    expect(messages.sessionMesgs?.[0]).toMatchObject({ subSport: 'indoorCycling', numLaps: 3 });
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'upload', positions: 0, activityType: 'indoor cycling' });
  });

  it('writes a pool swim with a length message each time the distance passes the pool length', () => {
    const { errors, messages } = sdkRead(generateFitActivity({ start, durationS: 900, sport: 'swimming', indoor: true, laps: 2, poolLengthM: 25 }));
    expect(errors).toEqual([]);
    const lengths = messages.lengthMesgs!;
    const distance = messages.sessionMesgs![0]!.totalDistance!;
    expect(lengths.length).toBe(Math.floor(distance / 25));
    expect(lengths.every((l) => l.lengthType === 'active' && l.totalStrokes! > 0)).toBe(true);
    expect(messages.lapMesgs!.map((l) => l.numLengths).reduce((a, b) => a! + b!, 0)).toBe(lengths.length);
    expect(messages.sessionMesgs?.[0]).toMatchObject({ subSport: 'lapSwimming', poolLength: 25, numActiveLengths: lengths.length });
  });

  it('writes compressed-timestamp records that fit-file-parser and our reader time alike (the SDK reads none)', async () => {
    const bytes = generateFitActivity({ start, durationS: 300, compressedTimestamps: true, seed: 6 });
    expect(String(sdkRead(bytes).errors[0])).toMatch(/compressed timestamp/);
    const { records } = await parseWithFitFileParser(bytes);
    expect(records).toHaveLength(300);
    expect(records.map((r) => new Date(r['timestamp'] as string).getTime())).toEqual(Array.from({ length: 300 }, (_, i) => start.getTime() + i * 1000));
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'upload', points: 300, positions: 300, durationS: 300 });
  });

  it('rejects bad options with what it expected', () => {
    expect(() => generateFitActivity({ start: new Date('nope'), durationS: 10 })).toThrow(/^Expected start/);
    expect(() => generateFitActivity({ start, durationS: 0 })).toThrow('Expected durationS > 0, got 0');
    expect(() => generateFitActivity({ start, durationS: 10, recordIntervalS: 0.5 })).toThrow(/recordIntervalS/);
    expect(() => generateFitActivity({ start, durationS: 10, serial: 0xffffffff })).toThrow(/serial/);
    expect(() => generateFitActivity({ start, durationS: 10, sport: 'rowing' as 'running' })).toThrow(/sport/);
    expect(() => generateFitActivity({ start, durationS: 10, sport: 'hiking', indoor: true })).toThrow(/an indoor sport/);
    expect(() => generateFitActivity({ start, durationS: 10, laps: 11 })).toThrow(/laps to be an integer in 1..10/);
    expect(() => generateFitActivity({ start, durationS: 100, recordIntervalS: 40, compressedTimestamps: true })).toThrow(/recordIntervalS < 32/);
  });
});

describe('generateFitFile', () => {
  it.each(['settings', 'workout'] as const)('writes a valid %s file that is not an activity', (type) => {
    const bytes = generateFitFile(type, { serial: 42 });
    const { integrity, errors, messages } = sdkRead(bytes);
    expect(integrity).toBe(true);
    expect(errors).toEqual([]);
    expect(messages.fileIdMesgs?.[0]).toMatchObject({ type, serialNumber: 42 });
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'skip', kind: type, reason: `not an activity (file type: ${type})` });
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
