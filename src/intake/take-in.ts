import { createHash } from 'node:crypto';
import type { Activity } from '../formats/activity.js';
import { classifyFile } from '../formats/classify.js';
import type { Journal, Observation } from '../journal/journal.js';
import type { FileRecord } from '../journal/rows.js';
import type { Spool } from '../journal/spool.js';
import { RECLASSIFIABLE } from '../journal/states.js';
import type { Logger } from '../log.js';
import { activityForSource } from '../sources/apps/activity-type.js';
import { activityTime } from './backfill.js';
import type { Candidate } from './candidate.js';
import { UNFINISHED } from './list.js';
import type { ReadOutcome } from './read.js';
import type { ScanReport } from './report.js';

/**
 * Where a file that was read ends up, or why it was not taken in this time. `expanded`: a
 * zip whose members were each taken in on their own; `outside`: an import's activity from
 * outside the dates asked for, left unrecorded.
 */
export type TakeInOutcome = 'queued' | 'skipped' | 'duplicates' | 'baseline' | 'unchanged' | 'refused' | 'notSettled' | 'unreadable' | 'expanded' | 'outside';

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
 * A first-sight file is held back from upload until its second read is due, and this much
 * longer: the second read, not the clock, should be what finds a change.
 */
const HOLD_MARGIN_MS = 1000;

/** The activity happened within `window` (an import's --since/--until); no window: always. */
export function inWindow(activityAt: number, window: Candidate['window']): boolean {
  return (window?.fromMs === undefined || activityAt >= window.fromMs) && (window?.untilMs === undefined || activityAt < window.untilMs);
}

/**
 * The activity as it is recorded: an app's usual type where the file says no more (an
 * indoor trainer's "cycling" is indoor cycling), and the type the person gave it elsewhere
 * (Strava's activities.csv) over both.
 */
export function recordedActivity(candidate: Pick<Candidate, 'quirks' | 'activityType'>, activity: Activity): Activity {
  const typed = activityForSource({ ...(candidate.quirks ? { quirks: candidate.quirks } : {}) }, activity);
  return candidate.activityType && candidate.activityType !== typed.activityType ? { ...typed, activityType: candidate.activityType } : typed;
}

/**
 * The judging stage, for one file whose bytes were read: hash, classify, look for a
 * duplicate, keep a private copy of what goes up, and journal where it belongs, all in one
 * transaction. Synchronous: the readers keep the device busy meanwhile.
 */
export function takeIn(candidate: Candidate, outcome: Exclude<ReadOutcome, { kind: 'archive' }>, context: TakeInContext): TakeInOutcome {
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
  // A second read looks at the file as it is now: its stat may have moved since the listing.
  const stat = outcome.kind === 'read' ? { size: outcome.size, mtimeMs: outcome.mtimeMs } : { size: candidate.size, mtimeMs: candidate.mtimeMs };
  const observation: Observation = { sourceId: candidate.sourceId, relPath: candidate.relPath, path: candidate.path, ...stat };
  if (outcome.kind === 'refused') {
    report.refused++;
    report.problems.push({ path: candidate.path, reason: outcome.reason });
    const record = journal.observe(observation);
    if (record.state === 'discovered') journal.refuse(record.id, outcome.reason);
    return 'refused';
  }
  const sha256 = createHash('sha256').update(outcome.bytes).digest('hex');
  const previous = candidate.known ? journal.get(candidate.known.id) : undefined;
  if (previous?.sha256 === sha256 && !UNFINISHED.has(previous.state)) {
    // A known path with a new size/mtime: FAT shifts mtimes at DST changes, so compare
    // content: the same bytes only get the new stat noted.
    journal.touch(previous.id, stat.size, stat.mtimeMs);
    if (!candidate.confirming) report.unchanged++;
    return 'unchanged';
  }
  const activity = recordedActivity(candidate, classifyFile(candidate.name, outcome.bytes));
  const upload = activity.verdict === 'repair' ? activity.repaired : { format: activity.format, bytes: outcome.bytes };
  const activityAt = activityTime(activity.start, candidate.timeHintMs);
  if (activity.verdict !== 'skip' && !inWindow(activityAt, candidate.window)) {
    report.outside++;
    return 'outside';
  }
  // New bytes at a known path: a new record beside the old one, or the old one taken over.
  const replacing = previous !== undefined && takesOver(candidate, previous, activity);
  const decision = decide(journal, activity, sha256, activityAt, candidate, replacing ? previous.id : -1, upload !== undefined);
  // The private copy first: the watch may be unplugged (the app may overwrite the file) before the upload starts.
  const uploadSha256 = upload ? createHash('sha256').update(upload.bytes).digest('hex') : undefined;
  if (decision.outcome === 'queued' && upload) spool.put(sha256, upload.format, upload.bytes);
  const holdUntil = candidate.settleAgainMs !== undefined ? Date.now() + candidate.settleAgainMs + HOLD_MARGIN_MS : undefined;
  const placed = journal.batch(() => {
    if (previous && !replacing) journal.retire(previous.id);
    const record = journal.observe(observation);
    if (record.state !== 'discovered') journal.move(record.id, 'discovered');
    journal.move(record.id, 'settled');
    journal.recordClassification(record.id, activity, sha256, stat.size, stat.mtimeMs, activityAt, candidate.activityName);
    place(journal, record.id, decision, { uploadFormat: upload?.format, uploadSha256, lane: candidate.lane, holdUntil });
    return decision.outcome;
  });
  report[placed]++;
  if (placed === 'queued' && activity.verdict === 'repair') {
    report.repair++;
    log.warn(`${candidate.path}: ${activity.reason}`);
  }
  return placed;
}

