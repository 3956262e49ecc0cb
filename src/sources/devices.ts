/**
 * Finds mounted watches: USB mass-storage volumes under the usual media directories and
 * MTP devices mounted by gvfs (`/run/user/<uid>/gvfs/mtp:host=…`) or a FUSE MTP tool
 * (jmtpfs, simple-mtpfs, go-mtpfs). A device is named by what identifies the unit
 * itself, so its files are attributed to it whatever the mount point.
 */
import { realpath } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { expandHome } from '../config/paths.js';
import { MTP_HOST_PREFIX, parseMtpHost, vendorDisplayName, type MtpHostInfo } from './identity.js';
import { entriesByLowerName, listingsOnce, probeVolume, type LayoutMatch } from './layouts.js';
import { diskIds, isMtpFs, isNetworkFs, mountFor, pathNeedsPolling, readMounts, volumeNames, type MountEntry } from './mounts.js';
import { deviceSourceId, type DeviceIdentity, type Source } from './source.js';

export interface DetectDevicesOptions {
  /** Directories to look in; non-empty replaces the defaults (config `devices.mediaRoots`). */
  readonly mediaRoots?: readonly string[];
  /** For `$USER` and `~`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** For the gvfs directory. @default process.getuid() */
  readonly uid?: number;
  readonly signal?: AbortSignal;
  /** The mount table. @default /proc/self/mountinfo, when it exists */
  readonly mounts?: readonly MountEntry[];
  /** Where udev keeps by-uuid and by-label. @default /dev/disk */
  readonly devDiskDir?: string;
}

export interface MediaRoot {
  readonly dir: string;
  /** 1: its entries are volumes; 2: their entries may be too (/media/<user>/<volume>). */
  readonly depth: 1 | 2;
}

export function defaultMediaRoots(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, uid: number | undefined): MediaRoot[] {
  if (platform === 'darwin') return [{ dir: '/Volumes', depth: 1 }];
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return [];
  let user = env.USER ?? env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = undefined;
    }
  }
  return [
    ...(user ? [{ dir: `/media/${user}`, depth: 1 as const }, { dir: `/run/media/${user}`, depth: 1 as const }] : []),
    { dir: '/media', depth: 2 },
    { dir: '/mnt', depth: 2 },
    ...(uid !== undefined ? [{ dir: `/run/user/${uid}/gvfs`, depth: 1 as const }] : []),
  ];
}

/** gvfs names its other mounts `smb-share:…`, `sftp:host=…`, `gphoto2:host=…`: never a watch. */
const isForeignGvfsMount = (name: string): boolean => name.includes(':') && !name.startsWith(MTP_HOST_PREFIX);

async function subdirectories(dir: string, list = entriesByLowerName): Promise<string[]> {
  const names: string[] = [];
  // Real directories only: following symlinks here would walk /Volumes/Macintosh HD → /.
  for (const entry of (await list(dir)).values()) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) names.push(entry.name);
  }
  return names;
}

interface Sighting {
  readonly match: LayoutMatch;
  readonly mountPoint: string;
  readonly transport: 'usb-mass-storage' | 'mtp';
  readonly host: MtpHostInfo | undefined;
}

class Scanner {
  private readonly examined = new Set<string>();
  /** Each directory is listed once per detection pass (an MTP listing costs tens of ms). */
  private readonly list = listingsOnce();
  readonly sightings: Sighting[] = [];

  constructor(
    private readonly mounts: readonly MountEntry[] | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly devDiskDir: string | undefined,
  ) {}

  async examine(dir: string, levelsLeft: number): Promise<void> {
    this.signal?.throwIfAborted();
    if (this.examined.has(dir)) return;
    this.examined.add(dir);
    const name = basename(dir);
    const fsType = this.mounts ? mountFor(dir, this.mounts)?.fsType : undefined;
    if (fsType !== undefined && isNetworkFs(fsType)) return;

    const host = parseMtpHost(name);
    if (host || (fsType !== undefined && isMtpFs(fsType))) {
      await this.examineMtp(dir, host);
      return;
    }
    const match = await probeVolume(dir, { mtp: false, hostHint: '', list: this.list, diskIds: () => diskIds(dir, this.mounts, this.devDiskDir) });
    if (match) {
      this.sightings.push({ match, mountPoint: dir, transport: 'usb-mass-storage', host: undefined });
      return;
    }
    // The folders of a mounted volume are not volumes: only look below plain directories
    // such as /media/<user>.
    if (levelsLeft <= 0 || this.mounts?.some((m) => m.mountPoint === dir)) return;
    for (const child of await subdirectories(dir, this.list)) {
      if (!isForeignGvfsMount(child)) await this.examine(join(dir, child), levelsLeft - 1);
    }
  }

