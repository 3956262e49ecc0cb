/**
 * A tiny reading of the FIT protocol for the fuzzer, independent of src/formats/fit/:
 * header, definition and data records, compressed timestamps, developer fields, CRC.
 * It finds the record boundaries that fuzz-fit-mutators.ts cuts along, and puts a
 * file back together with its sizes and CRCs either recomputed or left as they were.
 */
import { concat } from './fuzz-rng.js';

/** CRC-16 of the FIT protocol, a byte at a time (independent of src/formats/fit/crc.ts). */
const CRC_TABLE = [0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401, 0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400];

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    let tmp = CRC_TABLE[crc & 0xf]!;
    crc = ((crc >> 4) & 0x0fff) ^ tmp ^ CRC_TABLE[b & 0xf]!;
    tmp = CRC_TABLE[crc & 0xf]!;
    crc = ((crc >> 4) & 0x0fff) ^ tmp ^ CRC_TABLE[(b >> 4) & 0xf]!;
  }
  return crc;
}

export interface FitField {
  readonly num: number;
  readonly size: number;
  readonly type: number;
  /** Offset in a data message's content (after its record header). */
  readonly offset: number;
}

export interface FitRecord {
  readonly start: number;
  readonly end: number;
  readonly kind: 'definition' | 'data';
  readonly local: number;
  /** For a definition: its message number, fields and byte order. For data: those of its definition. */
  readonly global: number;
  readonly little: boolean;
  readonly fields: readonly FitField[];
}

export interface FitLayout {
  readonly headerSize: number;
  readonly dataSize: number;
  readonly dataStart: number;
  /** Where the first file's data ends (declared), clamped to the bytes. */
  readonly dataEnd: number;
  /** Records that decode, in order, until the first that does not. */
  readonly records: readonly FitRecord[];
  /** Everything after the first file's CRC (chained files). */
  readonly tail: Uint8Array;
}

/** The first FIT file's layout, or undefined when there is no FIT header. */
export function parseFit(bytes: Uint8Array): FitLayout | undefined {
  if (bytes.length < 12 || bytes[0]! < 12 || bytes[8] !== 0x2e || bytes[9] !== 0x46 || bytes[10] !== 0x49 || bytes[11] !== 0x54) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = bytes[0]!;
  const dataSize = view.getUint32(4, true);
  const dataStart = headerSize;
  const dataEnd = Math.min(bytes.length, dataStart + dataSize);
  const defs: (FitRecord | undefined)[] = [];
  const records: FitRecord[] = [];
  let p = dataStart;
  while (p < dataEnd) {
    const h = bytes[p]!;
    if (h & 0x80) {
      const def = defs[(h >> 5) & 3];
      if (!def || p + 1 + size(def) > dataEnd) break;
      records.push({ ...def, kind: 'data', start: p, end: p + 1 + size(def), local: (h >> 5) & 3 });
      p += 1 + size(def);
    } else if (h & 0x40) {
      if (p + 6 > dataEnd) break;
      const little = bytes[p + 2] === 0;
      const global = little ? view.getUint16(p + 3, true) : view.getUint16(p + 3, false);
      const count = bytes[p + 5]!;
      let q = p + 6;
      if (q + count * 3 > dataEnd) break;
      const fields: FitField[] = [];
      let offset = 0;
      for (let i = 0; i < count; i++, q += 3) {
        fields.push({ num: bytes[q]!, size: bytes[q + 1]!, type: bytes[q + 2]! & 0x1f, offset });
        offset += bytes[q + 1]!;
      }
      if (h & 0x20) {
        if (q + 1 > dataEnd) break;
        const dev = bytes[q++]!;
        if (q + dev * 3 > dataEnd) break;
        for (let i = 0; i < dev; i++, q += 3) {
          fields.push({ num: -1, size: bytes[q + 1]!, type: 0, offset });
          offset += bytes[q + 1]!;
        }
      }
      const def: FitRecord = { kind: 'definition', start: p, end: q, local: h & 0x0f, global, little, fields };
      defs[h & 0x0f] = def;
      records.push(def);
      p = q;
    } else {
      const def = defs[h & 0x0f];
      if (!def || p + 1 + size(def) > dataEnd) break;
      records.push({ ...def, kind: 'data', start: p, end: p + 1 + size(def), local: h & 0x0f });
      p += 1 + size(def);
    }
  }
  const tail = bytes.subarray(Math.min(bytes.length, dataStart + dataSize + 2));
  return { headerSize, dataSize, dataStart, dataEnd, records, tail };
}

function size(def: FitRecord): number {
  let n = 0;
  for (const f of def.fields) n += f.size;
  return n;
}

/**
 * Header + body + CRC (+ tail). `fix` rewrites the data size and both CRCs so the
 * file looks intact; otherwise the original header and CRC bytes are kept as they were.
 */
export function assemble(original: Uint8Array, layout: FitLayout, body: Uint8Array, fix: boolean, tail = layout.tail): Uint8Array {
  const header = original.slice(0, layout.headerSize);
  const view = new DataView(header.buffer);
  let crc: Uint8Array;
  if (fix) {
    view.setUint32(4, body.length, true);
    if (layout.headerSize >= 14) view.setUint16(12, crc16(header, 0, 12), true);
    const both = concat(header, body);
    const c = crc16(both);
    crc = new Uint8Array([c & 0xff, c >> 8]);
  } else {
    const at = layout.dataStart + layout.dataSize;
    crc = original.slice(Math.min(at, original.length), Math.min(at + 2, original.length));
  }
  return concat(header, body, crc, tail);
}
