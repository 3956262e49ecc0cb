import {
  BASE_TYPE_SIZE,
  FIELD_TIMESTAMP,
  MESG_ACTIVITY,
  MESG_DEVELOPER_DATA_ID,
  MESG_DEVICE_INFO,
  MESG_FIELD_DESCRIPTION,
  MESG_FILE_ID,
  MESG_LAP,
  MESG_RECORD,
  MESG_SESSION,
  MESG_SPORT,
  RECORD,
} from './profile.js';

/**
 * A definition message, reduced to what reading its data messages needs: their size
 * (to skip them), where the timestamp is (for compressed timestamps), and for the few
 * messages we read, where their fields are. Offsets are -1 when a field is absent.
 */
export interface Definition {
  /** Offset of the definition's record header in the file, and just past its end (a repair copies it). */
  readonly at: number;
  readonly end: number;
  readonly global: number;
  readonly little: boolean;
  /** Bytes of one data message after its record header, developer fields included. */
  readonly size: number;
  /** Of `size`, the developer fields' bytes (they come last). */
  readonly devSize: number;
  readonly tsOff: number;
  readonly tsType: number;
  readonly tsSize: number;
  /** Field number, offset, size and base type of each field, for the messages we read. */
  readonly fields: Int32Array;
  readonly rec: RecordLayout | undefined;
}

/** Where a record message keeps the fields the track needs; offset -1 when absent. */
export interface RecordLayout {
  readonly lat: number; readonly latType: number; readonly latSize: number;
  readonly lon: number; readonly lonType: number; readonly lonSize: number;
  readonly alt: number; readonly altType: number; readonly altSize: number;
  readonly ealt: number; readonly ealtType: number; readonly ealtSize: number;
  readonly hr: number; readonly hrType: number; readonly hrSize: number;
  readonly cad: number; readonly cadType: number; readonly cadSize: number;
  readonly dist: number; readonly distType: number; readonly distSize: number;
}

const READ = new Set([MESG_FILE_ID, MESG_SPORT, MESG_SESSION, MESG_LAP, MESG_DEVICE_INFO, MESG_ACTIVITY, MESG_FIELD_DESCRIPTION, MESG_DEVELOPER_DATA_ID]);

/** 'invalid': a base type the protocol does not define (0x00-0x10 after masking): garbled bytes, not a definition. */
export type DefinitionResult = { readonly def: Definition; readonly next: number } | 'incomplete' | 'invalid';

/** Parses the definition message whose record header is at `pos`; `limit` is where the data ends. */
export function readDefinition(bytes: Uint8Array, pos: number, limit: number): DefinitionResult {
  const header = bytes[pos]!;
  if (pos + 6 > limit) return 'incomplete';
  const little = bytes[pos + 2] === 0;
  const global = little ? bytes[pos + 3]! | (bytes[pos + 4]! << 8) : (bytes[pos + 3]! << 8) | bytes[pos + 4]!;
  const count = bytes[pos + 5]!;
  let p = pos + 6;
  if (p + count * 3 > limit) return 'incomplete';

  const keep = READ.has(global);
  const fields = new Int32Array(keep ? count * 4 : 0);
  let size = 0;
  let tsOff = -1;
  let tsType = 0;
  let tsSize = 0;
  const rec = global === MESG_RECORD ? emptyLayout() : undefined;
  let invalid = false;
  for (let i = 0; i < count; i++, p += 3) {
    const num = bytes[p]!;
    const fieldSize = bytes[p + 1]!;
    const type = bytes[p + 2]! & 0x1f;
    if (type >= BASE_TYPE_SIZE.length) invalid = true;
    if (num === FIELD_TIMESTAMP) {
      tsOff = size;
      tsType = type;
      tsSize = fieldSize;
    }
    if (keep) {
      fields[i * 4] = num;
      fields[i * 4 + 1] = size;
      fields[i * 4 + 2] = fieldSize;
      fields[i * 4 + 3] = type;
    }
    if (rec) placeRecordField(rec, num, size, fieldSize, type);
    size += fieldSize;
  }
  let devSize = 0;
  if (header & 0x20) {
    // Developer fields: only their sizes matter, to skip their bytes.
    if (p + 1 > limit) return 'incomplete';
    const devCount = bytes[p++]!;
    if (p + devCount * 3 > limit) return 'incomplete';
    for (let i = 0; i < devCount; i++, p += 3) devSize += bytes[p + 1]!;
  }
  if (invalid) return 'invalid';
  return { def: { at: pos, end: p, global, little, size: size + devSize, devSize, tsOff, tsType, tsSize, fields, rec }, next: p };
}

type MutableLayout = { -readonly [K in keyof RecordLayout]: RecordLayout[K] };

function emptyLayout(): MutableLayout {
  return {
    lat: -1, latType: 0, latSize: 0,
    lon: -1, lonType: 0, lonSize: 0,
    alt: -1, altType: 0, altSize: 0,
    ealt: -1, ealtType: 0, ealtSize: 0,
    hr: -1, hrType: 0, hrSize: 0,
    cad: -1, cadType: 0, cadSize: 0,
    dist: -1, distType: 0, distSize: 0,
  };
}

function placeRecordField(rec: MutableLayout, num: number, off: number, size: number, type: number): void {
  switch (num) {
    case RECORD.positionLat: rec.lat = off; rec.latType = type; rec.latSize = size; break;
    case RECORD.positionLong: rec.lon = off; rec.lonType = type; rec.lonSize = size; break;
    case RECORD.altitude: rec.alt = off; rec.altType = type; rec.altSize = size; break;
    case RECORD.enhancedAltitude: rec.ealt = off; rec.ealtType = type; rec.ealtSize = size; break;
    case RECORD.heartRate: rec.hr = off; rec.hrType = type; rec.hrSize = size; break;
    case RECORD.cadence: rec.cad = off; rec.cadType = type; rec.cadSize = size; break;
    case RECORD.distance: rec.dist = off; rec.distType = type; rec.distSize = size; break;
  }
}
