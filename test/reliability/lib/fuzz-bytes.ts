/**
 * Format-blind mutations: what a bad cable, a dying SD card or a half-finished copy
 * does to a file. Each returns new bytes and never modifies its input.
 */
import { concat, type Rng } from './fuzz-rng.js';

export type Mutator = (rng: Rng, bytes: Uint8Array) => Uint8Array | undefined;

/** Values that tend to sit on a parser's edges: sizes, signs, flags. */
export const INTERESTING = [0x00, 0x01, 0x0c, 0x0e, 0x20, 0x3c, 0x3e, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff] as const;

const bitFlips: Mutator = (rng, bytes) => {
  if (bytes.length === 0) return undefined;
  const out = bytes.slice();
  const flips = 1 + rng.logInt(Math.min(256, Math.max(1, bytes.length >> 8)));
  for (let i = 0; i < flips; i++) {
    const at = rng.int(0, out.length);
    out[at] = out[at]! ^ (1 << rng.int(0, 8));
  }
  return out;
};

const interestingBytes: Mutator = (rng, bytes) => {
  if (bytes.length === 0) return undefined;
  const out = bytes.slice();
  const n = 1 + rng.logInt(16);
  for (let i = 0; i < n; i++) out[rng.int(0, out.length)] = rng.pick(INTERESTING);
  return out;
};

/** Cut short, most often near the start or the end (where headers and CRCs live). */
const truncate: Mutator = (rng, bytes) => {
  if (bytes.length === 0) return undefined;
  const r = rng.float();
  const at = r < 0.3 ? rng.int(0, Math.min(bytes.length, 32)) : r < 0.6 ? bytes.length - 1 - rng.logInt(Math.min(64, bytes.length - 1)) : rng.int(0, bytes.length);
  return bytes.slice(0, Math.max(0, at));
};

const insertRandom: Mutator = (rng, bytes) => {
  const at = rng.int(0, bytes.length + 1);
  return concat(bytes.subarray(0, at), rng.bytes(1 + rng.logInt(4096)), bytes.subarray(at));
};

const deleteBlock: Mutator = (rng, bytes) => {
  if (bytes.length < 2) return undefined;
  const at = rng.int(0, bytes.length);
  const len = 1 + rng.logInt(Math.min(bytes.length - at, 8192) - 1);
  return concat(bytes.subarray(0, at), bytes.subarray(at + len));
};

/** A block of the file copied elsewhere in it (a sector written twice). */
const duplicateBlock: Mutator = (rng, bytes) => {
  if (bytes.length < 2) return undefined;
  const from = rng.int(0, bytes.length);
  const len = 1 + rng.logInt(Math.min(bytes.length - from, 16384) - 1);
  const to = rng.int(0, bytes.length + 1);
  return concat(bytes.subarray(0, to), bytes.subarray(from, from + len), bytes.subarray(to));
};

/** A zeroed or 0xff-filled stretch (an unwritten flash page). */
const blankBlock: Mutator = (rng, bytes) => {
  if (bytes.length === 0) return undefined;
  const out = bytes.slice();
  const at = rng.int(0, out.length);
  out.fill(rng.chance(0.5) ? 0 : 0xff, at, at + 1 + rng.logInt(4096));
  return out;
};

export const BYTE_MUTATORS: Readonly<Record<string, Mutator>> = {
  bitFlips,
  interestingBytes,
  truncate,
  insertRandom,
  deleteBlock,
  duplicateBlock,
  blankBlock,
};

/** The head of one file glued onto the tail of another. */
export function splice(rng: Rng, a: Uint8Array, b: Uint8Array): Uint8Array {
  return concat(a.subarray(0, rng.int(0, a.length + 1)), b.subarray(rng.int(0, b.length + 1)));
}

/** Random bytes, sometimes behind a prefix that gets them past format sniffing. */
export function randomFile(rng: Rng): { bytes: Uint8Array; label: string } {
  const body = rng.bytes(rng.logInt(256 * 1024));
  const r = rng.float();
  if (r < 0.35) return { bytes: body, label: 'random' };
  if (r < 0.7) {
    // A plausible FIT header with a random data size (and a zero header CRC, "not computed").
    const header = new Uint8Array(rng.chance(0.5) ? 14 : 12);
    header[0] = header.length;
    header[1] = 0x20;
    header.set([0x08, 0x08], 2);
    new DataView(header.buffer).setUint32(4, rng.chance(0.5) ? body.length : rng.u32(), true);
    header.set([0x2e, 0x46, 0x49, 0x54], 8);
    return { bytes: concat(header, body), label: 'random-with-fit-header' };
  }
  const prefix = rng.pick([
    '<?xml version="1.0"?><gpx version="1.1" creator="fuzz"><trk><trkseg>',
    '<gpx>',
    '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>',
    '<TrainingCenterDatabase>',
  ]);
  return { bytes: concat(new TextEncoder().encode(prefix), body), label: 'random-with-xml-prefix' };
}
