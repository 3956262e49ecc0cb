/**
 * Damaged copies of a clean FIT file, the way files get damaged: cut short (a battery
 * that died, a copy interrupted), a bit flipped in a record's values (only the CRC
 * notices), in a record header or a definition (the layout breaks from there on), in the
 * file header, a byte lost (a text-mode transfer). Offsets come from a scan of the clean
 * file, so each damage lands where it says.
 */
import { MessageLog } from '../formats/fit/message-log.js';
import { scanFit } from '../formats/fit/scan.js';

export interface DamagedCopy {
  /** What was done, for a test's message: "cut at 1234", "flip in a definition at 56", … */
  readonly what: string;
  readonly bytes: Uint8Array;
}

export interface DamageOptions {
  /** Cuts spread evenly over the data, plus cuts in the summary at the end. */
  readonly cuts: number;
  /** Of each kind of flip (record values, record header, definition, file header) and lost bytes. */
  readonly flips: number;
  /** @default 1 */
  readonly seed?: number;
}

const RECORD = 20;

export function damagedCopies(clean: Uint8Array, options: DamageOptions): DamagedCopy[] {
  const log = new MessageLog();
  scanFit(clean, { sink: log });
  const random = seeded(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const headerSize = clean[0]!;
  const end = clean.length - 2;
  const copies: DamagedCopy[] = [];

  for (let k = 1; k <= options.cuts; k++) {
    const at = headerSize + Math.floor(((end - headerSize) * k) / (options.cuts + 1));
    copies.push({ what: `cut at ${at}`, bytes: clean.slice(0, at) });
  }
  // The summary (laps, session, activity) is the last few hundred bytes: cut into it too.
  for (const back of [2, 30, 120, 300]) {
    if (end - back > headerSize) copies.push({ what: `cut ${back} bytes before the CRC`, bytes: clean.slice(0, end - back) });
  }

  const records = indices(log.length).filter((i) => log.definitionOf(i).global === RECORD && !(log.flags[i]! & MessageLog.COMPRESSED));
  const definitions = log.defs.filter((def) => def.at > headerSize);
  for (let n = 0; n < options.flips && records.length; n++) {
    const i = pick(records);
    const def = log.definitionOf(i);
    // Past the timestamp's 4 bytes when it comes first: a value, not the time that orders the file.
    const valueAt = log.pos[i]! + Math.min(def.size - 1, 4 + Math.floor(random() * Math.max(1, def.size - 4)));
    copies.push({ what: `flip in the values of a record at ${valueAt}`, bytes: flipped(clean, valueAt, 1 << Math.floor(random() * 8)) });
    const headerAt = log.pos[pick(records)]! - 1;
    copies.push({ what: `flip in a record header at ${headerAt}`, bytes: flipped(clean, headerAt, 0x08) });
    const lostAt = log.pos[pick(records)]! + 2;
    copies.push({ what: `byte lost at ${lostAt}`, bytes: Uint8Array.from([...clean.subarray(0, lostAt), ...clean.subarray(lostAt + 1)]) });
  }
  for (let n = 0; n < options.flips && definitions.length; n++) {
    const def = pick(definitions);
    const fields = clean[def.at + 5]!;
    if (fields === 0) continue;
    const field = def.at + 6 + 3 * Math.floor(random() * fields);
    // A base type the protocol does not have, or a field size that shifts everything after it.
    copies.push({ what: `unknown base type in a definition at ${field + 2}`, bytes: withByte(clean, field + 2, 0x1f) });
    copies.push({ what: `field size flipped in a definition at ${field + 1}`, bytes: flipped(clean, field + 1, 0x01) });
  }
  for (let n = 0; n < options.flips; n++) {
    const at = pick([2, 3, 12, 13]); // profile version, header CRC
    copies.push({ what: `flip in the file header at ${at}`, bytes: flipped(clean, at, 1 << Math.floor(random() * 8)) });
  }
  return copies;
}

function flipped(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  return withByte(bytes, at, bytes[at]! ^ mask);
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = value;
  return copy;
}

const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1_103_515_245 + 12_345) >>> 0;
    return a / 2 ** 32;
  };
}
