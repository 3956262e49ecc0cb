/**
 * Repairs keep everything the watch recorded. Damaged copies of real corpus activities
 * and of generated ones carrying power, laps, pool lengths, developer fields, compressed
 * timestamps and indoor records are repaired, and what would go up is judged by the
 * reference decoders (src/testing/repair-judge.ts). Full-size sweeps (every cut, many
 * more flips) run with MMT_SYNC_CHAOS=full in test/reliability/hostile-repair.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { damagedCopies } from '../../testing/fit-damage.js';
import { generateFitActivity, type FitActivityOptions } from '../../testing/fit-generator.js';
import { parseWithFitFileParser, sdkDecode } from '../../testing/fit-reference.js';
import { judgeRepair } from '../../testing/repair-judge.js';
import { classifyFit } from './classify.js';
import { scanFit } from './scan.js';
import { FILE_ID, GARMIN, RawFit, RECORD, RECORD_NO_TIME, semi, T0 } from '../../testing/raw-fit.js';

const CORPUS = new URL('../../../../shared/corpus/fit/', import.meta.url);
const corpus = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, CORPUS)));
const start = new Date('2025-03-02T07:15:00Z');

const GENERATED: Record<string, FitActivityOptions> = {
  'run with power, 3 laps and a developer field': { start, durationS: 300, power: true, laps: 3, developerField: true, seed: 2 },
  'treadmill run (indoor, no positions)': { start, durationS: 300, indoor: true, laps: 2, seed: 3 },
  'trainer ride with power (indoor)': { start, durationS: 360, sport: 'cycling', indoor: true, power: true, seed: 4 },
  'pool swim with lengths (indoor)': { start, durationS: 600, sport: 'swimming', indoor: true, laps: 4, seed: 5 },
  'ride with compressed timestamps and a developer field': { start, durationS: 300, sport: 'cycling', compressedTimestamps: true, power: true, developerField: true, seed: 6 },
};

/**
 * Real files that between them hold HRV, developer data, indoor records and compressed
 * timestamps; the larger ones get fewer damaged copies (the SDK decodes ~0.3 MB/s).
 */
const CORPUS_FILES: ReadonlyArray<readonly [file: string, cuts: number, flips: number]> = [
  ['garmin-fenix-5-run.fit', 6, 2],
  ['elemnt-bolt-no-application-id-inside-developer-data-id.fit', 6, 2],
  ['compressed-speed-distance.fit', 6, 2],
  ['antfs-dump.63.fit', 6, 2],
  ['sample-activity-indoor-trainer.fit', 2, 1],
  ['20170518-191602-1740899583.fit', 1, 1],
];

interface Sweep {
  readonly wrong: string[];
  readonly verdicts: Record<string, number>;
  /** Records kept of the clean file's, by kind of damage: the share a repair recovers. */
  readonly recovered: Record<string, number[]>;
}

async function judgeAll(clean: Uint8Array, cuts: number, flips: number): Promise<Sweep> {
  const wrong: string[] = [];
  const verdicts: Record<string, number> = { upload: 0, repair: 0, skip: 0 };
  const recovered: Record<string, number[]> = {};
  const cleanRecords = scanFit(clean).records;
  for (const copy of damagedCopies(clean, { cuts, flips })) {
    const { activity, problems } = await judgeRepair(copy.bytes);
    verdicts[activity.verdict]!++;
    if (activity.verdict === 'skip' && !/fewer than 2 timed records|no records decode|no file_id/.test(activity.reason)) {
      problems.push(`skipped: ${activity.reason}`);
    }
    const kept = activity.repaired ? scanFit(activity.repaired.bytes).records : 0;
    const kind = copy.what.replace(/ at \d+$|^cut .*/, (m) => (m.startsWith('cut') ? 'cut' : ''));
    (recovered[kind] ??= []).push(kept / cleanRecords);
    // Cut short, or a value flipped: nothing that decodes may go missing.
    if (kind === 'cut' && activity.repaired && kept !== scanFit(copy.bytes).records) problems.push(`${kept} of ${scanFit(copy.bytes).records} records kept`);
    if (kind === 'flip in the values of a record' && kept < cleanRecords - 1) problems.push(`${kept} of ${cleanRecords} records kept`);
    if (problems.length) wrong.push(`${copy.what} (${activity.reason}): ${problems.join('; ')}`);
  }
  return { wrong, verdicts, recovered };
}

