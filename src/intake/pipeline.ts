/**
 * src/intake/ owns the way from a file seen in a source to a journal entry: the intake
 * pipeline. Its named stages, each passing data (never exceptions) to the next:
 *
 *   list (list.ts)      walk each source once, stat only; settle what needs no reading
 *                        (unchanged, refused, a first plug-in's clearly old files) and
 *                        count ahead what must be read, so progress has a total early
 *   order (read-order)  newest first among the files whose settle window has passed
 *   read (candidate.ts) bounded workers; one open and one read pass per file
 *   take in (take-in)   hash, classify, dedupe, spool, journal — one transaction per file
 *
 * A file is in the journal as `queued` the moment it is taken in, and `onEvent` says so,
 * so uploads start while the scan goes on. It may import formats/, journal/, sources/
 * and fsutil/; never queue/ or api/ (whoever runs it wires the uploader to its events).
 */
import type { Journal } from '../journal/journal.js';
import type { Spool } from '../journal/spool.js';
import type { Logger } from '../log.js';
import { freshFileBytes } from './archive-bytes.js';
import type { Candidate } from './candidate.js';
import { ReadOrder } from './read-order.js';
import { emptyReport, type ScanReport } from './report.js';
import type { TakeInOutcome } from './take-in.js';

export type IntakeEvent =
  /** Counting ahead: the scanner found one more file that must be read. */
  | { readonly type: 'found'; readonly path: string; readonly size: number }
  /** The scanner is done: `toRead` files in all were found to read (the total for progress). */
  | { readonly type: 'listed'; readonly toRead: number }
  /** A file went through the pipeline (`queued`: it is in the upload queue now). */
  | { readonly type: 'taken'; readonly sourceId: string; readonly path: string; readonly size: number; readonly outcome: TakeInOutcome };

export interface IntakeOptions {
  readonly maxFileBytes: number;
  readonly log: Logger;
  readonly spool: Spool;
  readonly signal?: AbortSignal;
  /**
   * Files read at once. Measured on a mount that serialises like MTP (bench/results/plugin.json):
   * 2 keeps the device busy while the previous file is judged; more gains nothing there.
   * @default 2
   */
  readonly parallelReads?: number;
  /** Bytes read but not yet taken in, at most (a larger single file is still read, alone). @default 64 MiB */
  readonly maxBytesInFlight?: number;
  /**
   * Candidates listed but not yet read, at most: the scanner waits beyond it. For listers
   * whose candidates hold their bytes already (an import's members). @default Infinity
   */
  readonly maxWaiting?: number;
  readonly onEvent?: (event: IntakeEvent) => void;
}

const DEFAULT_PARALLEL_READS = 2;
/**
 * Reads wait for the listing to end, so that the first file read is the newest of all;
 * a listing still going after this long (a huge tree over MTP) no longer holds them back.
 * The settle window (2 s by default) is longer anyway: this matters only without one.
 */
const LISTING_HEAD_START_MS = 1000;
const DEFAULT_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** Wakes every waiter at once: a candidate arrived, a read finished, the listing ended. */
class Bell {
  private waiters: Array<() => void> = [];

  ring(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, Math.max(0, timeoutMs));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }
}

/** Outcomes after which a first-sight file is in the journal and worth a second look. */
const PLACED: ReadonlySet<string> = new Set(['queued', 'skipped', 'duplicates', 'baseline']);

/** The second read of a first-sight file: as it is then, against the record its first read made. */
function secondLook(candidate: Candidate, journal: Journal): Candidate {
  const { settleAgainMs, known: _before, ...rest } = candidate;
  const record = journal.atPath(candidate.sourceId, candidate.relPath);
  return {
    ...rest,
    readyAt: Date.now() + (settleAgainMs ?? 0),
    confirming: true,
    bytes: freshFileBytes(candidate.path),
    ...(record ? { known: { id: record.id, state: record.state, unread: record.unread } } : {}),
  };
}

function validate(options: IntakeOptions): void {
  const { parallelReads, maxBytesInFlight } = options;
  if (parallelReads !== undefined && (!Number.isInteger(parallelReads) || parallelReads < 1)) {
    throw new TypeError(`Expected parallelReads to be a positive integer, got ${String(parallelReads)}`);
  }
  if (maxBytesInFlight !== undefined && !(maxBytesInFlight > 0)) {
    throw new TypeError(`Expected maxBytesInFlight to be a positive number, got ${String(maxBytesInFlight)}`);
  }
}

