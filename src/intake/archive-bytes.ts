/**
 * The read stage for compressed files in a source: a gzipped activity (`.fit.gz`, Strava's
 * exports) is one file whose bytes are decompressed under the caps; a zip is many members,
 * each taken in on its own (`export.zip!/activities/1.fit.gz`). Either way the file's stat
 * must match the one the scanner saw, before and (for a zip) after, as for any file.
 */
import { stat } from 'node:fs/promises';
import { defaultCaps, expandArchive, gunzipFileCapped } from '../archive/index.js';
import type { ByteSource } from './candidate.js';
import { describe, readSettled } from './read.js';

export interface ArchiveReadOptions {
  readonly signal?: AbortSignal;
  /** Where a zip inside a zip is spilled while it is read (private; removed after). */
  readonly tempDir?: string;
}

const GONE = 'the file disappeared (device unplugged or file moved)';

async function sameStat(path: string, expected: { readonly size: number; readonly mtimeMs: number }): Promise<boolean | 'gone'> {
  try {
    const now = await stat(path);
    return now.size === expected.size && Math.trunc(now.mtimeMs) === Math.trunc(expected.mtimeMs);
  } catch {
    return 'gone';
  }
}

/** A gzipped activity: decompressed, at most `maxBytes` of it, at most 100:1. */
export function gzipBytes(path: string, options: ArchiveReadOptions): ByteSource {
  return {
    read: async (expected, maxBytes) => {
      const before = await sameStat(path, expected);
      if (before === 'gone') return { kind: 'unreadable', reason: GONE };
      if (!before) return { kind: 'changed' };
      const got = await gunzipFileCapped(path, defaultCaps(maxBytes), options.signal);
      if (!got.ok) return { kind: 'refused', reason: got.reason };
      const after = await sameStat(path, expected);
      if (after !== true) return { kind: 'changed' };
      return { kind: 'read', bytes: got.bytes, size: expected.size, mtimeMs: Math.trunc(expected.mtimeMs) };
    },
  };
}

/** A zip: its members as they are decompressed, `display` (the zip's path in the source) naming them. */
export function zipBytes(path: string, display: string, options: ArchiveReadOptions): ByteSource {
  return {
    read: async (expected, maxBytes) => {
      const before = await sameStat(path, expected);
      if (before === 'gone') return { kind: 'unreadable', reason: GONE };
      if (!before) return { kind: 'changed' };
      const members = expandArchive(path, {
        caps: defaultCaps(maxBytes),
        display,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.tempDir ? { tempDir: options.tempDir } : {}),
      });
      return { kind: 'archive', members, unchanged: async () => (await sameStat(path, expected)) === true };
    },
  };
}

/** A file read as it is now (its stat taken afresh): the second read of a first-sight file. */
export function freshFileBytes(path: string): ByteSource {
  return {
    read: async (_expected, maxBytes) => {
      let now;
      try {
        now = await stat(path);
      } catch (error) {
        return { kind: 'unreadable', reason: describe(error) };
      }
      return readSettled(path, { size: now.size, mtimeMs: now.mtimeMs }, maxBytes);
    },
  };
}
