/**
 * One `mmt-sync live` run: a source feeds the durable buffer, and one uplink
 * loop owns the timers and the backoff. Sessions that earlier runs left
 * unfinished go up (and are stopped) first, oldest first; then the current
 * session's points go up every interval; when the source ends (gpsd gone,
 * the file idle, Ctrl-C / SIGTERM) the rest is sent and the activity stopped.
 */
import { ApiError } from '../api/errors.js';
import { MmtError, failure, loginRequired } from '../errors.js';
import type { Logger } from '../log.js';
import { ownerIsAlive } from '../queue/owner.js';
import type { LiveBuffer, LiveSession, NewSession } from './buffer.js';
import { retrying } from './retry.js';
import { LiveSender, type LiveApi } from './sender.js';
import { Recorder } from './recorder.js';
import { type LiveSourceSpec, type SourceEnd, describeSource, sourceId } from './source.js';

export interface LiveRunOptions {
  readonly account: string;
  readonly owner: string;
  /** Absent: only finish what earlier runs left (send the rest, stop). */
  readonly source?: LiveSourceSpec;
  /** Title, type and visibility of a new session (a resumed one keeps its own). */
  readonly activity: Omit<NewSession, 'source'>;
  readonly intervalMs: number;
  readonly idleStopMs: number;
  /** After Ctrl-C / SIGTERM, how long the rest may take to go up before giving up for this run. */
  readonly graceMs: number;
  readonly retry: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly buffer: LiveBuffer;
  readonly api: LiveApi;
  readonly log: Logger;
  /** Aborts on SIGINT/SIGTERM: stop recording, send the rest, stop the activity. */
  readonly signal: AbortSignal;
  /** Points per request. @default 500 */
  readonly maxBatch?: number;
  /** An unfinished session of the same source touched this recently is resumed. @default 30 min */
  readonly resumeWindowMs?: number;
  /** @default 30_000 */
  readonly loginRetryMs?: number;
  readonly isAlive?: (owner: string) => boolean;
  readonly tuning?: { readonly gpsdConnectWaitMs?: number; readonly pollMs?: number };
}

export type LivePhase = 'connecting' | 'recording' | 'finishing' | 'done';

export interface LiveStatus {
  readonly phase: LivePhase;
  readonly source?: string;
  readonly activityId: string | null;
  readonly received: number;
  readonly sent: number;
  readonly buffered: number;
  readonly lastFixAt?: number;
  /** The failure being retried, while retrying. */
  readonly retrying?: string;
}

export interface LiveOutcome {
  readonly activityId: string | null;
  readonly resumed: boolean;
  readonly received: number;
  readonly sent: number;
  readonly buffered: number;
  /** Requests that carried points (startActivity + updateActivity), and failed attempts retried. */
  readonly batches: number;
  readonly retries: number;
  /** Why recording ended. */
  readonly end: SourceEnd | 'failed' | 'none';
  readonly stopped: boolean;
  /** Sessions of earlier runs finished first. */
  readonly finishedEarlier: number;
  /** Why the run did not finish cleanly; the CLI turns it into the exit code. */
  readonly problem?: MmtError;
}

const DEFAULT_RESUME_WINDOW_MS = 30 * 60_000;

/**
 * A refused startActivity. Live tracking needs a PLUS membership (since 2019), and an account
 * without one is refused every start: the run ends here with one line, rather than trying
 * each session (or the same one again) and saying it each time. A parameter error is named
 * as such instead.
 */
function startRefused(sessionId: number, error: ApiError): MmtError {
  const why = error.apiCode === 'INVALID_PARAMENTER' ? '' : ' (live tracking on Map My Tracks needs a PLUS membership)';
  return failure(
    'LIVE_START_REFUSED',
    `Map My Tracks refused to start live tracking${why}: ${error.message}; nothing more is sent, and session ${sessionId}'s points stay in the local buffer`,
    error,
  );
}

