import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { garminDeviceXml } from '../../src/sources/test-fixtures.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli } from '../helpers/cli.js';

const api = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'id', clientSecret: 'secret' };

describe('mmt-sync sources', () => {
  it('lists configured folders, app folders and watches with why each was found, presence and journaled counts', async () => {
    const scratch = makeHome(api).dir;
    const media = join(scratch, 'media');
    const rides = join(scratch, 'rides');
    const yaml = `intake:\n  settleS: 0\n  backfill: all\ndevices:\n  mediaRoots: ["${media}"]\nsources:\n  - path: "${rides}"\n  - path: "${join(scratch, 'not-yet')}"\n`;
    const home = makeHome(api, yaml);
    mkdirSync(rides, { recursive: true });
    writeFileSync(join(rides, 'a.fit'), generateFitActivity({ start: new Date('2025-05-01T07:00:00Z'), durationS: 60, seed: 1 }));
    const zwift = join(home.dir, 'Documents', 'Zwift', 'Activities');
    mkdirSync(zwift, { recursive: true });
    writeFileSync(join(zwift, '2025-05-02-18-00-00.fit'), generateFitActivity({ start: new Date('2025-05-02T18:00:00Z'), durationS: 60, sport: 'cycling', seed: 2 }));
    writeFileSync(join(zwift, 'inProgressActivity.fit'), 'partial');
    const tenMinutesAgo = new Date(Date.now() - 600_000); // left behind by the last ride: Zwift is not recording
    utimesSync(join(zwift, 'inProgressActivity.fit'), tenMinutesAgo, tenMinutesAgo);
    const volume = join(media, 'alice', 'GARMIN');
    mkdirSync(join(volume, 'GARMIN', 'Activity'), { recursive: true });
    writeFileSync(join(volume, 'GARMIN', 'GarminDevice.xml'), garminDeviceXml());
    for (const seed of [3, 4]) {
      writeFileSync(join(volume, 'GARMIN', 'Activity', `run-${seed}.fit`), generateFitActivity({ start: new Date(Date.UTC(2025, 4, seed)), durationS: 60, seed }));
    }

    const before = await runCli(['sources', '--json'], home.env);
    expect(before.code, before.stderr).toBe(0);
    expect(existsSync(join(home.stateDir, 'journal.sqlite')), 'sources must not create a journal').toBe(false);
    expect((JSON.parse(before.stdout) as Array<{ journaled: number }>).every((s) => s.journaled === 0)).toBe(true);

    const scan = await runCli(['scan'], home.env);
    expect(scan.code, scan.stderr).toBe(0);

    const result = await runCli(['sources', '--json'], home.env);
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    const byLabel = new Map(listed.map((s) => [s.label as string, s]));
    expect(byLabel.get(rides)).toMatchObject({ kind: 'folder', present: true, journaled: 1, foundBy: 'configured under sources:' });
    expect(byLabel.get(join(scratch, 'not-yet'))).toMatchObject({ kind: 'folder', present: false, journaled: 0 });
    expect(byLabel.get('Zwift')).toMatchObject({
      kind: 'app',
      root: zwift,
      present: true,
      journaled: 1, // the ride, never the in-progress file
      status: 'private',
      foundBy: "Zwift's folder ~/Documents/Zwift/Activities",
    });
    expect(byLabel.get('Zwift')!.behaviour).toContain('never takes inProgressActivity.fit');
    expect(byLabel.get('Garmin Forerunner 255 (3412345678)')).toMatchObject({
      kind: 'device',
      present: true,
      journaled: 2,
      foundBy: 'GARMIN/GarminDevice.xml names GARMIN/Activity',
      device: { vendor: 'garmin', serial: '3412345678', transport: 'usb-mass-storage' },
    });
    // No other app is installed in this home, and none is mentioned.
    expect(listed.map((s) => s.kind).sort()).toEqual(['app', 'device', 'folder', 'folder']);

    rmSync(volume, { recursive: true });
    const unplugged = await runCli(['sources'], home.env);
    expect(unplugged.code, unplugged.stderr).toBe(0);
    expect(unplugged.stdout).toMatch(/^Garmin Forerunner 255 \(3412345678\) — device, not connected, 2 files journaled, last scan /m);
    expect(unplugged.stdout).toMatch(/^Zwift — app, present, 1 file journaled/m);
    expect(unplugged.stdout).toContain("  found by: Zwift's folder ~/Documents/Zwift/Activities");
    expect(unplugged.stdout).toMatch(/not-yet — folder, missing, 0 files journaled/);
  });
});
