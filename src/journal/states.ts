/**
 * The life of a file in the journal. One table of allowed moves; Journal.move is the
 * only code that changes a state, and it refuses anything not listed here.
 *
 *   discovered ─► settled ─► classified ─► queued ─► uploading ─► uploaded
 *                                 │            ▲  │        │
 *                                 │            │  └────────┴──► failed ─► queued (retry)
 *                                 ├─► skipped  │
 *                                 ├─► duplicate (same content or activity seen before)
 *                                 └─► baseline (older than the backfill window) ─► queued (--since)
 *
 * A first plug-in's clearly old files go discovered ─► baseline from their stat alone
 * (journaled "unread"); asked for later (--since, forget, import), baseline ─► discovered,
 * and the next scan reads them like any new file.
 */
export const FILE_STATES = [
  'discovered',
  'settled',
  'classified',
  'queued',
  'uploading',
  'uploaded',
  'failed',
  'skipped',
  'duplicate',
  'baseline',
] as const;

export type FileState = (typeof FILE_STATES)[number];

const MOVES: Record<FileState, readonly FileState[]> = {
  // discovered → skipped: refused before reading (too large, not a regular file, …);
  // → baseline: clearly older than the backfill window by its stat alone, never read.
  discovered: ['settled', 'discovered', 'skipped', 'baseline'],
  settled: ['classified', 'discovered'],
  classified: ['queued', 'skipped', 'duplicate', 'baseline', 'discovered'],
  // queued → queued: backoff rescheduling; → skipped/duplicate: re-classified content.
  queued: ['uploading', 'queued', 'failed', 'duplicate', 'skipped', 'discovered'],
  // uploading → queued: a crash or a retryable failure puts it back in line.
  uploading: ['uploaded', 'queued', 'failed'],
  uploaded: ['queued'],
  failed: ['queued', 'discovered'],
  skipped: ['queued', 'discovered'],
  duplicate: ['queued'],
  // baseline → discovered: an unread baseline file asked for: the next scan reads it.
  baseline: ['queued', 'discovered'],
};

export function canMove(from: FileState, to: FileState): boolean {
  return MOVES[from].includes(to);
}

/** States from which a changed file (new content at the same path) is taken in again. */
export const RECLASSIFIABLE: ReadonlySet<FileState> = new Set(['discovered', 'settled', 'classified', 'skipped', 'failed', 'queued']);