export class LiveRun {
  private readonly sender: LiveSender;
  private current: LiveSession | undefined;
  private finishing = false;
  private done = false;
  private retryingWhat: string | undefined;
  private batches = 0;
  private retries = 0;
  private wake: (() => void) | undefined;
  private recorder: Recorder | undefined;
  /** Aborted when the grace after Ctrl-C runs out, or on a fatal error: in-flight requests and waits end. */
  private readonly hard = new AbortController();
  /** Stops the source on Ctrl-C or when the run cannot go on. */
  private readonly halt = new AbortController();
  private fatal: MmtError | undefined;

  constructor(private readonly options: LiveRunOptions) {
    this.sender = new LiveSender(options.buffer, options.api, {
      maxBatch: options.maxBatch ?? 500,
      log: options.log,
      onBatch: () => {
        this.batches++;
        this.retryingWhat = undefined;
      },
    });
  }

  status(): LiveStatus {
    const session = this.current ? this.options.buffer.get(this.current.id) : undefined;
    const received = session?.received ?? 0;
    const sent = session?.sent ?? 0;
    const lastFixAt = this.recorder?.lastFixAt;
    const phase: LivePhase = this.done ? 'done' : this.finishing ? 'finishing' : lastFixAt === undefined ? 'connecting' : 'recording';
    return {
      phase,
      ...(this.options.source ? { source: describeSource(this.options.source) } : {}),
      activityId: session?.activityId ?? null,
      received,
      sent,
      buffered: received - sent,
      ...(lastFixAt === undefined ? {} : { lastFixAt }),
      ...(this.retryingWhat ? { retrying: this.retryingWhat } : {}),
    };
  }

  async run(): Promise<LiveOutcome> {
    const { options } = this;
    const { buffer, log, signal } = options;
    const claim = buffer.claim({
      account: options.account,
      owner: options.owner,
      isAlive: options.isAlive ?? ownerIsAlive,
      ...(options.source ? { session: { ...options.activity, source: sourceId(options.source) } } : {}),
      resumeWindowMs: options.resumeWindowMs ?? DEFAULT_RESUME_WINDOW_MS,
    });
    this.current = claim.current;
    if (claim.resumed && claim.current) {
      const { activityId, received, sent } = claim.current;
      log.info(`resuming live session ${claim.current.id} (activity ${activityId ?? 'not started yet'}; ${sent} of ${received} points sent)`);
    }
    if (claim.backlog.length) log.info(`finishing ${claim.backlog.length} live session(s) an earlier run left open`);

    const onAbort = () => {
      this.halt.abort();
      graceTimer = setTimeout(() => this.hard.abort(), options.graceMs);
    };
    let graceTimer: NodeJS.Timeout | undefined;
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    if (this.current && options.source) {
      this.recorder = new Recorder({
        buffer,
        sessionId: this.current.id,
        source: options.source,
        idleStopMs: options.idleStopMs,
        signal: this.halt.signal,
        log,
        onBufferFailure: (error) => this.fail(error),
        ...(options.tuning ? { tuning: options.tuning } : {}),
      });
    }
    const recorder = this.recorder;
    const source = recorder
      ? recorder.run().then(() => {
          if (recorder.problem !== undefined) log.error(this.explain(recorder.problem).message);
          this.wake?.();
        })
      : Promise.resolve();
    let stopped = false;
    try {
      for (const session of claim.backlog) {
        try {
          await this.finish(session.id);
        } catch (error) {
          // One refused old session must not keep the new one from going up.
          if (!(error instanceof MmtError && error.code === 'LIVE_REFUSED')) throw error;
          log.error(error.message);
        }
      }
      if (this.current) stopped = await this.uplink(this.current);
    } catch (error) {
      this.fail(error);
    } finally {
      this.halt.abort();
      await source;
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      this.done = true;
      buffer.release(options.owner);
    }
    const status = this.status();
    if (recorder?.dropped) log.warn(`${recorder.dropped} point(s) with an impossible position or time were skipped`);
    const problem = this.fatal ?? (recorder?.problem === undefined ? undefined : this.explain(recorder.problem));
    return {
      activityId: status.activityId,
      resumed: claim.resumed,
      received: status.received,
      sent: status.sent,
      buffered: status.buffered,
      batches: this.batches,
      retries: this.retries,
      end: recorder?.end ?? 'none',
      stopped,
      finishedEarlier: claim.backlog.length,
      ...(problem ? { problem } : {}),
    };
  }

