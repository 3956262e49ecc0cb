/**
 * The live uplink's requests: startActivity with the first buffered points,
 * updateActivity with the next ones, stopActivity at the end. Each request
 * carries the oldest unacknowledged points, and only the reply moves the
 * acknowledged mark, in the same transaction as the activity id for a start.
 * So the first update never repeats what the start carried, a failed request
 * is sent again with the same points (plus newer ones), and the order holds.
 *
 * Exactly once holds whenever a failure means "not stored" (refused, 5xx,
 * connection refused or dropped before the reply was written). When a reply
 * is lost after the server stored the points (a timeout, a crash in
 * between), the contract offers no idempotency key or read-back, so those
 * points are sent again: at least once, never lost. A repeated start carries
 * the same title, which the contract turns into "update the live activity of
 * that title" rather than a second activity.
 */
import { liveData, type LiveHeartRate, type LivePoint } from '../api/client.js';
import { MmtError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BufferedPoint, LiveBuffer, LiveSession } from './buffer.js';

/** What the uplink needs of MmtClient (an interface, so tests can count calls). */
export interface LiveApi {
  startActivity(
    request: { status: 'public' | 'private'; activityType?: string; title?: string; data: string },
    signal?: AbortSignal,
  ): Promise<string>;
  updateActivity(activityId: string, data: string, signal?: AbortSignal): Promise<void>;
  stopActivity(activityId: string, signal?: AbortSignal): Promise<void>;
}

export interface SentBatch {
  readonly request: 'startActivity' | 'updateActivity';
  readonly activityId: string;
  readonly points: number;
  readonly fromSeq: number;
  readonly toSeq: number;
}

/** The contract's `data` for buffered points: integer Unix seconds, heart rates in their own array. */
export function batchData(points: readonly BufferedPoint[]): string {
  const loc: LivePoint[] = [];
  const hr: LiveHeartRate[] = [];
  for (const p of points) {
    const time = Math.floor(p.timeMs / 1000);
    loc.push({ lat: p.lat, lon: p.lon, ...(p.ele === undefined ? {} : { ele: p.ele }), time });
    if (p.hr !== undefined) hr.push({ hr: p.hr, time });
  }
  return liveData(loc, hr);
}

export class LiveSender {
  constructor(
    private readonly buffer: LiveBuffer,
    private readonly api: LiveApi,
    private readonly options: { readonly maxBatch: number; readonly log: Logger; readonly onBatch?: (batch: SentBatch) => void },
  ) {}

  /** One request with the oldest unacknowledged points (up to throughSeq); undefined when there are none. */
  async sendBatch(sessionId: number, signal: AbortSignal, throughSeq?: number): Promise<SentBatch | undefined> {
    const session = this.session(sessionId);
    const points = this.buffer.pending(sessionId, this.options.maxBatch, throughSeq);
    if (points.length === 0) return undefined;
    const fromSeq = points[0]!.seq;
    const toSeq = points[points.length - 1]!.seq;
    const data = batchData(points);
    let batch: SentBatch;
    if (session.activityId === null) {
      const activityId = await this.api.startActivity(
        {
          status: session.status,
          title: session.title,
          data,
          ...(session.activityType ? { activityType: session.activityType } : {}),
        },
        signal,
      );
      this.buffer.markStarted(sessionId, activityId, toSeq);
      this.options.log.info(`live activity ${activityId} started ("${session.title}")`);
      batch = { request: 'startActivity', activityId, points: points.length, fromSeq, toSeq };
    } else {
      await this.api.updateActivity(session.activityId, data, signal);
      this.buffer.markSent(sessionId, toSeq);
      batch = { request: 'updateActivity', activityId: session.activityId, points: points.length, fromSeq, toSeq };
    }
    this.options.log.debug(`${batch.request} ${batch.activityId}: points ${fromSeq}..${toSeq}`);
    this.options.onBatch?.(batch);
    return batch;
  }

  /**
   * Sends everything buffered when it is called, in batches of at most
   * maxBatch; points that arrive meanwhile wait for the next call, so a fast
   * source still gets one request per interval. Returns how many points went up.
   */
  async flush(sessionId: number, signal: AbortSignal): Promise<number> {
    const throughSeq = this.session(sessionId).received;
    let sent = 0;
    for (;;) {
      const batch = await this.sendBatch(sessionId, signal, throughSeq);
      if (!batch) return sent;
      sent += batch.points;
    }
  }

  /**
   * stopActivity for a session whose points are all up, then the session is
   * done. A session that never got a point has nothing to stop.
   */
  async stop(sessionId: number, signal: AbortSignal): Promise<LiveSession> {
    const session = this.session(sessionId);
    if (session.sent < session.received) throw new MmtError('internal', 'LIVE_UNSENT', `live session ${sessionId} still has points to send`);
    if (session.activityId !== null) {
      await this.api.stopActivity(session.activityId, signal);
      this.options.log.info(`live activity ${session.activityId} stopped (${session.sent} points)`);
    }
    return this.buffer.moveTo(sessionId, 'stopped');
  }

  private session(sessionId: number): LiveSession {
    const session = this.buffer.get(sessionId);
    if (!session) throw new MmtError('internal', 'LIVE_NO_SESSION', `no live session ${sessionId}`);
    return session;
  }
}