  /** An MTP device shows its storages ("Internal Storage", "Primary") as top folders. */
  private async examineMtp(mountPoint: string, host: MtpHostInfo | undefined): Promise<void> {
    const context = { mtp: true, hostHint: basename(mountPoint), list: this.list };
    const volumes = [mountPoint, ...(await subdirectories(mountPoint, this.list)).map((storage) => join(mountPoint, storage))];
    for (const volume of volumes) {
      this.signal?.throwIfAborted();
      const match = await probeVolume(volume, context);
      if (match) {
        this.sightings.push({ match, mountPoint, transport: 'mtp', host });
        return;
      }
    }
  }
}

async function identify(
  sighting: Sighting,
  mounts: readonly MountEntry[] | undefined,
  devDiskDir: string | undefined,
): Promise<Source> {
  const { match, mountPoint, transport, host } = sighting;
  const hostAgrees = host !== undefined && (host.vendor === undefined || host.vendor === match.vendor);
  const serial = match.serial ?? (hostAgrees ? host.serial : undefined);
  const model = match.model ?? (hostAgrees ? host.model : undefined);
  const volume = serial === undefined && transport === 'usb-mass-storage' ? await volumeNames(mountPoint, mounts, devDiskDir) : {};

  const vendorName = vendorDisplayName(match.vendor);
  const product = model === undefined ? `${vendorName} device` : model.toLowerCase().startsWith(match.vendor) ? model : `${vendorName} ${model}`;
  const key = serial ?? volume.uuid ?? volume.label ?? basename(mountPoint);
  const device: DeviceIdentity = {
    vendor: match.vendor,
    ...(model !== undefined ? { model } : {}),
    ...(serial !== undefined ? { serial } : {}),
    ...(volume.uuid !== undefined ? { volumeId: volume.uuid } : {}),
    mountPoint,
    transport,
  };
  return {
    id: deviceSourceId(match.vendor, key),
    kind: 'device',
    root: match.root,
    label: `${product} (${serial ?? volume.label ?? volume.uuid ?? mountPoint})`,
    device,
    foundBy: match.why,
    poll: transport === 'mtp' || pathNeedsPolling(match.root, mounts),
  };
}

/**
 * The watches mounted right now. Roots that are missing, unreadable or vanish while being
 * read are skipped without a word: a watch being unplugged is not an error.
 * Throws only the signal's reason when aborted.
 */
export async function detectDevices(options: DetectDevicesOptions = {}): Promise<Source[]> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const uid = options.uid ?? process.getuid?.();
  const mounts = options.mounts ?? (platform === 'linux' ? readMounts() : undefined);
  const configured = (options.mediaRoots ?? []).filter((dir) => dir.trim() !== '');
  const roots: MediaRoot[] =
    configured.length > 0
      ? configured.map((dir) => ({ dir: resolve(expandHome(dir, env)), depth: 2 }))
      : defaultMediaRoots(platform, env, uid);

  const scanner = new Scanner(mounts, options.signal, options.devDiskDir);
  for (const root of roots) {
    for (const child of await subdirectories(root.dir)) {
      if (!isForeignGvfsMount(child)) await scanner.examine(join(root.dir, child), root.depth - 1);
    }
  }

  const sources: Source[] = [];
  const seenRoots = new Set<string>();
  const seenIds = new Set<string>();
  for (const sighting of scanner.sightings) {
    options.signal?.throwIfAborted();
    let real: string;
    try {
      real = await realpath(sighting.match.root);
    } catch {
      continue; // unplugged between the probe and now
    }
    if (seenRoots.has(real)) continue;
    seenRoots.add(real);
    let source = await identify(sighting, mounts, options.devDiskDir);
    // Two unnamed volumes with the same label: keep both, told apart by mount point.
    if (seenIds.has(source.id)) source = { ...source, id: `${source.id}:${basename(sighting.mountPoint)}` };
    seenIds.add(source.id);
    sources.push(source);
  }
  return sources;
}
