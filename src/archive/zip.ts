/**
 * Walks a zip with yauzl (the central directory is the authority; names are checked; the
 * sizes it declares are enforced while inflating), decompressing only the members asked
 * for, each under the caps, and opening zips inside it down to `caps.maxDepth`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { formatBytes } from '../fsutil/format-bytes.js';
import { RATIO_FLOOR_BYTES, type ArchiveCaps, type Budget } from './caps.js';
import { collect, describeStreamError, ratioReason, spill } from './collect.js';
import type { ArchiveItem } from './expand.js';
import { gunzipBytes } from './gzip.js';
import { baseName, isGzipName, isZipName, memberPath, withoutGz } from './names.js';

export interface ZipContext {
  readonly caps: ArchiveCaps;
  readonly budget: Budget;
  readonly signal: AbortSignal | undefined;
  /** Which member names to decompress at which zip depth (1: the outer zip); the rest are counted as ignored. */
  readonly wants: (name: string, depth: number) => boolean;
  /** A private directory for zips inside zips, made on first use. */
  readonly scratch: () => Promise<string>;
  readonly counts: { ignored: number };
}

const OPTIONS = { lazyEntries: true, autoClose: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false } as const;

const problem = (where: string, reason: string): ArchiveItem => ({ kind: 'problem', memberPath: where, reason });
const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** The central directory's CRC-32 against the content's: yauzl checks none, so it is checked here. */
const crcMismatch = (entry: Entry, actual: number): string | undefined =>
  actual >>> 0 === entry.crc32 >>> 0 ? undefined : `CRC-32 mismatch: the archive says ${hex(entry.crc32)}, the content is ${hex(actual)} (damaged or altered)`;

let spillCounter = 0;

/** Every wanted member of the zip at `path` (named `display` to people), depth-first. */
export async function* expandZip(path: string, display: string, depth: number, ctx: ZipContext): AsyncGenerator<ArchiveItem> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, OPTIONS);
  } catch (error) {
    yield problem(display, `not a readable zip: ${describeStreamError(error)}`);
    return;
  }
  if (zip.entryCount > ctx.caps.maxEntries) {
    zip.close();
    yield problem(display, `holds ${zip.entryCount} entries, more than the ${ctx.caps.maxEntries} cap`);
    return;
  }
  try {
    for await (const entry of zip.eachEntry()) {
      ctx.signal?.throwIfAborted();
      yield* expandEntry(zip, entry, display, depth, ctx);
    }
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    yield problem(display, `the zip is damaged: ${describeStreamError(error)}`);
  } finally {
    if (zip.isOpen) zip.close();
  }
}

async function* expandEntry(zip: ZipFile, entry: Entry, display: string, depth: number, ctx: ZipContext): AsyncGenerator<ArchiveItem> {
  const { caps } = ctx;
  // Decoded here, not by yauzl, so one unsafe name refuses that member instead of the whole zip.
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  const where = memberPath(display, name);
  if (name.endsWith('/')) {
    ctx.counts.ignored++;
    return;
  }
  const unsafe = yauzl.validateFileName(name);
  if (unsafe) return yield problem(where, `refused: unsafe name (${unsafe})`);
  if (!ctx.wants(name, depth)) {
    ctx.counts.ignored++;
    return;
  }
  if (entry.isEncrypted()) return yield problem(where, 'encrypted: cannot be read');
  if (!entry.canDecodeFileData()) return yield problem(where, `compression method ${entry.compressionMethod} is not supported`);
  const nested = isZipName(name);
  const cap = nested ? ctx.budget.limit : caps.maxMemberBytes;
  if (entry.uncompressedSize > cap) return yield problem(where, `${formatBytes(entry.uncompressedSize)} decompressed, more than the ${formatBytes(cap)} cap`);
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > caps.maxRatio * Math.max(1, entry.compressedSize)) {
    return yield problem(where, ratioReason(caps.maxRatio));
  }
  if (nested && depth >= caps.maxDepth) return yield problem(where, `a zip nested deeper than ${caps.maxDepth} levels: not opened`);

  let stream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    return yield problem(where, describeStreamError(error));
  }
  const bounds = { maxBytes: cap, maxRatio: caps.maxRatio, compressedBytes: entry.compressedSize, budget: ctx.budget, expectedBytes: entry.uncompressedSize };
  if (nested) {
    yield* expandNested(stream, bounds, entry, where, depth, ctx);
    return;
  }
  const got = await collect(stream, bounds, ctx.signal);
  if (!got.ok) return yield problem(where, got.reason);
  const damaged = crcMismatch(entry, got.crc32);
  if (damaged) return yield problem(where, damaged);
  let bytes: Uint8Array = got.bytes;
  if (isGzipName(name)) {
    const inner = await gunzipBytes(got.bytes, caps, ctx.budget, ctx.signal);
    if (!inner.ok) return yield problem(where, inner.reason);
    bytes = inner.bytes;
  }
  yield { kind: 'member', memberPath: where, name: withoutGz(baseName(name)), bytes, modifiedMs: entry.getLastModDate().getTime() };
}

/** A zip inside the zip: to a private temp file under a made-up name, opened, then removed. */
async function* expandNested(
  stream: Readable,
  bounds: Parameters<typeof spill>[1],
  entry: Entry,
  where: string,
  depth: number,
  ctx: ZipContext,
): AsyncGenerator<ArchiveItem> {
  const file = join(await ctx.scratch(), `nested-${process.pid}-${++spillCounter}.zip`);
  try {
    const written = await spill(stream, bounds, file, ctx.signal);
    if (!written.ok) return yield problem(where, written.reason);
    const damaged = crcMismatch(entry, written.crc32);
    if (damaged) return yield problem(where, damaged);
    yield* expandZip(file, where, depth + 1, ctx);
  } finally {
    await rm(file, { force: true });
  }
}
