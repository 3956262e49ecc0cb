/**
 * A watch that can be yanked for real: a read-only FUSE passthrough (python3-fusepy) over
 * a backing folder. `pull('eio')` makes every call fail with EIO, reads of files already
 * open included (what a USB volume does when it goes away under a mounted filesystem);
 * `pull('enotconn')` kills the FUSE process with SIGKILL, leaving a dead mount whose every
 * call fails with ENOTCONN (what an MTP mount does when jmtpfs or gvfs loses the watch).
 * Needs root, /dev/fuse and `apt-get install python3-fusepy`; `canFuse()` says whether
 * this machine has them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFuse } from '../../../src/testing/fuse.js';

export { canFuse } from '../../../src/testing/fuse.js';

const SCRIPT = String.raw`
import errno, os, sys, time
from fusepy import FUSE, FuseOSError, Operations

class Pullable(Operations):
    """Read-only passthrough of root; while the control file exists every call fails with EIO."""
    def __init__(self, root, control, read_delay):
        self.root, self.control, self.read_delay = root, control, read_delay
    def _check(self):
        if os.path.exists(self.control):
            raise FuseOSError(errno.EIO)
    def _full(self, path):
        return os.path.join(self.root, path.lstrip('/'))
    def getattr(self, path, fh=None):
        self._check()
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}
    def readdir(self, path, fh):
        self._check()
        return ['.', '..'] + os.listdir(self._full(path))
    def open(self, path, flags):
        self._check()
        return os.open(self._full(path), os.O_RDONLY)
    def read(self, path, size, offset, fh):
        self._check()
        if self.read_delay:
            time.sleep(self.read_delay)
        self._check()
        os.lseek(fh, offset, 0)
        return os.read(fh, size)
    def release(self, path, fh):
        os.close(fh)
        return 0
    def statfs(self, path):
        self._check()
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

if __name__ == '__main__':
    mountpoint, root, control, delay = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    # Small reads and no attribute cache: a read takes several round trips, so a pull lands mid-file.
    FUSE(Pullable(root, control, delay), mountpoint, foreground=True, nothreads=True, ro=True,
         max_read=16384, attr_timeout=0, entry_timeout=0)
`;

export interface PullableFs {
  /** Where files are written (the "watch's" storage). */
  readonly backing: string;
  /** Where mmt-sync reads them. */
  readonly mountpoint: string;
  pull(mode: 'eio' | 'enotconn'): void;
  /** The watch plugged back in: the same files at the same place. */
  plugBack(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPullableFs(dir: string, readDelayS = 0.001): Promise<PullableFs> {
  const backing = join(dir, 'backing');
  const mountpoint = join(dir, 'mnt');
  const control = join(dir, 'pulled');
  mkdirSync(backing, { recursive: true });
  const mount = await startFuse(dir, SCRIPT, mountpoint, [backing, control, String(readDelayS)]);
  return {
    backing,
    mountpoint,
    pull(mode) {
      if (mode === 'eio') writeFileSync(control, '');
      else mount.kill();
    },
    async plugBack() {
      rmSync(control, { force: true });
      if (!mount.alive) await mount.restart();
    },
    async stop() {
      rmSync(control, { force: true });
      await mount.stop();
    },
  };
}
