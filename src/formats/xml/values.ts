/**
 * Parsing the few values the XML track formats carry (decimal numbers and
 * xsd:dateTime), strictly enough that "05-AUG-10 16:58:37" in a <cmt> or an
 * empty lat="" never passes for a time or a coordinate.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, or undefined. `Number('')` is 0, so no Number() on raw text. */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 64 || !DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export function parseLatitude(text: string | undefined): number | undefined {
  const value = parseDecimal(text);
  return value !== undefined && value >= -90 && value <= 90 ? value : undefined;
}

export function parseLongitude(text: string | undefined): number | undefined {
  const value = parseDecimal(text);
  return value !== undefined && value >= -180 && value <= 180 ? value : undefined;
}

// YYYY-MM-DDThh:mm:ss(.fff…)(Z|±hh:mm)? — a space for the T and ±hhmm are tolerated.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Milliseconds since the epoch for an xsd:dateTime, or undefined. A time with
 * no zone is UTC (GPX 1.0/1.1 and TCX say times are UTC; Date.parse would make
 * it local time). Impossible dates (Feb 30, 25:00) are rejected.
 */
export function parseDateTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed.length > 64) return undefined;
  const m = DATE_TIME.exec(trimmed);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Before 1900 is no GPS recording (and Date.UTC maps years 0–99 onto 19xx).
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0)) return undefined;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 14 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  // Date.UTC rolls Feb 30 over into March: reject rather than guess.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  return utc - offsetMin * 60_000;
}
