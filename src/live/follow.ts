/**
 * Follows a file another program is still writing, like `tail -F`, but from
 * its first byte (a live track wants the whole track): new bytes are handed
 * out as they arrive; a file that shrinks (truncated) or is replaced (a new
 * inode: rotated, or rewritten through a temp file and rename) is read again
 * from the start. The follow ends once nothing has changed for idleMs.
 *
 * Polling, not fs.watch: it behaves the same on every filesystem (network
 * mounts, FUSE, bind mounts in containers), and a 250 ms tick is plenty for
 * points sent every few seconds.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MmtError, failure, isErrnoException } from '../errors.js';
import type { Logger } from '../log.js';

export type FollowReset = 'truncated' | 'replaced';
export type FollowEnd = 'idle' | 'aborted';

export interface FollowOptions {
  readonly path: string;
  /** Bytes appended since the last call, in order. */
  readonly onData: (chunk: Buffer) => void;
  /** The content starts over: the reader must start a new document. */
  readonly onReset: (reason: FollowReset) => void;
  /** Stop after this long without a change (a missing file counts as unchanged). */
  readonly idleMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** @default 250 */
  readonly pollMs?: number;
}

const CHUNK = 1 << 20;

interface Opened {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  position: number;
}

export async function followFile(options: FollowOptions): Promise<FollowEnd> {
  const pollMs = options.pollMs ?? 250;
  let file: Opened | undefined;
  let lastChange = Date.now();
  let toldMissing = false;
  try {
    for (;;) {
      if (options.signal.aborted) return 'aborted';
      const current = await statOrMissing(options.path);
      if (file && (!current || current.ino !== file.ino || current.dev !== file.dev)) {
        // Replaced or removed: what the old file still had goes first, as tail -F does.
        if ((await drain(file, options)) > 0) lastChange = Date.now();
        if (current) {
          await file.handle.close();
          file = undefined;
          options.log.info(`${options.path} was replaced; reading it again from the start`);
          options.onReset('replaced');
        }
      }
      if (!file && current) {
        file = await openFile(options.path);
        toldMissing = false;
        lastChange = Date.now();
      } else if (!current && !toldMissing) {
        options.log.info(`waiting for ${options.path} to appear`);
        toldMissing = true;
      }
      if (file && current && current.ino === file.ino && current.dev === file.dev) {
        if (current.size < file.position) {
          options.log.info(`${options.path} was truncated; reading it again from the start`);
          file.position = 0;
          options.onReset('truncated');
          lastChange = Date.now();
        }
        if ((await drain(file, options)) > 0) lastChange = Date.now();
      }
      if (Date.now() - lastChange >= options.idleMs) return 'idle';
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await file?.handle.close().catch(() => undefined);
  }
}

/** Reads from the position to the current end; returns the number of bytes handed out. */
async function drain(file: Opened, options: FollowOptions): Promise<number> {
  let total = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await file.handle.read(buffer, 0, CHUNK, file.position).catch((error: unknown) => {
      throw failure('FOLLOW_READ', `cannot read ${options.path}: ${(error as Error).message}`, error);
    });
    if (bytesRead === 0) return total;
    file.position += bytesRead;
    total += bytesRead;
    options.onData(buffer.subarray(0, bytesRead));
  }
}

async function openFile(path: string): Promise<Opened> {
  try {
    const handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw failure('FOLLOW_NOT_A_FILE', `${path} is not a regular file`);
    }
    return { handle, dev: stats.dev, ino: stats.ino, position: 0 };
  } catch (error) {
    if (error instanceof MmtError) throw error;
    throw failure('FOLLOW_OPEN', `cannot open ${path}: ${(error as Error).message}`, error);
  }
}

async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw failure('FOLLOW_STAT', `cannot follow ${path}: ${(error as Error).message}`, error);
  }
}
