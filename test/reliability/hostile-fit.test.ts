/**
 * FIT files that are small for what they cost: the classifier's memory must not grow
 * with the number of chained files or with a repair's rebuilt track beyond a bound,
 * and its reason must stay a line a user can read. Each file is classified in a child
 * process (the fuzz child) so its peak RSS is its own.
 *
 * Inputs are generated (lib/fuzz-amplifiers.ts); copies of the failing ones are in
 * test/reliability/fixtures/ (see its README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CORPUS } from '../helpers/cli.js';
import { chainedEmptyFit, denseFitActivity } from './lib/fuzz-amplifiers.js';
import { ClassifierChild, type ChildOutcome } from './lib/fuzz-child.js';
import { FULL } from './lib/fuzz-report.js';

/** The fuzz suite's bound; a FIT file is at most the 64 MB intake cap. */
const RSS_BOUND_MB = 300;
const REASON_MAX_CHARS = 2_000;

async function classifyInChild(name: string, bytes: Uint8Array): Promise<{ outcome: ChildOutcome; peakRssMB: number }> {
  const child = new ClassifierChild();
  try {
    const outcome = await child.classify(name, bytes, 120_000, { checkRepair: false });
    return { outcome, peakRssMB: child.peakRssMB };
  } finally {
    await child.stop();
  }
}

function describe(outcome: ChildOutcome, peakRssMB: number): string {
  if (outcome.status !== 'verdict') return `${outcome.status} after ${Math.round(outcome.ms)} ms${'error' in outcome ? `: ${outcome.error.slice(0, 300)}` : ''}`;
  const reason = String(outcome.activity.reason);
  return `${String(outcome.activity.verdict)} in ${Math.round(outcome.ms)} ms, peak RSS ${Math.round(peakRssMB)} MB, reason of ${reason.length} chars: ${reason.slice(0, 120)}…`;
}

it('an activity followed by a million empty chained files, every CRC wrong (14 MB): a verdict with a short reason, in bounded memory', async () => {
  const bytes = chainedEmptyFit(new Uint8Array(readFileSync(join(CORPUS, 'fit', 'Activity.fit'))), 1_000_000, false);
  const { outcome, peakRssMB } = await classifyInChild('chained.fit', bytes);
  const what = describe(outcome, peakRssMB);
  expect(outcome.status, what).toBe('verdict');
  if (outcome.status !== 'verdict') return;
  expect(outcome.activity.verdict, what).toBe('repair');
  expect(String(outcome.activity.reason).length, what).toBeLessThanOrEqual(REASON_MAX_CHARS);
  expect(peakRssMB, what).toBeLessThan(RSS_BOUND_MB);
}, 180_000);

it(`an activity followed by ${FULL ? 4 : 2} million empty chained files with correct CRCs (${FULL ? 56 : 28} MB): bounded memory`, async () => {
  const bytes = chainedEmptyFit(new Uint8Array(readFileSync(join(CORPUS, 'fit', 'Activity.fit'))), FULL ? 4_000_000 : 2_000_000, true);
  const { outcome, peakRssMB } = await classifyInChild('chained-valid.fit', bytes);
  const what = describe(outcome, peakRssMB);
  expect(outcome.status, what).toBe('verdict');
  expect(peakRssMB, what).toBeLessThan(RSS_BOUND_MB);
}, 180_000);

/** 60 MB (just under the 64 MB cap) at full size; 30 MB at CI size is enough to show an unbounded repair. */
const DENSE_RECORDS = FULL ? 4_600_000 : 2_300_000;

it(`a ${FULL ? 60 : 30} MB FIT activity (under the 64 MB cap) of 13-byte records with a CRC mismatch: repaired in bounded memory`, async () => {
  const bytes = denseFitActivity(DENSE_RECORDS, true);
  expect(bytes.length).toBeLessThan(64 * 2 ** 20);
  const { outcome, peakRssMB } = await classifyInChild('dense.fit', bytes);
  const what = describe(outcome, peakRssMB) + (outcome.status === 'verdict' && outcome.activity.repaired ? `; repaired ${outcome.activity.repaired.format} of ${Math.round(outcome.activity.repaired.length / 2 ** 20)} MB` : '');
  expect(outcome.status, what).toBe('verdict');
  expect(peakRssMB, what).toBeLessThan(RSS_BOUND_MB);
}, 180_000);

it('the same activity with a correct CRC is uploaded as it is, in bounded memory', async () => {
  const { outcome, peakRssMB } = await classifyInChild('dense-clean.fit', denseFitActivity(DENSE_RECORDS, false));
  const what = describe(outcome, peakRssMB);
  expect(outcome.status, what).toBe('verdict');
  if (outcome.status === 'verdict') expect(outcome.activity.verdict, what).toBe('upload');
  expect(peakRssMB, what).toBeLessThan(RSS_BOUND_MB);
}, 180_000);
