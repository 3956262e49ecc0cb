/**
 * FIT-aware mutations: whole messages duplicated, removed or reordered, definitions
 * given 255 fields, header sizes lied about, and the CRC either left wrong or
 * recomputed (a file that looks intact but says nonsense reaches the deepest code paths).
 */
import { assemble, crc16, type FitLayout, type FitRecord } from './fuzz-fit.js';
import { concat, type Rng } from './fuzz-rng.js';

/** The body rebuilt from the records in a new order (and the undecoded rest of the data kept). */
function rebuild(bytes: Uint8Array, layout: FitLayout, order: readonly FitRecord[]): Uint8Array {
  const last = layout.records[layout.records.length - 1];
  const rest = bytes.subarray(last ? last.end : layout.dataStart, layout.dataEnd);
  return concat(...order.map((r) => bytes.subarray(r.start, r.end)), rest);
}

export type FitMutator = (rng: Rng, bytes: Uint8Array, layout: FitLayout) => Uint8Array | undefined;

/** Recompute sizes and CRCs about half the time, so both the repair and the upload paths see the damage. */
const fixSometimes = (rng: Rng) => rng.chance(0.5);

const duplicateRecords: FitMutator = (rng, bytes, layout) => {
  const n = layout.records.length;
  if (n === 0) return undefined;
  const from = rng.int(0, n);
  const len = 1 + rng.logInt(Math.min(64, n - from) - 1);
  const copies = 1 + rng.logInt(rng.chance(0.1) ? 200 : 3);
  const at = rng.chance(0.5) ? from + len : rng.int(0, n + 1);
  const chunk = layout.records.slice(from, from + len);
  const order = [...layout.records.slice(0, at), ...Array.from({ length: copies }, () => chunk).flat(), ...layout.records.slice(at)];
  return assemble(bytes, layout, rebuild(bytes, layout, order), fixSometimes(rng));
};

const removeRecords: FitMutator = (rng, bytes, layout) => {
  const n = layout.records.length;
  if (n === 0) return undefined;
  const from = rng.int(0, n);
  const len = 1 + rng.logInt(n - from - 1);
  const order = [...layout.records.slice(0, from), ...layout.records.slice(from + len)];
  return assemble(bytes, layout, rebuild(bytes, layout, order), fixSometimes(rng));
};

/** Definitions in particular: removing one makes every later record of its type undefined. */
const removeDefinition: FitMutator = (rng, bytes, layout) => {
  const defs = layout.records.filter((r) => r.kind === 'definition');
  if (defs.length === 0) return undefined;
  const victim = rng.pick(defs);
  return assemble(bytes, layout, rebuild(bytes, layout, layout.records.filter((r) => r !== victim)), fixSometimes(rng));
};

