/**
 * Repairs at scale: damaged copies (cut at many points, bits flipped in records, in
 * definitions and in the header, bytes lost) of every clean activity of the corpus and of
 * generated ones (power, laps, pool lengths, developer fields, compressed timestamps,
 * indoor), each judged against @garmin/fitsdk and fit-file-parser (src/testing/repair-judge.ts):
 * what goes up decodes without an error in both, and every message it keeps is the
 * original's decode. CI size: one cut and one flip of each kind of each file under 20 KB.
 * `MMT_SYNC_CHAOS=full`: every file, 40 cuts and 8 flips of each kind; generated files
 * of up to two hours. Results: bench/results/repair.json (share of records recovered by
 * kind of damage).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { damagedCopies } from '../../src/testing/fit-damage.js';
import { generateFitActivity, type FitActivityOptions } from '../../src/testing/fit-generator.js';
import { judgeRepair } from '../../src/testing/repair-judge.js';
import { scanFit } from '../../src/formats/fit/scan.js';
import { CORPUS, REPO } from '../helpers/cli.js';
import { expectedRows } from '../helpers/corpus.js';
import { FULL, machine, percentile, round, SIZE, writeResults } from './lib/fuzz-report.js';

const CUTS = FULL ? 40 : 1;
const FLIPS = FULL ? 8 : 1;
const MAX_CI_BYTES = 20_000;
const start = new Date('2025-04-06T09:00:00Z');

const GENERATED: Record<string, FitActivityOptions> = {
  'generated: 2-hour ride, power, 8 laps, developer field': { start, durationS: FULL ? 7200 : 120, sport: 'cycling', power: true, laps: 8, developerField: true, seed: 11 },
  'generated: pool swim, 6 laps': { start, durationS: FULL ? 3600 : 120, sport: 'swimming', indoor: true, laps: 6, seed: 12 },
  'generated: treadmill run, compressed timestamps': { start, durationS: FULL ? 3600 : 120, indoor: true, compressedTimestamps: true, seed: 13 },
};

function sources(): Array<{ readonly name: string; readonly bytes: Uint8Array }> {
  const corpus = expectedRows()
    .filter((row) => row.outcome === 'upload' && row.file.startsWith('fit/'))
    .map((row) => ({ name: row.file, bytes: new Uint8Array(readFileSync(join(CORPUS, row.file))) }))
    .filter((source) => FULL || source.bytes.length <= MAX_CI_BYTES);
  const generated = Object.entries(GENERATED).map(([name, options]) => ({ name, bytes: generateFitActivity(options) }));
  return [...corpus, ...generated];
}

it(`damaged copies of ${FULL ? 'every' : 'each small'} corpus activity and generated ones are repaired as FIT the reference decoders read, value for value`, async () => {
  const wrong: string[] = [];
  const verdicts: Record<string, number> = { upload: 0, repair: 0, skip: 0 };
  /** Records kept, of those the damaged file decodes, and of the clean file's. */
  const ofDecoded: Record<string, number[]> = {};
  const ofClean: Record<string, number[]> = {};
  let copies = 0;
  const began = Date.now();
  for (const source of sources()) {
    const records = scanFit(source.bytes).records;
    for (const copy of damagedCopies(source.bytes, { cuts: CUTS, flips: FLIPS })) {
      copies++;
      const { activity, problems } = await judgeRepair(copy.bytes);
      verdicts[activity.verdict]!++;
      const kind = copy.what.startsWith('cut') ? 'cut' : copy.what.replace(/ at \d+$/, '');
      const kept = activity.repaired ? scanFit(activity.repaired.bytes).records : 0;
      const decoded = scanFit(copy.bytes).records;
      if (decoded > 0) (ofDecoded[kind] ??= []).push(kept / decoded);
      if (records > 0) (ofClean[kind] ??= []).push(kept / records);
      if (problems.length) wrong.push(`${source.name}, ${copy.what} (${activity.reason}): ${problems.join('; ')}`);
    }
  }
  const shares = (by: Record<string, number[]>) => Object.fromEntries(
    Object.entries(by).map(([kind, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return [kind, { copies: list.length, median: round(percentile(sorted, 50), 3), p10: round(percentile(sorted, 10), 3), min: round(sorted[0] ?? 0, 3) }];
    }),
  );
  writeResults(
    {
      size: SIZE,
      date: new Date().toISOString(),
      machine: machine(),
      durationS: round((Date.now() - began) / 1000, 1),
      what: 'damaged copies of clean corpus activities and generated ones, each repaired and judged against @garmin/fitsdk and fit-file-parser',
      copies,
      verdicts,
      wrong: wrong.length,
      keptShareOfDecodedRecords: shares(ofDecoded),
      keptShareOfCleanRecords: shares(ofClean),
    },
    join(REPO, 'bench', 'results', 'repair.json'),
  );
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(verdicts.upload).toBe(0);
}, FULL ? 3_600_000 : 120_000);
