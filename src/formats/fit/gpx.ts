import { DEGREES_PER_SEMICIRCLE } from './profile.js';
import { fitTimeToIso } from './time.js';
import type { Track } from './track.js';

export interface GpxMeta {
  readonly name?: string;
  /** Points to leave out (1 = leave out), as findOutliers marks them. */
  readonly skip?: Uint8Array;
  /** Map My Tracks activity type or the FIT sport name. */
  readonly type?: string;
}

/**
 * A GPX 1.1 document of the track: one trkpt per positioned record, with time,
 * elevation and Garmin TrackPointExtension heart rate and cadence where the record has them.
 */
export function trackToGpx(track: Track, meta: GpxMeta = {}): Uint8Array {
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<gpx version="1.1" creator="mmt-sync (rebuilt from a damaged FIT file)"',
    ' xmlns="http://www.topografix.com/GPX/1/1"',
    ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"',
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd',
    ' http://www.garmin.com/xmlschemas/TrackPointExtension/v1 http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">\n',
  ];
  let first = NaN;
  for (let i = 0; i < track.length && first !== first; i++) if (!meta.skip?.[i]) first = track.time[i]!;
  if (first === first) parts.push(`<metadata><time>${fitTimeToIso(first)}</time></metadata>\n`);
  parts.push('<trk>\n');
  if (meta.name) parts.push(`<name>${escapeXml(meta.name)}</name>\n`);
  if (meta.type) parts.push(`<type>${escapeXml(meta.type)}</type>\n`);
  parts.push('<trkseg>\n');
  const skip = meta.skip;
  for (let i = 0; i < track.length; i++) {
    if (skip?.[i]) continue;
    const lat = (track.lat[i]! * DEGREES_PER_SEMICIRCLE).toFixed(7);
    const lon = (track.lon[i]! * DEGREES_PER_SEMICIRCLE).toFixed(7);
    let point = `<trkpt lat="${lat}" lon="${lon}">`;
    const ele = track.ele[i]!;
    if (ele === ele) point += `<ele>${Math.round(ele * 10) / 10}</ele>`;
    const time = track.time[i]!;
    if (time === time) point += `<time>${fitTimeToIso(time)}</time>`;
    const hr = track.hr[i]!;
    const cad = track.cad[i]!;
    if (hr !== 0 || cad !== 255) {
      point += '<extensions><gpxtpx:TrackPointExtension>';
      if (hr !== 0) point += `<gpxtpx:hr>${hr}</gpxtpx:hr>`;
      if (cad !== 255) point += `<gpxtpx:cad>${cad}</gpxtpx:cad>`;
      point += '</gpxtpx:TrackPointExtension></extensions>';
    }
    parts.push(point, '</trkpt>\n');
  }
  parts.push('</trkseg>\n</trk>\n</gpx>\n');
  return new TextEncoder().encode(parts.join(''));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
