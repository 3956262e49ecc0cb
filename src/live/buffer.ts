/**
 * The durable buffer of live tracking: every point a source delivered, in
 * order, and how far the server has acknowledged them, per live session.
 *
 * SQLite (WAL, synchronous=FULL) in its own file, `<stateDir>/live.sqlite`:
 * a point is on disk before it counts as received, the activity id and the
 * acknowledged sequence number move together in one transaction, and a
 * process killed at any instant leaves the last committed state. A restart
 * therefore resumes the same activity and sends each point at most once more
 * (only a request whose reply was lost can be repeated; see sender.ts).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MmtError, usageError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { type SessionRow, guard, migrate, toSession } from './buffer-schema.js';
import type { TrackPoint } from './track-point.js';

/**
 * recording: points are still coming in. finishing: no more points; send
 * what is left, then stopActivity. stopped / failed: done (failed: the server
 * refused the activity for good; `error` says why).
 */
export type SessionState = 'recording' | 'finishing' | 'stopped' | 'failed';

const MOVES: Readonly<Record<SessionState, readonly SessionState[]>> = {
  recording: ['finishing', 'failed'],
  finishing: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

export interface LiveSession {
  readonly id: number;
  readonly account: string;
  /** What feeds it, e.g. `gpsd://127.0.0.1:2947` or `file:///home/me/track.gpx`. */
  readonly source: string;
  readonly title: string;
  readonly activityType: string | null;
  readonly status: 'public' | 'private';
  readonly state: SessionState;
  /** Set by the startActivity reply; null until the first batch went up. */
  readonly activityId: string | null;
  readonly owner: string | null;
  /** Points taken (the last sequence number). */
  readonly received: number;
  /** Points the server acknowledged (sequence numbers 1..sent). */
  readonly sent: number;
  readonly lastPointMs: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly error: string | null;
}

export interface BufferedPoint extends TrackPoint {
  readonly seq: number;
}

export interface NewSession {
  readonly source: string;
  readonly title: string;
  readonly activityType?: string;
  readonly status: 'public' | 'private';
}

export interface ClaimRequest {
  readonly account: string;
  /** This process (see queue/owner.ts). */
  readonly owner: string;
  readonly isAlive: (owner: string) => boolean;
  /** The session to record into; absent: only finish what earlier runs left. */
  readonly session?: NewSession;
  /** An unfinished session of the same source, touched this recently, is resumed rather than replaced. */
  readonly resumeWindowMs: number;
  readonly now?: number;
}

export interface Claim {
  /** The session new points go to (undefined when only finishing). */
  readonly current?: LiveSession;
  readonly resumed: boolean;
  /** Earlier sessions to finish first (send what is left, stop), oldest first. */
  readonly backlog: readonly LiveSession[];
}

export class LiveBuffer {
  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {}

  static open(stateDir: string): LiveBuffer {
    const path = join(stateDir, 'live.sqlite');
    return guard(path, 'opening', () => {
      ensurePrivateDir(stateDir);
      const db = new Database(path, { timeout: 5_000 });
      db.pragma('journal_mode = WAL');
      // FULL: a gpsd fix exists nowhere else, so it is on disk (fsync) before it counts as received.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new LiveBuffer(path, db);
    });
  }

  /**
   * For readers (the dashboard): the buffer when live tracking was ever used, without
   * creating or migrating anything; undefined when there is none.
   */
  static openIfExists(stateDir: string): LiveBuffer | undefined {
    const path = join(stateDir, 'live.sqlite');
    if (!existsSync(path)) return undefined;
    return guard(path, 'opening', () => new LiveBuffer(path, new Database(path, { timeout: 5_000, fileMustExist: true })));
  }

  close(): void {
    this.db.close();
  }

  /** The session a person wants to see: the one still running, else the latest. */
  latest(): LiveSession | undefined {
    const row = this.db
      .prepare(`SELECT * FROM sessions ORDER BY state IN ('recording', 'finishing') DESC, updated_at DESC, id DESC LIMIT 1`)
      .get() as SessionRow | undefined;
    return row ? toSession(row) : undefined;
  }

  /** Every buffered position of a session, in order (stopped sessions have dropped theirs). */
  *positions(sessionId: number): Generator<{ lat: number; lon: number; time_ms: number }> {
    yield* this.db.prepare('SELECT lat, lon, time_ms FROM points WHERE session_id = ? ORDER BY seq').iterate(sessionId) as IterableIterator<{ lat: number; lon: number; time_ms: number }>;
  }

  /** Moves whenever a live process commits: a cheap "anything new?" for readers. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Takes the account's live sessions for this process. Refuses while another
   * live process is alive (Map My Tracks keeps one live activity per account);
   * a dead one's sessions are taken over. Then either resumes the unfinished
   * session of the same source or opens a new one, which inherits the newest
   * point time seen from that source so a re-read file is not sent twice.
   */
  claim(request: ClaimRequest): Claim {
    const now = request.now ?? Date.now();
    return this.guarded('claiming the live session', () =>
      this.db
        .transaction((): Claim => {
          const open = this.db
            .prepare(`SELECT * FROM sessions WHERE account = ? AND state IN ('recording', 'finishing') ORDER BY id`)
            .all(request.account) as SessionRow[];
          for (const row of open) {
            if (row.owner && row.owner !== request.owner && request.isAlive(row.owner)) {
              throw usageError(
                'LIVE_RUNNING',
                `another \`mmt-sync live\` (${row.owner}) is already sending a live activity for this account; Map My Tracks keeps one at a time`,
              );
            }
          }
          this.db.prepare(`UPDATE sessions SET owner = ? WHERE account = ? AND state IN ('recording', 'finishing')`).run(request.owner, request.account);
          const wanted = request.session;
          const resumable = wanted
            ? open.findLast((row) => row.state === 'recording' && row.source === wanted.source && now - row.updated_at <= request.resumeWindowMs)
            : undefined;
          for (const row of open) {
            if (row.state === 'recording' && row !== resumable) this.move(row.id, 'finishing', now);
          }
          let currentId = resumable?.id;
          if (wanted && currentId === undefined) {
            const seen = this.db
              .prepare('SELECT MAX(last_point_ms) AS ms FROM sessions WHERE account = ? AND source = ?')
              .get(request.account, wanted.source) as { ms: number | null };
            currentId = Number(
              this.db
                .prepare(
                  `INSERT INTO sessions (account, source, title, activity_type, status, state, owner, last_point_ms, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, 'recording', ?, ?, ?, ?)`,
                )
                .run(request.account, wanted.source, wanted.title, wanted.activityType ?? null, wanted.status, request.owner, seen.ms, now, now)
                .lastInsertRowid,
            );
          }
          const backlog = open.filter((row) => row.id !== currentId).map((row) => this.get(row.id)!);
          return {
            ...(currentId === undefined ? {} : { current: this.get(currentId)! }),
            resumed: resumable !== undefined,
            backlog,
          };
        })
        .immediate(),
    );
  }

  /** Sessions of the account that still have something to do (recording or finishing), oldest first. */
  openSessions(account: string): LiveSession[] {
    const rows = this.db
      .prepare(`SELECT * FROM sessions WHERE account = ? AND state IN ('recording', 'finishing') ORDER BY id`)
      .all(account) as SessionRow[];
    return rows.map(toSession);
  }

  get(sessionId: number): LiveSession | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as SessionRow | undefined;
    return row ? toSession(row) : undefined;
  }

  /**
   * Buffers points in one transaction. Only points later than every point the
   * session (or its source) had are taken: a re-read file, a resumed follow or
   * gpsd telling one epoch twice add nothing. Returns how many were taken.
   */
  append(sessionId: number, points: readonly TrackPoint[], now = Date.now()): number {
    if (points.length === 0) return 0;
    return this.guarded('buffering points', () =>
      this.db.transaction(() => {
        const row = this.db.prepare('SELECT state, next_seq, last_point_ms FROM sessions WHERE id = ?').get(sessionId) as
          | Pick<SessionRow, 'state' | 'next_seq' | 'last_point_ms'>
          | undefined;
        if (row?.state !== 'recording') throw new MmtError('internal', 'LIVE_NOT_RECORDING', `live session ${sessionId} is not recording`);
        const insert = this.db.prepare('INSERT INTO points (session_id, seq, lat, lon, ele, time_ms, hr) VALUES (?, ?, ?, ?, ?, ?, ?)');
        let seq = row.next_seq;
        let last = row.last_point_ms ?? -Infinity;
        for (const p of points) {
          if (!(p.timeMs > last)) continue;
          insert.run(sessionId, seq++, p.lat, p.lon, p.ele ?? null, Math.round(p.timeMs), p.hr ?? null);
          last = p.timeMs;
        }
        const taken = seq - row.next_seq;
        if (taken > 0) {
          this.db.prepare('UPDATE sessions SET next_seq = ?, last_point_ms = ?, updated_at = ? WHERE id = ?').run(seq, Math.round(last), now, sessionId);
        }
        return taken;
      })(),
    );
  }

  /** The oldest points the server has not acknowledged, in order (up to throughSeq when given). */
  pending(sessionId: number, limit: number, throughSeq = Number.MAX_SAFE_INTEGER): BufferedPoint[] {
    const rows = this.db
      .prepare(
        `SELECT seq, lat, lon, ele, time_ms, hr FROM points
         WHERE session_id = ? AND seq > (SELECT sent_seq FROM sessions WHERE id = ?) AND seq <= ? ORDER BY seq LIMIT ?`,
      )
      .all(sessionId, sessionId, throughSeq, limit) as Array<{ seq: number; lat: number; lon: number; ele: number | null; time_ms: number; hr: number | null }>;
    return rows.map((r) => ({
      seq: r.seq,
      lat: r.lat,
      lon: r.lon,
      ...(r.ele === null ? {} : { ele: r.ele }),
      timeMs: r.time_ms,
      ...(r.hr === null ? {} : { hr: r.hr }),
    }));
  }

  /** startActivity answered: the id and the points it carried are recorded together. */
  markStarted(sessionId: number, activityId: string, throughSeq: number, now = Date.now()): void {
    this.guarded('recording the activity id', () => {
      const changed = this.db
        .prepare('UPDATE sessions SET activity_id = ?, sent_seq = MAX(sent_seq, ?), updated_at = ? WHERE id = ? AND activity_id IS NULL')
        .run(activityId, throughSeq, now, sessionId).changes;
      if (changed !== 1) throw new MmtError('internal', 'LIVE_ALREADY_STARTED', `live session ${sessionId} already has an activity`);
    });
  }

  /** updateActivity answered: points up to throughSeq are on the server. */
  markSent(sessionId: number, throughSeq: number, now = Date.now()): void {
    this.guarded('recording sent points', () => {
      this.db.prepare('UPDATE sessions SET sent_seq = MAX(sent_seq, ?), updated_at = ? WHERE id = ?').run(throughSeq, now, sessionId);
    });
  }

  /** The one place a session changes state. Stopped sessions drop their points (the server has them all). */
  moveTo(sessionId: number, state: SessionState, error?: string, now = Date.now()): LiveSession {
    return this.guarded(`marking the live session ${state}`, () =>
      this.db.transaction(() => {
        this.move(sessionId, state, now, error);
        if (state === 'stopped') this.db.prepare('DELETE FROM points WHERE session_id = ?').run(sessionId);
        return this.get(sessionId)!;
      })(),
    );
  }

  /** This process is done with its sessions: the next run may take them over at once. */
  release(owner: string): void {
    this.guarded('releasing live sessions', () => {
      this.db.prepare('UPDATE sessions SET owner = NULL WHERE owner = ?').run(owner);
    });
  }

  private move(sessionId: number, state: SessionState, now: number, error?: string): void {
    const row = this.db.prepare('SELECT state FROM sessions WHERE id = ?').get(sessionId) as { state: SessionState } | undefined;
    if (!row) throw new MmtError('internal', 'LIVE_NO_SESSION', `no live session ${sessionId}`);
    if (row.state === state) return;
    if (!MOVES[row.state].includes(state)) {
      throw new MmtError('internal', 'LIVE_BAD_MOVE', `live session ${sessionId}: ${row.state} → ${state} is not a move`);
    }
    this.db.prepare('UPDATE sessions SET state = ?, error = COALESCE(?, error), updated_at = ? WHERE id = ?').run(state, error ?? null, now, sessionId);
  }

  private guarded<T>(what: string, work: () => T): T {
    return guard(this.path, what, work);
  }
}
