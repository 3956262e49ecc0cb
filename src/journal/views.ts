import type Database from 'better-sqlite3';
import { toRecord, type FileRecord } from './rows.js';
import type { FileState } from './states.js';

/** States of a file that is, or is on its way to being, an activity on Map My Tracks. */
export const ACTIVITY_STATES: readonly FileState[] = ['uploaded', 'uploading', 'queued', 'failed'];

export interface FileEvent {
  readonly at: number;
  readonly state: FileState;
  readonly note: string | null;
}

export interface SourceTally {
  readonly id: string;
  readonly uploaded: number;
  readonly waiting: number;
  readonly failed: number;
}

type Sql = (text: string) => Database.Statement;
type Run = <T>(where: string, work: () => T) => T;

/**
 * What the dashboard reads, as a few indexed queries; nothing here writes. Made by
 * Journal.views so the statements share the journal's cache and its error wording.
 */
export class JournalViews {
  constructor(
    private readonly sql: Sql,
    private readonly run: Run,
  ) {}

  /** Moves whenever another connection (the daemon, a `sync`) commits: a cheap "anything new?". */
  dataVersion(): number {
    return this.run('reading the journal version', () => this.sql('PRAGMA data_version').pluck().get() as number);
  }

  /**
   * Activities newest first (by the activity's own start), one page of them, and how many
   * there are. The page is found on the (start, state) index alone (`+state` keeps the
   * planner off the state index, which would sort every matching row, outlines and all),
   * then only its rows are read.
   */
  activities(offset: number, limit: number): { readonly total: number; readonly rows: FileRecord[] } {
    const states = ACTIVITY_STATES.map(() => '?').join(', ');
    return this.run('listing activities', () => {
      const total = this.sql(`SELECT COUNT(*) FROM files WHERE state IN (${states})`).pluck().get(...ACTIVITY_STATES) as number;
      const ids = this.sql(`SELECT id FROM files WHERE +state IN (${states}) ORDER BY start DESC, id DESC LIMIT ? OFFSET ?`)
        .pluck()
        .all(...ACTIVITY_STATES, limit, offset) as number[];
      if (!ids.length) return { total, rows: [] };
      const rows = this.sql(`SELECT * FROM files WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as Array<Record<string, unknown>>;
      const byId = new Map(rows.map((row) => [row.id as number, row]));
      return { total, rows: ids.map((id) => toRecord(byId.get(id)!)) };
    });
  }

  /**
   * Files in `states`, newest first by when the activity happened (its start, else the time
   * in its name or its mtime), from `sinceMs` on; at most `limit` of them, and how many match.
   * What `mmt-sync list` shows.
   */
  files(filter: { readonly states: readonly FileState[]; readonly sinceMs?: number; readonly limit?: number }): { readonly total: number; readonly rows: FileRecord[] } {
    const states = filter.states.map(() => '?').join(', ');
    const when = 'COALESCE(activity_at, mtime_ms)';
    const where = `state IN (${states})${filter.sinceMs !== undefined ? ` AND ${when} >= ?` : ''}`;
    const params = [...filter.states, ...(filter.sinceMs !== undefined ? [filter.sinceMs] : [])];
    return this.run('listing files', () => {
      const total = this.sql(`SELECT COUNT(*) FROM files WHERE ${where}`).pluck().get(...params) as number;
      const limit = filter.limit === undefined ? -1 : Math.floor(filter.limit);
      const rows = this.sql(`SELECT * FROM files WHERE ${where} ORDER BY ${when} DESC, id DESC LIMIT ?`).all(...params, limit) as Array<Record<string, unknown>>;
      return { total, rows: rows.map(toRecord) };
    });
  }

  /** The newest record of a file, by its source and path: what the daemon says of a file it did not send. */
  latestAt(sourceId: string, path: string): FileRecord | undefined {
    return this.run('reading a file', () => {
      const row = this.sql('SELECT * FROM files WHERE source_id = ? AND path = ? ORDER BY id DESC LIMIT 1').get(sourceId, path) as Record<string, unknown> | undefined;
      return row ? toRecord(row) : undefined;
    });
  }

  /** Failed files (newest first) and what still waits (next due first), each list bounded. */
  attention(limit: number): { readonly failed: FileRecord[]; readonly failedTotal: number; readonly waiting: FileRecord[]; readonly waitingTotal: number } {
    return this.run('listing what needs attention', () => {
      const failed = this.sql(`SELECT * FROM files WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?`).all(limit) as Array<Record<string, unknown>>;
      const waiting = this.sql(`SELECT * FROM files WHERE state IN ('queued', 'uploading') ORDER BY state DESC, next_attempt_at, id LIMIT ?`).all(limit) as Array<Record<string, unknown>>;
      const totals = this.sql(`SELECT state, COUNT(*) AS n FROM files WHERE state IN ('failed', 'queued', 'uploading') GROUP BY state`).all() as Array<{ state: FileState; n: number }>;
      const count = (wanted: readonly FileState[]) => totals.filter((t) => wanted.includes(t.state)).reduce((sum, t) => sum + t.n, 0);
      return { failed: failed.map(toRecord), failedTotal: count(['failed']), waiting: waiting.map(toRecord), waitingTotal: count(['queued', 'uploading']) };
    });
  }

  /** A file's history in the order it happened (commit order, whatever the clocks of the processes said). */
  history(id: number): FileEvent[] {
    return this.run('reading a file history', () => this.sql('SELECT at, state, note FROM file_events WHERE file_id = ? ORDER BY rowid').all(id) as FileEvent[]);
  }

  /**
   * Per source: files held back as older than the backfill window, and the span of their
   * dates (decoded start, else the time in their name or their mtime: many are never read).
   */
  heldBack(): Array<{ readonly id: string; readonly count: number; readonly oldest: number; readonly newest: number }> {
    return this.run('counting older files', () =>
      this.sql(
        `SELECT source_id AS id, COUNT(*) AS count, MIN(COALESCE(activity_at, mtime_ms)) AS oldest, MAX(COALESCE(activity_at, mtime_ms)) AS newest
         FROM files WHERE state = 'baseline' GROUP BY source_id`,
      ).all() as Array<{ id: string; count: number; oldest: number; newest: number }>,
    );
  }

  /** Per source: what became of its files (uploaded, waiting, failed). */
  sources(): SourceTally[] {
    return this.run('counting by source', () =>
      this.sql(
        `SELECT source_id AS id, SUM(state = 'uploaded') AS uploaded, SUM(state IN ('queued', 'uploading')) AS waiting, SUM(state = 'failed') AS failed
         FROM files GROUP BY source_id`,
      ).all() as SourceTally[],
    );
  }
}
