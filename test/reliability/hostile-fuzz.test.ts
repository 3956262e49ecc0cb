/**
 * Fuzz: thousands of seeded mutations of the corpus (FIT structure-aware, XML-aware and
 * blind) plus random bytes with FIT/GPX/TCX names, each classified by the built
 * classifier in a child process. Every file must get a verdict with a one-line reason:
 * no throw, no crash, no hang (per-file bound), bounded memory.
 *
 * CI size: 600 files. `MMT_SYNC_CHAOS=full`: 10,000. MMT_SYNC_FUZZ_SEED and
 * MMT_SYNC_FUZZ_FILES override the seed and the count. Results: bench/results/fuzz.json.
 * A failing input is kept under test/reliability/fixtures/ with how it was made.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { expectedRows } from '../helpers/corpus.js';
import { ClassifierChild, type ChildOutcome } from './lib/fuzz-child.js';
import { makeCase, type FuzzCase } from './lib/fuzz-cases.js';
import { assemble, crc16, parseFit } from './lib/fuzz-fit.js';
import { FIXTURES, FULL, machine, percentile, round, SIZE, writeResults } from './lib/fuzz-report.js';
import { loadSeeds } from './lib/fuzz-seeds.js';

const FILES = Number(process.env.MMT_SYNC_FUZZ_FILES) || (FULL ? 10_000 : 600);
const SEED = Number(process.env.MMT_SYNC_FUZZ_SEED ?? 0x6d6d7473) >>> 0;
/** Hang detection only: a verdict takes milliseconds; this is orders of magnitude more. */
const HANG_MS = 5_000;
const RSS_BOUND_MB = 300;
const VERDICTS = new Set(['upload', 'repair', 'skip']);
const FORMATS = new Set(['fit', 'gpx', 'tcx', 'unknown']);

type Failure = { kind: 'crash' | 'hang' | 'invalid' | 'bad-repair'; detail: string };

/** What is wrong with one outcome, if anything. */
function judge(outcome: ChildOutcome): Failure | undefined {
  switch (outcome.status) {
    case 'hang':
      return { kind: 'hang', detail: `no verdict within ${HANG_MS} ms` };
    case 'died':
      return { kind: 'crash', detail: `the classifier process died: ${outcome.error}` };
    case 'threw':
      return { kind: 'crash', detail: `classifyFile threw: ${outcome.error}` };
  }
  const a = outcome.activity;
  if (!VERDICTS.has(a.verdict as string)) return { kind: 'invalid', detail: `verdict ${JSON.stringify(a.verdict)}` };
  if (!FORMATS.has(a.format as string)) return { kind: 'invalid', detail: `format ${JSON.stringify(a.format)}` };
  if (typeof a.reason !== 'string' || a.reason.trim() === '') return { kind: 'invalid', detail: `reason ${JSON.stringify(a.reason)}` };
  if (/[\r\n]/.test(a.reason)) return { kind: 'invalid', detail: `reason spans lines: ${JSON.stringify(a.reason.slice(0, 300))}` };
  if ((a.verdict === 'repair') !== (a.repaired !== undefined)) return { kind: 'invalid', detail: `verdict ${String(a.verdict)} with repaired=${JSON.stringify(a.repaired)}` };
  if (a.repaired && a.repaired.length === 0) return { kind: 'invalid', detail: 'repair with empty repaired bytes' };
  if (a.repaired && outcome.repairedVerdict !== 'upload') {
    return { kind: 'bad-repair', detail: `the repaired ${a.repaired.format} is itself judged ${outcome.repairedVerdict}: ${outcome.repairedReason}` };
  }
  return undefined;
}

function keep(c: FuzzCase, failure: Failure): string {
  mkdirSync(FIXTURES, { recursive: true });
  const base = join(FIXTURES, `fuzz-${SEED.toString(16)}-${c.index}-${c.name}`);
  writeFileSync(base, c.bytes);
  writeFileSync(`${base}.json`, `${JSON.stringify({ seed: SEED, index: c.index, name: c.name, origin: c.origin, mutations: c.mutations, ...failure }, null, 2)}\n`);
  return base;
}

it('the fuzzer reads every clean corpus FIT file to its end and rebuilds it byte for byte (so its structural mutations are real)', () => {
  const clean = new Set(expectedRows().filter((r) => r.outcome !== 'repair' && r.file.startsWith('fit/')).map((r) => r.file.slice(4)));
  const seeds = loadSeeds().filter((s) => s.format === 'fit' && (clean.has(s.name) || s.name.startsWith('generated')));
  expect(seeds.length).toBeGreaterThan(30);
  for (const seed of seeds) {
    const layout = parseFit(seed.bytes)!;
    expect(layout, seed.name).toBeDefined();
    const last = layout.records[layout.records.length - 1]!;
    expect(last.end, `${seed.name}: records stop early`).toBe(layout.dataEnd);
    const stored = seed.bytes[layout.dataEnd]! | (seed.bytes[layout.dataEnd + 1]! << 8);
    expect(crc16(seed.bytes, 0, layout.dataEnd), seed.name).toBe(stored);
    const headerCrcKept = layout.headerSize < 14 || (seed.bytes[12]! | seed.bytes[13]!) !== 0;
    if (headerCrcKept) expect(Buffer.compare(assemble(seed.bytes, layout, seed.bytes.subarray(layout.dataStart, layout.dataEnd), true), seed.bytes), seed.name).toBe(0);
  }
});

