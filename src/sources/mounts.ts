/**
 * What the kernel says about mounts: which filesystem a path lives on (to decide polling)
 * and which block device backs a volume (to name it by UUID or label). Linux only; on
 * other platforms there is no /proc and callers get `undefined`.
 */
import { readFileSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  /** The mount source: `/dev/sdb1`, `jmtpfs`, `gvfsd-fuse`, `server:/export`. */
  readonly source: string;
}

/** /proc/self/mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mountinfo (proc(5)); malformed lines are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    // Optional fields sit between field 6 and the lone "-"; the rest are fixed.
    const dash = fields.indexOf('-', 6);
    const mountPoint = fields[4];
    const fsType = fields[dash + 1];
    const source = fields[dash + 2];
    if (dash < 0 || mountPoint === undefined || fsType === undefined || source === undefined) continue;
    mounts.push({ mountPoint: unescapeOctal(mountPoint), fsType, source: unescapeOctal(source) });
  }
  return mounts;
}

/** The current mount table, or undefined where /proc/self/mountinfo does not exist. */
export function readMounts(path = '/proc/self/mountinfo'): MountEntry[] | undefined {
  try {
    return parseMountInfo(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function isInside(path: string, dir: string): boolean {
  if (path === dir) return true;
  return path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The mount a path lives on: the longest mount point above it; the later of equals (it shadows). */
export function mountFor(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    if (!isInside(path, mount.mountPoint)) continue;
    if (!best || mount.mountPoint.length >= best.mountPoint.length) best = mount;
  }
  return best;
}

/** Kernel network and shared filesystems: another machine changes them, inotify never hears. */
const NETWORK_FS = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'smb', '9p', 'afs', 'ceph', 'glusterfs', 'lustre',
  'gpfs', 'ncpfs', 'coda', 'davfs', 'virtiofs', 'vboxsf', 'vmhgfs', 'beegfs', 'orangefs',
]);

/** FUSE filesystems that talk to another machine. */
const NETWORK_FUSE = new Set([
  'fuse.sshfs', 'fuse.rclone', 'fuse.s3fs', 'fuse.gcsfuse', 'fuse.goofys', 'fuse.curlftpfs',
  'fuse.davfs2', 'fuse.smbnetfs', 'fuse.vmhgfs-fuse',
]);

/** FUSE filesystems that expose an MTP device (gvfs is told apart by its `mtp:host=` names). */
const MTP_FUSE = new Set([
  'fuse.jmtpfs', 'fuse.simple-mtpfs', 'fuse.go-mtpfs', 'fuse.mtpfs', 'fuse.aft-mtp-mount',
]);

export function isNetworkFs(fsType: string): boolean {
  return NETWORK_FS.has(fsType) || NETWORK_FUSE.has(fsType);
}

export function isMtpFs(fsType: string): boolean {
  return MTP_FUSE.has(fsType);
}

/**
 * Whether files on this filesystem must be found by polling. Network filesystems change
 * behind the kernel's back; FUSE filesystems (gvfs, jmtpfs, sshfs, rclone) raise no
 * inotify events for changes their daemon makes. `fuseblk` is a local block device
 * (ntfs-3g, exfat-fuse) whose only writers go through the mount, so events work.
 */
export function fsTypeNeedsPolling(fsType: string): boolean {
  return NETWORK_FS.has(fsType) || fsType === 'fuse' || fsType.startsWith('fuse.');
}

/** gvfs mounts its FUSE bridge at /run/user/<uid>/gvfs; true even without a mount table. */
export function isGvfsPath(path: string): boolean {
  return /^\/run\/user\/\d+\/gvfs(\/|$)/.test(path);
}

/** Whether a path is on a filesystem that needs polling; false when unknown (no mount table). */
export function pathNeedsPolling(path: string, mounts: readonly MountEntry[] | undefined): boolean {
  if (isGvfsPath(path)) return true;
  if (!mounts) return false;
  const mount = mountFor(path, mounts);
  return mount !== undefined && fsTypeNeedsPolling(mount.fsType);
}

/** udev escapes unsafe characters in /dev/disk/by-label names as \xHH. */
function unescapeUdev(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** Names in /dev/disk/<kind> whose symlink leads to `device`, in name order. */
async function diskNamesFor(dir: string, device: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names.sort()) {
    try {
      const target = resolve(dir, await readlink(join(dir, name)));
      if (target === device || (await realOrSelf(target)) === device) found.push(unescapeUdev(name));
    } catch {
      // A link that vanished or is not a link names nothing.
    }
  }
  return found;
}

/** The block device mounted at `mountPoint` (its realpath), or undefined for other mounts. */
async function blockDeviceAt(mountPoint: string, mounts: readonly MountEntry[]): Promise<string | undefined> {
  const real = await realOrSelf(mountPoint);
  const mount = [...mounts].reverse().find((m) => m.mountPoint === real);
  if (!mount || !mount.source.startsWith('/')) return undefined;
  return realOrSelf(mount.source);
}

/**
 * The /dev/disk/by-id names of the block device mounted at `mountPoint`
 * (`usb-BRYTON_Storage_Disk_000000000001-0:0`): what the USB device calls itself.
 */
export async function diskIds(mountPoint: string, mounts: readonly MountEntry[] | undefined, devDiskDir = '/dev/disk'): Promise<string[]> {
  if (!mounts) return [];
  const device = await blockDeviceAt(mountPoint, mounts);
  return device ? diskNamesFor(join(devDiskDir, 'by-id'), device) : [];
}

export interface VolumeNames {
  readonly uuid?: string;
  readonly label?: string;
}

/**
 * The filesystem UUID and label of the block device mounted at `mountPoint`, matched
 * through the /dev/disk/by-uuid and by-label symlinks udev maintains. Empty when the
 * mount point is not a block-device mount or /dev/disk does not exist.
 */
export async function volumeNames(
  mountPoint: string,
  mounts: readonly MountEntry[] | undefined,
  devDiskDir = '/dev/disk',
): Promise<VolumeNames> {
  if (!mounts) return {};
  const device = await blockDeviceAt(mountPoint, mounts);
  if (!device) return {};
  const [uuid] = await diskNamesFor(join(devDiskDir, 'by-uuid'), device);
  const [label] = await diskNamesFor(join(devDiskDir, 'by-label'), device);
  return { ...(uuid ? { uuid } : {}), ...(label ? { label } : {}) };
}
