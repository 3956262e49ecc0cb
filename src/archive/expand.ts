/**
 * One entry point for compressed and archived files: a `.zip` (zips inside it opened down
 * to `caps.maxDepth`), or a gzipped activity (`.fit.gz`, `.gpx.gz`, `.tcx.gz`). Members
 * come out one at a time, in memory, each decompressed as a stream under the caps, so a
 * bomb is refused with its reason in bounded time and memory. Nothing is written under a
 * member's own name: a zip inside a zip goes to a private temp directory under a made-up
 * name and is removed as soon as it has been read.
 */
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Budget, validateCaps, type ArchiveCaps } from './caps.js';
import { gunzipFile } from './gzip.js';
import { isGzipName, isWantedByDefault, isZipName, withoutGz } from './names.js';
import { expandZip } from './zip.js';

export type ArchiveItem =
  | {
      readonly kind: 'member';
      /** `export.zip!/activities/123.fit.gz`; a gzipped file on disk is its own path. */
      readonly memberPath: string;
      /** The name to classify the content under: `123.fit` (no directories, no `.gz`). */
      readonly name: string;
      readonly bytes: Uint8Array;
      /** The member's time as the archive records it. */
      readonly modifiedMs?: number;
    }
  | { readonly kind: 'problem'; readonly memberPath: string; readonly reason: string };

export interface ExpandSummary {
  readonly members: number;
  readonly problems: number;
  /** Entries not asked for (media, CSVs, directories): not decompressed. */
  readonly ignored: number;
}

export interface ExpandOptions {
  readonly caps: ArchiveCaps;
  readonly signal?: AbortSignal;
  /**
   * Which member names (`/`-separated paths inside a zip) to decompress, by zip depth
   * (1: the outer zip, 2: a zip inside it). @default activity files and zips, at any depth
   */
  readonly wants?: (name: string, depth: number) => boolean;
  /** How the archive is named in member paths. @default path */
  readonly display?: string;
  /** Where a private temp directory for nested zips is made. @default os.tmpdir() */
  readonly tempDir?: string;
}

/** What a file's first bytes say it is: gzip (1f 8b), a zip (PK 03 04, or PK 05 06 when empty), or neither. */
export function archiveKindOf(head: Uint8Array): 'zip' | 'gzip' | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'zip';
  return undefined;
}

/** `archiveKindOf` the file at `path` (reads 4 bytes). */
export async function sniffArchive(path: string): Promise<'zip' | 'gzip' | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return archiveKindOf(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * The members of the archive at `path`, as they are decompressed. Damage, refusals and
 * bombs come as `problem` items with the reason; the generator's return value counts them.
 * Only aborting throws (the signal's reason).
 */
export async function* expandArchive(path: string, options: ExpandOptions): AsyncGenerator<ArchiveItem, ExpandSummary, undefined> {
  validateCaps(options.caps);
  const { caps, signal } = options;
  signal?.throwIfAborted();
  const display = options.display ?? path;
  const budget = new Budget(caps.maxTotalBytes);
  const counts = { members: 0, problems: 0, ignored: 0 };
  let scratch: string | undefined;
  const note = (item: ArchiveItem): ArchiveItem => {
    if (item.kind === 'member') counts.members++;
    else counts.problems++;
    return item;
  };

  try {
    let kind: 'zip' | 'gzip' | undefined;
    try {
      kind = await sniffArchive(path);
    } catch (error) {
      yield note({ kind: 'problem', memberPath: display, reason: `not readable: ${(error as Error).message}` });
      return counts;
    }
    if (kind === 'zip' || (kind === undefined && isZipName(path))) {
      const context = {
        caps,
        budget,
        signal,
        wants: options.wants ?? isWantedByDefault,
        scratch: async () => (scratch ??= await privateTemp(options.tempDir)),
        counts,
      };
      for await (const item of expandZip(path, display, 1, context)) yield note(item);
      return counts;
    }
    if (kind === 'gzip' || isGzipName(path)) {
      const got = await gunzipFile(path, caps, budget, signal);
      yield note(got.ok ? { kind: 'member', memberPath: display, name: withoutGz(basename(path)), bytes: got.bytes } : { kind: 'problem', memberPath: display, reason: got.reason });
      return counts;
    }
    yield note({ kind: 'problem', memberPath: display, reason: 'neither a zip nor gzip data' });
    return counts;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A private temp directory for a zip inside a zip, under `parent` (made, 0700, only now:
 * a run that meets no nested zip leaves nothing behind).
 */
async function privateTemp(parent: string | undefined): Promise<string> {
  if (parent !== undefined) await mkdir(parent, { recursive: true, mode: 0o700 });
  return mkdtemp(join(parent ?? tmpdir(), 'mmt-sync-zip-'));
}