it('a case is the same bytes whenever it is made (a failure can be rebuilt from seed and index)', () => {
  const seeds = loadSeeds();
  for (const index of [0, 1, 17, 599, 9_999]) {
    const a = makeCase(seeds, SEED, index);
    const b = makeCase(seeds, SEED, index);
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    expect(a.mutations).toEqual(b.mutations);
  }
});

it(`${FILES} mutated and random files (seed ${SEED.toString(16)}): each gets a verdict with a one-line reason; no crash, no hang, bounded memory`, async () => {
  const started = Date.now();
  const seeds = loadSeeds();
  const child = new ClassifierChild();
  const times: number[] = [];
  const verdictCounts: Record<string, number> = { upload: 0, repair: 0, skip: 0 };
  const failures: Array<Failure & { index: number; name: string; origin: string; mutations: readonly string[]; kept?: string }> = [];
  const mutationCounts: Record<string, number> = {};
  const originCounts: Record<string, number> = {};
  const slowest: Array<{ index: number; name: string; origin: string; mutations: readonly string[]; bytes: number; ms: number }> = [];
  let bytesTotal = 0;
  let maxReasonChars = 0;
  try {
    for (let index = 0; index < FILES; index++) {
      const c = makeCase(seeds, SEED, index);
      bytesTotal += c.bytes.length;
      for (const m of c.mutations) mutationCounts[m] = (mutationCounts[m] ?? 0) + 1;
      const origin = c.origin.startsWith('random') || c.origin.startsWith('splice') ? c.origin.split(':')[0]! : c.origin.split('.').pop()!.toLowerCase();
      originCounts[origin] = (originCounts[origin] ?? 0) + 1;

      const outcome = await child.classify(c.name, c.bytes, HANG_MS);
      const failure = judge(outcome);
      if (failure) {
        failures.push({ ...failure, index, name: c.name, origin: c.origin, mutations: c.mutations, ...(failures.length < 20 ? { kept: keep(c, failure) } : {}) });
        continue;
      }
      if (outcome.status !== 'verdict') continue;
      times.push(outcome.ms);
      verdictCounts[outcome.activity.verdict as string]!++;
      maxReasonChars = Math.max(maxReasonChars, (outcome.activity.reason as string).length);
      if (slowest.length < 5 || outcome.ms > slowest[slowest.length - 1]!.ms) {
        slowest.push({ index, name: c.name, origin: c.origin, mutations: c.mutations, bytes: c.bytes.length, ms: round(outcome.ms) });
        slowest.sort((a, b) => b.ms - a.ms).splice(5);
      }
    }
  } finally {
    await child.stop();
  }

  const sorted = times.slice().sort((a, b) => a - b);
  const count = (kind: Failure['kind']) => failures.filter((f) => f.kind === kind).length;
  const summary = {
    name: 'fuzz',
    size: SIZE,
    files: FILES,
    crashes: count('crash'),
    hangs: count('hang'),
    invalidVerdicts: count('invalid'),
    badRepairs: count('bad-repair'),
    maxMsPerFile: round(sorted[sorted.length - 1] ?? 0),
    p99MsPerFile: round(percentile(sorted, 99)),
    medianMsPerFile: round(percentile(sorted, 50)),
    peakRssMB: round(child.peakRssMB, 1),
    verdictCounts,
    seed: SEED,
    date: new Date().toISOString(),
    durationS: round((Date.now() - started) / 1000, 1),
    bounds: { hangMsPerFile: HANG_MS, peakRssMB: RSS_BOUND_MB },
    mbClassified: round(bytesTotal / 2 ** 20, 1),
    maxReasonChars,
    origins: originCounts,
    mutations: mutationCounts,
    slowest,
    failures: failures.slice(0, 50),
    machine: machine(),
  };
  writeResults(summary);

  const list = failures.slice(0, 10).map((f) => `#${f.index} ${f.name} (${f.origin} ${f.mutations.join('+')}): ${f.kind}: ${f.detail.slice(0, 400)}${f.kept ? ` [kept: ${f.kept}]` : ''}`);
  expect(list, 'failing cases').toEqual([]);
  expect(summary.crashes).toBe(0);
  expect(summary.hangs).toBe(0);
  expect(summary.invalidVerdicts).toBe(0);
  expect(summary.badRepairs).toBe(0);
  expect(times.length).toBe(FILES);
  expect(verdictCounts.upload! + verdictCounts.repair! + verdictCounts.skip!).toBe(FILES);
  expect(summary.peakRssMB).toBeGreaterThan(0);
  expect(summary.peakRssMB).toBeLessThan(RSS_BOUND_MB);
}, FULL ? 1_800_000 : 300_000);