const swapRecords: FitMutator = (rng, bytes, layout) => {
  const n = layout.records.length;
  if (n < 2) return undefined;
  const order = layout.records.slice();
  for (let k = 1 + rng.logInt(8); k > 0; k--) {
    const i = rng.int(0, n);
    const j = rng.int(0, n);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return assemble(bytes, layout, rebuild(bytes, layout, order), fixSometimes(rng));
};

const wrongDataSize: FitMutator = (rng, bytes, layout) => {
  const out = bytes.slice();
  const size = layout.dataSize;
  const value = rng.pick([0, 1, size - 1, size + 1, size + 2, size * 2, bytes.length, 0x7fffffff, 0xffffffff, rng.u32(), rng.int(0, bytes.length)]);
  new DataView(out.buffer).setUint32(4, value >>> 0, true);
  return out;
};

const wrongHeaderSize: FitMutator = (rng, bytes) => {
  const out = bytes.slice();
  out[0] = rng.pick([0, 1, 11, 12, 13, 14, 15, 16, 64, 255, rng.int(0, 256)]);
  return out;
};

/** 255 fields (of whatever sizes follow): the largest definition a byte can declare. */
const hugeFieldCount: FitMutator = (rng, bytes, layout) => {
  const defs = layout.records.filter((r) => r.kind === 'definition');
  if (defs.length === 0) return undefined;
  const out = bytes.slice();
  for (let k = 1 + rng.logInt(4); k > 0; k--) {
    const def = rng.pick(defs);
    if (rng.chance(0.7)) out[def.start + 5] = 255;
    else {
      // Developer data flag on, with a developer field count of 255 right after the fields.
      out[def.start] = out[def.start]! | 0x20;
      const at = def.start + 6 + out[def.start + 5]! * 3;
      if (at < out.length) out[at] = 255;
    }
  }
  return rng.chance(0.3) ? assemble(out, layout, out.subarray(layout.dataStart, layout.dataEnd), true) : out;
};

/** Field sizes of 0 or 255, sizes that are no multiple of their type, unknown base types. */
const wrongFieldSizes: FitMutator = (rng, bytes, layout) => {
  const defs = layout.records.filter((r) => r.kind === 'definition' && r.fields.length > 0);
  if (defs.length === 0) return undefined;
  const out = bytes.slice();
  for (let k = 1 + rng.logInt(8); k > 0; k--) {
    const def = rng.pick(defs);
    const i = rng.int(0, Math.min(def.fields.length, bytes[def.start + 5]!));
    const at = def.start + 6 + i * 3;
    if (at + 2 >= out.length) continue;
    if (rng.chance(0.6)) out[at + 1] = rng.pick([0, 1, 3, 5, 7, 255, rng.int(0, 256)]);
    else out[at + 2] = rng.pick([0x00, 0x07, 0x84, 0x86, 0x88, 0x89, 0x8e, 0x8f, 0x90, 0x1f, 0xff, rng.int(0, 256)]);
  }
  return rng.chance(0.5) ? assemble(out, layout, out.subarray(layout.dataStart, layout.dataEnd), true) : out;
};

/** Byte order, message number and local type of definitions; record header bits of data. */
const wrongRecordHeaders: FitMutator = (rng, bytes, layout) => {
  const n = layout.records.length;
  if (n === 0) return undefined;
  const out = bytes.slice();
  for (let k = 1 + rng.logInt(16); k > 0; k--) {
    const r = layout.records[rng.int(0, n)]!;
    const what = rng.int(0, 5);
    if (what === 0 && r.kind === 'definition') out[r.start + 2] = rng.pick([0, 1, 2, 255]);
    else if (what === 1 && r.kind === 'definition') {
      const global = rng.pick([0, 12, 18, 20, 23, 34, 0xffff, rng.int(0, 0x10000)]);
      out[r.start + (r.little ? 3 : 4)] = global & 0xff;
      out[r.start + (r.little ? 4 : 3)] = global >> 8;
    } else if (what === 2) out[r.start] = (out[r.start]! & 0xf0) | rng.int(0, 16);
    else if (what === 3 && r.kind === 'data') out[r.start] = 0x80 | (r.local << 5) | rng.int(0, 32);
    else out[r.start] = rng.pick([0x40, 0x60, 0x4f, 0x80, 0xff, 0x00, 0x0f, rng.int(0, 256)]);
  }
  return rng.chance(0.5) ? assemble(out, layout, out.subarray(layout.dataStart, layout.dataEnd), true) : out;
};

/** Every data record of one type turned into compressed-timestamp records (time offsets in the header). */
const compressTimestamps: FitMutator = (rng, bytes, layout) => {
  const data = layout.records.filter((r) => r.kind === 'data' && r.local < 4);
  if (data.length === 0) return undefined;
  const local = rng.pick(data).local;
  const out = bytes.slice();
  for (const r of data) if (r.local === local) out[r.start] = 0x80 | (local << 5) | rng.int(0, 32);
  return assemble(out, layout, out.subarray(layout.dataStart, layout.dataEnd), fixSometimes(rng));
};

/** Extreme values in real fields (timestamps, positions, distances, file types), CRC fixed so they look true. */
const extremeValues: FitMutator = (rng, bytes, layout) => {
  const data = layout.records.filter((r) => r.kind === 'data' && r.fields.length > 0);
  if (data.length === 0) return undefined;
  const out = bytes.slice();
  const target = rng.pick(data);
  const field = rng.pick(target.fields);
  const all = rng.chance(0.5);
  for (const r of data) {
    if (r.global !== target.global || (!all && r !== target)) continue;
    const f = r.fields.find((x) => x.num === field.num && x.offset === field.offset);
    if (!f || f.size === 0) continue;
    // All zeros, all ones, the largest or the smallest signed value, in the record's byte order.
    const pattern = rng.int(0, 4);
    const at = r.start + 1 + f.offset;
    for (let i = 0; i < f.size && at + i < r.end; i++) {
      const top = i === (r.little ? f.size - 1 : 0);
      out[at + i] = pattern === 0 ? 0 : pattern === 1 ? 0xff : pattern === 2 ? (top ? 0x7f : 0xff) : top ? 0x80 : 0;
    }
  }
  return assemble(out, layout, out.subarray(layout.dataStart, layout.dataEnd), !rng.chance(0.2));
};

const corruptCrc: FitMutator = (rng, bytes, layout) => {
  const out = bytes.slice();
  const which = rng.int(0, 3);
  if (which === 0 && layout.headerSize >= 14) out[12] = out[12]! ^ (1 + rng.int(0, 255));
  else {
    const at = layout.dataStart + layout.dataSize + rng.int(0, 2);
    if (at >= out.length) return undefined;
    out[at] = out[at]! ^ (1 + rng.int(0, 255));
  }
  return out;
};

/** Garbled content behind a correct CRC: only the structure can tell. */
const flipsBehindGoodCrc: FitMutator = (rng, bytes, layout) => {
  const body = bytes.slice(layout.dataStart, layout.dataEnd);
  if (body.length === 0) return undefined;
  for (let k = 1 + rng.logInt(32); k > 0; k--) {
    const at = rng.int(0, body.length);
    body[at] = body[at]! ^ (1 << rng.int(0, 8));
  }
  return assemble(bytes, layout, body, true);
};

/** More files chained after this one: copies, other seeds, or thousands of empty ones. */
export function chainFiles(rng: Rng, bytes: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const r = rng.float();
  if (r < 0.2) {
    // Many empty files (header + CRC): a reason that lists every chained file would grow without bound.
    const empty = new Uint8Array([12, 0x20, 0x08, 0x08, 0, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0]);
    const bad = rng.chance(0.5);
    if (!bad) empty.set([crc16(empty, 0, 12) & 0xff, crc16(empty, 0, 12) >> 8], 12);
    return concat(bytes, ...Array.from({ length: 1 + rng.logInt(5000) }, () => empty));
  }
  const parts = [bytes];
  for (let k = 1 + rng.logInt(4); k > 0; k--) parts.push(rng.chance(0.3) ? bytes : rng.pick(others));
  return concat(...parts);
}

export const FIT_MUTATORS: Readonly<Record<string, FitMutator>> = {
  duplicateRecords,
  removeRecords,
  removeDefinition,
  swapRecords,
  wrongDataSize,
  wrongHeaderSize,
  hugeFieldCount,
  wrongFieldSizes,
  wrongRecordHeaders,
  compressTimestamps,
  extremeValues,
  corruptCrc,
  flipsBehindGoodCrc,
};
