import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, chmodSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A 0700 directory: state holds tokens and the journal, nobody else reads it. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Only when it is not 0700 already: on a read-only file system a needless chmod fails
  // (EROFS) before whatever comes next could say what is wrong in the user's terms.
  if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/**
 * Durable replace: temp file, fsync, rename, fsync the directory. A crash at any
 * point leaves either the old or the new content, never a torn file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, options: { fsync?: boolean } = {}): void {
  const durable = options.fsync ?? true;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // The temp file is ours and disposable; the original error is what matters.
    }
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  if (!durable) return;
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
