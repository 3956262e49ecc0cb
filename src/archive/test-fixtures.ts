/**
 * Archives for tests: honest ones written by yazl (a zip writer nobody here wrote), and
 * hostile ones crafted byte by byte (bombs, lying central directories, unsafe names),
 * which no honest writer can produce.
 */
import { writeFileSync } from 'node:fs';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import yazl from 'yazl';

export interface HonestEntry {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** @default true */
  readonly compress?: boolean;
}

/** A zip as a real zip writer makes it. */
export function zipOf(entries: readonly HonestEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date('2025-05-01T08:00:00Z');
  for (const entry of entries) {
    if (entry.name.endsWith('/')) zip.addEmptyDirectory(entry.name, { mtime });
    else zip.addBuffer(Buffer.from(entry.data), entry.name, { compress: entry.compress ?? true, mtime });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

export const gz = (data: Uint8Array | string): Buffer => gzipSync(Buffer.from(data));

/**
 * Raw deflate data that inflates to `mb` MiB of zeros, about 1 KB per MiB: one
 * self-contained block (a full flush resets the compressor) repeated, then a final empty block.
 */
export function zerosDeflated(mb: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array.from({ length: mb }, () => block), Buffer.from([0x03, 0x00])]);
}

/** A gzip file that inflates to `mb` MiB of zeros (its trailer's CRC is never reached). */
export function gzipBomb(mb: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE((mb * (1 << 20)) >>> 0, 4);
  return Buffer.concat([header, zerosDeflated(mb), trailer]);
}

export interface CraftedEntry {
  readonly name: string;
  /** The bytes stored in the archive (already deflated when `method` is 8). */
  readonly data: Buffer;
  /** @default 8 (deflate) */
  readonly method?: 0 | 8;
  /** What the central directory claims; default: the truth for stored data, `data.length` otherwise. */
  readonly uncompressedSize?: number;
  readonly crc32?: number;
}

/** Deflates `content` and describes it truthfully. */
export function honest(name: string, content: Uint8Array | string): CraftedEntry {
  const raw = Buffer.from(content);
  return { name, data: deflateRawSync(raw), uncompressedSize: raw.length, crc32: crc32(raw) };
}

/**
 * A zip laid out by hand: local headers, data, central directory, end record (with the
 * ZIP64 end record when there are more than 65,535 entries). `declaredCount` lets the end
 * record lie about how many entries there are.
 */
export function craftZip(entries: readonly CraftedEntry[], options: { declaredCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const method = entry.method ?? 8;
    const size = entry.uncompressedSize ?? entry.data.length;
    const crc = entry.crc32 ?? 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, entry.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const count = options.declaredCount ?? entries.length;
  const zip64: Buffer[] = [];
  if (count > 0xffff) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    zip64.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, ...zip64, end]);
}

export function write(path: string, bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  return path;
}
