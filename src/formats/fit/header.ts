import { fitCrc } from './crc.js';

/** The 12- or 14-byte header in front of every FIT file (and every chained one). */
export interface FitHeader {
  readonly headerSize: number;
  readonly dataSize: number;
  /** False when a 14-byte header carries a nonzero CRC that does not match. */
  readonly headerCrcOk: boolean;
}

const SIGNATURE = [0x2e, 0x46, 0x49, 0x54]; // ".FIT"

/** The header at `offset`, or undefined when there is no FIT header there. */
export function readHeader(bytes: Uint8Array, offset: number): FitHeader | undefined {
  if (bytes.length - offset < 12) return undefined;
  const headerSize = bytes[offset]!;
  if (headerSize < 12 || bytes.length - offset < headerSize) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[offset + 8 + i] !== SIGNATURE[i]) return undefined;
  const dataSize =
    (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 24)) >>> 0;
  let headerCrcOk = true;
  if (headerSize >= 14) {
    const stored = bytes[offset + 12]! | (bytes[offset + 13]! << 8);
    // A zero header CRC means "not computed" in the protocol.
    headerCrcOk = stored === 0 || stored === fitCrc(bytes, offset, offset + 12);
  }
  return { headerSize, dataSize, headerCrcOk };
}
