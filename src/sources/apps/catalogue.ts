/**
 * The training apps and desktop sync tools whose activity folders mmt-sync finds by
 * itself: where each writes, per OS, and how it behaves. Data only; `locate.ts` turns a
 * location into directories and `detect.ts` into sources.
 *
 * Every row rests on evidence recorded in ../shared/sources.md (the source is named per
 * app below); nothing is added on a hunch.
 */
import type { SourceQuirks } from '../source.js';

export const APP_IDS = ['zwift', 'mywhoosh', 'trainingPeaksVirtual', 'onelap', 'garminExpress', 'wahooDropbox'] as const;
export type AppId = (typeof APP_IDS)[number];

/** Where a location starts; `locate.ts` knows the directories each stands for. */
export type Base =
  /** The user's home directory. */
  | 'home'
  /** Windows `%OneDrive%`, else `~/OneDrive`. */
  | 'oneDrive'
  /** Windows `%LOCALAPPDATA%`, else `~/AppData/Local`. */
  | 'localAppData'
  /** Windows `%APPDATA%`, else `~/AppData/Roaming`. */
  | 'appData'
  /** Windows `%ProgramData%`, else `C:\ProgramData`. */
  | 'programData'
  /** Linux Wine prefixes: `$WINEPREFIX`, else `~/.wine`. */
  | 'winePrefix'
  /** Linux Steam installations: `~/.steam/steam`, `~/.local/share/Steam`. */
  | 'steam';

/** A directory level whose name varies: an account id, a device id, a store package name. */
export interface NamePattern {
  readonly pattern: RegExp;
  /** How the level reads in `mmt-sync sources`: `<device>`. */
  readonly shown: string;
  /** Whether the matched name tells sources apart in a label (a device id does, a store package name does not). @default true */
  readonly inLabel?: boolean;
}

/** The login name, as Wine names the user's folder under `drive_c/users`. */
export const USER = Symbol('user');

export type Segment = string | NamePattern | typeof USER;

export interface AppLocation {
  readonly platforms: readonly NodeJS.Platform[];
  readonly base: Base;
  readonly path: readonly Segment[];
  /** Tells two locations of one app apart in a label: "Wine", "Steam Proton". */
  readonly variant?: string;
}

export interface AppSpec {
  readonly id: AppId;
  readonly name: string;
  readonly locations: readonly AppLocation[];
  readonly quirks?: SourceQuirks;
  /** Where the facts come from (shown nowhere; for whoever changes the row). */
  readonly evidence: string;
}

const MAC = ['darwin'] as const;
const WINDOWS = ['win32'] as const;
const LINUX = ['linux'] as const;
const EVERYWHERE = ['darwin', 'win32', 'linux'] as const;

const anyDevice: NamePattern = { pattern: /^[^.]/, shown: '<device>' };

/** Indoor trainer apps: a file that says no more than "cycling" is an indoor ride. */
const INDOOR_RIDE = { activityType: 'indoor cycling', sports: ['cycling', 'generic'] } as const;

