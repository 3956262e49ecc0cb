/**
 * Damaged and indoor activities through the whole product: `mmt-sync --once` against the
 * real sandbox. A cut-off indoor FIT (which used to be skipped for good) goes up as a
 * repaired FIT whose summary was rebuilt, under the original's name, and decodes whole in
 * @garmin/fitsdk; indoor TCX and GPX go up with their indoor activity types.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { sdkDecode } from '../../src/testing/fit-reference.js';
import { makeHome, runCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

const FAST = 'intake:\n  settleS: 0.2\n  backfill: all\n';
const start = new Date(Date.now() - 2 * 86_400_000);
const iso = (offsetS: number): string => new Date(start.getTime() + offsetS * 1000).toISOString().replace('.000', '');

/** A treadmill run as Garmin Training Center writes it: Trackpoints with Time and heart rate, no Position. */
function treadmillTcx(): string {
  const points = Array.from({ length: 30 }, (_, i) => `<Trackpoint><Time>${iso(i * 10)}</Time><DistanceMeters>${i * 28}</DistanceMeters><HeartRateBpm><Value>${130 + (i % 9)}</Value></HeartRateBpm></Trackpoint>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
  <Activities><Activity Sport="Running"><Id>${iso(0)}</Id>
    <Lap StartTime="${iso(0)}"><TotalTimeSeconds>290</TotalTimeSeconds><DistanceMeters>812</DistanceMeters><Track>${points.join('')}</Track></Lap>
  </Activity></Activities>
</TrainingCenterDatabase>
`;
}

/** A spin class exported as GPX: timed points with heart rate and no lat/lon. */
function spinGpx(): string {
  const points = Array.from({ length: 30 }, (_, i) => `<trkpt><time>${iso(3600 + i * 10)}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${140 + (i % 7)}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="mmt-sync test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>cycling</type><trkseg>${points.join('\n')}</trkseg></trk></gpx>
`;
}

describe('damaged and indoor activities reach the sandbox', () => {
  it('a cut-off trainer ride goes up as a repaired FIT with a rebuilt summary; indoor TCX and GPX go up with their indoor types', async () => {
    const sandbox = await startSandbox({});
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-indoor-'));
      const ride = generateFitActivity({ start: new Date(start.getTime() + 7200_000), durationS: 1200, sport: 'cycling', indoor: true, power: true, laps: 2, serial: 4242 });
      writeFileSync(join(folder, 'trainer.fit'), ride.subarray(0, Math.floor(ride.length * 0.8)));
      writeFileSync(join(folder, 'treadmill.tcx'), treadmillTcx());
      writeFileSync(join(folder, 'spin.gpx'), spinGpx());

      const home = makeHome(sandbox, FAST);
      const login = await scriptedLogin(home);
      expect(login.result.code, login.result.stderr).toBe(0);
      const result = await runCli(['--once', '--folder', folder, '--json'], home.env);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).uploaded).toBe(3);

      const journal = Journal.open(home.stateDir);
      const records = new Map(journal.list().map((r) => [r.relPath, r]));
      journal.close();
      const trainer = records.get('trainer.fit')!;
      expect(trainer).toMatchObject({ state: 'uploaded', verdict: 'repair', uploadFormat: 'fit', activityType: 'indoor cycling' });
      expect(trainer.reason).toMatch(/^truncated .*; uploading what decodes as a repaired FIT file \(\d+ records; summary rebuilt from records\)$/);

      const uploaded = await listActivities(sandbox);
      expect(uploaded.map((a) => [a.format, a.type]).sort()).toEqual([['fit', 'indoor cycling'], ['gpx', 'indoor cycling'], ['tcx', 'running']]);
      const repaired = uploaded.find((a) => a.format === 'fit')!;
      expect(repaired.name).toMatch(/\(repaired\)$/);
      const bytes = new Uint8Array(await (await fetch(new URL(`/sandbox/files/${repaired.id}`, sandbox.baseUrl))).arrayBuffer());
      const decoded = sdkDecode(bytes);
      expect(decoded.errors).toEqual([]);
      expect(decoded.integrity).toBe(true);
      expect(decoded.messages.filter((m) => m.num === 18)).toHaveLength(1); // the rebuilt session
      expect(decoded.messages.filter((m) => m.num === 20).every((m) => typeof m.fields['power'] === 'number')).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});
