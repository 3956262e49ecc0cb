import type { FileRecord } from './rows.js';

/**
 * Where a file stands, as a person asks it ("did it go up?"): the journal's state, with an
 * upload told apart by how it went (repaired, or the server had it already).
 */
export type Standing = 'uploaded' | 'repaired' | 'already-there' | 'uploading' | 'waiting' | 'to-read' | 'failed' | 'skipped' | 'duplicate' | 'baseline' | 'new';

export function standingOf(record: FileRecord): Standing {
  switch (record.state) {
    case 'uploaded':
      return record.remoteStatus === 'exists' ? 'already-there' : record.verdict === 'repair' ? 'repaired' : 'uploaded';
    case 'queued':
      return 'waiting';
    case 'discovered':
      // Asked for (--since, forget) and not read yet: its device must be connected.
      return record.wantedFrom !== null ? 'to-read' : 'new';
    case 'settled':
    case 'classified':
      return 'new';
    default:
      return record.state;
  }
}

/** When a waiting file is tried next: its own backoff, and no earlier than the server's Retry-After for the account. */
export function nextTryAt(record: FileRecord, notBefore: number): number {
  return Math.max(record.nextAttemptAt ?? 0, notBefore);
}
