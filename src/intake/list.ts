import { isGzipName, isZipName, withoutGz } from '../archive/names.js';
import type { Journal, IndexEntry, Observation } from '../journal/journal.js';
import type { FileState } from '../journal/states.js';
import type { Source } from '../sources/source.js';
import { walkSource, type WalkEntry, type WalkSummary } from '../sources/walk.js';
import { gzipBytes, zipBytes } from './archive-bytes.js';
import { fileBytes, type ByteSource, type Candidate } from './candidate.js';
import type { ScanReport } from './report.js';
import { clearlyBefore, estimatedTimeMs } from './stat-time.js';

export interface ListOptions {
  readonly maxFileBytes: number;
  /** A new or changed file is read only after holding still this long since it was seen. */
  readonly settleMs: number;
  /** Files of a first-scanned source that started before this are baseline (undefined: none are). */
  readonly backfillCutoffMs: number | undefined;
  readonly signal?: AbortSignal;
  /** Where a zip inside a zip is spilled while it is read (private). @default os.tmpdir() */
  readonly tempDir?: string;
  /**
   * Told after each source's walk how it went: `complete` false when a problem hid part of
   * it; `heldUntilMs` when files were there but not ready (a ride being recorded) and may be
   * listed from then on — the daemon rescans the source then.
   */
  readonly onSourceListed?: (sourceId: string, listing: SourceListing) => void;
}

export interface SourceListing {
  readonly complete: boolean;
  readonly held: number;
  readonly heldUntilMs?: number;
}

/** Taken in but not through intake (a crash or a full disk interrupted it, or asked for): taken in again. */
export const UNFINISHED: ReadonlySet<FileState> = new Set(['discovered', 'settled', 'classified']);

/** Unread baseline files are journaled in transactions of this many (one commit per file costs ~1 ms on a slow disk). */
const BASELINE_BATCH = 256;

const baseName = (relPath: string): string => relPath.slice(relPath.lastIndexOf('/') + 1);

/**
 * The scanner stage: lists each source once (stat only, nothing opened), compares every
 * file with the journal's index and yields the ones that must be read. What it can settle
 * without reading it settles here: unchanged files, refusals, and — on a source's first
 * scan — files whose stat puts them clearly before the backfill window (journaled as
 * unread baseline). Counts go into `report` as they happen.
 */
export async function* listSources(sources: readonly Source[], journal: Journal, options: ListOptions, report: ScanReport): AsyncGenerator<Candidate> {
  for (const source of sources) {
    if (options.signal?.aborted) return;
    const index = journal.index(source.id);
    const firstScan = journal.isNewSource(source.id);
    const unreadBaseline: Array<{ observation: Observation; activityAt: number }> = [];
    let complete = true;
    const flushBaseline = () => {
      if (!unreadBaseline.length) return;
      const batch = unreadBaseline.splice(0);
      journal.batch(() => {
        for (const { observation, activityAt } of batch) journal.recordUnreadBaseline(observation, activityAt);
      });
    };
    const walk = walkSource(source, {
      maxFileBytes: options.maxFileBytes,
      ...(options.signal ? { signal: options.signal } : {}),
      // Loops and unreadable entries (a device pulled mid-walk, an undecodable name) are said, never dropped.
      onProblem: (problem) => {
        if (problem.kind === 'unreadable') {
          report.unreadable++;
          complete = false;
        }
        report.problems.push({
          path: problem.path,
          reason: problem.kind === 'loop' ? 'symlink loop: not followed' : `not readable (${problem.code ?? 'error'}): ${problem.message}`,
        });
      },
    });
    let summary: WalkSummary | undefined;
    try {
      for (;;) {
        const step = await walk.next();
        if (step.done) {
          summary = step.value;
          break;
        }
        const entry = step.value;
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
        // The no-op rescan's path (10,000 files in well under 150 ms): one lookup, nothing built.
        const mtimeMs = Math.trunc(entry.mtimeMs);
        const sameStat = known !== undefined && known.size === entry.size && known.mtimeMs === mtimeMs;
        if (sameStat && !UNFINISHED.has(known.state)) {
          report.unchanged++;
          continue;
        }
        const seenAt = Date.now();
        const stat = { size: entry.size, mtimeMs };
        const fileName = baseName(entry.relPath);
        // The sniffer sees a gzipped activity under its own name (`1.fit.gz` → `1.fit`).
        const name = isGzipName(fileName) ? withoutGz(fileName) : fileName;
        const cutoff = options.backfillCutoffMs;
        const observation = { sourceId: source.id, relPath: entry.relPath, path: entry.path, ...stat };
        if (known?.unread && known.state === 'baseline' && known.size === stat.size && cutoff !== undefined && clearlyBefore(cutoff, name, stat.mtimeMs)) {
          // Same size, a shifted mtime (FAT at a DST change, another time zone): still the old file.
          journal.touch(known.id, stat.size, stat.mtimeMs);
          report.unchanged++;
          continue;
        }
        if (!known && firstScan && cutoff !== undefined && clearlyBefore(cutoff, name, stat.mtimeMs)) {
          unreadBaseline.push({ observation, activityAt: estimatedTimeMs(name, stat.mtimeMs) });
          report.baseline++;
          report.baselineUnread++;
          if (unreadBaseline.length >= BASELINE_BATCH) flushBaseline();
          continue;
        }
        // An app that overwrites this file with its next activity gets no settle window to do
        // it in: read now, held back from upload, read again when the window ends.
        const firstSight = source.quirks?.overwritesInPlace === true && !sameStat && options.settleMs > 0 && !isZipName(fileName);
        yield {
          sourceId: source.id,
          relPath: entry.relPath,
          path: entry.path,
          name,
          ...stat,
          timeHintMs: estimatedTimeMs(name, stat.mtimeMs),
          // Unchanged since the journal saw it (asked for, or an interrupted intake): it has held still.
          readyAt: sameStat || firstSight ? seenAt : seenAt + options.settleMs,
          ...(firstSight ? { settleAgainMs: options.settleMs } : {}),
          ...baselineRule(known, firstScan, cutoff),
          ...(known ? { known: { id: known.id, state: known.state, unread: known.unread } } : {}),
          ...(source.quirks ? { quirks: source.quirks } : {}),
          bytes: bytesOf(entry, options),
        };
      }
    } finally {
      flushBaseline();
    }
    options.onSourceListed?.(source.id, {
      complete: complete && summary?.complete !== false,
      held: summary?.held ?? 0,
      ...(summary?.heldUntilMs !== undefined ? { heldUntilMs: summary.heldUntilMs } : {}),
    });
  }
}

/** How a listed file is read: as it is, gunzipped, or member by member. */
function bytesOf(entry: Extract<WalkEntry, { kind: 'file' }>, options: ListOptions): ByteSource {
  const archiveOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(options.tempDir ? { tempDir: options.tempDir } : {}) };
  if (isZipName(entry.relPath)) return zipBytes(entry.path, entry.relPath, archiveOptions);
  if (isGzipName(entry.relPath)) return gzipBytes(entry.path, archiveOptions);
  return fileBytes(entry.path);
}

/** Which backfill rule a file read now answers to: what it was asked for with, else a first scan's (or an unread baseline file's) cutoff. */
function baselineRule(known: IndexEntry | undefined, firstScan: boolean, cutoff: number | undefined): { baselineBefore?: number } {
  if (known?.wantedFrom !== null && known?.wantedFrom !== undefined) return { baselineBefore: known.wantedFrom };
  if (cutoff !== undefined && (firstScan || (known?.unread && known.state === 'baseline'))) return { baselineBefore: cutoff };
  return {};
}
