import PQueue from 'p-queue';
import type { MmtClient } from '../api/client.js';
import type { Config } from '../config/schema.js';
import type { Journal } from '../journal/journal.js';
import type { FileRecord } from '../journal/rows.js';
import type { Spool } from '../journal/spool.js';
import type { Logger } from '../log.js';
import type { Source } from '../sources/source.js';
import { retryDelayMs, type RetryPolicy } from './backoff.js';
import { activityUrl } from '../api/activity-url.js';
import { classifyFailure, inFewWords } from './classify-error.js';
import { activityName } from './naming.js';
import { NOT_BEFORE_KEY } from './not-before.js';
import type { Pacer } from './pacer.js';
import { uploadBytesFor } from './upload-bytes.js';

export { NOT_BEFORE_KEY } from './not-before.js';

export type UploadEvent =
  | { readonly type: 'start'; readonly record: FileRecord; readonly bytes: number }
  | { readonly type: 'uploaded'; readonly record: FileRecord; readonly remoteId: string; readonly existed: boolean }
  | { readonly type: 'retry'; readonly record: FileRecord; readonly error: string; readonly delayMs: number }
  | { readonly type: 'failed'; readonly record: FileRecord; readonly error: string }
  | { readonly type: 'login-required'; readonly error: string }
  /**
   * Nothing can go out before `nextTryAt`: the server asked for a pause (Retry-After) or
   * every queued upload is in backoff after a failure (`lastError`). Said once per wait.
   */
  | {
      readonly type: 'waiting';
      readonly reason: 'rate-limited' | 'backoff';
      readonly nextTryAt: number;
      readonly lastError?: string;
      /** The last failure in a few words ("server unreachable", "server error (HTTP 503)"), for the progress line. */
      readonly why?: string;
    };

export interface UploaderOptions {
  readonly journal: Journal;
  readonly spool: Spool;
  readonly client: MmtClient;
  readonly config: Config;
  /** Per-source overrides (activity type, status) by source id. */
  readonly sources: ReadonlyMap<string, Source>;
  /** Who claims uploads in the journal (pid-based, so a dead owner's claims can be released). */
  readonly owner: string;
  readonly log: Logger;
  readonly onEvent?: (event: UploadEvent) => void;
  /** Which queue it sends: null (sync and the daemon) or 'import'. @default null */
  readonly lane?: string | null;
  /**
   * Paces the starts of uploads to the server's rate limit (`mmt-sync import`): a 429 then
   * only tells the pacer, and the file waits its turn again without an attempt counted.
   * @default none: as fast as `upload.concurrency` allows, a 429 retried like any failure
   */
  readonly pacer?: Pacer;
}

export interface DrainResult {
  readonly uploaded: number;
  readonly existed: number;
  readonly failed: number;
  readonly loginRequired: boolean;
}

/** A wait that ends at `ms`, at `signal`, or at `cancel()`: no timer outlives it (a pending one keeps the process alive). */
function nap(ms: number, signal?: AbortSignal): { readonly over: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const over = new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    cancel = done;
    signal?.addEventListener('abort', done, { once: true });
  });
  return { over, cancel };
}

/**
 * Sends queued journal entries with p-queue's concurrency. Jobs come only from the
 * journal; every outcome is written back before the next step, so a kill at any point
 * resumes where it stopped (an entry caught `uploading` is re-sent, and the server's
 * "exists" answer completes it).
 */
export class Uploader {
  private readonly queue: PQueue;
  private policy: RetryPolicy;
  private readonly inflightIdentities = new Set<string>();
  private wakeUp: (() => void) | undefined;
  /** A journal write failed (disk full, read-only): nothing more can be recorded, so the drain ends with it. */
  private fatal: unknown;
  private loginRequired = false;
  private result = { uploaded: 0, existed: 0, failed: 0 };
  /** The last retryable failure (as said and in a few words), for the `waiting` event; and the wait last announced. */
  private lastRetryError: string | undefined;
  private lastRetryWhy: string | undefined;
  private announcedWait = 0;
  /** Wakes the drain when the pacer lets the next upload start. */
  private pacerTimer: NodeJS.Timeout | undefined;
  /** Told of every upload given up on (the daemon collects them for its notification). */
  onFailure: ((file: string, reason: string) => void) | undefined;

  constructor(private readonly options: UploaderOptions) {
    this.queue = new PQueue({ concurrency: options.config.upload.concurrency });
    const { retry } = options.config;
    this.policy = { baseDelayMs: retry.baseDelayS * 1000, maxDelayMs: retry.maxDelayS * 1000, maxAttempts: retry.maxAttempts };
  }

  /** SIGHUP: new settings apply from the next upload on. */
  setConfig(config: Config): void {
    (this.options as { config: Config }).config = config;
    this.queue.concurrency = config.upload.concurrency;
    const { retry } = config;
    this.policy = { baseDelayMs: retry.baseDelayS * 1000, maxDelayMs: retry.maxDelayS * 1000, maxAttempts: retry.maxAttempts };
  }

