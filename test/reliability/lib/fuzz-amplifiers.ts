/**
 * Small, valid-looking FIT files built to make the classifier's work or memory grow
 * faster than the input: thousands of chained files, and activities packed with the
 * smallest records the protocol allows (13 bytes: timestamp, latitude, longitude).
 */
import { crc16 } from './fuzz-fit.js';
import { concat } from './fuzz-rng.js';

/** `base` followed by `count` empty chained FIT files (12-byte header + CRC), CRCs right or all wrong. */
export function chainedEmptyFit(base: Uint8Array, count: number, validCrc: boolean): Uint8Array {
  const empty = new Uint8Array([12, 0x20, 0x08, 0x08, 0, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0]);
  if (validCrc) {
    const c = crc16(empty, 0, 12);
    empty[12] = c & 0xff;
    empty[13] = c >> 8;
  }
  const out = new Uint8Array(base.length + count * empty.length);
  out.set(base);
  for (let i = 0, at = base.length; i < count; i++, at += empty.length) out.set(empty, at);
  return out;
}

const FIT_TIME_2021 = 1_000_000_000;

/**
 * An activity of `records` positioned, timed records of 13 bytes each (file_id first),
 * with a correct CRC or a wrong one (which sends it down the repair path). The records
 * repeat every 64 (a one-minute loop, over and over), so the file compresses to almost
 * nothing and a copy can be kept in fixtures/.
 */
export function denseFitActivity(records: number, badCrc: boolean): Uint8Array {
  const fileIdDef = new Uint8Array([0x40, 0, 0, 0, 0, 4, 0, 1, 0x00, 1, 2, 0x84, 3, 4, 0x8c, 4, 4, 0x86]);
  const fileId = new Uint8Array(12);
  const fv = new DataView(fileId.buffer);
  fileId[1] = 4; // type: activity
  fv.setUint16(2, 1, true); // manufacturer: garmin
  fv.setUint32(4, 12345, true);
  fv.setUint32(8, FIT_TIME_2021, true);
  // record (global 20) as local 1: timestamp, position_lat, position_long
  const recordDef = new Uint8Array([0x41, 0, 0, 20, 0, 3, 253, 4, 0x86, 0, 4, 0x85, 1, 4, 0x85]);
  const body = new Uint8Array(records * 13);
  const rv = new DataView(body.buffer);
  for (let i = 0, o = 0; i < records; i++, o += 13) {
    body[o] = 1;
    rv.setUint32(o + 1, FIT_TIME_2021 + (i % 64), true);
    rv.setInt32(o + 5, 600_000_000 + (i % 64) * 10, true);
    rv.setInt32(o + 9, 10_000 + (i % 64) * 10, true);
  }
  const data = concat(fileIdDef, fileId, recordDef, body);
  const header = new Uint8Array([14, 0x20, 0x08, 0x08, 0, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0]);
  new DataView(header.buffer).setUint32(4, data.length, true);
  const hc = crc16(header, 0, 12);
  header[12] = hc & 0xff;
  header[13] = hc >> 8;
  const file = concat(header, data, new Uint8Array(2));
  const c = crc16(file, 0, file.length - 2) ^ (badCrc ? 0x5a5a : 0);
  file[file.length - 2] = c & 0xff;
  file[file.length - 1] = c >> 8;
  return file;
}