export const APPS: readonly AppSpec[] = [
  {
    id: 'zwift',
    name: 'Zwift',
    evidence:
      'jat255/Fit-File-Faker app_registry.py (paths), its issue #69 (the dated file exists from the start of a ride); ' +
      'danieldean/zwift_to_tredict (OneDrive path, inProgressActivity.fit never uploaded); forums.zwift.com ' +
      '"Ride save/exit process is frail" (inProgressActivity.fit buffers the ride and stays after it)',
    locations: [
      { platforms: [...MAC, ...WINDOWS, ...LINUX], base: 'home', path: ['Documents', 'Zwift', 'Activities'] },
      { platforms: WINDOWS, base: 'oneDrive', path: ['Documents', 'Zwift', 'Activities'], variant: 'OneDrive' },
      { platforms: LINUX, base: 'winePrefix', path: ['drive_c', 'users', USER, 'Documents', 'Zwift', 'Activities'], variant: 'Wine' },
      {
        platforms: LINUX,
        base: 'steam',
        path: ['steamapps', 'compatdata', '1134130', 'pfx', 'drive_c', 'users', 'steamuser', 'Documents', 'Zwift', 'Activities'],
        variant: 'Steam Proton',
      },
    ],
    quirks: {
      never: ['inProgressActivity.fit'],
      // Zwift writes inProgressActivity.fit throughout a ride; five quiet minutes mean the ride is over.
      recording: { marker: 'inProgressActivity.fit', freshS: 300, holdS: 86_400 },
      usualActivity: INDOOR_RIDE,
    },
  },
  {
    id: 'mywhoosh',
    name: 'MyWhoosh',
    evidence:
      'jat255/Fit-File-Faker app_registry.py (macOS and Windows Store paths), app.py and issue #43 (MyNewActivity-*.fit ' +
      'is overwritten); Inc21/Wahoo-and-MyWhoosh-to-Garmin-Conect-Auto-Uploader README (Windows non-Store path)',
    locations: [
      {
        platforms: MAC,
        base: 'home',
        path: ['Library', 'Containers', 'com.whoosh.whooshgame', 'Data', 'Library', 'Application Support', 'Epic', 'MyWhoosh', 'Content', 'Data'],
      },
      {
        platforms: WINDOWS,
        base: 'localAppData',
        path: ['Packages', { pattern: /MyWhoosh/i, shown: '<MyWhoosh package>', inLabel: false }, 'LocalCache', 'Local', 'MyWhoosh', 'Content', 'Data'],
        variant: 'Microsoft Store',
      },
      { platforms: WINDOWS, base: 'localAppData', path: ['MyWhoosh', 'MyWhoosh', 'Cache', 'Cache_Data'] },
    ],
    quirks: { overwritesInPlace: true, usualActivity: INDOOR_RIDE },
  },
  {
    id: 'trainingPeaksVirtual',
    name: 'TrainingPeaks Virtual',
    evidence: 'jat255/Fit-File-Faker config.py get_tpv_folder and app_registry.py (a 16-character account folder)',
    locations: [
      { platforms: MAC, base: 'home', path: ['TPVirtual', { pattern: /^\w{16}$/, shown: '<account>' }, 'FITFiles'] },
      { platforms: WINDOWS, base: 'home', path: ['Documents', 'TPVirtual', { pattern: /^\w{16}$/, shown: '<account>' }, 'FITFiles'] },
    ],
    quirks: { usualActivity: INDOOR_RIDE },
  },
  {
    id: 'onelap',
    name: 'Onelap',
    evidence: 'jat255/Fit-File-Faker app_registry.py OnelapDetector (English and Chinese folder names, any OS)',
    locations: [
      { platforms: EVERYWHERE, base: 'home', path: ['Documents', 'Onelap', 'Activity'] },
      { platforms: EVERYWHERE, base: 'home', path: ['Documents', '顽鹿运动', 'Activity'] },
    ],
    quirks: { usualActivity: INDOOR_RIDE },
  },
  {
    id: 'garminExpress',
    name: 'Garmin Express',
    evidence: 'Runalyze/docs import/devices/garmin.rst ("Garmin Express" and "ANT-Agent" folders)',
    locations: [
      { platforms: MAC, base: 'home', path: ['Library', 'Application Support', 'Garmin', 'GarminConnect', anyDevice, 'Upload', 'FIT_TYPE_4'] },
      { platforms: MAC, base: 'home', path: ['Library', 'Caches', 'Garmin', 'Express', anyDevice, 'History'], variant: 'history' },
      { platforms: WINDOWS, base: 'programData', path: ['Garmin', 'GarminConnect', anyDevice, 'FIT_TYPE_4'] },
      { platforms: WINDOWS, base: 'programData', path: ['Garmin', 'CoreService', 'Devices', anyDevice, 'Sync', 'FIT_TYPE_4'], variant: 'Windows 7' },
      { platforms: WINDOWS, base: 'appData', path: ['Garmin', 'Devices', anyDevice, 'Activities'], variant: 'ANT Agent' },
    ],
  },
  {
    id: 'wahooDropbox',
    name: 'Wahoo (Dropbox)',
    evidence: 'Inc21/Wahoo-and-MyWhoosh-to-Garmin-Conect-Auto-Uploader README (the Wahoo app writes to Dropbox/Apps/WahooFitness)',
    locations: [{ platforms: EVERYWHERE, base: 'home', path: ['Dropbox', 'Apps', 'WahooFitness'] }],
    quirks: { placeholders: true },
  },
];
