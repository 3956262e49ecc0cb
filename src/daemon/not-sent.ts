import type { Journal } from '../journal/journal.js';

/**
 * The daemon's line for a file it takes in but does not send: skipped (not an activity) or a
 * duplicate, with the reason the journal keeps, said once when the file is first judged.
 */
export function notSentLine(journal: Journal, sourceId: string, path: string, outcome: 'skipped' | 'duplicates'): string {
  const record = journal.views.latestAt(sourceId, path);
  if (outcome === 'skipped') return `skipped ${path}: ${record?.reason ?? 'not an activity'}`;
  const original = record?.duplicateOf ? journal.get(record.duplicateOf) : undefined;
  const same = original ? `the same activity as #${original.id} (${original.path})` : 'an activity already journaled';
  return `duplicate ${path}: ${same}, not uploaded again`;
}
