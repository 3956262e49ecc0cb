import { GrowableBytes } from './growable-bytes.js';
import { DEGREES_PER_SEMICIRCLE, FIT_EPOCH_UNIX_S } from './profile.js';
import type { Track } from './track.js';

export interface GpxMeta {
  readonly name?: string;
  /** Map My Tracks activity type or the FIT sport name. */
  readonly type?: string;
  /** Points to leave out (1 = leave out), as findOutliers marks them. */
  readonly skip?: Uint8Array;
}

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<gpx version="1.1" creator="mmt-sync (rebuilt from a damaged FIT file)"' +
  ' xmlns="http://www.topografix.com/GPX/1/1"' +
  ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
  ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd' +
  ' http://www.garmin.com/xmlschemas/TrackPointExtension/v1 http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">\n';

const encoder = new TextEncoder();
const TAG = {
  trkptLat: encoder.encode('<trkpt lat="'),
  lon: encoder.encode('" lon="'),
  close: encoder.encode('">'),
  ele: encoder.encode('<ele>'),
  eleEnd: encoder.encode('</ele>'),
  time: encoder.encode('<time>'),
  timeEnd: encoder.encode('</time>'),
  ext: encoder.encode('<extensions><gpxtpx:TrackPointExtension>'),
  hr: encoder.encode('<gpxtpx:hr>'),
  hrEnd: encoder.encode('</gpxtpx:hr>'),
  cad: encoder.encode('<gpxtpx:cad>'),
  cadEnd: encoder.encode('</gpxtpx:cad>'),
  extEnd: encoder.encode('</gpxtpx:TrackPointExtension></extensions>'),
  trkptEnd: encoder.encode('</trkpt>\n'),
};
/** The longest a trkpt and each of its parts can get, with every value at its widest. */
const MAX_POINT_BYTES = 300;
const WIDEST = { point: 56, ele: 20, time: 33, ext: 84, hr: 26, cad: 28 };

/**
 * A GPX 1.1 document of the track: one trkpt per positioned record, with time,
 * elevation and Garmin TrackPointExtension heart rate and cadence where the record has them.
 * Written digit by digit into one buffer: a 24-hour track is ~20 MB of GPX, and building
 * it from strings would leave several times that for the garbage collector.
 */
export function trackToGpx(track: Track, meta: GpxMeta = {}): Uint8Array {
  const skip = meta.skip;
  const out = new ByteWriter(2048 + (meta.name?.length ?? 0) * 6 + (meta.type?.length ?? 0) * 6 + upperBound(track, skip));
  out.text(HEAD);
  let first = NaN;
  for (let i = 0; i < track.length && first !== first; i++) if (!skip?.[i]) first = track.time[i]!;
  if (first === first) {
    out.text('<metadata>').bytes(TAG.time).time(first).bytes(TAG.timeEnd).text('</metadata>\n');
  }
  out.text('<trk>\n');
  if (meta.name) out.text(`<name>${escapeXml(meta.name)}</name>\n`);
  if (meta.type) out.text(`<type>${escapeXml(meta.type)}</type>\n`);
  out.text('<trkseg>\n');
  for (let i = 0; i < track.length; i++) {
    if (skip?.[i]) continue;
    out.reserve(MAX_POINT_BYTES);
    out.bytes(TAG.trkptLat).fixed(Math.round(track.lat[i]! * DEGREES_PER_SEMICIRCLE * 1e7), 7);
    out.bytes(TAG.lon).fixed(Math.round(track.lon[i]! * DEGREES_PER_SEMICIRCLE * 1e7), 7).bytes(TAG.close);
    const ele = track.ele[i]!;
    if (ele === ele && Math.abs(ele) < 1e6) out.bytes(TAG.ele).fixed(Math.round(ele * 10), 1).bytes(TAG.eleEnd);
    const time = track.time[i]!;
    if (time === time) out.bytes(TAG.time).time(time).bytes(TAG.timeEnd);
    const hr = track.hr[i]!;
    const cad = track.cad[i]!;
    if (hr !== 0 || cad !== 255) {
      out.bytes(TAG.ext);
      if (hr !== 0) out.bytes(TAG.hr).int(hr).bytes(TAG.hrEnd);
      if (cad !== 255) out.bytes(TAG.cad).int(cad).bytes(TAG.cadEnd);
      out.bytes(TAG.extEnd);
    }
    out.bytes(TAG.trkptEnd);
  }
  out.text('</trkseg>\n</trk>\n</gpx>\n');
  return out.result();
}

/** Bytes the points will take at most: sized up front, the buffer never grows or gets copied. */
function upperBound(track: Track, skip: Uint8Array | undefined): number {
  let total = 0;
  for (let i = 0; i < track.length; i++) {
    if (skip?.[i]) continue;
    const ele = track.ele[i]!;
    const hr = track.hr[i]!;
    const cad = track.cad[i]!;
    total += WIDEST.point;
    if (ele === ele) total += WIDEST.ele;
    if (track.time[i]! === track.time[i]!) total += WIDEST.time;
    if (hr !== 0 || cad !== 255) total += WIDEST.ext + (hr !== 0 ? WIDEST.hr : 0) + (cad !== 255 ? WIDEST.cad : 0);
  }
  return total;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const DAY_S = 86_400;
const ZERO = 0x30;

/** ASCII and UTF-8 appended to one growing buffer, without a string per number. */
class ByteWriter extends GrowableBytes {
  private day = NaN;
  private dayPrefix = new Uint8Array(0);

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  text(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  /** A non-negative integer. */
  int(n: number): this {
    this.reserve(16);
    if (n >= 10) this.int(Math.floor(n / 10));
    this.buf[this.at++] = ZERO + (n % 10);
    return this;
  }

  /** scaled / 10^decimals, with exactly `decimals` digits after the point (none when 1 and 0). */
  fixed(scaled: number, decimals: number): this {
    this.reserve(32);
    if (scaled < 0) {
      this.buf[this.at++] = 0x2d; // '-'
      scaled = -scaled;
    }
    const unit = 10 ** decimals;
    const frac = scaled % unit;
    this.int(Math.floor(scaled / unit));
    if (decimals === 1 && frac === 0) return this;
    this.buf[this.at++] = 0x2e; // '.'
    for (let d = unit / 10; d >= 1; d /= 10) this.buf[this.at++] = ZERO + (Math.floor(frac / d) % 10);
    return this;
  }

  /** A FIT timestamp as ISO 8601 UTC to the second; the date part is formatted once a day. */
  time(fitTime: number): this {
    const unix = Math.floor(fitTime) + FIT_EPOCH_UNIX_S;
    const day = Math.floor(unix / DAY_S);
    if (day !== this.day) {
      this.day = day;
      this.dayPrefix = encoder.encode(new Date(day * DAY_S * 1000).toISOString().slice(0, 11));
    }
    this.bytes(this.dayPrefix);
    const s = unix - day * DAY_S;
    this.two(Math.floor(s / 3600)).colon().two(Math.floor(s / 60) % 60).colon().two(s % 60);
    this.buf[this.at++] = 0x5a; // 'Z'
    return this;
  }

  /** The bytes written: a view of the buffer, whose slack is a few bytes a point. */
  result(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  private two(n: number): this {
    this.reserve(3);
    this.buf[this.at++] = ZERO + Math.floor(n / 10);
    this.buf[this.at++] = ZERO + (n % 10);
    return this;
  }

  private colon(): this {
    this.buf[this.at++] = 0x3a;
    return this;
  }
}
