/**
 * Case `index` of a fuzz run: a seed file (or random bytes) and one to four
 * mutations, all drawn from a PRNG seeded with `(seed, index)`, so any single case
 * can be rebuilt without generating the ones before it.
 */
import { BYTE_MUTATORS, randomFile, splice } from './fuzz-bytes.js';
import { parseFit } from './fuzz-fit.js';
import { chainFiles, FIT_MUTATORS } from './fuzz-fit-mutators.js';
import { caseSeed, Rng } from './fuzz-rng.js';
import type { Seed } from './fuzz-seeds.js';
import { fromLatin1, toLatin1, XML_MUTATORS } from './fuzz-xml.js';

export interface FuzzCase {
  readonly index: number;
  /** The name the classifier is given (its extension matters when the content says nothing). */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The seed file, or how the bytes were made. */
  readonly origin: string;
  readonly mutations: readonly string[];
}

/** Mutated files are kept below this, so one case cannot dominate a run. */
const MAX_BYTES = 8 << 20;

const EXTENSIONS = ['fit', 'gpx', 'tcx', 'FIT', 'Gpx', 'txt', ''];

export function makeCase(seeds: readonly Seed[], seed: number, index: number): FuzzCase {
  const rng = new Rng(caseSeed(seed, index));
  const mutations: string[] = [];
  const fit = seeds.filter((s) => s.format === 'fit');
  const gpx = seeds.filter((s) => s.format === 'gpx');
  const tcx = seeds.filter((s) => s.format === 'tcx');
  const r = rng.float();

  let bytes: Uint8Array;
  let origin: string;
  let format: Seed['format'];
  if (r < 0.08) {
    const random = randomFile(rng);
    bytes = random.bytes;
    origin = random.label;
    format = rng.pick(['fit', 'gpx', 'tcx'] as const);
  } else if (r < 0.13) {
    const a = rng.pick(seeds);
    const b = rng.pick(seeds);
    bytes = splice(rng, a.bytes, b.bytes);
    origin = `splice:${a.name}+${b.name}`;
    format = a.format;
  } else {
    const base = r < 0.58 ? rng.pick(fit) : rng.chance(0.65) ? rng.pick(gpx) : rng.pick(tcx);
    origin = base.name;
    format = base.format;
    bytes = base.bytes;
    for (let steps = 1 + rng.logInt(3); steps > 0; steps--) {
      const step = format === 'fit' ? mutateFit(rng, bytes, fit) : mutateXml(rng, bytes);
      bytes = step.bytes;
      mutations.push(step.label);
    }
  }
  if (bytes.length > MAX_BYTES) {
    bytes = bytes.subarray(0, MAX_BYTES);
    mutations.push('capped');
  }
  const extension = rng.chance(0.85) ? format : rng.pick(EXTENSIONS);
  return { index, name: `fuzz-${index}${extension ? `.${extension}` : ''}`, bytes, origin, mutations };
}

function byteStep(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; label: string } {
  const names = Object.keys(BYTE_MUTATORS);
  for (let tries = 0; tries < 8; tries++) {
    const name = rng.pick(names);
    const out = BYTE_MUTATORS[name]!(rng, bytes);
    if (out) return { bytes: out, label: name };
  }
  return { bytes: BYTE_MUTATORS.insertRandom!(rng, bytes)!, label: 'insertRandom' };
}

function mutateFit(rng: Rng, bytes: Uint8Array, others: readonly Seed[]): { bytes: Uint8Array; label: string } {
  if (rng.chance(0.08)) return { bytes: chainFiles(rng, bytes, others.map((s) => s.bytes)), label: 'chainFiles' };
  const layout = rng.chance(0.75) ? parseFit(bytes) : undefined;
  if (layout) {
    const names = Object.keys(FIT_MUTATORS);
    for (let tries = 0; tries < 4; tries++) {
      const name = rng.pick(names);
      const out = FIT_MUTATORS[name]!(rng, bytes, layout);
      if (out) return { bytes: out, label: name };
    }
  }
  return byteStep(rng, bytes);
}

function mutateXml(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; label: string } {
  if (rng.chance(0.75)) {
    const names = Object.keys(XML_MUTATORS);
    const text = toLatin1(bytes);
    for (let tries = 0; tries < 4; tries++) {
      const name = rng.pick(names);
      const out = XML_MUTATORS[name]!(rng, text);
      if (out !== undefined) return { bytes: fromLatin1(out), label: name };
    }
  }
  return byteStep(rng, bytes);
}
