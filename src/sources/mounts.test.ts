import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsTypeNeedsPolling, mountFor, parseMountInfo, pathNeedsPolling, readMounts, volumeNames } from './mounts.js';
import { tempDir, writeFile } from './test-fixtures.js';

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '96 27 0:50 / /run/user/1000/gvfs rw,nosuid,nodev,relatime shared:541 - fuse.gvfsd-fuse gvfsd-fuse rw,user_id=1000,group_id=1000',
  '120 27 8:17 / /media/alice/GARMIN\\040FR255 rw,nosuid,nodev shared:600 master:1 - vfat /dev/sdb1 rw,uid=1000',
  '130 27 0:60 / /mnt/nas rw,relatime - nfs4 nas:/export rw,vers=4.2',
  '131 27 0:61 / /home/alice/remote rw - fuse.sshfs alice@host:/data rw',
  'garbage line',
  '',
].join('\n');

describe('parseMountInfo', () => {
  it('reads mount point, type and source, unescaping octal', () => {
    const mounts = parseMountInfo(MOUNTINFO);
    expect(mounts).toHaveLength(5);
    expect(mounts[2]).toEqual({ mountPoint: '/media/alice/GARMIN FR255', fsType: 'vfat', source: '/dev/sdb1' });
    expect(mounts[1]).toEqual({ mountPoint: '/run/user/1000/gvfs', fsType: 'fuse.gvfsd-fuse', source: 'gvfsd-fuse' });
  });

  it('reads this machine\'s table on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(readMounts()?.some((m) => m.mountPoint === '/')).toBe(true);
  });
});

describe('polling', () => {
  const mounts = parseMountInfo(MOUNTINFO);

  it('finds the innermost mount of a path', () => {
    expect(mountFor('/media/alice/GARMIN FR255/GARMIN/Activity', mounts)?.fsType).toBe('vfat');
    expect(mountFor('/media/alice/GARMIN FR2555', mounts)?.fsType).toBe('ext4');
  });

  it('polls network, FUSE and MTP filesystems, not local block devices', () => {
    for (const type of ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'fuse.sshfs', 'fuse.gvfsd-fuse', 'fuse.jmtpfs', 'fuse.rclone']) {
      expect(fsTypeNeedsPolling(type), type).toBe(true);
    }
    for (const type of ['ext4', 'vfat', 'exfat', 'btrfs', 'fuseblk', 'tmpfs', 'apfs']) {
      expect(fsTypeNeedsPolling(type), type).toBe(false);
    }
    expect(pathNeedsPolling('/mnt/nas/rides', mounts)).toBe(true);
    expect(pathNeedsPolling('/home/alice/remote/x', mounts)).toBe(true);
    expect(pathNeedsPolling('/home/alice/rides', mounts)).toBe(false);
    expect(pathNeedsPolling('/media/alice/GARMIN FR255/GARMIN/Activity', mounts)).toBe(false);
  });

  it('polls gvfs paths even without a mount table', () => {
    expect(pathNeedsPolling('/run/user/1000/gvfs/mtp:host=Garmin/Internal Storage', undefined)).toBe(true);
    expect(pathNeedsPolling('/home/alice', undefined)).toBe(false);
  });
});

describe('volumeNames', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('names a block-device mount by its /dev/disk/by-uuid and by-label links', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const device = writeFile(join(t.dir, 'dev', 'sdb1'), '');
    const volume = join(t.dir, 'media', 'GARMIN');
    mkdirSync(volume, { recursive: true });
    mkdirSync(join(t.dir, 'disk', 'by-uuid'), { recursive: true });
    mkdirSync(join(t.dir, 'disk', 'by-label'), { recursive: true });
    writeFile(join(t.dir, 'dev', 'sda1'), '');
    symlinkSync('../../dev/sda1', join(t.dir, 'disk', 'by-uuid', '1111-2222'));
    symlinkSync('../../dev/sdb1', join(t.dir, 'disk', 'by-uuid', '4A3B-91C2'));
    symlinkSync('../../dev/sdb1', join(t.dir, 'disk', 'by-label', 'GARMIN\\x20FR'));
    const mounts = [{ mountPoint: volume, fsType: 'vfat', source: device }];

    expect(await volumeNames(volume, mounts, join(t.dir, 'disk'))).toEqual({ uuid: '4A3B-91C2', label: 'GARMIN FR' });
    expect(await volumeNames(join(t.dir, 'elsewhere'), mounts, join(t.dir, 'disk'))).toEqual({});
    expect(await volumeNames(volume, mounts, join(t.dir, 'no-such-dir'))).toEqual({});
  });
});
