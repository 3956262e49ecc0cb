import type { FileState } from './states.js';

/**
 * A file's history as a person reads it: each move the journal makes is kept with a
 * short note. Moves inside intake that say nothing to a person (discovered, settled)
 * are not kept; everything from the verdict on is.
 */
const UNREMARKABLE: ReadonlySet<FileState> = new Set(['discovered', 'settled']);

export function isRecorded(to: FileState): boolean {
  return !UNREMARKABLE.has(to);
}

/** The note of a move, from what the move writes. */
export function eventNote(from: FileState, to: FileState, fields: Readonly<Record<string, unknown>>): string | null {
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  switch (to) {
    case 'uploaded':
      return fields.remote_status === 'exists' ? `already on Map My Tracks as activity ${String(fields.remote_id)}` : `activity ${String(fields.remote_id)}`;
    case 'duplicate':
      return `same activity as #${String(fields.duplicate_of)}`;
    case 'queued':
      if (from === 'failed') return 'queued again (retry)';
      if (from === 'uploaded' || from === 'duplicate' || from === 'skipped' || from === 'baseline') return from === 'baseline' ? 'queued (older than the backfill window, asked for)' : 'forgotten: to be uploaded again';
      if (from === 'uploading' || from === 'queued') {
        const error = text(fields.last_error);
        const next = typeof fields.next_attempt_at === 'number' ? ` (next try ${new Date(fields.next_attempt_at).toISOString()})` : '';
        return error ? `${error}${next}` : 'back in line';
      }
      return null;
    default:
      return text(fields.last_error) ?? text(fields.reason) ?? null;
  }
}
