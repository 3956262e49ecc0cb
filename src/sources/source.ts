/**
 * A source is a directory whose files are activities: a configured folder, a mounted
 * watch, or a training app's own folder. Everything downstream (intake, journal)
 * attributes a file to `Source.id`, so the id must not change between runs, mounts or
 * mount points.
 */
export interface Source {
  /** Stable: `folder:<abs path>`, `device:<vendor>:<serial, volume uuid or label>` or `app:<app>:<abs path>`. */
  readonly id: string;
  readonly kind: 'folder' | 'device' | 'app';
  /** Absolute directory whose files are activities (e.g. `<mount>/GARMIN/Activity`). */
  readonly root: string;
  /** For people: "Garmin Forerunner 255 (3412345678)", "Zwift", or the folder path. */
  readonly label: string;
  readonly device?: DeviceIdentity;
  /** The training app or sync tool that writes here (app sources, and folders that are an app's). */
  readonly app?: AppIdentity;
  /** Why mmt-sync looks here, in a few words: "GARMIN/GarminDevice.xml names GARMIN/Activity". */
  readonly foundBy?: string;
  /** True where change events are unreliable: MTP, FUSE, network filesystems. */
  readonly poll: boolean;
  /** Every file's activity type, whatever the file says (the user's override). */
  readonly activityType?: string;
  readonly status?: 'public' | 'private';
  /** Globs relative to `root`; see `walk.ts` for how they match. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** How the program that writes here behaves; see `SourceQuirks`. */
  readonly quirks?: SourceQuirks;
}

export interface AppIdentity {
  /** The config key under `apps:` (`zwift`, `garminExpress`, …). */
  readonly id: string;
  /** "Zwift", "Garmin Express". */
  readonly name: string;
}

/**
 * What a writing program does that a plain folder does not; data, so that the walk, the
 * intake and `mmt-sync sources` all act on the same facts (../shared/sources.md has the
 * evidence for each app's quirks).
 */
export interface SourceQuirks {
  /**
   * File names (globs, matched case-insensitively against the name alone) that are never
   * activities here, e.g. Zwift's `inProgressActivity.fit`: never listed, read or journaled.
   */
  readonly never?: readonly string[];
  /**
   * The app writes a ride's files while it is being ridden. While `marker` (a file in the
   * same folder, e.g. Zwift's `inProgressActivity.fit`) was modified within `freshS`, the
   * app is recording, and the folder's files modified within `holdS` are not listed yet:
   * a ride's file is taken once it has stopped growing, never half-written.
   */
  readonly recording?: { readonly marker: string; readonly freshS: number; readonly holdS: number };
  /**
   * The app replaces a known file with the next activity (MyWhoosh's `MyNewActivity-*.fit`):
   * new content at a known path is a new activity, to be copied to the spool at once,
   * before the next one replaces it. The intake acts on this.
   */
  readonly overwritesInPlace?: boolean;
  /** A cloud sync folder: a file may appear empty (a placeholder) before its content; an empty file waits. */
  readonly placeholders?: boolean;
  /**
   * The type of an activity whose file names no more than this app's usual sport (an indoor
   * trainer app's `cycling`): see `activityTypeFor` in src/sources/apps/activity-type.ts.
   */
  readonly usualActivity?: { readonly activityType: string; readonly sports: readonly string[] };
}

export interface DeviceIdentity {
  /** Lower case: `garmin`, `wahoo`, `hammerhead`, `bryton`. */
  readonly vendor: string;
  readonly model?: string;
  /** The unit's own serial; for Garmin the decimal unit id of GarminDevice.xml. */
  readonly serial?: string;
  /** The filesystem UUID of a mass-storage volume, when /dev/disk/by-uuid names it. */
  readonly volumeId?: string;
  readonly mountPoint: string;
  readonly transport: 'usb-mass-storage' | 'mtp';
}

export function folderSourceId(absolutePath: string): string {
  return `folder:${absolutePath}`;
}

/** Keeps an id component to characters that survive logs, URLs and file names. */
export function idComponent(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function deviceSourceId(vendor: string, key: string): string {
  return `device:${idComponent(vendor.toLowerCase())}:${idComponent(key)}`;
}

/** The path stays whole (like a folder's id), so two roots of one app never collide. */
export function appSourceId(appId: string, absolutePath: string): string {
  return `app:${idComponent(appId)}:${absolutePath}`;
}
