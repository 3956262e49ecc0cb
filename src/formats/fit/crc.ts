/**
 * The FIT CRC-16 (the same polynomial as CRC-16/ARC: 0xA001 reflected, initial 0).
 * The FIT SDK computes it a nibble at a time. Checking the CRC is most of the work of
 * classifying a clean file, so this one takes 8 bytes a step ("slicing-by-8"):
 * table k holds the CRC of a byte followed by k zero bytes.
 */
const TABLES = buildTables();

function buildTables(): Uint16Array {
  const t = new Uint16Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    t[n] = crc;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/** CRC of bytes[start, end), continuing from `crc` (0 for a fresh computation). */
export function fitCrc(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  const t = TABLES;
  let i = start;
  for (const last = end - 8; i <= last; i += 8) {
    const x = crc ^ bytes[i]! ^ (bytes[i + 1]! << 8);
    crc =
      t[0x700 + (x & 0xff)]! ^
      t[0x600 + (x >>> 8)]! ^
      t[0x500 + bytes[i + 2]!]! ^
      t[0x400 + bytes[i + 3]!]! ^
      t[0x300 + bytes[i + 4]!]! ^
      t[0x200 + bytes[i + 5]!]! ^
      t[0x100 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
