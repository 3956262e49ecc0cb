import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { MountEntry } from '../mounts.js';
import type { Source } from '../source.js';
import { tempDir, writeFile } from '../test-fixtures.js';
import { APP_IDS, APPS } from './catalogue.js';
import { detectApps } from './detect.js';

let dir = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir('mmt-apps-');
  dir = realpathSync(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const defaults = (): Config['apps'] => loadConfig({ env: { XDG_CONFIG_HOME: join(dir, 'no-config') } }).config.apps;
const local: MountEntry[] = [{ mountPoint: '/', fsType: 'ext4', source: '/dev/vda' }];
const summary = (sources: Source[]) => sources.map((s) => ({ id: s.id, label: s.label, foundBy: s.foundBy, status: s.status }));

describe('detectApps on a fake macOS home', () => {
  it('finds each app where it writes on a Mac, with why and the app\'s quirks', async () => {
    const home = join(dir, 'Users', 'ann');
    mkdirSync(join(home, 'Documents', 'Zwift', 'Activities'), { recursive: true });
    mkdirSync(join(home, 'Library', 'Containers', 'com.whoosh.whooshgame', 'Data', 'Library', 'Application Support', 'Epic', 'MyWhoosh', 'Content', 'Data'), { recursive: true });
    mkdirSync(join(home, 'TPVirtual', 'A1B2C3D4E5F6A7B8', 'FITFiles'), { recursive: true });
    mkdirSync(join(home, 'TPVirtual', 'Sauces', 'FITFiles'), { recursive: true }); // not an account folder
    mkdirSync(join(home, 'Documents', '顽鹿运动', 'Activity'), { recursive: true });
    const express = join(home, 'Library', 'Application Support', 'Garmin', 'GarminConnect', '3912345678', 'Upload', 'FIT_TYPE_4');
    writeFile(join(express, '2025-05-01-07-00-00.fit'), 'fit');
    mkdirSync(join(home, 'Library', 'Caches', 'Garmin', 'Express', '3912345678', 'History'), { recursive: true });
    mkdirSync(join(home, 'Dropbox', 'Apps', 'WahooFitness'), { recursive: true });
    // Windows and Linux places on a Mac mean nothing.
    mkdirSync(join(home, 'OneDrive', 'Documents', 'Zwift', 'Activities'), { recursive: true });
    mkdirSync(join(home, '.wine', 'drive_c', 'users', 'ann', 'Documents', 'Zwift', 'Activities'), { recursive: true });

    const sources = await detectApps(defaults(), { home, platform: 'darwin', env: { USER: 'ann' }, mounts: local });
    expect(summary(sources)).toEqual([
      { id: `app:zwift:${join(home, 'Documents', 'Zwift', 'Activities')}`, label: 'Zwift', foundBy: "Zwift's folder ~/Documents/Zwift/Activities", status: 'private' },
      {
        id: `app:mywhoosh:${join(home, 'Library', 'Containers', 'com.whoosh.whooshgame', 'Data', 'Library', 'Application Support', 'Epic', 'MyWhoosh', 'Content', 'Data')}`,
        label: 'MyWhoosh',
        foundBy: "MyWhoosh's folder ~/Library/Containers/com.whoosh.whooshgame/Data/Library/Application Support/Epic/MyWhoosh/Content/Data",
        status: 'private',
      },
      {
        id: `app:trainingPeaksVirtual:${join(home, 'TPVirtual', 'A1B2C3D4E5F6A7B8', 'FITFiles')}`,
        label: 'TrainingPeaks Virtual A1B2C3D4E5F6A7B8',
        foundBy: "TrainingPeaks Virtual's folder ~/TPVirtual/<account>/FITFiles",
        status: 'private',
      },
      { id: `app:onelap:${join(home, 'Documents', '顽鹿运动', 'Activity')}`, label: 'Onelap', foundBy: "Onelap's folder ~/Documents/顽鹿运动/Activity", status: 'private' },
      {
        id: `app:garminExpress:${express}`,
        label: 'Garmin Express 3912345678',
        foundBy: "Garmin Express's folder ~/Library/Application Support/Garmin/GarminConnect/<device>/Upload/FIT_TYPE_4",
        status: undefined,
      },
      {
        id: `app:garminExpress:${join(home, 'Library', 'Caches', 'Garmin', 'Express', '3912345678', 'History')}`,
        label: 'Garmin Express 3912345678 (history)',
        foundBy: "Garmin Express's folder ~/Library/Caches/Garmin/Express/<device>/History",
        status: undefined,
      },
      {
        id: `app:wahooDropbox:${join(home, 'Dropbox', 'Apps', 'WahooFitness')}`,
        label: 'Wahoo (Dropbox)',
        foundBy: "Wahoo (Dropbox)'s folder ~/Dropbox/Apps/WahooFitness",
        status: undefined,
      },
    ]);
    const zwift = sources[0]!;
    expect(zwift).toMatchObject({ kind: 'app', root: join(home, 'Documents', 'Zwift', 'Activities'), app: { id: 'zwift', name: 'Zwift' }, poll: false });
    expect(zwift.quirks?.never).toEqual(['inProgressActivity.fit']);
    expect(zwift.quirks?.recording?.marker).toBe('inProgressActivity.fit');
    expect(sources[1]!.quirks?.overwritesInPlace).toBe(true);
    expect(sources.at(-1)!.quirks?.placeholders).toBe(true);
    expect(sources[4]!.quirks).toBeUndefined(); // Garmin Express files are the watch's own
  });
});

describe('detectApps on a fake Windows profile', () => {
  it('follows %LOCALAPPDATA%, %APPDATA%, %ProgramData% and %OneDrive%, and the Store package of MyWhoosh', async () => {
    const home = join(dir, 'Users', 'Bob');
    const env = {
      USERPROFILE: home,
      LOCALAPPDATA: join(home, 'AppData', 'Local'),
      APPDATA: join(home, 'AppData', 'Roaming'),
      PROGRAMDATA: join(dir, 'ProgramData'), // Windows spells it either way
      OneDrive: join(home, 'OneDrive - Contoso'),
    };
    mkdirSync(join(home, 'OneDrive - Contoso', 'Documents', 'Zwift', 'Activities'), { recursive: true });
    const store = join(env.LOCALAPPDATA, 'Packages', 'MyWhooshTechnologyService.MyWhoosh_4ykx9qd0jg8wj', 'LocalCache', 'Local', 'MyWhoosh', 'Content', 'Data');
    mkdirSync(store, { recursive: true });
    mkdirSync(join(env.LOCALAPPDATA, 'Packages', 'Microsoft.WindowsCalculator_8wekyb3d8bbwe', 'LocalCache'), { recursive: true });
    mkdirSync(join(home, 'Documents', 'TPVirtual', '0123456789abcdef', 'FITFiles'), { recursive: true });
    const express = join(env.PROGRAMDATA, 'Garmin', 'GarminConnect', 'Forerunner 255', 'FIT_TYPE_4');
    mkdirSync(express, { recursive: true });
    const antAgent = join(env.APPDATA, 'Garmin', 'Devices', '3801234567', 'Activities');
    mkdirSync(antAgent, { recursive: true });

    const sources = await detectApps(defaults(), { home, platform: 'win32', env, mounts: local });
    expect(sources.map((s) => [s.label, s.root])).toEqual([
      ['Zwift (OneDrive)', join(home, 'OneDrive - Contoso', 'Documents', 'Zwift', 'Activities')],
      ['MyWhoosh (Microsoft Store)', store],
      ['TrainingPeaks Virtual 0123456789abcdef', join(home, 'Documents', 'TPVirtual', '0123456789abcdef', 'FITFiles')],
      ['Garmin Express Forerunner 255', express],
      ['Garmin Express 3801234567 (ANT Agent)', antAgent],
    ]);
    expect(sources[3]!.foundBy).toBe("Garmin Express's folder %ProgramData%\\Garmin\\GarminConnect\\<device>\\FIT_TYPE_4");
  });

  it('looks in ~/OneDrive/Documents when %OneDrive% is not set', async () => {
    const home = join(dir, 'Users', 'Cy');
    mkdirSync(join(home, 'OneDrive', 'Documents', 'Zwift', 'Activities'), { recursive: true });
    const sources = await detectApps(defaults(), { home, platform: 'win32', env: {}, mounts: local });
    expect(sources.map((s) => s.root)).toEqual([join(home, 'OneDrive', 'Documents', 'Zwift', 'Activities')]);
  });
});

describe('detectApps on a fake Linux home', () => {
  it('finds Zwift inside a Wine prefix and a Steam Proton prefix, a linked Steam folder once', async () => {
    const home = join(dir, 'home', 'dee');
    const wine = join(home, '.wine', 'drive_c', 'users', 'dee', 'Documents', 'Zwift', 'Activities');
    mkdirSync(wine, { recursive: true });
    const steam = join(home, '.local', 'share', 'Steam');
    const proton = join(steam, 'steamapps', 'compatdata', '1134130', 'pfx', 'drive_c', 'users', 'steamuser', 'Documents', 'Zwift', 'Activities');
    mkdirSync(proton, { recursive: true });
    mkdirSync(join(home, '.steam'), { recursive: true });
    symlinkSync(steam, join(home, '.steam', 'steam')); // as Steam lays it out
    const other = join(dir, 'prefixes', 'zwift');
    mkdirSync(join(other, 'drive_c', 'users', 'dee', 'Documents', 'Zwift', 'Activities'), { recursive: true });

    const sources = await detectApps(defaults(), { home, platform: 'linux', env: { USER: 'dee', WINEPREFIX: other }, mounts: local });
    expect(sources.map((s) => [s.label, s.root])).toEqual([
      ['Zwift (Wine)', join(other, 'drive_c', 'users', 'dee', 'Documents', 'Zwift', 'Activities')],
      ['Zwift (Wine)', wine],
      ['Zwift (Steam Proton)', join(home, '.steam', 'steam', 'steamapps', 'compatdata', '1134130', 'pfx', 'drive_c', 'users', 'steamuser', 'Documents', 'Zwift', 'Activities')],
    ]);
    expect(sources[2]!.foundBy).toBe("Zwift's folder <Steam>/steamapps/compatdata/1134130/pfx/drive_c/users/steamuser/Documents/Zwift/Activities");
  });

  it('says nothing at all about apps that are not installed', async () => {
    const home = join(dir, 'home', 'eve');
    mkdirSync(join(home, 'Documents'), { recursive: true });
    expect(await detectApps(defaults(), { home, platform: 'linux', env: { USER: 'eve' }, mounts: local })).toEqual([]);
    expect(await detectApps(defaults(), { home: join(dir, 'nowhere'), platform: 'darwin', env: {}, mounts: local })).toEqual([]);
  });

  it('polls an app folder that lives on a network filesystem', async () => {
    const home = join(dir, 'home', 'fay');
    mkdirSync(join(home, 'Dropbox', 'Apps', 'WahooFitness'), { recursive: true });
    const sources = await detectApps(defaults(), { home, platform: 'linux', env: {}, mounts: [...local, { mountPoint: home, fsType: 'nfs4', source: 'nas:/home' }] });
    expect(sources.map((s) => s.poll)).toEqual([true]);
  });
});

describe('detectApps: configuration', () => {
  const home = () => join(dir, 'home', 'gus');
  beforeEach(() => {
    mkdirSync(join(home(), 'Documents', 'Zwift', 'Activities'), { recursive: true });
    mkdirSync(join(home(), 'Documents', 'Onelap', 'Activity'), { recursive: true });
  });

  it('finds nothing when apps.detect is off, and skips an app that is switched off', async () => {
    const apps = defaults();
    expect(await detectApps({ ...apps, detect: false }, { home: home(), platform: 'linux', env: {}, mounts: local })).toEqual([]);
    const withoutZwift = await detectApps({ ...apps, zwift: { ...apps.zwift, enabled: false } }, { home: home(), platform: 'linux', env: {}, mounts: local });
    expect(withoutZwift.map((s) => s.label)).toEqual(['Onelap']);
  });

  it('carries an app\'s activity type and visibility overrides onto its sources', async () => {
    const apps = defaults();
    const sources = await detectApps(
      { ...apps, zwift: { enabled: true, activityType: 'cycling', status: 'public' } },
      { home: home(), platform: 'linux', env: {}, mounts: local },
    );
    expect(sources.map((s) => [s.label, s.activityType, s.status])).toEqual([
      ['Zwift', 'cycling', 'public'],
      ['Onelap', undefined, 'private'],
    ]);
  });

  it('has one config section per app of the catalogue, each documented in config/default.yaml', () => {
    const apps = defaults();
    expect(Object.keys(apps).filter((k) => k !== 'detect').sort()).toEqual([...APP_IDS].sort());
    expect(APPS.map((a) => a.id)).toEqual([...APP_IDS]);
    for (const app of APPS) expect(app.evidence.length, app.id).toBeGreaterThan(20);
  });
});
