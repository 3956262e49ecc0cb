import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gioUriFor, gvfsNameMatches, isMassStorage, parseGioVolumes, readUsbDevice, type UsbDevice } from './usb.js';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A sysfs-shaped folder: the device's attributes and one folder per interface. */
function sysfs(devices: Record<string, { attrs: Record<string, string>; interfaces: string[] }>): string {
  const root = mkdtempSync(join(tmpdir(), 'mmt-sync-sysfs-'));
  dirs.push(root);
  for (const [name, { attrs, interfaces }] of Object.entries(devices)) {
    mkdirSync(join(root, name));
    for (const [key, value] of Object.entries(attrs)) writeFileSync(join(root, name, key), `${value}\n`);
    interfaces.forEach((cls, i) => {
      mkdirSync(join(root, `${name}:1.${i}`));
      writeFileSync(join(root, `${name}:1.${i}`, 'bInterfaceClass'), `${cls}\n`);
    });
  }
  return root;
}

const forerunner: UsbDevice = {
  name: '1-4',
  vendorId: '091e',
  productId: '4f42',
  serial: '0000d7975783',
  manufacturer: 'Garmin',
  product: 'Forerunner 255',
  busnum: 1,
  devnum: 7,
  interfaceClasses: ['ff'],
};

describe('USB devices from sysfs', () => {
  it('reads ids, strings, bus address and interface classes', () => {
    const root = sysfs({
      '1-4': { attrs: { idVendor: '091e', idProduct: '4F42', serial: '0000d7975783', manufacturer: 'Garmin', product: 'Forerunner 255', busnum: '1', devnum: '7' }, interfaces: ['ff'] },
      '2-1.3': { attrs: { idVendor: '091e', idProduct: '2b47', busnum: '2', devnum: '12' }, interfaces: ['08'] },
    });
    expect(readUsbDevice('1-4', root)).toEqual(forerunner);
    const massStorage = readUsbDevice('2-1.3', root)!;
    expect(isMassStorage(massStorage)).toBe(true);
    expect(massStorage.serial).toBeUndefined();
  });

  it('says undefined for a device that is gone and refuses names that are not USB kernel names', () => {
    const root = sysfs({});
    expect(readUsbDevice('9-9', root)).toBeUndefined();
    for (const bad of ['../1-4', '1-4/..', 'usb1', '1-4:1.0', '']) expect(() => readUsbDevice(bad, root)).toThrow(/not a USB device name/);
  });
});

describe('finding the MTP mount of a device', () => {
  it('matches gvfs names by serial or bus address, not by a similar serial', () => {
    expect(gvfsNameMatches('mtp:host=Garmin_Forerunner_255_0000d7975783', forerunner)).toBe(true);
    expect(gvfsNameMatches('mtp:host=%5Busb%3A001%2C007%5D', forerunner)).toBe(true);
    expect(gvfsNameMatches('mtp:host=Garmin_Forerunner_255_1110000d7975783', forerunner)).toBe(false);
    expect(gvfsNameMatches('smb-share:server=nas,share=0000d7975783', forerunner)).toBe(false);
  });

  it('takes the activation root gio lists for the device, else the bus-address URI', () => {
    const listing = [
      'Drive(0): SanDisk Cruzer',
      '  Type: GProxyDrive (GProxyVolumeMonitorUDisks2)',
      'Volume(0): Forerunner 255',
      '  Type: GProxyVolume (GProxyVolumeMonitorMTP)',
      '  ids:',
      "   unix-device: '/dev/bus/usb/001/007'",
      '  activation_root=mtp://Garmin_Forerunner_255_0000d7975783/',
      'Volume(1): Pixel 7',
      "   unix-device: '/dev/bus/usb/003/002'",
      '  activation_root=mtp://Google_Pixel_7_28121FDH2003QN/',
    ].join('\n');
    const volumes = parseGioVolumes(listing);
    expect(volumes).toEqual([
      { name: 'Forerunner 255', unixDevice: '/dev/bus/usb/001/007', activationRoot: 'mtp://Garmin_Forerunner_255_0000d7975783/' },
      { name: 'Pixel 7', unixDevice: '/dev/bus/usb/003/002', activationRoot: 'mtp://Google_Pixel_7_28121FDH2003QN/' },
    ]);
    expect(gioUriFor(forerunner, volumes)).toBe('mtp://Garmin_Forerunner_255_0000d7975783/');
    expect(gioUriFor({ ...forerunner, devnum: 9, serial: 'X' }, volumes)).toBe('mtp://[usb:001,009]/');
  });
});
