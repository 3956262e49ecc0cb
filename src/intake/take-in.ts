import { createHash } from 'node:crypto';
import type { Activity } from '../formats/activity.js';
import { classifyFile } from '../formats/classify.js';
import type { Journal, Observation } from '../journal/journal.js';
import type { Spool } from '../journal/spool.js';
import { RECLASSIFIABLE } from '../journal/states.js';
import type { Logger } from '../log.js';
import { activityTime } from './backfill.js';
import type { Candidate } from './candidate.js';
import { UNFINISHED } from './list.js';
import type { ReadOutcome } from './read.js';
import type { ScanReport } from './report.js';

/** Where a file that was read ends up, or why it was not taken in this time. */
export type TakeInOutcome = 'queued' | 'skipped' | 'duplicates' | 'baseline' | 'unchanged' | 'refused' | 'notSettled' | 'unreadable';

type Placement = 'queued' | 'skipped' | 'duplicates' | 'baseline';

interface Decision {
  readonly outcome: Placement;
  readonly duplicateOf?: number;
  readonly reason?: string;
}

export interface TakeInContext {
  readonly journal: Journal;
  readonly spool: Spool;
  readonly log: Logger;
  readonly report: ScanReport;
}

/**
 * The judging stage, for one file whose bytes were read: hash, classify, look for a
 * duplicate, keep a private copy of what goes up, and journal where it belongs, all in one
 * transaction. Synchronous: the readers keep the device busy meanwhile.
 */
export function takeIn(candidate: Candidate, outcome: ReadOutcome, context: TakeInContext): TakeInOutcome {
  const { journal, spool, log, report } = context;
  if (outcome.kind === 'changed') {
    report.notSettled++;
    return 'notSettled';
  }
  if (outcome.kind === 'unreadable') {
    report.unreadable++;
    report.problems.push({ path: candidate.path, reason: outcome.reason });
    return 'unreadable';
  }
  const observation: Observation = { sourceId: candidate.sourceId, relPath: candidate.relPath, path: candidate.path, size: candidate.size, mtimeMs: candidate.mtimeMs };
  if (outcome.kind === 'refused') {
    report.refused++;
    report.problems.push({ path: candidate.path, reason: outcome.reason });
    const record = journal.observe(observation);
    if (record.state === 'discovered') journal.refuse(record.id, outcome.reason);
    return 'refused';
  }
  const sha256 = createHash('sha256').update(outcome.bytes).digest('hex');
  if (candidate.known) {
    // A known path with a new size/mtime. FAT shifts mtimes at DST changes, so compare
    // content: the same bytes only get the new stat noted; new bytes at a path that is
    // settled for good (uploaded, duplicate, …) become a new record beside the old one.
    const previous = journal.get(candidate.known.id);
    if (previous?.sha256 === sha256 && !UNFINISHED.has(previous.state)) {
      journal.touch(candidate.known.id, candidate.size, candidate.mtimeMs);
      report.unchanged++;
      return 'unchanged';
    }
    if (!RECLASSIFIABLE.has(candidate.known.state) && !candidate.known.unread) journal.retire(candidate.known.id);
  }
  const activity = classifyFile(candidate.name, outcome.bytes);
  const upload = activity.verdict === 'repair' ? activity.repaired : { format: activity.format, bytes: outcome.bytes };
  const activityAt = activityTime(activity.start, candidate.timeHintMs);
  const decision = decide(journal, activity, sha256, activityAt, candidate, upload !== undefined);
  // The private copy first: the watch may be unplugged before the upload starts.
  const uploadSha256 = upload ? createHash('sha256').update(upload.bytes).digest('hex') : undefined;
  if (decision.outcome === 'queued' && upload) spool.put(sha256, upload.format, upload.bytes);
  const placed = journal.batch(() => {
    const record = journal.observe(observation);
    if (record.state !== 'discovered') journal.move(record.id, 'discovered');
    journal.move(record.id, 'settled');
    journal.recordClassification(record.id, activity, sha256, candidate.size, candidate.mtimeMs, activityAt);
    place(journal, record.id, decision, upload?.format, uploadSha256);
    return decision.outcome;
  });
  report[placed]++;
  if (placed === 'queued' && activity.verdict === 'repair') {
    report.repair++;
    log.warn(`${candidate.path}: ${activity.reason}`);
  }
  return placed;
}

/** Where a classified file belongs: read-only, so the spool copy is made only for uploads. */
function decide(journal: Journal, activity: Activity, sha256: string, activityAt: number, candidate: Candidate, hasUpload: boolean): Decision {
  if (activity.verdict === 'skip') return { outcome: 'skipped' };
  if (!hasUpload) return { outcome: 'skipped', reason: `${activity.reason}; nothing could be rebuilt to upload` };
  // A record being re-taken-in is not its own duplicate; a retired one (the same path's
  // earlier content, e.g. a re-saved FIT of the same activity) may well be.
  const self = candidate.known && (RECLASSIFIABLE.has(candidate.known.state) || candidate.known.unread) ? candidate.known.id : -1;
  const duplicate = journal.findDuplicate(self, sha256, activity.identity);
  if (duplicate) return { outcome: 'duplicates', duplicateOf: duplicate.id };
  if (candidate.baselineBefore !== undefined && activityAt < candidate.baselineBefore) return { outcome: 'baseline' };
  return { outcome: 'queued' };
}

/** The last move of a file's intake: discovered → … → classified → its place. */
function place(journal: Journal, id: number, decision: Decision, uploadFormat: string | undefined, uploadSha256: string | undefined): void {
  switch (decision.outcome) {
    case 'skipped':
      journal.move(id, 'skipped', decision.reason ? { reason: decision.reason } : {});
      break;
    case 'duplicates':
      journal.move(id, 'duplicate', { duplicate_of: decision.duplicateOf });
      break;
    case 'baseline':
      journal.move(id, 'baseline');
      break;
    case 'queued':
      journal.move(id, 'queued', { attempts: 0, next_attempt_at: null, upload_format: uploadFormat, upload_sha256: uploadSha256 ?? null });
  }
}
