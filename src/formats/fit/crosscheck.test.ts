/**
 * Our decoder against the reference ones, on the real files of the corpus: the same
 * records, positions, sessions and file_id as @garmin/fitsdk's full decode. The SDK
 * stops at the first compressed-timestamp record, so the two files that use them are
 * checked against fit-file-parser instead (which decodes those; we distrust it only on
 * damaged files).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Decoder, Stream, type RecordMesg, type SessionMesg } from '@garmin/fitsdk';
import FitParser from 'fit-file-parser';
import { describe, expect, it } from 'vitest';
import { scanFit } from './scan.js';

const DIR = new URL('../../../../shared/corpus/fit/', import.meta.url);
const files = readdirSync(DIR).filter((f) => /\.fit$/i.test(f)).sort();
const read = (file: string): Buffer => readFileSync(new URL(file, DIR));

const COMPRESSED_TIMESTAMPS = ['antfs-dump.63.fit', 'compressed-speed-distance.fit'];

/** Raw values, as the profile stores them: numbers for enums, FIT seconds for times. */
function sdkDecode(bytes: Buffer) {
  return new Decoder(Stream.fromBuffer(bytes)).read({
    expandSubFields: false,
    expandComponents: false,
    mergeHeartRates: false,
    convertTypesToStrings: false,
    convertDateTimesToDates: false,
  });
}

const opt = (value: unknown): number => (typeof value === 'number' ? value : NaN);

function positioned(r: RecordMesg): boolean {
  const lat = r.positionLat;
  const lon = r.positionLong;
  return lat != null && lon != null && Math.abs(lat) <= 2 ** 30 && !(lat === 0 && lon === 0);
}

describe('scanFit agrees with @garmin/fitsdk', () => {
  it.each(files.filter((f) => !COMPRESSED_TIMESTAMPS.includes(f)))('%s', (file) => {
    const bytes = read(file);
    const { messages, errors } = sdkDecode(bytes);
    const scan = scanFit(new Uint8Array(bytes));
    const records = (messages.recordMesgs ?? []) as RecordMesg[];
    const times = records.map((r) => opt(r.timestamp)).filter((t) => !Number.isNaN(t));
    if (scan.segments.some((s) => s.faults.some((f) => f.kind === 'bad-record' && f.detail.includes('skipped')))) {
      // The SDK stops at a bad record; we drop the record before it (it may be garbled
      // too) and resynchronise after it, so we see that prefix less one, and more.
      expect(scan.records).toBeGreaterThan(records.length);
      expect(scan.positions).toBeGreaterThan(records.filter(positioned).length);
      expect(scan.firstRecordTime).toBe(times[0]);
    } else {
      // On other damaged files the SDK stops at the fault too: we decode the same prefix.
      expect(scan.records).toBe(records.length);
      expect(scan.positions).toBe(records.filter(positioned).length);
      if (times.length) {
        expect(scan.firstRecordTime).toBe(times[0]);
        expect(scan.lastRecordTime).toBe(times.at(-1));
      }
    }

    const sessions = (messages.sessionMesgs ?? []) as SessionMesg[];
    expect(scan.sessions.length).toBe(sessions.length);
    scan.sessions.forEach((s, i) => {
      const ref = sessions[i]!;
      expect(s.start).toEqual(opt(ref.startTime));
      expect(s.sport).toEqual(opt(ref.sport));
      expect(s.subSport).toEqual(opt(ref.subSport));
      expect(s.elapsedS).toBeCloseTo(opt(ref.totalElapsedTime) || NaN, 6);
      expect(s.timerS).toBeCloseTo(opt(ref.totalTimerTime) || NaN, 6);
      if (ref.totalDistance != null) expect(s.distanceM).toBeCloseTo(ref.totalDistance, 6);
    });

    const id = messages.fileIdMesgs?.[0];
    expect(id).toBeDefined();
    expect(scan.fileId).toEqual({
      type: opt(id!.type),
      manufacturer: opt(id!.manufacturer),
      product: opt(id!.product),
      serial: opt(id!.serialNumber),
      timeCreated: opt(id!.timeCreated),
      productName: id!.productName,
    });
    if (errors.length === 0) expect(scan.segments.every((s) => s.faults.length === 0)).toBe(true);
  });
});

describe('scanFit agrees with fit-file-parser on compressed timestamps', () => {
  it.each(COMPRESSED_TIMESTAMPS)('%s', async (file) => {
    const bytes = read(file);
    const parsed = await new FitParser({ force: false, mode: 'list' }).parseAsync(bytes as Buffer<ArrayBuffer>);
    const records = parsed.records ?? [];
    const scan = scanFit(new Uint8Array(bytes));
    expect(scan.records).toBe(records.length);
    const epochS = 631_065_600;
    const time = (r: (typeof records)[number]): number => new Date(r.timestamp as unknown as string).getTime() / 1000 - epochS;
    expect(scan.firstRecordTime).toBe(time(records[0]!));
    expect(scan.lastRecordTime).toBe(time(records.at(-1)!));
    expect(scan.segments[0]!.faults).toEqual([]);
  });
});
