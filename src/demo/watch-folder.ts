import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFitActivity, generateFitFile } from '../testing/fit-generator.js';
import { garminDeviceXml } from '../sources/test-fixtures.js';

/** A GPX track written the way a phone app would: timed points on a loop, with heart rate. */
function gpxWalk(start: Date, minutes: number): string {
  const points: string[] = [];
  for (let i = 0; i <= minutes * 6; i++) {
    const angle = (i / (minutes * 6)) * 2 * Math.PI;
    const lat = 46.3645 + 0.004 * Math.sin(angle);
    const lon = 14.0946 + 0.006 * Math.cos(angle);
    const time = new Date(start.getTime() + i * 10_000).toISOString();
    points.push(
      `<trkpt lat="${lat.toFixed(6)}" lon="${lon.toFixed(6)}"><ele>${(480 + 5 * Math.sin(angle * 3)).toFixed(1)}</ele><time>${time}</time>` +
        `<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${95 + (i % 20)}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="mmt-sync demo" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><name>Lakeside walk</name><type>walking</type><trkseg>
${points.join('\n')}
</trkseg></trk></gpx>
`;
}

/**
 * A folder laid out like a plugged-in Garmin watch (GARMIN/GarminDevice.xml and
 * GARMIN/Activity/): three recent activities, a phone's GPX, a settings file (not an
 * activity) and a file cut short (as when a watch is unplugged mid-copy).
 */
export function createDemoWatch(mediaRoot: string): { volume: string; files: string[] } {
  const volume = join(mediaRoot, 'FENIX7');
  const activity = join(volume, 'GARMIN', 'Activity');
  mkdirSync(activity, { recursive: true });
  writeFileSync(join(volume, 'GARMIN', 'GarminDevice.xml'), garminDeviceXml({ id: '3412345678', description: 'fenix 7' }));
  const day = 86_400_000;
  const now = Date.now();
  const at = (daysAgo: number, hour: number) => new Date(Math.floor((now - daysAgo * day) / day) * day + hour * 3_600_000);
  const files: Array<[string, Uint8Array | string]> = [
    ['2026-run-morning.fit', generateFitActivity({ start: at(2, 7), durationS: 45 * 60, sport: 'running', seed: 3, serial: 3412345678 })],
    ['2026-ride-lunch.fit', generateFitActivity({ start: at(1, 12), durationS: 90 * 60, sport: 'cycling', seed: 5, serial: 3412345678, lat: 46.05, lon: 14.5 })],
    ['2026-hike.fit', generateFitActivity({ start: at(0, 9), durationS: 120 * 60, sport: 'hiking', seed: 8, serial: 3412345678, lat: 46.38, lon: 13.84 })],
    ['lakeside-walk.gpx', gpxWalk(at(1, 18), 40)],
    ['settings.fit', generateFitFile('settings', { serial: 3412345678 })],
  ];
  const cut = generateFitActivity({ start: at(0, 17), durationS: 30 * 60, sport: 'running', seed: 11, serial: 3412345678 });
  files.push(['2026-run-unplugged.fit', cut.subarray(0, Math.floor(cut.length * 0.7))]);
  for (const [name, content] of files) writeFileSync(join(activity, name), content);
  return { volume, files: files.map(([name]) => name) };
}