  /** SIGHUP with another API or account: later uploads use this client. */
  setClient(client: MmtClient): void {
    (this.options as { client: MmtClient }).client = client;
  }

  /** SIGHUP or a new device: per-source overrides for the sources known now. */
  setSources(sources: ReadonlyMap<string, Source>): void {
    (this.options as { sources: ReadonlyMap<string, Source> }).sources = sources;
  }

  /** New work was queued (by a scan): look again now instead of at the next due time. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Uploads until nothing is due. `feeding`: an intake still adding to the queue (it calls
   * `wake()` for each file it queues); until it settles, an empty queue means "wait for
   * more", not "done". `maxWaitMs` bounds how long it then waits for entries in backoff (a
   * `--once` run's budget, counted from the end of feeding; Infinity for the daemon, which
   * `stop` ends). `stop` ends taking new work; in-flight uploads finish (or `abort` cancels them).
   */
  async drain(options: {
    maxWaitMs: number;
    stop?: AbortSignal;
    abort?: AbortSignal;
    feeding?: Promise<unknown>;
    /** Called whenever nothing is in flight and nothing is due now (the daemon records its last sync then). */
    onQuiet?: (totals: DrainResult) => void;
  }): Promise<DrainResult> {
    const { journal } = this.options;
    let deadline = options.feeding ? Infinity : Date.now() + options.maxWaitMs;
    let feeding = options.feeding !== undefined;
    void options.feeding
      ?.catch(() => {})
      .finally(() => {
        feeding = false;
        deadline = Date.now() + options.maxWaitMs;
        this.wake();
      });
    this.loginRequired = false;
    this.fatal = undefined;
    // One listener for the next finished upload, kept across wake-ups until it fires.
    let uploadDone: Promise<void> | undefined;
    for (;;) {
      if (options.stop?.aborted || this.loginRequired || this.fatal) break;
      this.fill(options.abort);
      const woken = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
      if (this.queue.pending + this.queue.size > 0) {
        // An upload finished, or the intake queued another file (a free slot takes it now).
        uploadDone ??= new Promise<void>((resolve) =>
          this.queue.once('next', () => {
            uploadDone = undefined;
            resolve();
          }),
        );
        await Promise.race([uploadDone, woken]);
        continue;
      }
      const due = journal.nextDueAt(this.lane);
      const notBefore = Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0);
      options.onQuiet?.(this.totals());
      if (due === undefined && !feeding && options.maxWaitMs !== Infinity) break;
      const now = Date.now();
      const wakeAt = due === undefined ? Infinity : Math.max(due, notBefore, now + (this.options.pacer?.delayMs(now) ?? 0));
      // Said also when this run stops waiting: what it leaves behind waits until then, for this reason.
      if (wakeAt !== Infinity) this.announceWait(wakeAt, notBefore);
      if (wakeAt > deadline && !feeding) break;
      const wait = nap(Math.min(wakeAt - Date.now(), 2 ** 31 - 1), options.stop);
      await Promise.race([wait.over, woken]);
      wait.cancel();
    }
    this.wakeUp = undefined;
    clearTimeout(this.pacerTimer);
    await this.queue.onIdle();
    if (this.fatal) throw this.fatal;
    return this.totals();
  }

  /** What this uploader did since it was made (every drain), and whether it is paused for a login. */
  totals(): DrainResult {
    return { ...this.result, loginRequired: this.loginRequired };
  }

  /** Says once per wait why nothing goes out now and when the next try is (progress lines, `list`). */
  private announceWait(nextTryAt: number, notBefore: number): void {
    if (nextTryAt <= Date.now() || nextTryAt === this.announcedWait) return;
    this.announcedWait = nextTryAt;
    const rateLimited = notBefore >= nextTryAt;
    this.options.onEvent?.({
      type: 'waiting',
      reason: rateLimited ? 'rate-limited' : 'backoff',
      nextTryAt,
      ...(this.lastRetryError ? { lastError: this.lastRetryError } : {}),
      ...(this.lastRetryWhy ? { why: this.lastRetryWhy } : {}),
    });
  }

  private fill(abort?: AbortSignal): void {
    const { journal, owner } = this.options;
    const room = () => !this.loginRequired && !this.fatal && this.queue.pending + this.queue.size < this.options.config.upload.concurrency;
    if (!room()) return;
    const notBefore = Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0);
    // A claim is a write transaction; whether anything is due at all is one read of the
    // queue's index (the intake wakes us once per file, often before the next is queued).
    const due = journal.nextDueAt(this.lane);
    if (due === undefined || due > Date.now()) return;
    const { pacer } = this.options;
    while (room()) {
      const now = Date.now();
      if (notBefore > now) return;
      const paced = pacer?.delayMs(now) ?? 0;
      if (paced > 0) {
        clearTimeout(this.pacerTimer);
        this.pacerTimer = setTimeout(() => this.wake(), paced);
        return;
      }
      // Uploads of the same activity never run side by side.
      const record = journal.claimNext(owner, now, this.inflightIdentities, this.lane);
      if (!record) return;
      pacer?.started(now);
      if (record.identity) this.inflightIdentities.add(record.identity);
      void this.queue
        .add(() => this.upload(record, now, abort))
        .catch((error: unknown) => {
          this.fatal ??= error;
        })
        .finally(() => {
          if (record.identity) this.inflightIdentities.delete(record.identity);
        });
    }
  }

  private get lane(): string | null {
    return this.options.lane ?? null;
  }

  private async upload(record: FileRecord, startedAt: number, abort?: AbortSignal): Promise<void> {
    const { journal, spool, client, config, sources, log, onEvent } = this.options;
    const source = sources.get(record.sourceId);
    try {
      const payload = await uploadBytesFor(record, spool, config.intake.maxFileMB * 1024 * 1024);
      onEvent?.({ type: 'start', record, bytes: payload.bytes.length });
      const activityType =
        source?.activityType ?? record.activityType ?? (payload.format === 'fit' ? undefined : config.upload.defaultActivityType);
      const result = await client.uploadActivity(
        {
          file: payload.bytes,
          fileName: payload.fileName,
          status: source?.status ?? config.upload.status,
          ...(activityType ? { activityType } : {}),
          activityName: activityName(config.upload.nameTemplate, record, activityType),
        },
        abort,
      );
      this.options.pacer?.succeeded(startedAt);
      journal.markUploaded(record.id, result.activityId, result.status);
      if (record.sha256) spool.remove(record.sha256, payload.format);
      const existed = result.status === 'exists';
      if (existed) this.result.existed++;
      else this.result.uploaded++;
      log.info(`${existed ? 'already on Map My Tracks' : 'uploaded'}: ${record.path} → ${activityUrl(config.api.activityUrl, result.activityId)}`);
      onEvent?.({ type: 'uploaded', record, remoteId: result.activityId, existed });
    } catch (error) {
      // Recording the failure writes the journal too; if that fails the drain ends with it.
      this.recordFailure(record, error);
    }
  }

  /** An upload that will not be tried again by itself (already recorded as failed). */
  private gaveUp(record: FileRecord, message: string, why: string): void {
    this.result.failed++;
    this.options.log.error(`${record.path}: ${message} (${why})`);
    this.onFailure?.(record.path, message);
    this.options.onEvent?.({ type: 'failed', record, error: message });
  }

  private recordFailure(record: FileRecord, error: unknown): void {
    const { journal, log, onEvent } = this.options;
    const failure = classifyFailure(error);
    if (this.options.pacer && failure.rateLimited) {
      // The pace, not the file: the pacer slows down, and the file waits its turn again.
      const now = Date.now();
      this.options.pacer.limited(now, failure.retryAfterMs);
      const delayMs = this.options.pacer.delayMs(now);
      journal.setMeta(NOT_BEFORE_KEY, String(Math.max(now + delayMs, Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0))));
      journal.requeue(record.id, failure.message, now, now + delayMs);
      this.lastRetryError = failure.message;
      this.lastRetryWhy = 'rate limited';
      onEvent?.({ type: 'retry', record, error: failure.message, delayMs });
      return;
    }
    switch (failure.kind) {
      case 'login':
        journal.requeue(record.id, failure.message);
        // Said once, by whoever runs the uploader (an upload in flight beside this one may end the same way).
        if (!this.loginRequired) onEvent?.({ type: 'login-required', error: failure.message });
        this.loginRequired = true;
        return;
      case 'aborted':
        journal.requeue(record.id);
        return;
      case 'permanent':
        journal.markFailed(record.id, failure.message);
        this.gaveUp(record, failure.message, 'not retried');
        return;
      case 'retry': {
        const attempts = record.attempts + 1;
        const delayMs = retryDelayMs(attempts, this.policy, failure.retryAfterMs);
        // One clock reading for the account's pause and the file's next try: when Retry-After
        // sets both, they are the same instant and the wait is told as "rate limited".
        const now = Date.now();
        if (failure.retryAfterMs !== undefined) {
          // Retry-After speaks for the whole account: nothing goes out before it.
          const notBefore = now + failure.retryAfterMs;
          if (notBefore > Number(journal.getMeta(NOT_BEFORE_KEY) ?? 0)) journal.setMeta(NOT_BEFORE_KEY, String(notBefore));
        }
        this.lastRetryError = failure.message;
        this.lastRetryWhy = inFewWords(error);
        const state = journal.scheduleRetry(record.id, failure.message, delayMs, this.policy.maxAttempts, now);
        if (state === 'failed') {
          this.gaveUp(record, failure.message, `gave up after ${attempts} attempts`);
        } else {
          log.info(`${record.path}: ${failure.message}; retry ${attempts} in ${(delayMs / 1000).toFixed(1)} s`);
          onEvent?.({ type: 'retry', record, error: failure.message, delayMs });
        }
      }
    }
  }
}
