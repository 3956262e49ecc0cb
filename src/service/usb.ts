/**
 * What sysfs and gvfs say about one USB device, for the plug-in trigger. Pure parsing plus
 * plain reads of /sys; nothing here mounts anything.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A USB device's kernel name: bus-port[.port…] (`1-4`, `3-1.2`). Nothing else reaches a path. */
export const USB_KERNEL_NAME = /^[0-9]{1,3}-[0-9]{1,3}(\.[0-9]{1,3}){0,6}$/;

export const SYSFS_USB_DEVICES = '/sys/bus/usb/devices';

export interface UsbDevice {
  readonly name: string;
  /** Four lower-case hex digits. */
  readonly vendorId: string;
  readonly productId: string;
  readonly serial?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly busnum: number;
  readonly devnum: number;
  /** bInterfaceClass of each interface, two hex digits (08: mass storage, 06: still image/MTP, ff: vendor). */
  readonly interfaceClasses: readonly string[];
}

function attribute(dir: string, name: string): string | undefined {
  try {
    const value = readFileSync(join(dir, name), 'utf8').trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The device as sysfs shows it, or undefined when it is gone (unplugged already). */
export function readUsbDevice(name: string, sysfsRoot = SYSFS_USB_DEVICES): UsbDevice | undefined {
  if (!USB_KERNEL_NAME.test(name)) throw new Error(`not a USB device name: ${JSON.stringify(name)}`);
  const dir = join(sysfsRoot, name);
  const vendorId = attribute(dir, 'idVendor');
  const productId = attribute(dir, 'idProduct');
  const busnum = Number(attribute(dir, 'busnum'));
  const devnum = Number(attribute(dir, 'devnum'));
  if (!vendorId || !productId || !Number.isInteger(busnum) || !Number.isInteger(devnum)) return undefined;
  const interfaceClasses: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(sysfsRoot);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${name}:`)) continue;
    const cls = attribute(join(sysfsRoot, entry), 'bInterfaceClass');
    if (cls && /^[0-9a-fA-F]{2}$/.test(cls)) interfaceClasses.push(cls.toLowerCase());
  }
  const text = (key: string) => {
    const value = attribute(dir, key);
    return value === undefined ? {} : { [key]: value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 128) };
  };
  return {
    name,
    vendorId: vendorId.toLowerCase(),
    productId: productId.toLowerCase(),
    ...text('serial'),
    ...text('manufacturer'),
    ...text('product'),
    busnum,
    devnum,
    interfaceClasses,
  };
}

export const isMassStorage = (device: UsbDevice): boolean => device.interfaceClasses.includes('08');

export function describeUsb(device: UsbDevice): string {
  const name = [device.manufacturer, device.product].filter(Boolean).join(' ') || `${device.vendorId}:${device.productId}`;
  return `${name} (USB ${device.name})`;
}

/** gvfs's legacy host form, still accepted: `[usb:001,007]`. */
export function usbAddressHost(device: UsbDevice): string {
  const pad = (n: number) => String(n).padStart(3, '0');
  return `[usb:${pad(device.busnum)},${pad(device.devnum)}]`;
}

/**
 * Whether a gvfs MTP name (`mtp:host=Garmin_Forerunner_255_0000d7975783`, or
 * `mtp:host=%5Busb%3A001%2C007%5D`) is this device: by its USB serial or its bus address.
 */
export function gvfsNameMatches(name: string, device: UsbDevice): boolean {
  if (!name.startsWith('mtp:host=')) return false;
  let host = name.slice('mtp:host='.length);
  try {
    host = decodeURIComponent(host);
  } catch {
    // Not encoded.
  }
  if (host === usbAddressHost(device)) return true;
  return device.serial !== undefined && device.serial.length >= 4 && host.endsWith(`_${device.serial}`);
}

export interface GioVolume {
  readonly name: string;
  readonly activationRoot?: string;
  readonly unixDevice?: string;
}

/** The volumes in `gio mount -li` output, with what identifies them. */
export function parseGioVolumes(output: string): GioVolume[] {
  const volumes: GioVolume[] = [];
  let current: { name: string; activationRoot?: string; unixDevice?: string } | undefined;
  for (const line of output.split('\n')) {
    const header = /^\s*Volume\(\d+\):\s*(.*)$/.exec(line);
    if (header) {
      if (current) volumes.push(current);
      current = { name: header[1]!.trim() };
      continue;
    }
    if (/^\s*(Drive|Mount)\(\d+\):/.test(line)) {
      if (current) volumes.push(current);
      current = undefined;
      continue;
    }
    if (!current) continue;
    const root = /^\s*activation_root=(\S+)/.exec(line);
    if (root) current.activationRoot = root[1]!;
    const device = /unix-device:\s*'([^']+)'/.exec(line);
    if (device) current.unixDevice = device[1]!;
  }
  if (current) volumes.push(current);
  return volumes;
}

/** The `mtp://…` URI gio knows this device by, or the bus-address form every gvfs accepts. */
export function gioUriFor(device: UsbDevice, volumes: readonly GioVolume[]): string {
  const pad = (n: number) => String(n).padStart(3, '0');
  const node = `/dev/bus/usb/${pad(device.busnum)}/${pad(device.devnum)}`;
  for (const volume of volumes) {
    if (!volume.activationRoot?.startsWith('mtp://')) continue;
    const host = volume.activationRoot.slice('mtp://'.length).replace(/\/.*$/, '');
    if (volume.unixDevice === node || gvfsNameMatches(`mtp:host=${host}`, device)) return volume.activationRoot;
  }
  return `mtp://${usbAddressHost(device)}/`;
}
