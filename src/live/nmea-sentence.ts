/**
 * NMEA 0183 sentences a live track needs: RMC (position, date, validity) and
 * GGA (position, fix quality, altitude), from any talker (GP, GN, GL, GA, …).
 * Pure functions; a sentence whose checksum does not match is not a sentence.
 */

/** The part of an RMC sentence a track uses. */
export interface RmcSentence {
  readonly kind: 'rmc';
  /** Milliseconds since UTC midnight. */
  readonly timeOfDayMs: number;
  /** Status A (valid) or V (receiver warning: no fix). */
  readonly valid: boolean;
  readonly position?: { readonly lat: number; readonly lon: number };
  /** UTC midnight of the sentence's date, when it carries one. */
  readonly dateMs?: number;
}

export interface GgaSentence {
  readonly kind: 'gga';
  readonly timeOfDayMs: number;
  /** 0: no fix; 1 GPS, 2 DGPS, 4/5 RTK, 6 dead reckoning, … */
  readonly quality: number;
  readonly position?: { readonly lat: number; readonly lon: number };
  /** Antenna altitude above mean sea level, metres. */
  readonly altitude?: number;
}

export type TrackSentence = RmcSentence | GgaSentence;

/**
 * True when the line is `$…*hh` (or `!…*hh`) and hh is the XOR of the
 * characters between the start and the `*`. A sentence without a checksum
 * cannot be verified and is refused too: every receiver a person would track
 * with sends one, and a line cut short on the wire looks exactly like that.
 */
export function hasValidChecksum(line: string): boolean {
  const match = /^[$!]([^$!*]*)\*([0-9A-Fa-f]{2})$/.exec(line);
  if (!match) return false;
  const body = match[1]!;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum === Number.parseInt(match[2]!, 16);
}

/**
 * Parses one line. Undefined for anything that is not a checksummed RMC or
 * GGA sentence with a readable time: other sentence types, garbage, lines
 * damaged on the wire.
 */
export function parseTrackSentence(rawLine: string): TrackSentence | undefined {
  // Serial noise before the start delimiter is common when a logger attaches mid-sentence.
  const start = Math.max(rawLine.lastIndexOf('$'), rawLine.lastIndexOf('!'));
  if (start < 0) return undefined;
  const line = rawLine.slice(start).trim();
  if (!hasValidChecksum(line)) return undefined;
  const fields = line.slice(1, line.indexOf('*')).split(',');
  const type = /^[A-Z]{2}(RMC|GGA)$/.exec(fields[0] ?? '')?.[1];
  if (type === 'RMC') return parseRmc(fields);
  if (type === 'GGA') return parseGga(fields);
  return undefined;
}

function parseRmc(f: string[]): RmcSentence | undefined {
  const timeOfDayMs = parseTime(f[1]);
  if (timeOfDayMs === undefined) return undefined;
  const position = parsePosition(f[3], f[4], f[5], f[6]);
  const dateMs = parseDate(f[9]);
  return {
    kind: 'rmc',
    timeOfDayMs,
    valid: f[2] === 'A',
    ...(position ? { position } : {}),
    ...(dateMs === undefined ? {} : { dateMs }),
  };
}

function parseGga(f: string[]): GgaSentence | undefined {
  const timeOfDayMs = parseTime(f[1]);
  if (timeOfDayMs === undefined) return undefined;
  const position = parsePosition(f[2], f[3], f[4], f[5]);
  const quality = /^\d$/.test(f[6] ?? '') ? Number(f[6]) : 0;
  const altitude = decimal(f[9]);
  // Field 10 is the unit of field 9; anything but metres is not an altitude we can send.
  const metres = f[10] === 'M' || f[10] === '';
  return {
    kind: 'gga',
    timeOfDayMs,
    quality,
    ...(position ? { position } : {}),
    ...(altitude !== undefined && metres ? { altitude } : {}),
  };
}

function decimal(text: string | undefined): number | undefined {
  if (!text || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** hhmmss or hhmmss.sss → milliseconds since midnight. */
function parseTime(text: string | undefined): number | undefined {
  const match = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(text ?? '');
  if (!match) return undefined;
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (h > 23 || m > 59 || s >= 61) return undefined;
  return Math.round(((h * 60 + m) * 60 + s) * 1000);
}

/** ddmmyy → UTC midnight. Two-digit years: 80–99 are 19xx (GPS began in 1980), the rest 20xx. */
function parseDate(text: string | undefined): number | undefined {
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const [d, m, yy] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (d < 1 || d > 31 || m < 1 || m > 12) return undefined;
  const ms = Date.UTC(yy >= 80 ? 1900 + yy : 2000 + yy, m - 1, d);
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

/** (d)ddmm.mmmm plus hemisphere → signed degrees. */
function angle(text: string | undefined, hemisphere: string | undefined, degreeDigits: number, max: number, negative: string, positive: string): number | undefined {
  const match = new RegExp(`^(\\d{${degreeDigits}})(\\d{2}(?:\\.\\d+)?)$`).exec(text ?? '');
  if (!match || (hemisphere !== negative && hemisphere !== positive)) return undefined;
  const minutes = Number(match[2]);
  if (minutes >= 60) return undefined;
  const value = Number(match[1]) + minutes / 60;
  if (value > max) return undefined;
  return hemisphere === negative ? -value : value;
}

function parsePosition(lat: string | undefined, ns: string | undefined, lon: string | undefined, ew: string | undefined) {
  const latitude = angle(lat, ns, 2, 90, 'S', 'N');
  const longitude = angle(lon, ew, 3, 180, 'W', 'E');
  return latitude === undefined || longitude === undefined ? undefined : { lat: latitude, lon: longitude };
}