  /** The current session: a batch every interval while recording, then the rest and the stop. */
  private async uplink(session: LiveSession): Promise<boolean> {
    const { intervalMs } = this.options;
    let nextTick = Date.now() + intervalMs;
    const recording = () => this.recorder?.end === undefined && !this.fatal;
    while (recording()) {
      await this.sleepUntil(nextTick);
      nextTick = Math.max(nextTick + intervalMs, Date.now() + intervalMs / 2);
      if (!recording()) break;
      const pending = this.options.buffer.get(session.id)!;
      if (pending.received > pending.sent) await this.send(session.id, (signal) => this.sender.flush(session.id, signal), 'sending points');
    }
    if (this.fatal) return false;
    this.options.buffer.moveTo(session.id, 'finishing');
    await this.finish(session.id);
    return true;
  }

  /** Sends what is left of a session that gets no more points, then stops its activity. */
  private async finish(sessionId: number): Promise<void> {
    this.finishing = true;
    try {
      await this.send(sessionId, (signal) => this.sender.flush(sessionId, signal), 'sending the last points');
      await this.send(sessionId, (signal) => this.sender.stop(sessionId, signal), 'stopping the activity');
    } finally {
      this.finishing = false;
    }
  }

  /**
   * A request for one session, retried until it goes through. A permanent
   * refusal (the contract's 403: bad parameters, an activity the server no
   * longer has live) ends that session for good, recorded with the reason,
   * so no later run tries again forever.
   */
  private async send<T>(sessionId: number, work: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
    try {
      return await this.retry(work, what);
    } catch (error) {
      if (!(error instanceof ApiError) || error.retryable) throw error;
      const refused = this.options.buffer.get(sessionId)?.activityId === null ? startRefused(sessionId, error) : failure('LIVE_REFUSED', `Map My Tracks refused live session ${sessionId}: ${error.message}`, error);
      this.options.buffer.moveTo(sessionId, 'failed', refused.message);
      throw refused;
    }
  }

  private retry<T>(work: (signal: AbortSignal) => Promise<T>, what: string): Promise<T> {
    return retrying(work, {
      policy: this.options.retry,
      signal: this.hard.signal,
      loginRetryMs: this.options.loginRetryMs ?? 30_000,
      onRetry: (failure, delayMs) => {
        this.retries++;
        this.retryingWhat = failure.message;
        const wait = `${(delayMs / 1000).toFixed(1)} s`;
        if (failure.kind === 'login') {
          this.options.log.error(`${what}: login required: run \`mmt-sync login\` (points stay buffered; trying again in ${wait})`);
        } else {
          this.options.log.warn(`${what}: ${failure.message}; points stay buffered, trying again in ${wait}`);
        }
      },
    });
  }

  /** Waits for the next tick; the end of the source or a fatal error cuts it short. */
  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, at - Date.now()));
      this.wake = done;
    });
  }

  /** Records why the run cannot go on, stops the source and ends every wait. */
  private fail(error: unknown): void {
    if (this.fatal) return;
    this.fatal = this.explain(error);
    this.halt.abort();
    this.hard.abort();
    this.wake?.();
  }

  private explain(error: unknown): MmtError {
    const status = this.status();
    const left = `${status.buffered} point(s) stay buffered; \`mmt-sync live\` sends them and stops the activity`;
    if (error instanceof MmtError && error.kind === 'login') return loginRequired(`${error.message} (${left})`, error);
    if (error instanceof MmtError && error.code.startsWith('LIVE_')) return error;
    if (error instanceof MmtError && this.hard.signal.aborted && this.options.signal.aborted) {
      return failure('LIVE_PENDING', `could not finish within ${this.options.graceMs / 1000} s of the stop request (${error.message}); ${left}`, error);
    }
    if (error instanceof MmtError) return error;
    return new MmtError('internal', 'LIVE_INTERNAL', error instanceof Error ? (error.stack ?? error.message) : String(error), { cause: error });
  }
}
