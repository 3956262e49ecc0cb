/**
 * One member again, by the path it was journaled under (`export.zip!/activities/1.fit.gz`,
 * `garmin.zip!/UploadedFiles_0-_Part1.zip!/123.fit`, or a gzipped file's own path): what the
 * uploader falls back on when a member has no spool copy (released from baseline, forgotten).
 * Read under the same caps as at intake; only the members on the way are decompressed.
 */
import type { ArchiveCaps } from './caps.js';
import { expandArchive } from './expand.js';
import { MEMBER_SEPARATOR } from './names.js';

export type Member = { readonly ok: true; readonly bytes: Uint8Array; readonly name: string } | { readonly ok: false; readonly reason: string };

export async function readMember(path: string, options: { readonly caps: ArchiveCaps; readonly signal?: AbortSignal; readonly tempDir?: string }): Promise<Member> {
  const [archive, ...inner] = path.split(MEMBER_SEPARATOR);
  // Depth 1 is the outer zip's entry, depth 2 an entry of the zip inside it.
  const wants = (name: string, depth: number) => name === inner[depth - 1];
  for await (const item of expandArchive(archive!, { ...options, ...(inner.length ? { wants } : {}) })) {
    if (item.memberPath !== path) continue;
    return item.kind === 'member' ? { ok: true, bytes: item.bytes, name: item.name } : { ok: false, reason: item.reason };
  }
  return { ok: false, reason: `${path}: not in the archive any more` };
}
