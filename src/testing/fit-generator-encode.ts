/**
 * What every generated FIT file is made of: messages written by @garmin/fitsdk's Encoder,
 * data sections joined into one file under a header with correct sizes and CRCs.
 */
import { CrcCalculator, type Encodable, type Encoder, type Mesg } from '@garmin/fitsdk';

export const FIT_EPOCH_MS = 631_065_600_000;
export const GARMIN_FENIX_5 = 2697;
export const DEFAULT_SERIAL = 3_912_345_678;

export const MESG = {
  fileId: 0,
  userProfile: 3,
  lap: 19,
  record: 20,
  event: 21,
  deviceInfo: 23,
  sport: 12,
  workout: 26,
  workoutStep: 27,
  session: 18,
  activity: 34,
  length: 101,
  fieldDescription: 206,
  developerDataId: 207,
} as const;

/** writeMesg with the message type named, so a misspelt field is a type error. */
export function put<T extends Mesg>(encoder: Encoder, mesg: Encodable<T>): void {
  encoder.writeMesg(mesg);
}

/** The data records of a file the Encoder closed: without its 14-byte header and 2-byte CRC. */
export function dataOf(file: Uint8Array): Uint8Array {
  return file.subarray(file[0]!, file.length - 2);
}

/** One FIT file from data sections: a 14-byte header with CRC, the data, the file CRC. */
export function assemble(parts: readonly Uint8Array[]): Uint8Array {
  const dataSize = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(14 + dataSize + 2);
  const view = new DataView(out.buffer);
  out[0] = 14;
  out[1] = 0x20; // protocol 2.0
  view.setUint16(2, 21217, true); // profile version the records were laid out for
  view.setUint32(4, dataSize, true);
  out.set([0x2e, 0x46, 0x49, 0x54], 8); // ".FIT"
  view.setUint16(12, CrcCalculator.calculateCRC(out, 0, 12), true);
  let p = 14;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  view.setUint16(p, CrcCalculator.calculateCRC(out, 0, p), true);
  return out;
}

export function fitTime(date: Date): number {
  return Math.round((date.getTime() - FIT_EPOCH_MS) / 1000);
}

