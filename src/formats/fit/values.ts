import type { Definition } from './definition.js';
import { BASE_TYPE_SIZE, BASE_TYPE_STRING } from './profile.js';

/**
 * Reads one scalar of a FIT base type, or NaN when the field holds the type's
 * invalid value, is too short for its type, or is a type we never need as a number
 * (64-bit, string, unknown). NaN instead of undefined keeps the hot loop monomorphic.
 */
export function readNumber(view: DataView, offset: number, baseType: number, size: number, little: boolean): number {
  if (size < (BASE_TYPE_SIZE[baseType] ?? 255)) return NaN;
  let v: number;
  switch (baseType) {
    case 0: // enum
    case 2: // uint8
    case 13: // byte
      v = view.getUint8(offset);
      return v === 0xff ? NaN : v;
    case 1: // sint8
      v = view.getInt8(offset);
      return v === 0x7f ? NaN : v;
    case 10: // uint8z
      v = view.getUint8(offset);
      return v === 0 ? NaN : v;
    case 3: // sint16
      v = view.getInt16(offset, little);
      return v === 0x7fff ? NaN : v;
    case 4: // uint16
      v = view.getUint16(offset, little);
      return v === 0xffff ? NaN : v;
    case 11: // uint16z
      v = view.getUint16(offset, little);
      return v === 0 ? NaN : v;
    case 5: // sint32
      v = view.getInt32(offset, little);
      return v === 0x7fffffff ? NaN : v;
    case 6: // uint32
      v = view.getUint32(offset, little);
      return v === 0xffffffff ? NaN : v;
    case 12: // uint32z
      v = view.getUint32(offset, little);
      return v === 0 ? NaN : v;
    case 8: // float32
      return view.getUint32(offset, little) === 0xffffffff ? NaN : view.getFloat32(offset, little);
    case 9: // float64
      return view.getUint32(offset, true) === 0xffffffff && view.getUint32(offset + 4, true) === 0xffffffff
        ? NaN
        : view.getFloat64(offset, little);
    default:
      return NaN;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A FIT string field: UTF-8 up to the first NUL; undefined when empty or not a string. */
export function readString(bytes: Uint8Array, offset: number, baseType: number, size: number): string | undefined {
  if (baseType !== BASE_TYPE_STRING || size === 0) return undefined;
  let end = offset;
  const limit = offset + size;
  while (end < limit && bytes[end] !== 0) end++;
  if (end === offset) return undefined;
  const text = utf8.decode(bytes.subarray(offset, end)).trim();
  return text === '' ? undefined : text;
}

/** Field `field` of a message read with `def` (its fields start at `pos`), for the messages whose layout a definition keeps; NaN when absent. */
export function readField(view: DataView, def: Definition, pos: number, field: number): number {
  const f = def.fields;
  for (let i = 0; i < f.length; i += 4) {
    if (f[i] === field) return readNumber(view, pos + f[i + 1]!, f[i + 3]!, f[i + 2]!, def.little);
  }
  return NaN;
}
