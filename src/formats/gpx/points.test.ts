import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGpxPointReader, type GpxPoint } from './points.js';

const enc = new TextEncoder();
const CORPUS = new URL('../../../../shared/corpus/', import.meta.url);

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin Connect" xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
 <trk><name>Morning Run</name><type>running</type><trkseg>
`;
const P1 = `  <trkpt lat="46.05" lon="14.50"><ele>295.2</ele><time>2024-05-01T06:00:00Z</time>
   <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>121</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>
`;
const P2 = `  <trkpt lat="46.0501" lon="14.5002"><ele>295.6</ele><time>2024-05-01T06:00:01Z</time>
   <extensions><ns3:TrackPointExtension><ns3:hr>123</ns3:hr></ns3:TrackPointExtension></extensions></trkpt>
`;
const P3 = `  <trkpt lat="46.0502" lon="14.5004"><time>2024-05-01T06:00:02Z</time></trkpt>
`;
const TAIL = ' </trkseg></trk>\n</gpx>\n';

function readAll(chunks: Uint8Array[]) {
  const points: GpxPoint[] = [];
  const reader = createGpxPointReader((p) => points.push(p));
  for (const chunk of chunks) reader.write(chunk);
  return { points, result: reader.close() };
}

describe('createGpxPointReader', () => {
  it('hands out position, elevation, time and heart rate from any extension prefix', () => {
    const { points, result } = readAll([enc.encode(HEAD + P1 + P2 + P3 + TAIL)]);
    expect(result).toEqual({ points: 3 });
    expect(points[0]).toEqual({ lat: 46.05, lon: 14.5, ele: 295.2, time: new Date('2024-05-01T06:00:00Z'), hr: 121, segment: 0 });
    expect(points[1]).toMatchObject({ hr: 123, ele: 295.6 });
    expect(points[2]).toEqual({ lat: 46.0502, lon: 14.5004, time: new Date('2024-05-01T06:00:02Z'), segment: 0 });
  });

  it('tolerates a document still being written and hands out only complete points', () => {
    const points: GpxPoint[] = [];
    const reader = createGpxPointReader((p) => points.push(p));
    reader.write(enc.encode(HEAD + P1 + P2.slice(0, 40)));
    expect(points).toHaveLength(1);
    reader.write(enc.encode(P2.slice(40)));
    expect(points).toHaveLength(2);
    reader.write(enc.encode(P3.slice(0, 10)));
    expect(reader.close()).toEqual({ points: 2 });
    expect(points).toHaveLength(2);
  });

  it('gives the same points whatever the write sizes', () => {
    const bytes = enc.encode(HEAD + P1 + P2 + P3 + TAIL);
    const whole = readAll([bytes]).points;
    for (const size of [1, 3, 17, 64]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      expect(readAll(chunks).points).toEqual(whole);
    }
  });

  it('numbers segments and skips points without a valid position', () => {
    const doc = `<gpx><trk><trkseg><trkpt lat="1" lon="1"/><trkpt lat="x" lon="1"/></trkseg><trkseg><trkpt lat="2" lon="2"/></trkseg></trk><trk><trkseg><trkpt lat="3" lon="3"/></trkseg></trk></gpx>`;
    const { points } = readAll([enc.encode(doc)]);
    expect(points.map((p) => [p.lat, p.segment])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
  });

  it('reads the points of a real file', () => {
    const { points, result } = readAll([readFileSync(new URL('gpx/cerknicko-jezero.gpx', CORPUS))]);
    expect(result.points).toBe(296);
    expect(points[0]?.time?.toISOString()).toBe('2010-08-05T14:23:59.000Z');
  });

  it('stops with a reason on a DTD or a non-GPX root', () => {
    expect(readAll([enc.encode('<!DOCTYPE gpx [<!ENTITY a "b">]><gpx/>')]).result.failure).toMatch(/DTD is refused/);
    expect(readAll([enc.encode('<kml><Placemark/></kml>')]).result.failure).toMatch(/^not a GPX document/);
  });
});
