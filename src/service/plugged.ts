/**
 * `mmt-sync service plugged`: what mmt-sync-device@<usb>.service runs when the udev rule
 * sees a watch plugged in. An MTP watch has no filesystem until someone mounts it, so:
 * use gvfs's mount if the desktop made one; else `gio mount` it; else jmtpfs; then sync
 * its activity folder (`mmt-sync sync --folder …`) and unmount what was mounted here.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { failure, loginRequired, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { detectDevices } from '../sources/devices.js';
import { readMounts } from '../sources/mounts.js';
import type { Source } from '../sources/source.js';
import { findExecutable, firstLine, run } from './exec.js';
import { describeUsb, gioUriFor, gvfsNameMatches, isMassStorage, parseGioVolumes, readUsbDevice, USB_KERNEL_NAME, type UsbDevice } from './usb.js';

export interface PluggedOptions {
  /** The USB device's kernel name (the unit's instance, `%i`). */
  readonly device: string;
  /** The sync to run; `--folder DIR` is appended for an MTP watch. */
  readonly syncArgv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** @default /sys/bus/usb/devices */
  readonly sysfsRoot?: string;
  /** @default process.getuid() */
  readonly uid?: number;
  /** How long a fresh mount may take to show its folders. @default 15_000 */
  readonly mountWaitMs?: number;
}

export interface PluggedResult {
  readonly device: string;
  /** gone: unplugged before we looked. */
  readonly transport: 'mtp' | 'usb-mass-storage' | 'gone';
  /** Who mounted it: the desktop (gvfs), us through gio, us through jmtpfs. */
  readonly mountedBy?: 'gvfs' | 'gio' | 'jmtpfs';
  readonly activityFolder?: string;
  readonly synced: boolean;
}

interface Mounted {
  readonly mountPoint: string;
  readonly by: 'gvfs' | 'gio' | 'jmtpfs';
  unmount(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

function runtimeDir(env: NodeJS.ProcessEnv, uid: number): string {
  return env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
}

function gvfsMountOf(device: UsbDevice, gvfsDir: string): string | undefined {
  try {
    const name = readdirSync(gvfsDir).find((entry) => gvfsNameMatches(entry, device));
    return name === undefined ? undefined : join(gvfsDir, name);
  } catch {
    return undefined;
  }
}

async function waitFor<T>(probe: () => T | undefined, ms: number, signal: AbortSignal): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== undefined || Date.now() >= until || signal.aborted) return found;
    await sleep(250, signal);
  }
}

async function mountWithGio(device: UsbDevice, gio: string, gvfsDir: string, options: PluggedOptions): Promise<Mounted | undefined> {
  const { env, log, signal } = options;
  const listing = await run([gio, 'mount', '-li'], { env, signal, timeoutMs: 20_000 });
  const uri = gioUriFor(device, parseGioVolumes(listing.stdout));
  log.info(`mounting ${describeUsb(device)} with gio: ${uri}`);
  const mounted = await run([gio, 'mount', uri], { env, signal, timeoutMs: 90_000 });
  if (mounted.code !== 0) {
    log.warn(`gio mount ${uri}: ${firstLine(mounted)}`);
    return undefined;
  }
  const mountPoint = await waitFor(() => gvfsMountOf(device, gvfsDir), options.mountWaitMs ?? 15_000, signal);
  const unmount = async () => {
    const result = await run([gio, 'mount', '-u', uri], { env, timeoutMs: 30_000 });
    if (result.code !== 0) log.warn(`gio mount -u ${uri}: ${firstLine(result)}`);
  };
  if (!mountPoint) {
    log.warn(`gio mounted ${uri} but ${gvfsDir} shows no folder for it (is gvfsd-fuse running?)`);
    await unmount();
    return undefined;
  }
  return { mountPoint, by: 'gio', unmount };
}

async function mountWithJmtpfs(device: UsbDevice, jmtpfs: string, options: PluggedOptions, uid: number): Promise<Mounted | undefined> {
  const { env, log, signal } = options;
  const mountPoint = join(runtimeDir(env, uid), 'mmt-sync-mtp', device.name);
  mkdirSync(mountPoint, { recursive: true, mode: 0o700 });
  log.info(`mounting ${describeUsb(device)} with jmtpfs at ${mountPoint}`);
  const result = await run([jmtpfs, `-device=${device.busnum},${device.devnum}`, mountPoint], { env, signal, timeoutMs: 90_000 });
  const isMounted = () => readMounts()?.some((m) => m.mountPoint === mountPoint) ?? false;
  const unmount = async () => {
    const fusermount = findExecutable('fusermount3', env) ?? findExecutable('fusermount', env);
    const outcome = fusermount ? await run([fusermount, '-u', mountPoint], { env, timeoutMs: 30_000 }) : await run(['umount', mountPoint], { env, timeoutMs: 30_000 });
    if (outcome.code !== 0) log.warn(`unmounting ${mountPoint}: ${firstLine(outcome)}`);
    try {
      rmdirSync(mountPoint);
    } catch {
      // Still mounted (busy) or gone: the next plug-in reuses it.
    }
  };
  if (result.code !== 0 || !isMounted()) {
    log.warn(`jmtpfs ${describeUsb(device)}: ${result.code !== 0 ? firstLine(result) : 'no mount appeared'}`);
    if (isMounted()) await unmount();
    else {
      try {
        rmdirSync(mountPoint);
      } catch {
        // Not empty or gone.
      }
    }
    return undefined;
  }
  return { mountPoint, by: 'jmtpfs', unmount };
}

