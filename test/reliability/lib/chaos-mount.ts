/**
 * A small tmpfs to stand in for a full or read-only disk. Needs root (or CAP_SYS_ADMIN),
 * which CI containers usually give; `canMount()` says whether this machine can, so the
 * tests skip (and say so) instead of failing where it cannot.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (args: string[]) => execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });

let probed: boolean | undefined;

/** True when a tmpfs can be mounted, remounted read-only and unmounted here. */
export function canMount(): boolean {
  if (probed !== undefined) return probed;
  const dir = mkdtempSync(join(tmpdir(), 'mmt-chaos-probe-'));
  try {
    run(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    run(['-o', 'remount,ro', dir]);
    execFileSync('umount', [dir]);
    probed = true;
  } catch {
    probed = false;
  }
  rmSync(dir, { recursive: true, force: true });
  return probed;
}

export interface SmallDisk {
  readonly dir: string;
  resize(size: string): void;
  readOnly(on: boolean): void;
  /** Writes a filler file until the disk is full; returns its size in bytes. */
  fill(): number;
  /** Removes the filler. */
  unfill(): void;
  unmount(): void;
}

export function mountTmpfs(dir: string, size: string): SmallDisk {
  mkdirSync(dir, { recursive: true });
  run(['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler.bin');
  return {
    dir,
    resize: (next) => run(['-o', `remount,size=${next}`, dir]),
    readOnly: (on) => run(['-o', on ? 'remount,ro' : 'remount,rw', dir]),
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Big blocks first, then smaller ones, down to the last byte.
        for (const size of [1 << 20, 1 << 16, 4096, 512, 1]) {
          const block = Buffer.alloc(size, 0xa5);
          try {
            for (;;) written += writeSync(fd, block);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    unfill: () => rmSync(filler, { force: true }),
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // Already gone: nothing to clean up.
      }
    },
  };
}