/**
 * Runs the candidates through read and take-in with bounded workers while the scanner
 * is still producing them. Resolves with the counts once every candidate is taken in (or
 * the signal stopped it); a journal or spool write failure (full disk) ends it and throws.
 */
export async function runIntake(candidates: AsyncIterable<Candidate>, journal: Journal, options: IntakeOptions, report: ScanReport = emptyReport()): Promise<ScanReport> {
  validate(options);
  const { signal, onEvent } = options;
  const budget = options.maxBytesInFlight ?? DEFAULT_BYTES_IN_FLIGHT;
  const context = { journal, spool: options.spool, log: options.log, report };
  const order = new ReadOrder();
  const bell = new Bell();
  let listing = true;
  let toRead = 0;
  let bytesInFlight = 0;
  let fatal: { error: unknown } | undefined;
  let turn = Promise.resolve();
  const readsFrom = Date.now() + LISTING_HEAD_START_MS;
  // The decoders are needed only once a file is read: they load during the listing and the settle window.
  const judging = Promise.all([import('./take-in.js'), import('./take-in-archive.js')]).then(([file, archive]) => ({ takeIn: file.takeIn, takeInArchive: archive.takeInArchive }));
  judging.catch(() => {});
  const stopped = () => Boolean(signal?.aborted) || fatal !== undefined;

  const scanner = (async () => {
    const maxWaiting = options.maxWaiting ?? Infinity;
    try {
      for await (const candidate of candidates) {
        order.push(candidate);
        toRead++;
        onEvent?.({ type: 'found', path: candidate.path, size: candidate.size });
        bell.ring();
        while (order.size >= maxWaiting && !stopped()) await bell.wait(undefined, signal);
        if (stopped()) break;
      }
    } catch (error) {
      // The walk throws only the abort reason; anything else (the journal) ends the run.
      if (!signal?.aborted) fatal ??= { error };
    } finally {
      listing = false;
      onEvent?.({ type: 'listed', toRead });
      bell.ring();
    }
  })();

  const reader = async () => {
    while (!stopped()) {
      const now = Date.now();
      if (listing && now < readsFrom) {
        // The newest file is known only once the listing is done; a slow listing gets a head start, not a veto.
        await bell.wait(readsFrom - now, signal);
        continue;
      }
      const next = order.peek(now);
      if (next && next.readyAt <= now && (bytesInFlight === 0 || bytesInFlight + next.size <= budget)) {
        order.take(now);
        bytesInFlight += next.size;
        // Reads overlap, but files are taken in in the order their reads began: a small
        // old file finishing first must not jump ahead of the newest one in the queue.
        const previous = turn;
        let done!: () => void;
        turn = new Promise<void>((resolve) => (done = resolve));
        try {
          const outcome = await next.bytes.read(next, options.maxFileBytes);
          const { takeIn, takeInArchive } = await judging;
          await previous;
          if (!fatal) {
            const placed =
              outcome.kind === 'archive'
                ? await takeInArchive(next, outcome, context, (member, placed) => {
                    if (placed === undefined) onEvent?.({ type: 'found', path: member.path, size: member.size });
                    else onEvent?.({ type: 'taken', sourceId: next.sourceId, path: member.path, size: member.size, outcome: placed });
                  })
                : takeIn(next, outcome, context);
            onEvent?.({ type: 'taken', sourceId: next.sourceId, path: next.path, size: next.size, outcome: placed });
            if (next.settleAgainMs !== undefined && PLACED.has(placed)) {
              // Taken in at first sight (the app may overwrite it): read again once the settle window has passed.
              order.push(secondLook(next, context.journal));
              toRead++;
              onEvent?.({ type: 'found', path: next.path, size: next.size });
            }
          }
        } catch (error) {
          // Stopping (Ctrl-C) ends an archive's expansion with the signal's reason: not a failure.
          if (!signal?.aborted) fatal ??= { error };
        } finally {
          done();
          bytesInFlight -= next.size;
          bell.ring();
        }
        continue;
      }
      if (!next && !listing && order.size === 0) return;
      // Nothing ready (settle windows still running), or the byte budget is spent.
      const wakeAt = next ? (next.readyAt > now ? next.readyAt : undefined) : order.nextReadyAt();
      await bell.wait(wakeAt === undefined ? undefined : wakeAt - now, signal);
    }
  };

  await Promise.all([scanner, ...Array.from({ length: options.parallelReads ?? DEFAULT_PARALLEL_READS }, reader)]);
  if (fatal) throw fatal.error;
  return report;
}
