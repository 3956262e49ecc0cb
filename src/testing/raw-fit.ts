/**
 * FIT files written byte by byte, for what no encoder produces on demand: big-endian
 * definitions, compressed-timestamp headers, developer fields, unknown messages, odd
 * file_ids, chained and broken files. CRCs come from @garmin/fitsdk, not from our crc.ts.
 */
import { CrcCalculator } from '@garmin/fitsdk';

export type Field = readonly [num: number, size: number, baseType: number];

export class RawFit {
  private readonly out: number[] = [];
  private readonly defs = new Map<number, { fields: readonly Field[]; devSize: number }>();

  constructor(private readonly bigEndian = false) {}

  /** A definition message; `dev` lists developer fields as [number, size, developer data index]. */
  define(local: number, global: number, fields: readonly Field[], dev: readonly Field[] = []): this {
    this.out.push(0x40 | local | (dev.length ? 0x20 : 0), 0, this.bigEndian ? 1 : 0, ...this.int(global, 2), fields.length);
    for (const f of fields) this.out.push(...f);
    if (dev.length) this.out.push(dev.length, ...dev.flat());
    this.defs.set(local, { fields, devSize: dev.reduce((n, [, size]) => n + size, 0) });
    return this;
  }

  /** A data message: one value per field, then the developer fields' bytes. */
  data(local: number, values: readonly number[], devBytes: readonly number[] = []): this {
    this.out.push(local);
    return this.values(local, values, devBytes);
  }

  /** A data message with a compressed-timestamp header (local type 0..3). */
  compressed(local: number, timeOffset: number, values: readonly number[]): this {
    this.out.push(0x80 | (local << 5) | (timeOffset & 0x1f));
    return this.values(local, values, []);
  }

  /** Header (14 bytes, with header CRC) + data + file CRC. */
  file(): Uint8Array {
    const out = new Uint8Array(14 + this.out.length + 2);
    const view = new DataView(out.buffer);
    out.set([14, 0x20, 0x54, 0x08], 0);
    view.setUint32(4, this.out.length, true);
    out.set([0x2e, 0x46, 0x49, 0x54], 8);
    view.setUint16(12, CrcCalculator.calculateCRC(out, 0, 12), true);
    out.set(this.out, 14);
    view.setUint16(14 + this.out.length, CrcCalculator.calculateCRC(out, 0, 14 + this.out.length), true);
    return out;
  }

  private values(local: number, values: readonly number[], devBytes: readonly number[]): this {
    const def = this.defs.get(local)!;
    def.fields.forEach(([, size], i) => this.out.push(...this.int(values[i] ?? 0, size)));
    if (devBytes.length !== def.devSize) throw new RangeError(`Expected ${def.devSize} developer bytes, got ${devBytes.length}`);
    this.out.push(...devBytes);
    return this;
  }

  private int(value: number, size: number): number[] {
    const bytes: number[] = [];
    let v = BigInt.asUintN(size * 8, BigInt(Math.trunc(value)));
    for (let i = 0; i < size; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
    return this.bigEndian ? bytes.reverse() : bytes;
  }
}

export const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
export const fitTime = (iso: string): number => Date.parse(iso) / 1000 - 631_065_600;
export const semi = (deg: number): number => Math.round((deg * 2 ** 31) / 180);

export const FILE_ID: Field[] = [[0, 1, 0x00], [1, 2, 0x84], [2, 2, 0x84], [3, 4, 0x8c], [4, 4, 0x86]];
export const RECORD: Field[] = [[253, 4, 0x86], [0, 4, 0x85], [1, 4, 0x85], [2, 2, 0x84], [3, 1, 0x02]];
export const RECORD_NO_TIME: Field[] = [[0, 4, 0x85], [1, 4, 0x85], [3, 1, 0x02]];
export const SESSION: Field[] = [[253, 4, 0x86], [2, 4, 0x86], [5, 1, 0x00], [6, 1, 0x00], [7, 4, 0x86], [8, 4, 0x86], [9, 4, 0x86]];

export const T0 = fitTime('2024-03-01T08:00:00Z');
export const GARMIN = 1;
export const RUNNING = 1;
export const CYCLING = 2;

export interface Options {
  readonly bigEndian?: boolean;
  readonly records?: number;
  readonly type?: number;
  readonly serial?: number;
  readonly sessions?: ReadonlyArray<readonly [sport: number, seconds: number, metres: number]>;
  /** Extra messages written between the records and the session. */
  readonly middle?: (fit: RawFit) => void;
}

/** file_id, `records` one-second records along a line, then one session per entry. */
export function activity(o: Options = {}): Uint8Array {
  const fit = new RawFit(o.bigEndian);
  fit.define(0, 0, FILE_ID).data(0, [o.type ?? 4, GARMIN, 2697, o.serial ?? 1234, T0]);
  fit.define(1, 20, RECORD);
  for (let i = 0; i < (o.records ?? 10); i++) {
    fit.data(1, [T0 + i, semi(51.5 + i * 1e-4), semi(-0.1), (100 + 500) * 5, 120 + i]);
  }
  o.middle?.(fit);
  fit.define(2, 18, SESSION);
  let start = T0;
  for (const [sport, seconds, metres] of o.sessions ?? [[RUNNING, 9, 100]]) {
    fit.data(2, [start + seconds, start, sport, 0, seconds * 1000, seconds * 1000, metres * 100]);
    start += seconds;
  }
  return fit.file();
}