/**
 * Whether new content at a known path takes over its record (re-judged in place) rather
 * than being a new record beside it. A record settled for good (uploaded, a duplicate, …)
 * is never re-judged: it keeps its history under a retired name. One still waiting
 * (queued, failed, skipped) is, as the same file saved again — except where an app
 * overwrites the file with its next activity (MyWhoosh): there the earlier content, if it
 * was a whole activity of its own, keeps its record, its place in the queue and its spool
 * copy; only a partial first sight of the same activity is taken over.
 */
function takesOver(candidate: Candidate, previous: FileRecord, activity: Activity): boolean {
  if (candidate.known?.unread) return true;
  if (!RECLASSIFIABLE.has(previous.state)) return false;
  if (!candidate.quirks?.overwritesInPlace || previous.sha256 === null || UNFINISHED.has(previous.state)) return true;
  const sameActivity = previous.identity !== null && previous.identity === activity.identity;
  return previous.verdict !== 'upload' || sameActivity;
}

/** Where a classified file belongs: read-only, so the spool copy is made only for uploads. */
function decide(journal: Journal, activity: Activity, sha256: string, activityAt: number, candidate: Candidate, self: number, hasUpload: boolean): Decision {
  if (activity.verdict === 'skip') return { outcome: 'skipped' };
  if (!hasUpload) return { outcome: 'skipped', reason: `${activity.reason}; nothing could be rebuilt to upload` };
  // A record being re-taken-in is not its own duplicate; a retired one (the same path's
  // earlier content, e.g. a re-saved FIT of the same activity) may well be.
  const duplicate = journal.findDuplicate(self, sha256, activity.identity);
  // An import is not subject to the backfill window: a watch's baseline copy of the activity (never sent) does not stop it.
  if (duplicate && !(candidate.lane !== undefined && duplicate.state === 'baseline')) return { outcome: 'duplicates', duplicateOf: duplicate.id };
  if (candidate.baselineBefore !== undefined && activityAt < candidate.baselineBefore) return { outcome: 'baseline' };
  return { outcome: 'queued' };
}

interface QueueFields {
  readonly uploadFormat: string | undefined;
  readonly uploadSha256: string | undefined;
  readonly lane: string | undefined;
  /** Not sent before this (a first-sight file, until its second read). */
  readonly holdUntil: number | undefined;
}

/** The last move of a file's intake: discovered → … → classified → its place. */
function place(journal: Journal, id: number, decision: Decision, queue: QueueFields): void {
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
      journal.move(id, 'queued', {
        attempts: 0,
        next_attempt_at: queue.holdUntil ?? null,
        upload_format: queue.uploadFormat,
        upload_sha256: queue.uploadSha256 ?? null,
        lane: queue.lane ?? null,
      });
  }
}
