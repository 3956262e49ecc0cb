/**
 * Compressed and archived activity files: `.fit.gz`, `.gpx.gz`, `.tcx.gz` and `.zip` (a zip
 * inside a zip, two levels), each member decompressed as a stream into memory under hard
 * caps, so that zip and gzip bombs are refused with a reason in bounded time and memory.
 *
 * Owns: reading archives (yauzl for zip, node:zlib for gzip), the caps, member naming
 * (`export.zip!/activities/1.fit.gz`). May import: yauzl, node built-ins, src/fsutil. Knows
 * nothing of activity formats, sources or the journal: callers classify what comes out.
 */
export { defaultCaps, type ArchiveCaps } from './caps.js';
export { archiveKindOf, expandArchive, sniffArchive, type ArchiveItem, type ExpandOptions, type ExpandSummary } from './expand.js';
export { gunzipFileCapped } from './gzip.js';
export { listZip, type Listing } from './list.js';
export { readMember, type Member } from './member.js';
export { isActivityName, isArchiveName, isGzipName, isWantedByDefault, isZipName, memberPath, MEMBER_SEPARATOR, withoutGz } from './names.js';
