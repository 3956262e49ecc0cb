/**
 * The source side of a live run: points from gpsd or a followed file go into
 * the durable buffer, those that arrive together in one transaction, and
 * only points the contract can carry.
 */
import { MmtError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LiveBuffer } from './buffer.js';
import { type LiveSourceSpec, type SourceEnd, runSource } from './source.js';
import { isSendable, type TrackPoint } from './track-point.js';

export interface RecorderOptions {
  readonly buffer: LiveBuffer;
  readonly sessionId: number;
  readonly source: LiveSourceSpec;
  readonly idleStopMs: number;
  /** Stops the source (Ctrl-C, or the run cannot go on). */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The buffer refused a write (a full disk): nothing more can be kept. */
  readonly onBufferFailure: (error: unknown) => void;
  readonly tuning?: { readonly gpsdConnectWaitMs?: number; readonly pollMs?: number };
}

export class Recorder {
  lastFixAt: number | undefined;
  /** Points with an impossible position or time, skipped. */
  dropped = 0;
  /** Why recording ended; undefined while it goes on. */
  end: SourceEnd | 'failed' | undefined;
  /** The source's own failure (gpsd unreachable, the file unreadable). */
  problem: unknown;
  private incoming: TrackPoint[] = [];
  private commitScheduled = false;
  private halted = false;

  constructor(private readonly options: RecorderOptions) {}

  /** Records until the source ends; never rejects (a source failure is kept in `problem`). */
  async run(): Promise<void> {
    const { options } = this;
    try {
      this.end = await runSource(options.source, {
        onPoint: (point) => this.take(point),
        signal: options.signal,
        log: options.log,
        idleStopMs: options.idleStopMs,
        ...(options.tuning ? { tuning: options.tuning } : {}),
      });
    } catch (error) {
      this.end = 'failed';
      this.problem = error;
    }
    this.commit();
  }

  private take(point: TrackPoint): void {
    if (!isSendable(point)) {
      this.dropped++;
      return;
    }
    this.lastFixAt = Date.now();
    this.incoming.push(point);
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    this.commitScheduled = false;
    const points = this.incoming;
    this.incoming = [];
    if (points.length === 0 || this.halted) return;
    try {
      this.options.buffer.append(this.options.sessionId, points);
    } catch (error) {
      this.halted = true;
      this.options.onBufferFailure(error instanceof MmtError ? error : new MmtError('internal', 'LIVE_BUFFER', String(error), { cause: error }));
    }
  }
}
