/**
 * The folder layouts of watches and bike computers whose activity folder we can vouch
 * for. Each probe looks at one volume (a mass-storage mount, or one storage of an MTP
 * device) and reads a handful of directory listings, never a whole tree.
 *
 * Evidence, so nobody adds a layout on a hunch:
 * - Garmin: `GARMIN/GarminDevice.xml` names the activity folder itself (FIT_TYPE_4,
 *   OutputFromUnit, e.g. `GARMIN/ACTIVITY`); watches use `GARMIN/Activity`, Edge bike
 *   computers over MTP `Garmin/Activities`. On MTP the tree sits one level down, in a
 *   storage folder ("Internal Storage", "Primary").
 * - Wahoo ACE / BOLT 3 / ROAM 3 (MTP only): completed rides in `exports`, beside
 *   `plans` and `routes` (Wahoo support, "Connect an ACE, BOLT 3, or ROAM 3 to a
 *   computer").
 * - Hammerhead Karoo (MTP): `FitFiles`, recognised only when the MTP name says Hammerhead
 *   or Karoo, since the folder name alone is too generic.
 * - Bryton Rider 20+/310 (USB mass storage, `0483:5720`): udev names the disk
 *   `usb-BRYTON_Storage_Disk…` in /dev/disk/by-id, and the ride files are `.fit` files on the
 *   volume (Pitmairen/bryton-gps-linux #8, #26). Which folder is not documented, so the whole
 *   volume is the source. The USB id is STMicroelectronics' generic one, so only the by-id
 *   name identifies a Bryton. The Rider 50 writes `.dat`/`.xml` (not FIT): not supported.
 */
import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGarminDeviceXml } from './identity.js';

export interface LayoutMatch {
  readonly vendor: string;
  /** The absolute activity folder. */
  readonly root: string;
  readonly model?: string;
  readonly serial?: string;
  /** What identified it, for `mmt-sync sources`: "GARMIN/GarminDevice.xml names GARMIN/Activity". */
  readonly why: string;
}

export interface ProbeContext {
  /** Whether the volume is (a storage of) an MTP device. */
  readonly mtp: boolean;
  /** The MTP mount's host name, as a hint to the vendor; '' when unknown. */
  readonly hostHint: string;
  /** Lists a directory; one detection pass shares a memo, so each listing is read once (30 ms apiece over MTP). */
  readonly list?: (dir: string) => Promise<Map<string, Dirent>>;
  /** The /dev/disk/by-id names of the block device behind a mass-storage volume (asked only when needed). */
  readonly diskIds?: () => Promise<readonly string[]>;
}

/** `entriesByLowerName`, each directory listed at most once: for one detection pass. */
export function listingsOnce(): (dir: string) => Promise<Map<string, Dirent>> {
  const listed = new Map<string, Promise<Map<string, Dirent>>>();
  return (dir) => {
    let entries = listed.get(dir);
    if (!entries) {
      entries = entriesByLowerName(dir);
      listed.set(dir, entries);
    }
    return entries;
  };
}

/** GarminDevice.xml is a few KB; anything past this is not read. */
export const DEVICE_XML_CAP = 1024 * 1024;

/** Entries of a directory by lower-case name (FAT and MTP disagree on case); empty on error. */
export async function entriesByLowerName(dir: string): Promise<Map<string, Dirent>> {
  const byName = new Map<string, Dirent>();
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const key = entry.name.toLowerCase();
      if (!byName.has(key)) byName.set(key, entry);
    }
  } catch {
    // Unplugged, unreadable or not a directory: nothing here.
  }
  return byName;
}

/**
 * Follows a volume-relative path component by component, matching case-insensitively
 * and through real directories only (no symlinks, no `..`), so a path taken from a
 * device's own file cannot lead off the volume.
 */
export async function resolveOnVolume(volume: string, relPath: string, list = entriesByLowerName): Promise<string | undefined> {
  const parts = relPath.split(/[\\/]+/).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..')) return undefined;
  let current = volume;
  for (const part of parts) {
    const entry = (await list(current)).get(part.toLowerCase());
    if (!entry?.isDirectory()) return undefined;
    current = join(current, entry.name);
  }
  return current;
}

