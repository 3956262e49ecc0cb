/**
 * Record messages of a generated activity, laid out as @garmin/fitsdk's Encoder lays out
 * a record with these fields in this order (same definition, base types, scale and
 * offset). Written here because the Encoder rebuilds a definition for every message
 * (~75 µs a record, 6.5 s for a 24-hour file) and cannot write compressed-timestamp
 * headers or developer fields without a profile lookup per message.
 */
import type { LoopTrack } from './fit-generator-track.js';

const RECORD = 20;

type Field = readonly [num: number, size: number, baseType: number];

const TIMESTAMP: Field = [253, 4, 0x86]; // uint32
const POSITION: readonly Field[] = [
  [0, 4, 0x85], // position_lat sint32
  [1, 4, 0x85], // position_long sint32
  [2, 2, 0x84], // altitude uint16, scale 5, offset 500
];
const SENSORS: readonly Field[] = [
  [3, 1, 0x02], // heart_rate uint8
  [4, 1, 0x02], // cadence uint8
  [5, 4, 0x86], // distance uint32, scale 100
  [6, 2, 0x84], // speed uint16, scale 1000
];
const POWER: Field = [7, 2, 0x84]; // power uint16, watts
/** Developer field 0 of developer data index 0: a uint16 (the generator's field_description says what). */
export const DEVELOPER_FIELD: Field = [0, 2, 0];

export interface RecordLayout {
  /** Outdoors: position and altitude. Indoors (treadmill, trainer, pool) a device has neither. */
  readonly positions: boolean;
  readonly power: boolean;
  readonly developerField: boolean;
  /**
   * Compressed-timestamp headers (5 bits of time relative to the last full timestamp),
   * as Garmin's older devices write them: a full timestamp every `fullEvery` records.
   */
  readonly compressed: boolean;
}

export interface RecordChunk {
  readonly track: LoopTrack;
  /** Records [from, to) of the track. */
  readonly from: number;
  readonly to: number;
  readonly startTime: number;
  readonly intervalS: number;
}

/** The data of a run of records: their definition(s), then one message per record. */
export function encodeRecords(layout: RecordLayout, chunk: RecordChunk): Uint8Array {
  const sensors = [...(layout.positions ? POSITION : []), ...SENSORS, ...(layout.power ? [POWER] : [])];
  const stamped = [TIMESTAMP, ...sensors];
  const dev = layout.developerField ? [DEVELOPER_FIELD] : [];
  const valuesSize = sensors.reduce((sum, [, size]) => sum + size, 0) + dev.reduce((sum, [, size]) => sum + size, 0);
  // A compressed header holds 5 bits of time: a full timestamp at least every 31 s keeps it unambiguous.
  const fullEvery = layout.compressed ? Math.max(1, Math.floor(31 / chunk.intervalS)) : 1;
  const count = chunk.to - chunk.from;
  const definitions = definition(0, stamped, dev).concat(layout.compressed ? definition(1, sensors, dev) : []);
  const out = new Uint8Array(definitions.length + count * (5 + valuesSize));
  const view = new DataView(out.buffer);
  out.set(definitions);
  let p = definitions.length;
  const t = chunk.track;
  for (let k = 0; k < count; k++) {
    const i = chunk.from + k;
    const time = chunk.startTime + i * chunk.intervalS;
    if (k % fullEvery === 0) {
      out[p++] = 0x00;
      view.setUint32(p, time, true);
      p += 4;
    } else {
      out[p++] = 0x80 | (1 << 5) | (time & 0x1f);
    }
    if (layout.positions) {
      view.setInt32(p, t.lat[i]!, true);
      view.setInt32(p + 4, t.lon[i]!, true);
      view.setUint16(p + 8, Math.round((t.altitude[i]! + 500) * 5), true);
      p += 10;
    }
    out[p] = t.hr[i]!;
    out[p + 1] = t.cadence[i]!;
    view.setUint32(p + 2, Math.round(t.distance[i]! * 100), true);
    view.setUint16(p + 6, Math.round(t.speed[i]! * 1000), true);
    p += 8;
    if (layout.power) {
      view.setUint16(p, t.power[i]!, true);
      p += 2;
    }
    if (layout.developerField) {
      // Form power, as Stryd's Connect IQ field records it: a share of the power.
      view.setUint16(p, Math.round(t.power[i]! * 0.27), true);
      p += 2;
    }
  }
  return out.subarray(0, p);
}

function definition(local: number, fields: readonly Field[], dev: readonly Field[]): number[] {
  const bytes = [0x40 | local | (dev.length ? 0x20 : 0), 0, 0, RECORD, 0, fields.length, ...fields.flat()];
  if (dev.length) bytes.push(dev.length, ...dev.flat());
  return bytes;
}
