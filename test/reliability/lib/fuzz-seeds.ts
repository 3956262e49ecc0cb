/**
 * What the fuzzers start from: every real file of the shared corpus (FIT and GPX),
 * FIT files from the project's generator, and TCX files written here (the corpus
 * has none). Also a streaming writer for very large GPX files.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generateFitActivity, generateFitFile } from '../../../src/testing/fit-generator.js';
import { CORPUS } from '../../helpers/cli.js';
import { concat } from './fuzz-rng.js';

export interface Seed {
  readonly name: string;
  readonly format: 'fit' | 'gpx' | 'tcx';
  readonly bytes: Uint8Array;
}

const enc = new TextEncoder();

export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const format of ['fit', 'gpx'] as const) {
    for (const name of readdirSync(join(CORPUS, format)).sort()) {
      if (/LICENSE/.test(name)) continue;
      seeds.push({ name, format, bytes: new Uint8Array(readFileSync(join(CORPUS, format, name))) });
    }
  }
  const start = new Date('2025-06-01T06:30:00Z');
  const run = generateFitActivity({ start, durationS: 300, seed: 7 });
  seeds.push(
    { name: 'generated-run.fit', format: 'fit', bytes: run },
    { name: 'generated-ride.fit', format: 'fit', bytes: generateFitActivity({ start, durationS: 900, sport: 'cycling', seed: 3, recordIntervalS: 5 }) },
    { name: 'generated-settings.fit', format: 'fit', bytes: generateFitFile('settings') },
    { name: 'generated-workout.fit', format: 'fit', bytes: generateFitFile('workout') },
    { name: 'generated-chained.fit', format: 'fit', bytes: concat(run, generateFitFile('settings')) },
    { name: 'generated-run.tcx', format: 'tcx', bytes: enc.encode(tcxActivity({ sport: 'Running', laps: [40, 25] })) },
    { name: 'generated-bike.tcx', format: 'tcx', bytes: enc.encode(tcxActivity({ sport: 'Biking', laps: [60] })) },
    { name: 'generated-indoor.tcx', format: 'tcx', bytes: enc.encode(tcxActivity({ sport: 'Other', laps: [30], positions: false })) },
    { name: 'generated-course.tcx', format: 'tcx', bytes: enc.encode(tcxCourse(30)) },
    { name: 'generated-track.gpx', format: 'gpx', bytes: enc.encode(gpxTrack(200)) },
  );
  return seeds;
}

const START_MS = Date.parse('2025-06-01T06:30:00Z');

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A TCX activity the way Garmin Connect exports one. */
export function tcxActivity(o: { sport: string; laps: number[]; positions?: boolean }): string {
  let second = 0;
  let metres = 0;
  const laps = o.laps.map((count) => {
    const lapStart = second;
    const points: string[] = [];
    for (let i = 0; i < count; i++, second += 5, metres += 14) {
      const position = o.positions === false ? '' : `<Position><LatitudeDegrees>${(46.05 + second * 1e-5).toFixed(8)}</LatitudeDegrees><LongitudeDegrees>${(14.5 + second * 1e-5).toFixed(8)}</LongitudeDegrees></Position>`;
      points.push(
        `\n          <Trackpoint><Time>${iso(START_MS + second * 1000)}</Time>${position}<AltitudeMeters>295.${i % 10}</AltitudeMeters><DistanceMeters>${metres.toFixed(1)}</DistanceMeters><HeartRateBpm><Value>${120 + (i % 30)}</Value></HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3.0</ns3:Speed></ns3:TPX></Extensions></Trackpoint>`,
      );
    }
    return `
      <Lap StartTime="${iso(START_MS + lapStart * 1000)}">
        <TotalTimeSeconds>${(second - lapStart).toFixed(1)}</TotalTimeSeconds>
        <DistanceMeters>${(count * 14).toFixed(1)}</DistanceMeters>
        <Intensity>Active</Intensity>
        <TriggerMethod>Manual</TriggerMethod>
        <Track>${points.join('')}
        </Track>
      </Lap>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
    <Activity Sport="${o.sport}">
      <Id>${iso(START_MS)}</Id>${laps.join('')}
      <Creator xsi:type="Device_t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Name>Forerunner 965</Name><UnitId>3412345678</UnitId><ProductID>4315</ProductID></Creator>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
`;
}

function tcxCourse(points: number): string {
  const pts = Array.from({ length: points }, (_, i) => `<Trackpoint><Time>${iso(START_MS + i * 1000)}</Time><Position><LatitudeDegrees>46.0${i}</LatitudeDegrees><LongitudeDegrees>14.5</LongitudeDegrees></Position></Trackpoint>`);
  return `<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Courses><Course><Name>Loop</Name><Track>${pts.join('')}</Track></Course></Courses></TrainingCenterDatabase>`;
}

const GPX_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="mmt-sync fuzz" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Fuzz</name><type>running</type><trkseg>
`;
const GPX_TAIL = `  </trkseg></trk>
</gpx>
`;

function gpxPoint(i: number): string {
  const lat = (51.4769 + Math.sin(i / 500) * 0.01).toFixed(7);
  const lon = (-0.0005 + Math.cos(i / 500) * 0.01).toFixed(7);
  return `    <trkpt lat="${lat}" lon="${lon}"><ele>${(20 + (i % 50) / 10).toFixed(1)}</ele><time>${iso(START_MS + i * 1000)}</time></trkpt>\n`;
}

export function gpxTrack(points: number): string {
  let body = '';
  for (let i = 0; i < points; i++) body += gpxPoint(i);
  return GPX_HEAD + body + GPX_TAIL;
}

/** Writes a valid GPX track of at least `bytes` bytes to `path`, 1 MB at a time; returns its point count. */
export function writeLargeGpx(path: string, bytes: number): { points: number; bytes: number } {
  const fd = openSync(path, 'w');
  try {
    let written = writeSync(fd, GPX_HEAD);
    let points = 0;
    while (written < bytes) {
      let chunk = '';
      while (chunk.length < 1 << 20) chunk += gpxPoint(points++);
      written += writeSync(fd, chunk);
    }
    written += writeSync(fd, GPX_TAIL);
    return { points, bytes: written };
  } finally {
    closeSync(fd);
  }
}
