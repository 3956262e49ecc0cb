import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { failure } from '../errors.js';
import { classifyFile } from '../formats/classify.js';
import type { FileRecord } from '../journal/rows.js';
import type { Spool } from '../journal/spool.js';

export interface UploadBytes {
  readonly bytes: Uint8Array;
  readonly format: string;
  readonly fileName: string;
}

function uploadName(record: FileRecord, format: string): string {
  const name = basename(record.path);
  return format === record.format ? name : `${name.replace(/\.[^.]+$/, '')}.${format}`;
}

/**
 * What goes up for a journal entry: the spooled copy made at intake, or (for entries
 * queued later, e.g. baseline released by --since, or `forget`) the original file,
 * checked against the recorded hash and classified again for a repair.
 */
export async function uploadBytesFor(record: FileRecord, spool: Spool): Promise<UploadBytes> {
  const format = record.uploadFormat ?? record.format ?? 'fit';
  if (record.sha256) {
    const spooled = spool.get(record.sha256, format, record.uploadSha256 ?? undefined);
    if (spooled) return { bytes: spooled, format, fileName: uploadName(record, format) };
  }
  let original: Uint8Array;
  try {
    original = await readFile(record.path);
  } catch (error) {
    throw failure('SOURCE_UNAVAILABLE', `${record.path} is not readable now (${(error as NodeJS.ErrnoException).code ?? 'error'}; device unplugged?): it stays queued`);
  }
  const sha256 = createHash('sha256').update(original).digest('hex');
  if (record.sha256 && sha256 !== record.sha256) {
    throw failure('SOURCE_CHANGED', `${record.path} changed since it was classified: it will be taken in again at the next scan`);
  }
  const activity = classifyFile(basename(record.path), original);
  if (activity.verdict === 'repair' && activity.repaired) {
    return { bytes: activity.repaired.bytes, format: activity.repaired.format, fileName: uploadName(record, activity.repaired.format) };
  }
  return { bytes: original, format: activity.format, fileName: basename(record.path) };
}