async function mountMtp(device: UsbDevice, options: PluggedOptions, uid: number): Promise<Mounted> {
  const { env, log, signal } = options;
  const gvfsDir = join(runtimeDir(env, uid), 'gvfs');
  const existing = gvfsMountOf(device, gvfsDir);
  if (existing) {
    log.info(`${describeUsb(device)} is mounted by the desktop at ${existing}`);
    return { mountPoint: existing, by: 'gvfs', unmount: async () => {} };
  }
  const gio = findExecutable('gio', env);
  const hasBus = Boolean(env.DBUS_SESSION_BUS_ADDRESS) || existsSync(join(runtimeDir(env, uid), 'bus'));
  if (gio && hasBus && existsSync(dirname(gvfsDir))) {
    const mounted = await mountWithGio(device, gio, gvfsDir, options);
    if (mounted) return mounted;
  }
  signal.throwIfAborted();
  const jmtpfs = findExecutable('jmtpfs', env);
  if (jmtpfs) {
    const mounted = await mountWithJmtpfs(device, jmtpfs, options, uid);
    if (mounted) return mounted;
  }
  throw failure(
    'MTP_MOUNT_FAILED',
    `cannot mount ${describeUsb(device)}: ${gio ? 'gio could not' : 'gio (gvfs) is not installed'}${jmtpfs ? ', jmtpfs could not' : ' and jmtpfs is not installed'}; install gvfs-backends or jmtpfs`,
  );
}

/** Runs the sync as its own process, so its exit status means what it always means. */
async function runSync(argv: readonly string[], options: PluggedOptions): Promise<void> {
  const result = await run(argv, { env: options.env, signal: options.signal, inherit: true, timeoutMs: 3_600_000 });
  if (result.code === 0) return;
  if (result.code === 3) throw loginRequired();
  if (result.code === 2) throw usageError('SYNC_USAGE', 'the sync refused its configuration (see the lines above)');
  throw failure('SYNC_INCOMPLETE', `the sync ended with ${result.failure ?? `exit code ${result.code}`}`);
}

export async function runPlugged(options: PluggedOptions): Promise<PluggedResult> {
  const { device: name, log, signal } = options;
  if (!USB_KERNEL_NAME.test(name)) {
    throw usageError('SERVICE_PLUGGED_DEVICE', `service plugged: expected a USB device name like 1-4 in MMT_SYNC_USB_DEVICE (set by mmt-sync-device@.service), got ${JSON.stringify(name)}`);
  }
  const device = readUsbDevice(name, options.sysfsRoot);
  if (!device) {
    log.info(`USB device ${name} is gone; nothing to sync`);
    return { device: name, transport: 'gone', synced: false };
  }
  if (isMassStorage(device)) {
    // The desktop mounts these; give it a moment, then sync whatever is mounted.
    log.info(`${describeUsb(device)} is USB mass storage: syncing mounted devices`);
    await sleep(3_000, signal);
    await runSync(options.syncArgv, options);
    return { device: name, transport: 'usb-mass-storage', synced: true };
  }

  const uid = options.uid ?? process.getuid?.() ?? 0;
  const mounted = await mountMtp(device, options, uid);
  try {
    // A fresh MTP mount may list its storages a moment after it appears.
    const until = Date.now() + (mounted.by === 'gvfs' ? 0 : options.mountWaitMs ?? 15_000);
    let source: Source | undefined;
    for (;;) {
      const sources = await detectDevices({ mediaRoots: [dirname(mounted.mountPoint)], env: options.env, signal });
      source = sources.find((s) => s.device?.mountPoint === mounted.mountPoint);
      if (source || Date.now() >= until || signal.aborted) break;
      await sleep(1_000, signal);
    }
    if (!source) {
      log.info(`${describeUsb(device)}: no activity folder mmt-sync knows on it; nothing to sync`);
      return { device: name, transport: 'mtp', mountedBy: mounted.by, synced: false };
    }
    log.info(`syncing ${source.label} from ${source.root}`);
    await runSync([...options.syncArgv, '--folder', source.root], options);
    return { device: name, transport: 'mtp', mountedBy: mounted.by, activityFolder: source.root, synced: true };
  } finally {
    await mounted.unmount();
  }
}