describe('a damaged activity is repaired as FIT that the reference decoders read, with every value as the original had it', () => {
  it.each(Object.entries(GENERATED))('generated: %s', async (_name, options) => {
    const clean = generateFitActivity(options);
    expect(classifyFit(clean).verdict).toBe('upload');
    const { wrong, verdicts } = await judgeAll(clean, 8, 2);
    expect(wrong).toEqual([]);
    expect(verdicts.repair).toBeGreaterThan(15);
  });

  it.each(CORPUS_FILES)('corpus: %s (%i cuts, %i flips of each kind)', async (file, cuts, flips) => {
    const clean = corpus(file);
    const { wrong, verdicts } = await judgeAll(clean, cuts, flips);
    expect(wrong).toEqual([]);
    expect(verdicts.repair).toBeGreaterThanOrEqual(cuts);
  });

  it.each(['activity-filecrc.fit', 'activity-unexpected-eof.fit', 'nick.fit', 'strava-android-app-201.10-b1218918.fit'])(
    'corpus, damaged as found: %s',
    async (file) => {
      const { activity, problems } = await judgeRepair(corpus(file));
      expect(problems).toEqual([]);
      expect(activity.repaired?.format).toBe('fit');
    },
  );
});

describe('what a repair keeps', () => {
  it('keeps power, laps, developer fields and their descriptions, events and device info of a file cut in its last lap', async () => {
    const clean = generateFitActivity({ start, durationS: 420, power: true, laps: 3, developerField: true, seed: 2 });
    const cut = clean.slice(0, Math.floor(clean.length * 0.9));
    const a = classifyFit(cut);
    expect(a.reason).toMatch(/^truncated .*; uploading what decodes as a repaired FIT file \(\d+ records; summary rebuilt from records\)$/);
    const out = sdkDecode(a.repaired!.bytes);
    expect(out.errors).toEqual([]);
    const count = (num: number): number => out.messages.filter((m) => m.num === num).length;
    // file_id, device_info, developer_data_id, field_description, event, record, lap; then the rebuilt session and activity.
    expect([0, 23, 207, 206, 21, 20, 19, 18, 34].map(count)).toEqual([1, 1, 1, 1, 1, a.points, 3, 1, 1]);
    const records = out.messages.filter((m) => m.num === 20).map((m) => m.fields);
    expect(records.every((r) => typeof r['power'] === 'number' && typeof (r['developerFields'] as Record<string, number>)[0] === 'number')).toBe(true);
    // Lap 3 was cut off: the two laps the device closed are kept, and the rebuilt summary closes the third.
    const laps = out.messages.filter((m) => m.num === 19).map((m) => m.fields);
    expect(laps.map((l) => l['messageIndex'])).toEqual([0, 1, 2]);
    const lastRecord = records.at(-1)!;
    const lap2End = (laps[1]!['startTime'] as number) + (laps[1]!['totalElapsedTime'] as number) / 1000;
    expect(laps[2]).toMatchObject({ startTime: lap2End, totalElapsedTime: ((lastRecord['timestamp'] as number) - lap2End) * 1000 });
    expect(out.messages.find((m) => m.num === 18)!.fields).toMatchObject({ numLaps: 3, firstLapIndex: 0 });
  });

  it('rebuilds the session and activity of a cut-off activity from its records: start, elapsed and timer time, distance, sport', async () => {
    const clean = generateFitActivity({ start, durationS: 600, sport: 'swimming', indoor: true, laps: 4, seed: 5 });
    const a = classifyFit(clean.slice(0, Math.floor(clean.length * 0.8)));
    expect(a.reason).toContain('summary rebuilt from records');
    const out = sdkDecode(a.repaired!.bytes).messages;
    const records = out.filter((m) => m.num === 20).map((m) => m.fields);
    const first = records[0]!;
    const last = records.at(-1)!;
    const session = out.find((m) => m.num === 18)!.fields;
    expect(session).toMatchObject({
      startTime: first['timestamp'],
      totalElapsedTime: ((last['timestamp'] as number) - (first['timestamp'] as number)) * 1000,
      totalTimerTime: ((last['timestamp'] as number) - (first['timestamp'] as number)) * 1000,
      totalDistance: last['distance'],
      sport: 5, // swimming
      subSport: 17, // lap_swimming
      numLaps: 4, // the three the device closed before the cut, and the one rebuilt
    });
    expect(out.find((m) => m.num === 34)!.fields).toMatchObject({ numSessions: 1, totalTimerTime: session['totalTimerTime'] });
    // The pool's lengths are kept, every one that decodes.
    const lengths = out.filter((m) => m.num === 101).length;
    expect(lengths).toBeGreaterThan(10);
    expect(lengths).toBe(sdkDecode(clean.slice(0, Math.floor(clean.length * 0.8))).messages.filter((m) => m.num === 101).length);
    const again = classifyFit(a.repaired!.bytes);
    expect(again).toMatchObject({ verdict: 'upload', reason: 'complete activity file', sport: 'swimming', subSport: 'lap_swimming', activityType: 'swimming' });
    expect(again.durationS).toBe(session['totalElapsedTime'] as number / 1000);
    const parsed = await parseWithFitFileParser(a.repaired!.bytes);
    expect(parsed.sessions).toHaveLength(1);
  });

  it('writes compressed-timestamp records with normal headers and the time they decoded to, which the SDK can then read', async () => {
    const clean = corpus('compressed-speed-distance.fit');
    expect(sdkDecode(clean).errors[0]).toMatch(/compressed timestamp/);
    const damaged = clean.slice();
    damaged[damaged.length - 1]! ^= 0xff;
    const a = classifyFit(damaged);
    expect(a.repaired?.format).toBe('fit');
    const out = sdkDecode(a.repaired!.bytes);
    expect(out.errors).toEqual([]);
    const parsedClean = await parseWithFitFileParser(clean);
    const times = out.messages.filter((m) => m.num === 20).map((m) => m.fields['timestamp']);
    const expected = parsedClean.records.map((r) => (new Date(r['timestamp'] as string).getTime() - 631_065_600_000) / 1000);
    expect(times).toEqual(expected);
    expect(scanFit(a.repaired!.bytes)).toMatchObject({ records: 755, firstRecordTime: expected[0], lastRecordTime: expected.at(-1) });
  });

  it('stamps compressed-timestamp records of a big-endian file in its own byte order', async () => {
    const base = T0 - (T0 % 32) + 20;
    const fit = new RawFit(true);
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(1, 20, RECORD).data(1, [base, semi(45), semi(7), 3000, 100]);
    fit.define(2, 20, RECORD_NO_TIME);
    for (let i = 1; i <= 20; i++) fit.compressed(2, (base + i) & 0x1f, [semi(45 + i * 1e-4), semi(7), 100 + i]);
    const bytes = fit.file();
    bytes[bytes.length - 1]! ^= 0xff;
    const a = classifyFit(bytes);
    const out = sdkDecode(a.repaired!.bytes);
    expect(out.errors).toEqual([]);
    const records = out.messages.filter((m) => m.num === 20).map((m) => m.fields);
    expect(records.map((r) => r['timestamp'])).toEqual(Array.from({ length: 21 }, (_, i) => base + i));
    expect(records.map((r) => r['heartRate'])).toEqual(Array.from({ length: 21 }, (_, i) => 100 + i));
    const { problems } = await judgeRepair(bytes);
    expect(problems).toEqual([]);
  });

  it('leaves out developer data that would spoil the developer fields: no index, an impossible base type, a conflicting redefinition', async () => {
    const DEV_ID = [[3, 1, 0x02], [4, 4, 0x86]] as const; // developer_data_index, application_version
    const DESCRIPTION = [[0, 1, 0x02], [1, 1, 0x02], [2, 1, 0x02]] as const; // index, field number, base type
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(1, 207, DEV_ID).data(1, [0, 109]);
    fit.define(2, 206, DESCRIPTION).data(2, [0, 0, 0x84]);
    fit.define(3, 20, RECORD, [[0, 2, 0]]);
    for (let i = 0; i < 10; i++) fit.data(3, [T0 + i, semi(51 + i * 1e-4), semi(0.1), 3000, 100], [i, 1]);
    fit.data(1, [0, 999]); // index 0 again, another application: garbled
    fit.data(1, [0xff, 109]); // no index
    fit.data(2, [0, 1, 0x1f]); // a base type the protocol does not have
    for (let i = 10; i < 20; i++) fit.data(3, [T0 + i, semi(51 + i * 1e-4), semi(0.1), 3000, 100], [i, 1]);
    const bytes = fit.file();
    bytes[bytes.length - 1]! ^= 0xff;
    const a = classifyFit(bytes);
    expect(a.reason).toContain('3 garbled messages left out');
    const out = sdkDecode(a.repaired!.bytes);
    expect(out.errors).toEqual([]);
    expect(out.messages.filter((m) => m.num === 207).map((m) => m.fields['applicationVersion'])).toEqual([109]);
    expect(out.messages.filter((m) => m.num === 206)).toHaveLength(1);
    // Every record's developer field still decodes, after the garbled redefinition too.
    expect(out.messages.filter((m) => m.num === 20).map((m) => (m.fields['developerFields'] as Record<number, number>)[0])).toEqual(Array.from({ length: 20 }, (_, i) => 256 + i));
    expect((await judgeRepair(bytes)).problems).toEqual([]);
  });

  it('uploads the good first file of a chain as it is when a broken one follows', async () => {
    const good = generateFitActivity({ start, durationS: 120, power: true, seed: 8 });
    const broken = generateFitActivity({ start: new Date(start.getTime() + 3_600_000), durationS: 120, seed: 9 }).slice(0, 900);
    const a = classifyFit(Uint8Array.from([...good, ...broken]));
    expect(a).toMatchObject({ verdict: 'repair', repaired: { format: 'fit', bytes: good } });
    expect(a.reason).toMatch(/^second chained FIT file is truncated .*; uploading the intact first FIT file/);
  });
});
