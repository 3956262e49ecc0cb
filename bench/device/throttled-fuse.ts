/**
 * A watch as slow as the MTP ones people plug in: a read-only FUSE passthrough
 * (python3-fusepy, as test/reliability's pullable watch) where every open and every
 * directory listing costs `latencyMs` and reads move `bytesPerS`, one request at a time —
 * an MTP device answers over one USB pipe, so parallel requests queue behind each other.
 * Attributes cost nothing: MTP mounts (gvfs, jmtpfs) answer stat from the listing they
 * fetched. Mounted with the subtype `jmtpfs`, so mmt-sync sees what it sees on a real
 * MTP mount (`fuse.jmtpfs`: polled, transport mtp).
 */
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { startFuse, type FuseMount } from '../../src/testing/fuse.js';

const SCRIPT = String.raw`
import os, sys, threading, time
from fusepy import FUSE, Operations

class Throttled(Operations):
    def __init__(self, root, latency, rate):
        self.root, self.latency, self.rate = root, latency, rate
        self.bus = threading.Lock()
        self.counts = {'open': 0, 'readdir': 0, 'read': 0, 'bytes': 0}
    def _full(self, path):
        return os.path.join(self.root, path.lstrip('/'))
    def _busy(self, seconds):
        with self.bus:
            time.sleep(seconds)
    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}
    def readdir(self, path, fh):
        self._busy(self.latency)
        self.counts['readdir'] += 1
        return ['.', '..'] + os.listdir(self._full(path))
    def open(self, path, flags):
        self._busy(self.latency)
        self.counts['open'] += 1
        return os.open(self._full(path), os.O_RDONLY)
    def read(self, path, size, offset, fh):
        data = os.pread(fh, size, offset)
        self._busy(len(data) / self.rate)
        self.counts['read'] += 1
        self.counts['bytes'] += len(data)
        return data
    def release(self, path, fh):
        os.close(fh)
        return 0
    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

if __name__ == '__main__':
    mountpoint, root, latency, rate = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    FUSE(Throttled(root, latency, rate), mountpoint, foreground=True, nothreads=False, ro=True,
         fsname='jmtpfs', subtype='jmtpfs', allow_other=False)
`;

export interface SlowWatch {
  /** Where files are written (the watch's storage, at disk speed). */
  readonly backing: string;
  /** Where mmt-sync sees them, at MTP speed. */
  readonly mountpoint: string;
  /** Unplug: the mount point goes away entirely. */
  unplug(): Promise<void>;
  /** Plug back in: mounted again at the same place. */
  plugIn(): Promise<void>;
  stop(): Promise<void>;
}

export const MTP_LATENCY_MS = 30;
export const MTP_BYTES_PER_S = 2 * 1024 * 1024;

/** `mountpoint` must not exist yet (it is created, and removed on unplug, as udisks does). */
export async function startSlowWatch(dir: string, mountpoint: string, latencyMs = MTP_LATENCY_MS, bytesPerS = MTP_BYTES_PER_S): Promise<SlowWatch> {
  const backing = join(dir, 'backing');
  mkdirSync(backing, { recursive: true });
  const args = [backing, String(latencyMs / 1000), String(bytesPerS)];
  let mount: FuseMount | undefined = await startFuse(dir, SCRIPT, mountpoint, args);
  return {
    backing,
    mountpoint,
    async unplug() {
      await mount?.stop();
      mount = undefined;
      rmdirSync(mountpoint);
    },
    async plugIn() {
      if (!mount) mount = await startFuse(dir, SCRIPT, mountpoint, args);
    },
    stop: async () => {
      await mount?.stop();
      mount = undefined;
    },
  };
}
