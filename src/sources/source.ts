/**
 * A source is a directory whose files are activities: a configured folder or a mounted
 * watch. Everything downstream (intake, journal) attributes a file to `Source.id`, so the
 * id must not change between runs, mounts or mount points.
 */
export interface Source {
  /** Stable: `folder:<abs path>` or `device:<vendor>:<serial, volume uuid or label>`. */
  readonly id: string;
  readonly kind: 'folder' | 'device';
  /** Absolute directory whose files are activities (e.g. `<mount>/GARMIN/Activity`). */
  readonly root: string;
  /** For people: "Garmin Forerunner 255 (3412345678)", or the folder path. */
  readonly label: string;
  readonly device?: DeviceIdentity;
  /** True where change events are unreliable: MTP, FUSE, network filesystems. */
  readonly poll: boolean;
  readonly activityType?: string;
  readonly status?: 'public' | 'private';
  /** Globs relative to `root`; see `walk.ts` for how they match. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

export interface DeviceIdentity {
  /** Lower case: `garmin`, `wahoo`, `hammerhead`. */
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