/**
 * Reads the start of a small file, or undefined. Only a regular file is opened, and
 * non-blocking, so a FIFO planted under the right name cannot hang detection.
 */
export async function readSmallFile(path: string, cap = DEVICE_XML_CAP): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    if (!(await lstat(path)).isFile()) return undefined;
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    // Read to EOF rather than trusting st_size: some MTP filesystems report 0 until read.
    const buffer = Buffer.alloc(cap);
    let filled = 0;
    while (filled < cap) {
      const { bytesRead } = await handle.read(buffer, filled, cap - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function probeGarmin(volume: string, entries: Map<string, Dirent>, list: (dir: string) => Promise<Map<string, Dirent>>): Promise<LayoutMatch | undefined> {
  const garmin = entries.get('garmin');
  if (!garmin?.isDirectory()) return undefined;
  const garminDir = join(volume, garmin.name);
  const inner = await list(garminDir);

  const xmlEntry = inner.get('garmindevice.xml');
  const xml = xmlEntry?.isFile() ? await readSmallFile(join(garminDir, xmlEntry.name)) : undefined;
  const info = xml !== undefined ? parseGarminDeviceXml(xml) : undefined;

  let root: string | undefined;
  let why = '';
  for (const declared of info?.activityPaths ?? []) {
    root = await resolveOnVolume(volume, declared, list);
    why = `${garmin.name}/${xmlEntry?.name ?? 'GarminDevice.xml'} names ${declared}`;
    if (root) break;
  }
  for (const name of ['activity', 'activities']) {
    if (root) break;
    const entry = inner.get(name);
    if (entry?.isDirectory()) {
      root = join(garminDir, entry.name);
      why = `a ${garmin.name}/${entry.name} folder`;
    }
  }
  if (!root) return undefined;
  return {
    vendor: 'garmin',
    root,
    why,
    ...(info?.model ? { model: info.model } : {}),
    ...(info?.serial ? { serial: info.serial } : {}),
  };
}

function probeWahoo(volume: string, entries: Map<string, Dirent>, context: ProbeContext): LayoutMatch | undefined {
  if (!context.mtp) return undefined;
  const exportsDir = entries.get('exports');
  if (!exportsDir?.isDirectory()) return undefined;
  const named = /wahoo|elemnt/i.test(context.hostHint);
  const siblings = entries.get('plans')?.isDirectory() || entries.get('routes')?.isDirectory();
  if (!named && !siblings) return undefined;
  const why = named ? `an MTP device named "${context.hostHint}" with ${exportsDir.name}/` : `${exportsDir.name}/ beside plans/ or routes/ on an MTP device`;
  return { vendor: 'wahoo', root: join(volume, exportsDir.name), why };
}

function probeHammerhead(volume: string, entries: Map<string, Dirent>, context: ProbeContext): LayoutMatch | undefined {
  if (!context.mtp || !/hammerhead|karoo/i.test(context.hostHint)) return undefined;
  const fitFiles = entries.get('fitfiles');
  if (!fitFiles?.isDirectory()) return undefined;
  return { vendor: 'hammerhead', root: join(volume, fitFiles.name), why: `an MTP device named "${context.hostHint}" with ${fitFiles.name}/` };
}

async function probeBryton(volume: string, context: ProbeContext): Promise<LayoutMatch | undefined> {
  if (context.mtp || !context.diskIds) return undefined;
  const id = (await context.diskIds()).find((name) => /^usb-bryton[_-]/i.test(name));
  return id ? { vendor: 'bryton', root: volume, why: `/dev/disk/by-id/${id}` } : undefined;
}

/** The known layout at `volume`, or undefined. Never throws: a vanished volume matches nothing. */
export async function probeVolume(volume: string, context: ProbeContext): Promise<LayoutMatch | undefined> {
  const list = context.list ?? entriesByLowerName;
  const entries = await list(volume);
  if (entries.size === 0) return undefined;
  return (
    (await probeGarmin(volume, entries, list)) ??
    probeWahoo(volume, entries, context) ??
    probeHammerhead(volume, entries, context) ??
    (await probeBryton(volume, context))
  );
}
