import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { defaultCaps, isGzipName, MEMBER_SEPARATOR, readMember, withoutGz } from '../archive/index.js';
import { failure, MmtError } from '../errors.js';
import { classifyFile } from '../formats/classify.js';
import type { FileRecord } from '../journal/rows.js';
import type { Spool } from '../journal/spool.js';

export interface UploadBytes {
  readonly bytes: Uint8Array;
  readonly format: string;
  readonly fileName: string;
}

function uploadName(record: FileRecord, format: string): string {
  // A member of a zip or a gzipped file goes up under its own name, decompressed: `1.fit.gz` → `1.fit`.
  const name = withoutGz(basename(record.path));
  return format === record.format ? name : `${name.replace(/\.[^.]+$/, '')}.${format}`;
}

/** The bytes at a journaled path as the intake read them: a file, a gzipped file's content, a zip's member. */
async function originalBytes(record: FileRecord, maxBytes: number): Promise<Uint8Array> {
  const packed = record.path.includes(MEMBER_SEPARATOR) || isGzipName(record.path);
  if (!packed) return readFile(record.path);
  // Under the intake's caps: a file swapped for a bomb since is refused, not read.
  const member = await readMember(record.path, { caps: defaultCaps(maxBytes) });
  if (member.ok) return member.bytes;
  throw failure('SOURCE_UNAVAILABLE', `${record.path}: ${member.reason}: it stays queued`);
}

/**
 * What goes up for a journal entry: the spooled copy made at intake, or (for entries
 * queued later, e.g. baseline released by --since, or `forget`) the original file,
 * checked against the recorded hash and classified again for a repair.
 */
export async function uploadBytesFor(record: FileRecord, spool: Spool, maxBytes = 64 * 1024 * 1024): Promise<UploadBytes> {
  const format = record.uploadFormat ?? record.format ?? 'fit';
  if (record.sha256) {
    const spooled = spool.get(record.sha256, format, record.uploadSha256 ?? undefined);
    if (spooled) return { bytes: spooled, format, fileName: uploadName(record, format) };
  }
  let original: Uint8Array;
  try {
    original = await originalBytes(record, maxBytes);
  } catch (error) {
    if (error instanceof MmtError) throw error;
    throw failure('SOURCE_UNAVAILABLE', `${record.path} is not readable now (${(error as NodeJS.ErrnoException).code ?? 'error'}; device unplugged?): it stays queued`);
  }
  const sha256 = createHash('sha256').update(original).digest('hex');
  if (record.sha256 && sha256 !== record.sha256) {
    throw failure('SOURCE_CHANGED', `${record.path} changed since it was classified: it will be taken in again at the next scan`);
  }
  const activity = classifyFile(withoutGz(basename(record.path)), original);
  if (activity.verdict === 'repair' && activity.repaired) {
    return { bytes: activity.repaired.bytes, format: activity.repaired.format, fileName: uploadName(record, activity.repaired.format) };
  }
  return { bytes: original, format: activity.format, fileName: withoutGz(basename(record.path)) };
}
