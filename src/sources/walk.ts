/**
 * Lists the activity candidates of one source, cheaply enough to rescan on every mount.
 *
 * What it promises:
 * - Nothing is opened. Sizes and times come from lstat/stat; a FIFO or device node
 *   named `x.fit` is refused from its directory entry, so it can never block a read.
 * - A symlink is followed only when its target stays inside the root's realpath. One
 *   that leads back into its own ancestors is reported as a loop; one whose target the
 *   walk reaches anyway is skipped, so nothing is listed twice.
 * - Directories already walked are recognised by (dev, ino) too (bind mounts).
 * - A device pulled mid-walk costs that subtree, not the walk: errno errors become
 *   problems (`onProblem` and the summary), never exceptions, and the summary says the
 *   listing is incomplete, so the caller must not read "not listed" as "deleted".
 * - Only aborting throws: the signal's reason.
 *
 * Speed: on a local filesystem (`source.poll` false) files are lstat'ed synchronously, in
 * slices of at most ~8 ms between event-loop turns: a thread-pool round trip costs more
 * than the stat itself, and a 10,000-file rescan is 3x faster this way. If one stat is
 * slow (a cold disk, a hung mount), the walk switches to asynchronous stats with
 * `concurrency` in flight, which is also how polled (MTP, FUSE, network) sources start.
 *
 * The generator's return value is a `WalkSummary` (`for await` drops it; call `next()`
 * by hand, or pass `onProblem`, to see problems).
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Source } from './source.js';
import { byName, Walker, type Dir, type Outcome } from './walker.js';

export { formatBytes } from './walker.js';

export type WalkEntry =
  | {
      readonly kind: 'file';
      readonly path: string;
      /** Relative to the root, `/`-separated. */
      readonly relPath: string;
      readonly size: number;
      readonly mtimeMs: number;
      readonly dev: number;
      readonly ino: number;
    }
  | { readonly kind: 'refused'; readonly path: string; readonly relPath: string; readonly reason: string };

export interface WalkProblem {
  /** `unreadable`: an errno error cost this path (and what is below it). `loop`: a directory seen before. */
  readonly kind: 'unreadable' | 'loop';
  readonly path: string;
  readonly relPath: string;
  /** The errno code for `unreadable` (ENOENT, EIO, EACCES, ENOTCONN…). */
  readonly code?: string;
  readonly message: string;
}

export interface WalkSummary {
  readonly files: number;
  readonly refused: number;
  readonly unreadable: number;
  readonly loops: number;
  /** Files there but not ready, so not listed (see `SourceQuirks`: a ride being recorded, a cloud placeholder). */
  readonly held: number;
  /** When a held file may next be listed: a rescan at this time will find it (absent when unknown). */
  readonly heldUntilMs?: number;
  /** False when something could not be read: files not listed may still exist. */
  readonly complete: boolean;
}

export interface WalkOptions {
  /** Larger files are refused, never read. */
  readonly maxFileBytes: number;
  /** Compared case-insensitively. @default ['.fit', '.gpx', '.tcx', '.fit.gz', '.gpx.gz', '.tcx.gz', '.zip'] */
  readonly extensions?: readonly string[];
  readonly signal?: AbortSignal;
  /** Called for each problem as it happens (for logging); the summary counts them too. */
  readonly onProblem?: (problem: WalkProblem) => void;
  /** stat calls in flight at once. @default 32 */
  readonly concurrency?: number;
  /** The clock the `recording` quirk is judged by. @default Date.now */
  readonly now?: () => number;
}

function validate(options: WalkOptions): void {
  const { maxFileBytes, concurrency } = options;
  if (typeof maxFileBytes !== 'number' || !Number.isFinite(maxFileBytes) || maxFileBytes <= 0) {
    throw new TypeError(`Expected maxFileBytes to be a positive number, got ${String(maxFileBytes)}`);
  }
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new TypeError(`Expected concurrency to be a positive integer, got ${String(concurrency)}`);
  }
}

