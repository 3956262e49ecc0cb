/**
 * The reference decoders, for tests that judge what a repair uploads: @garmin/fitsdk's
 * Decoder (every message, raw values, in file order) and fit-file-parser (the decoder
 * many JavaScript sites use). Neither is ours; a repaired file must satisfy both.
 */
import { CrcCalculator, Decoder, Stream } from '@garmin/fitsdk';
import FitParser from 'fit-file-parser';
import type { MessageLog } from '../formats/fit/message-log.js';

/** One data message as the SDK decodes it: global message number and raw field values. */
export interface ReferenceMessage {
  readonly num: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ReferenceDecode {
  /** Every data message in file order, up to the first error. */
  readonly messages: readonly ReferenceMessage[];
  readonly errors: readonly string[];
  /** The SDK's own header, size and CRC check of the (first) file. */
  readonly integrity: boolean;
}

/** Raw values: no scale, offset, sub-field or component expansion, enums and times as numbers. */
export function sdkDecode(bytes: Uint8Array): ReferenceDecode {
  const messages: ReferenceMessage[] = [];
  const decoder = new Decoder(Stream.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  const integrity = decoder.checkIntegrity();
  const { errors } = decoder.read({
    mesgListener: (num, fields) => {
      messages.push({ num, fields: fields as unknown as Record<string, unknown> });
    },
    expandSubFields: false,
    expandComponents: false,
    applyScaleAndOffset: false,
    convertTypesToStrings: false,
    convertDateTimesToDates: false,
    includeUnknownData: true,
    mergeHeartRates: false,
  });
  return { messages, errors: errors.map((e) => (e instanceof Error ? e.message : String(e))), integrity };
}

export interface ParsedFit {
  readonly records: ReadonlyArray<Record<string, unknown>>;
  readonly sessions: ReadonlyArray<Record<string, unknown>>;
  readonly laps: ReadonlyArray<Record<string, unknown>>;
}

/** fit-file-parser in its strict mode (CRCs checked): rejects with its message when it cannot read the file. */
export async function parseWithFitFileParser(bytes: Uint8Array): Promise<ParsedFit> {
  const parsed = await new FitParser({ force: false, mode: 'list' }).parseAsync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Buffer<ArrayBuffer>);
  return {
    records: (parsed.records ?? []) as unknown as Record<string, unknown>[],
    sessions: (parsed.sessions ?? []) as unknown as Record<string, unknown>[],
    laps: (parsed.laps ?? []) as unknown as Record<string, unknown>[],
  };
}

const DEVELOPER_DATA = new Set([206, 207]); // field_description, developer_data_id

/**
 * How the SDK decodes messages of a damaged file where our reader found them (entries
 * [from, to) of a scan's log): a small file of each one's definition and bytes, exactly as
 * they are in the original, preceded by the developer data messages before them (so
 * developer fields decode and descriptions count as they did). For messages the SDK
 * cannot reach in the damaged file itself: after a bad record, or with a compressed-
 * timestamp header (read here with a normal one, so without the time it had). An entry
 * the SDK cannot decode is undefined.
 */
export function sdkDecodeLogged(
  original: Uint8Array,
  log: MessageLog,
  from: number,
  to: number,
  /** Which developer data messages make the context (e.g. those a repaired file kept); all that decode by default. */
  accept: (message: ReferenceMessage) => boolean = () => true,
): (ReferenceMessage | undefined)[] {
  const bytesOf = (k: number): number[] => {
    const def = log.definitionOf(k);
    return [0x40 | (original[def.at]! & 0x20), ...original.subarray(def.at + 1, def.end), 0, ...original.subarray(log.pos[k]!, log.pos[k]! + def.size)];
  };
  // Developer data messages the SDK cannot read (garbled ones) would fail every file they were put in.
  const developerData: number[] = [];
  let before = 0;
  for (let k = 0; k < from; k++) {
    if (!DEVELOPER_DATA.has(log.definitionOf(k).global)) continue;
    const own = bytesOf(k);
    const alone = sdkDecode(wrap(Uint8Array.from([...developerData, ...own])));
    if (alone.errors.length || !accept(alone.messages.at(-1)!)) continue;
    developerData.push(...own);
    before++;
  }
  const decode = (start: number, end: number): (ReferenceMessage | undefined)[] => {
    const parts = [...developerData];
    for (let k = start; k < end; k++) parts.push(...bytesOf(k));
    const decoded = sdkDecode(wrap(Uint8Array.from(parts)));
    if (decoded.errors.length === 0 && decoded.messages.length === before + end - start) return decoded.messages.slice(before);
    // One of them did not decode: each on its own, to find which.
    if (end - start === 1) return [undefined];
    const out: (ReferenceMessage | undefined)[] = [];
    for (let k = start; k < end; k++) out.push(...decode(k, k + 1));
    return out;
  };
  return decode(from, to);
}

/** Data in a 14-byte header and a CRC, as the SDK wants a file. */
function wrap(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + data.length + 2);
  const view = new DataView(out.buffer);
  out.set([14, 0x20, 0x54, 0x08], 0);
  view.setUint32(4, data.length, true);
  out.set([0x2e, 0x46, 0x49, 0x54], 8);
  view.setUint16(12, CrcCalculator.calculateCRC(out, 0, 12), true);
  out.set(data, 14);
  view.setUint16(14 + data.length, CrcCalculator.calculateCRC(out, 0, 14 + data.length), true);
  return out;
}
