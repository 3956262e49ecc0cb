import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { classifyFile } from '../formats/classify.js';
import type { Config } from '../config/schema.js';
import type { Activity } from '../formats/activity.js';
import type { Journal } from '../journal/journal.js';
import type { Spool } from '../journal/spool.js';
import type { FileRecord } from '../journal/rows.js';
import { RECLASSIFIABLE } from '../journal/states.js';
import type { Logger } from '../log.js';
import type { Source } from '../sources/source.js';
import { walkSource } from '../sources/walk.js';
import { activityTime } from './backfill.js';
import { readSettled } from './read.js';

/** The intake settings in the units the code uses, from one place. */
export function intakeLimits(config: Config): { readonly settleMs: number; readonly maxFileBytes: number } {
  return { settleMs: config.intake.settleS * 1000, maxFileBytes: config.intake.maxFileMB * 1024 * 1024 };
}

export interface ScanOptions {
  readonly settleMs: number;
  readonly maxFileBytes: number;
  /** Files of a first-scanned source that started before this are baseline (undefined: none are). */
  readonly backfillCutoffMs: number | undefined;
  readonly log: Logger;
  readonly spool: Spool;
  readonly signal?: AbortSignal;
  /** Waits between the two looks of the settle check (tests and the daemon pass their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What one pass found, by outcome; `inspect`, `scan`, `sync` and the daemon report it. */
export interface ScanReport {
  files: number;
  unchanged: number;
  queued: number;
  repair: number;
  skipped: number;
  duplicates: number;
  baseline: number;
  refused: number;
  notSettled: number;
  unreadable: number;
  problems: Array<{ path: string; reason: string }>;
}

export function emptyReport(): ScanReport {
  return { files: 0, unchanged: 0, queued: 0, repair: 0, skipped: 0, duplicates: 0, baseline: 0, refused: 0, notSettled: 0, unreadable: 0, problems: [] };
}

interface Candidate {
  readonly source: Source;
  readonly path: string;
  readonly relPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly firstScan: boolean;
  readonly known?: { id: number; state: FileRecord['state'] };
}

/** Taken in but not through intake (a crash or a full disk interrupted it): taken in again. */
const UNFINISHED: ReadonlySet<FileRecord['state']> = new Set(['discovered', 'settled', 'classified']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * sources → intake → formats → journal, once. Unchanged files (same path, size and
 * mtime) cost one index lookup and are never read. Changed and new files are read only
 * after they have held still for the settle window, and again unchanged after reading.
 */
export async function scanSources(sources: readonly Source[], journal: Journal, options: ScanOptions): Promise<ScanReport> {
  const report = emptyReport();
  const candidates: Candidate[] = [];
  for (const source of sources) {
    if (options.signal?.aborted) break;
    const index = journal.index(source.id);
    const firstScan = journal.isNewSource(source.id);
    const walk = walkSource(source, {
      maxFileBytes: options.maxFileBytes,
      ...(options.signal ? { signal: options.signal } : {}),
      // Loops and unreadable entries (a device pulled mid-walk, an undecodable name) are said, never dropped.
      onProblem: (problem) => {
        if (problem.kind === 'unreadable') report.unreadable++;
        report.problems.push({
          path: problem.path,
          reason: problem.kind === 'loop' ? 'symlink loop: not followed' : `not readable (${problem.code ?? 'error'}): ${problem.message}`,
        });
      },
    });
    for await (const entry of walk) {
      report.files++;
      const known = index.get(entry.relPath);
      if (entry.kind === 'refused') {
        if (known && known.state === 'skipped') {
          report.unchanged++;
          continue;
        }
        report.refused++;
        report.problems.push({ path: entry.path, reason: entry.reason });
        const record = journal.observe({ sourceId: source.id, relPath: entry.relPath, path: entry.path, size: 0, mtimeMs: 0 });
        journal.refuse(record.id, entry.reason);
        continue;
      }
      if (known && known.size === entry.size && known.mtimeMs === Math.trunc(entry.mtimeMs) && !UNFINISHED.has(known.state)) {
        report.unchanged++;
        continue;
      }
      candidates.push({
        source,
        path: entry.path,
        relPath: entry.relPath,
        size: entry.size,
        mtimeMs: Math.trunc(entry.mtimeMs),
        firstScan,
        ...(known ? { known: { id: known.id, state: known.state } } : {}),
      });
    }
  }
  if (candidates.length) {
    // One wait for the whole batch: whatever is still being written moves meanwhile.
    await (options.sleep ?? defaultSleep)(options.settleMs);
    for (const candidate of candidates) {
      if (options.signal?.aborted) break;
      await takeIn(candidate, journal, options, report);
    }
  }
  // Only a scan that ran to the end ends a source's first scan: an interrupted one would
  // otherwise let its remaining old files skip the backfill rule next time.
  if (!options.signal?.aborted) for (const source of sources) journal.noteSourceScan(source.id, source.label);
  if (report.baseline) {
    options.log.info(
      `${report.baseline} older file${report.baseline > 1 ? 's were' : ' was'} recorded as baseline and not uploaded (backfill window); ` +
        'to upload them: mmt-sync sync --since YYYY-MM-DD (or --since all)',
    );
  }
  return report;
}

async function takeIn(candidate: Candidate, journal: Journal, options: ScanOptions, report: ScanReport): Promise<void> {
  const outcome = await readSettled(candidate.path, candidate, options.maxFileBytes);
  if (outcome.kind === 'changed') {
    report.notSettled++;
    return;
  }
  if (outcome.kind === 'unreadable') {
    report.unreadable++;
    report.problems.push({ path: candidate.path, reason: outcome.reason });
    return;
  }
  const observation = { sourceId: candidate.source.id, relPath: candidate.relPath, path: candidate.path, size: candidate.size, mtimeMs: candidate.mtimeMs };
  if (outcome.kind === 'refused') {
    report.refused++;
    report.problems.push({ path: candidate.path, reason: outcome.reason });
    const record = journal.observe(observation);
    if (record.state === 'discovered') journal.refuse(record.id, outcome.reason);
    return;
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
      return;
    }
    if (!RECLASSIFIABLE.has(candidate.known.state)) journal.retire(candidate.known.id);
  }
  const activity = classifyFile(basename(candidate.path), outcome.bytes);
  const upload = activity.verdict === 'repair' ? activity.repaired : { format: activity.format, bytes: outcome.bytes };
  const decision = decide(journal, activity, sha256, candidate, options, upload !== undefined);
  // The private copy first: the watch may be unplugged before the upload starts.
  const uploadSha256 = upload ? createHash('sha256').update(upload.bytes).digest('hex') : undefined;
  if (decision.outcome === 'queued' && upload) options.spool.put(sha256, upload.format, upload.bytes);
  const outcomeOfFile = journal.batch(() => recordIntake(journal, observation, activity, sha256, candidate, decision, upload?.format, uploadSha256));
  report[outcomeOfFile]++;
  if (outcomeOfFile === 'queued' && activity.verdict === 'repair') {
    report.repair++;
    options.log.warn(`${candidate.path}: ${activity.reason}`);
  }
}

type IntakeOutcome = 'queued' | 'skipped' | 'duplicates' | 'baseline';

interface Decision {
  readonly outcome: IntakeOutcome;
  readonly duplicateOf?: number;
  readonly reason?: string;
}

/** Where a classified file belongs: read-only, so the spool copy is made only for uploads. */
function decide(journal: Journal, activity: Activity, sha256: string, candidate: Candidate, options: ScanOptions, hasUpload: boolean): Decision {
  if (activity.verdict === 'skip') return { outcome: 'skipped' };
  if (!hasUpload) return { outcome: 'skipped', reason: `${activity.reason}; nothing could be rebuilt to upload` };
  // A record being re-taken-in is not its own duplicate; a retired one (the same path's
  // earlier content, e.g. a re-saved FIT of the same activity) may well be.
  const self = candidate.known && RECLASSIFIABLE.has(candidate.known.state) ? candidate.known.id : -1;
  const duplicate = journal.findDuplicate(self, sha256, activity.identity);
  if (duplicate) return { outcome: 'duplicates', duplicateOf: duplicate.id };
  if (candidate.firstScan && options.backfillCutoffMs !== undefined && activityTime(activity.start, candidate.mtimeMs) < options.backfillCutoffMs) {
    return { outcome: 'baseline' };
  }
  return { outcome: 'queued' };
}

/** Every journal write of one file's intake, as one transaction: discovered → … → its place. */
function recordIntake(
  journal: Journal,
  observation: { sourceId: string; relPath: string; path: string; size: number; mtimeMs: number },
  activity: Activity,
  sha256: string,
  candidate: Candidate,
  decision: Decision,
  uploadFormat: string | undefined,
  uploadSha256: string | undefined,
): IntakeOutcome {
  const record = journal.observe(observation);
  if (record.state !== 'discovered') journal.move(record.id, 'discovered');
  journal.move(record.id, 'settled');
  journal.recordClassification(record.id, activity, sha256, candidate.size, candidate.mtimeMs);
  switch (decision.outcome) {
    case 'skipped':
      journal.move(record.id, 'skipped', decision.reason ? { reason: decision.reason } : {});
      break;
    case 'duplicates':
      journal.move(record.id, 'duplicate', { duplicate_of: decision.duplicateOf });
      break;
    case 'baseline':
      journal.move(record.id, 'baseline');
      break;
    case 'queued':
      journal.move(record.id, 'queued', { attempts: 0, next_attempt_at: null, upload_format: uploadFormat, upload_sha256: uploadSha256 ?? null });
  }
  return decision.outcome;
}