/** Longest stretch of synchronous stats before the event loop gets a turn. */
const SLICE_MS = 8;
/** One synchronous stat in this many is timed (reading the clock costs as much as a stat). */
const STATS_PER_SAMPLE = 16;
/**
 * A sampled stat slower than this means a filesystem not local enough to block on; a few
 * are tolerated so that one GC pause does not count.
 */
const SLOW_STAT_MS = 4;
const SLOW_SAMPLES_TOLERATED = 3;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lists the activity files under `source.root`, depth first, each directory in name
 * order. Files come as `file` entries; candidates that will never be uploaded come as
 * `refused` entries with the reason a user would want to read.
 */
export async function* walkSource(
  source: Pick<Source, 'root' | 'include' | 'exclude' | 'quirks'> & { readonly poll?: boolean },
  options: WalkOptions,
): AsyncGenerator<WalkEntry, WalkSummary, undefined> {
  validate(options);
  const { signal } = options;
  const window = options.concurrency ?? 32;
  signal?.throwIfAborted();

  const rootPath = resolve(source.root);
  let rootReal: string;
  let rootStats: Stats;
  try {
    rootReal = await realpath(rootPath);
    rootStats = await stat(rootReal);
  } catch (error) {
    const walker = new Walker(source.root, options, source);
    walker.unreadable(source.root, '', error);
    return summarize(walker, false);
  }
  const walker = new Walker(rootReal, options, source);
  if (!rootStats.isDirectory()) {
    walker.problem('unreadable', source.root, '', 'the source is not a directory', 'ENOTDIR');
    return summarize(walker, false);
  }
  let syncStats = source.poll !== true;
  let slowSamples = 0;

  const stack: Dir[] = [{ path: rootPath, relPath: '', real: rootReal, stats: rootStats }];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      const stats = dir.stats ?? (await stat(dir.path));
      if (!walker.firstVisit(stats)) {
        walker.problem('loop', dir.path, dir.relPath, 'directory already walked (symlink loop or bind mount)');
        continue;
      }
      entries = await readdir(dir.path, { withFileTypes: true });
    } catch (error) {
      walker.unreadable(dir.path, dir.relPath, error);
      continue;
    }
    entries.sort(byName);
    const { candidates, subdirs } = walker.sort(dir, entries);

    let i = 0;
    let sliceStart = performance.now();
    let sinceSample = 0;
    // Asynchronous stats run in a sliding window; results still come in name order.
    const pending: (Promise<Outcome> | undefined)[] = [];
    let started = 0;
    while (i < candidates.length) {
      const candidate = candidates[i]!;
      let outcome: Outcome;
      if (syncStats && started <= i) {
        if (candidate.kind === 'file' && ++sinceSample < STATS_PER_SAMPLE) {
          outcome = walker.examineFileSync(candidate);
        } else if (candidate.kind === 'file') {
          sinceSample = 0;
          const before = performance.now();
          outcome = walker.examineFileSync(candidate);
          const after = performance.now();
          if (after - before > SLOW_STAT_MS && ++slowSamples >= SLOW_SAMPLES_TOLERATED) syncStats = false;
          if (after - sliceStart > SLICE_MS) {
            await nextTurn();
            sliceStart = performance.now();
          }
        } else {
          outcome = await walker.examine(dir, candidate);
        }
        started = i + 1;
      } else {
        for (; started < candidates.length && started < i + window; started++) {
          pending[started] = walker.examine(dir, candidates[started]!);
        }
        outcome = await pending[i]!;
        pending[i] = undefined;
      }
      i++;
      if (outcome.dir) subdirs.push(outcome.dir);
      if (!outcome.entry) continue;
      signal?.throwIfAborted();
      if (outcome.entry.kind === 'file') walker.counts.files++;
      else walker.counts.refused++;
      yield outcome.entry;
    }
    subdirs.sort((a, b) => (a.relPath < b.relPath ? 1 : a.relPath > b.relPath ? -1 : 0));
    for (const subdir of subdirs) stack.push(subdir);
  }
  return summarize(walker, walker.counts.unreadable === 0);
}

function summarize(walker: Walker, complete: boolean): WalkSummary {
  return { ...walker.counts, ...(walker.heldUntilMs !== undefined ? { heldUntilMs: walker.heldUntilMs } : {}), complete };
}
