import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { ArchiveItem, ExpandSummary } from '../archive/index.js';

export type ReadOutcome =
  | { readonly kind: 'read'; readonly bytes: Uint8Array; readonly size: number; readonly mtimeMs: number }
  /**
   * A zip: its members, decompressed one at a time as they are iterated (each taken in on
   * its own); `unchanged` says afterwards whether the zip held still throughout.
   */
  | { readonly kind: 'archive'; readonly members: AsyncGenerator<ArchiveItem, ExpandSummary>; readonly unchanged: () => Promise<boolean> }
  /** Size or mtime moved before or while reading: still being written, try again later. */
  | { readonly kind: 'changed' }
  | { readonly kind: 'refused'; readonly reason: string }
  /** Gone or unreadable (device unplugged mid-read): nothing recorded, it will simply be seen again. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/**
 * Reads a file only if it is the one we settled on: fstat before and after the read
 * must both match the size and mtime we observed (syncthing's HashFile rule).
 * O_NONBLOCK so that a FIFO disguised as a .fit can never block us.
 */
export async function readSettled(path: string, expected: { size: number; mtimeMs: number }, maxBytes: number): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: 'unreadable', reason: describe(error) };
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { kind: 'refused', reason: 'not a regular file' };
    if (before.size > maxBytes) return { kind: 'refused', reason: `file is larger than the ${Math.round(maxBytes / 1048576)} MB cap` };
    if (before.size !== expected.size || Math.trunc(before.mtimeMs) !== Math.trunc(expected.mtimeMs)) return { kind: 'changed' };
    const bytes = new Uint8Array(before.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) return { kind: 'changed' };
      offset += bytesRead;
    }
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { kind: 'changed' };
    return { kind: 'read', bytes, size: before.size, mtimeMs: Math.trunc(before.mtimeMs) };
  } catch (error) {
    return { kind: 'unreadable', reason: describe(error) };
  } finally {
    await handle.close().catch(() => {});
  }
}

export function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'the file disappeared (device unplugged or file moved)';
  if (code === 'EIO') return 'input/output error (device unplugged?)';
  if (code === 'ENOTCONN' || code === 'ENODEV') return `the device is gone: its mount is not connected any more (${code})`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
