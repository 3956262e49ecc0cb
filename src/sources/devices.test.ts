import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMediaRoots, detectDevices } from './devices.js';
import type { MountEntry } from './mounts.js';
import { garminDeviceXml, tempDir, writeFile } from './test-fixtures.js';

let dir = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir();
  dir = realpathSync(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const local: MountEntry[] = [{ mountPoint: '/', fsType: 'ext4', source: '/dev/vda' }];
const detect = (mediaRoots: string[], mounts: MountEntry[] = local, extra = {}) =>
  detectDevices({ mediaRoots, mounts, devDiskDir: join(dir, 'no-dev-disk'), ...extra });

describe('detectDevices: Garmin mass storage', () => {
  it('finds GARMIN/Activity two levels down and names the watch from GarminDevice.xml', async () => {
    const volume = join(dir, 'media', 'alice', 'GARMIN');
    writeFile(join(volume, 'GARMIN', 'GarminDevice.xml'), garminDeviceXml());
    writeFile(join(volume, 'GARMIN', 'Activity', '2024-05-01-07-12-33.fit'), 'fit');
    const [source, ...rest] = await detect([join(dir, 'media')]);
    expect(rest).toEqual([]);
    expect(source).toEqual({
      id: 'device:garmin:3412345678',
      kind: 'device',
      root: join(volume, 'GARMIN', 'Activity'),
      label: 'Garmin Forerunner 255 (3412345678)',
      device: { vendor: 'garmin', model: 'Forerunner 255', serial: '3412345678', mountPoint: volume, transport: 'usb-mass-storage' },
      foundBy: 'GARMIN/GarminDevice.xml names GARMIN/Activity',
      poll: false,
    });
    expect(JSON.stringify(source)).not.toContain('PLACEHOLDER');
  });

  it('follows the activity folder GarminDevice.xml declares, whatever its case', async () => {
    const volume = join(dir, 'media', 'GARMIN');
    writeFile(join(volume, 'Garmin', 'GarminDevice.xml'), garminDeviceXml({ activityPath: 'GARMIN/ACTIVITY', description: 'Edge 530' }));
    mkdirSync(join(volume, 'Garmin', 'Activities'), { recursive: true });
    mkdirSync(join(volume, 'Garmin', 'Activity'), { recursive: true });
    const sources = await detect([join(dir, 'media')]);
    expect(sources.map((s) => [s.root, s.label])).toEqual([[join(volume, 'Garmin', 'Activity'), 'Garmin Edge 530 (3412345678)']]);
  });

  it('does not let a declared path lead off the volume', async () => {
    const volume = join(dir, 'media', 'GARMIN');
    mkdirSync(join(dir, 'media', 'secret'), { recursive: true });
    writeFile(join(volume, 'GARMIN', 'GarminDevice.xml'), garminDeviceXml({ activityPath: '../secret' }));
    expect(await detect([join(dir, 'media')])).toEqual([]);
    mkdirSync(join(volume, 'GARMIN', 'Activity'));
    expect((await detect([join(dir, 'media')])).map((s) => s.root)).toEqual([join(volume, 'GARMIN', 'Activity')]);
  });

  it('without GarminDevice.xml, names the volume by its UUID and label', async () => {
    const volume = join(dir, 'media', 'GARMIN');
    mkdirSync(join(volume, 'GARMIN', 'ACTIVITY'), { recursive: true });
    const devDisk = join(dir, 'dev', 'disk');
    writeFile(join(dir, 'dev', 'sdc1'), '');
    mkdirSync(join(devDisk, 'by-uuid'), { recursive: true });
    mkdirSync(join(devDisk, 'by-label'), { recursive: true });
    symlinkSync('../../sdc1', join(devDisk, 'by-uuid', 'A1B2-C3D4'));
    symlinkSync('../../sdc1', join(devDisk, 'by-label', 'GARMIN'));
    const mounts = [...local, { mountPoint: volume, fsType: 'vfat', source: join(dir, 'dev', 'sdc1') }];
    const sources = await detectDevices({ mediaRoots: [join(dir, 'media')], mounts, devDiskDir: devDisk });
    expect(sources).toEqual([
      {
        id: 'device:garmin:A1B2-C3D4',
        kind: 'device',
        root: join(volume, 'GARMIN', 'ACTIVITY'),
        label: 'Garmin device (GARMIN)',
        device: { vendor: 'garmin', volumeId: 'A1B2-C3D4', mountPoint: volume, transport: 'usb-mass-storage' },
        foundBy: 'a GARMIN/ACTIVITY folder',
        poll: false,
      },
    ]);
  });

  it('falls back to the mount point name when nothing else names the volume', async () => {
    mkdirSync(join(dir, 'media', 'FR255', 'GARMIN', 'Activity'), { recursive: true });
    const sources = await detect([join(dir, 'media')]);
    expect(sources.map((s) => [s.id, s.label])).toEqual([['device:garmin:FR255', `Garmin device (${join(dir, 'media', 'FR255')})`]]);
  });
});

describe('detectDevices: Bryton mass storage', () => {
  /** A volume mounted from a fake block device that udev's by-id links name `idName`. */
  function mountedVolume(name: string, idName: string): { volume: string; mounts: MountEntry[]; devDisk: string } {
    const volume = join(dir, 'media', name);
    const devDisk = join(dir, 'dev', 'disk');
    writeFile(join(dir, 'dev', `sd-${name}`), '');
    mkdirSync(join(devDisk, 'by-id'), { recursive: true });
    symlinkSync(`../../sd-${name}`, join(devDisk, 'by-id', idName));
    return { volume, devDisk, mounts: [...local, { mountPoint: volume, fsType: 'vfat', source: join(dir, 'dev', `sd-${name}`) }] };
  }

  it('finds a Rider by the by-id name udev gives its disk, and walks the whole volume', async () => {
    const { volume, mounts, devDisk } = mountedVolume('BRYTON', 'usb-BRYTON_Storage_Disk_000000000001-0:0');
    writeFile(join(volume, 'Tracks', '20240501083000.fit'), 'fit');
    mkdirSync(join(dir, 'dev', 'disk', 'by-uuid'), { recursive: true });
    symlinkSync('../../sd-BRYTON', join(devDisk, 'by-uuid', '1234-ABCD'));
    const sources = await detectDevices({ mediaRoots: [join(dir, 'media')], mounts, devDiskDir: devDisk });
    expect(sources).toEqual([
      {
        id: 'device:bryton:1234-ABCD',
        kind: 'device',
        root: volume,
        label: 'Bryton device (1234-ABCD)',
        device: { vendor: 'bryton', volumeId: '1234-ABCD', mountPoint: volume, transport: 'usb-mass-storage' },
        foundBy: '/dev/disk/by-id/usb-BRYTON_Storage_Disk_000000000001-0:0',
        poll: false,
      },
    ]);
  });

  it('does not take any USB stick for a Bryton: the by-id name must say so', async () => {
    const { volume, mounts, devDisk } = mountedVolume('STICK', 'usb-SanDisk_Cruzer_Blade_4C530001-0:0');
    writeFile(join(volume, 'ride.fit'), 'fit');
    expect(await detectDevices({ mediaRoots: [join(dir, 'media')], mounts, devDiskDir: devDisk })).toEqual([]);
  });
});

describe('detectDevices: MTP', () => {
  it('finds a gvfs MTP Garmin in its storage folder, named from the mount, and polls it', async () => {
    const gvfs = join(dir, 'run', 'user', '1000', 'gvfs');
    const mount = join(gvfs, 'mtp:host=Garmin_Forerunner_255_0000abcd1234');
    writeFile(join(mount, 'Internal Storage', 'GARMIN', 'Activity', 'a.fit'));
    mkdirSync(join(gvfs, 'smb-share:server=nas,share=rides', 'GARMIN', 'Activity'), { recursive: true });
    const sources = await detect([gvfs]);
    expect(sources).toEqual([
      {
        id: `device:garmin:${0xabcd1234}`,
        kind: 'device',
        root: join(mount, 'Internal Storage', 'GARMIN', 'Activity'),
        label: `Garmin Forerunner 255 (${0xabcd1234})`,
        device: { vendor: 'garmin', model: 'Forerunner 255', serial: String(0xabcd1234), mountPoint: mount, transport: 'mtp' },
        foundBy: 'a GARMIN/Activity folder',
        poll: true,
      },
    ]);
  });

  it('prefers GarminDevice.xml over the mount name, so MTP and mass storage give one id', async () => {
    const mount = join(dir, 'gvfs', 'mtp:host=091e_4c29_0000cb64a54e');
    writeFile(join(mount, 'Primary', 'GARMIN', 'GarminDevice.xml'), garminDeviceXml({ id: String(0xcb64a54e), description: 'fēnix 7' }));
    mkdirSync(join(mount, 'Primary', 'GARMIN', 'Activity'));
    const [source] = await detect([join(dir, 'gvfs')]);
    expect(source?.id).toBe(`device:garmin:${0xcb64a54e}`);
    expect(source?.label).toBe(`Garmin fēnix 7 (${0xcb64a54e})`);
  });

  it('treats a jmtpfs mount as MTP by its filesystem type', async () => {
    const mount = join(dir, 'mnt', 'watch');
    mkdirSync(join(mount, 'Internal Storage', 'GARMIN', 'Activity'), { recursive: true });
    const mounts = [...local, { mountPoint: mount, fsType: 'fuse.jmtpfs', source: 'jmtpfs' }];
    const [source] = await detect([join(dir, 'mnt')], mounts);
    expect(source?.device).toMatchObject({ transport: 'mtp', mountPoint: mount });
    expect(source?.poll).toBe(true);
  });

  it('finds a Wahoo ELEMNT\'s exports folder and a Karoo\'s FitFiles over MTP only', async () => {
    const gvfs = join(dir, 'gvfs');
    mkdirSync(join(gvfs, 'mtp:host=Wahoo_ELEMNT_BOLT_W123456789', 'Internal shared storage', 'exports'), { recursive: true });
    mkdirSync(join(gvfs, 'mtp:host=Hammerhead_Karoo_2_K2X0012345', 'Internal shared storage', 'FitFiles'), { recursive: true });
    // Without the name, Wahoo's documented sibling folders are evidence enough.
    mkdirSync(join(gvfs, 'mtp:host=%5Busb%3A001%2C007%5D', 'Storage', 'exports'), { recursive: true });
    mkdirSync(join(gvfs, 'mtp:host=%5Busb%3A001%2C007%5D', 'Storage', 'plans'), { recursive: true });
    // The same folders on a USB stick are not a Wahoo.
    mkdirSync(join(dir, 'media', 'STICK', 'exports'), { recursive: true });
    mkdirSync(join(dir, 'media', 'STICK', 'plans'), { recursive: true });
    mkdirSync(join(dir, 'media', 'STICK', 'FitFiles'), { recursive: true });
    const sources = await detect([gvfs, join(dir, 'media')]);
    expect(sources.map((s) => [s.id, s.root, s.poll])).toEqual([
      ['device:wahoo:mtp_host_5Busb_3A001_2C007_5D', join(gvfs, 'mtp:host=%5Busb%3A001%2C007%5D', 'Storage', 'exports'), true],
      ['device:hammerhead:K2X0012345', join(gvfs, 'mtp:host=Hammerhead_Karoo_2_K2X0012345', 'Internal shared storage', 'FitFiles'), true],
      ['device:wahoo:W123456789', join(gvfs, 'mtp:host=Wahoo_ELEMNT_BOLT_W123456789', 'Internal shared storage', 'exports'), true],
    ]);
    expect(sources[2]?.label).toBe('Wahoo ELEMNT BOLT (W123456789)');
  });
});

describe('detectDevices: what is not a watch', () => {
  it('ignores unknown layouts, files, dot folders and symlinks in media roots', async () => {
    mkdirSync(join(dir, 'media', 'alice', 'CAMERA', 'DCIM', '100CANON'), { recursive: true });
    mkdirSync(join(dir, 'media', 'alice', 'STICK', 'Music'), { recursive: true });
    mkdirSync(join(dir, 'media', 'alice', 'STICK', 'Documents', 'GARMIN', 'Activity'), { recursive: true });
    mkdirSync(join(dir, 'media', '.hidden', 'GARMIN', 'Activity'), { recursive: true });
    writeFile(join(dir, 'media', 'GARMIN'), 'a file, not a volume');
    mkdirSync(join(dir, 'elsewhere', 'GARMIN', 'Activity'), { recursive: true });
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'media', 'link'));
    expect(await detect([join(dir, 'media')])).toEqual([]);
  });

  it('does not look for volumes inside a mounted volume', async () => {
    mkdirSync(join(dir, 'mnt', 'data', 'backup', 'GARMIN', 'Activity'), { recursive: true });
    const mounts = [...local, { mountPoint: join(dir, 'mnt', 'data'), fsType: 'ext4', source: '/dev/sdd1' }];
    expect(await detect([join(dir, 'mnt')], mounts)).toEqual([]);
    expect(await detect([join(dir, 'mnt')])).toHaveLength(1);
  });

  it('skips network filesystems and missing roots without a word', async () => {
    mkdirSync(join(dir, 'mnt', 'nas', 'GARMIN', 'Activity'), { recursive: true });
    const mounts = [...local, { mountPoint: join(dir, 'mnt', 'nas'), fsType: 'nfs4', source: 'nas:/export' }];
    expect(await detect([join(dir, 'mnt'), join(dir, 'unplugged'), ''], mounts)).toEqual([]);
  });

  it('lists a volume seen through two media roots once', async () => {
    mkdirSync(join(dir, 'media', 'alice', 'GARMIN', 'GARMIN', 'Activity'), { recursive: true });
    const sources = await detect([join(dir, 'media', 'alice'), join(dir, 'media')]);
    expect(sources).toHaveLength(1);
  });

  it('skips a volume whose GarminDevice.xml is a FIFO, without blocking on it', async () => {
    const garmin = join(dir, 'media', 'GARMIN', 'GARMIN');
    mkdirSync(join(garmin, 'Activity'), { recursive: true });
    execFileSync('mkfifo', [join(garmin, 'GarminDevice.xml')]);
    const sources = await detect([join(dir, 'media')]);
    expect(sources.map((s) => s.id)).toEqual(['device:garmin:GARMIN']);
  });

  it('throws the abort reason when aborted', async () => {
    mkdirSync(join(dir, 'media', 'GARMIN', 'GARMIN', 'Activity'), { recursive: true });
    const reason = new Error('stop');
    await expect(detect([join(dir, 'media')], local, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('defaultMediaRoots', () => {
  it('looks where Linux desktops and macOS mount removable media and gvfs mounts MTP', () => {
    expect(defaultMediaRoots('linux', { USER: 'alice' }, 1000).map((r) => r.dir)).toEqual([
      '/media/alice',
      '/run/media/alice',
      '/media',
      '/mnt',
      '/run/user/1000/gvfs',
    ]);
    expect(defaultMediaRoots('darwin', { USER: 'alice' }, 501)).toEqual([{ dir: '/Volumes', depth: 1 }]);
    expect(defaultMediaRoots('win32', {}, undefined)).toEqual([]);
  });
});
