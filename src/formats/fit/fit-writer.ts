import { fitCrc } from './crc.js';
import { GrowableBytes } from './growable-bytes.js';

/**
 * Writes one FIT file: a 14-byte header, definition and data messages, the file CRC.
 * The data size and both CRCs are filled in by `finish`, so what comes out is always a
 * file any decoder accepts as whole. Local message types are handed out by `slotFor`:
 * 16 slots, least recently used first, so a definition is re-emitted only when its slot
 * was taken meanwhile.
 */
const HEADER_SIZE = 14;
const SLOTS = 16;

export class FitWriter extends GrowableBytes {
  private readonly slotKey = new Array<number | undefined>(SLOTS).fill(undefined);
  private readonly slotUsed = new Float64Array(SLOTS);
  private readonly slotOf = new Map<number, number>();
  private uses = 0;

  constructor(
    capacity: number,
    private readonly protocol: number,
    private readonly profile: number,
  ) {
    super(capacity, HEADER_SIZE);
  }

  /**
   * The local message type for a definition identified by `key`, and whether its
   * definition must be written (first use, or its slot went to another one meanwhile).
   */
  slotFor(key: number): { readonly slot: number; readonly define: boolean } {
    const uses = ++this.uses;
    const known = this.slotOf.get(key);
    if (known !== undefined) {
      this.slotUsed[known] = uses;
      return { slot: known, define: false };
    }
    let slot = 0;
    for (let s = 1; s < SLOTS; s++) if (this.slotUsed[s]! < this.slotUsed[slot]!) slot = s;
    const previous = this.slotKey[slot];
    if (previous !== undefined) this.slotOf.delete(previous);
    this.slotKey[slot] = key;
    this.slotOf.set(key, slot);
    this.slotUsed[slot] = uses;
    return { slot, define: true };
  }

  u8(value: number): this {
    this.reserve(1);
    this.buf[this.at++] = value & 0xff;
    return this;
  }

  /** An unsigned value of `size` bytes (1, 2 or 4) in the given byte order. */
  uint(value: number, size: number, little = true): this {
    this.reserve(size);
    for (let i = 0; i < size; i++) {
      const shift = little ? i * 8 : (size - 1 - i) * 8;
      this.buf[this.at++] = Math.floor(value / 2 ** shift) & 0xff;
    }
    return this;
  }

  /** bytes[start, end) of another buffer; a loop, since most messages are a few dozen bytes. */
  copy(bytes: Uint8Array, start: number, end: number): this {
    this.reserve(end - start);
    const buf = this.buf;
    let at = this.at;
    for (let i = start; i < end; i++) buf[at++] = bytes[i]!;
    this.at = at;
    return this;
  }

  /** The finished file: data size, header CRC and file CRC filled in. */
  finish(): Uint8Array {
    this.reserve(2);
    const buf = this.buf;
    const dataSize = this.at - HEADER_SIZE;
    buf[0] = HEADER_SIZE;
    buf[1] = this.protocol;
    buf[2] = this.profile & 0xff;
    buf[3] = (this.profile >> 8) & 0xff;
    for (let i = 0; i < 4; i++) buf[4 + i] = Math.floor(dataSize / 2 ** (8 * i)) & 0xff;
    buf.set([0x2e, 0x46, 0x49, 0x54], 8); // ".FIT"
    const headerCrc = fitCrc(buf, 0, 12);
    buf[12] = headerCrc & 0xff;
    buf[13] = headerCrc >> 8;
    const crc = fitCrc(buf, 0, this.at);
    buf[this.at++] = crc & 0xff;
    buf[this.at++] = crc >> 8;
    return buf.subarray(0, this.at);
  }
}
