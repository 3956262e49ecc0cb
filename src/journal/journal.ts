import type DatabaseConstructor from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Activity } from '../formats/activity.js';
import { ensurePrivateDir } from '../fsutil/atomic-write.js';
import { journalError } from './errors.js';
import { eventNote, isRecorded } from './events.js';
import { migrate } from './migrations.js';
import { toRecord, type FileRecord } from './rows.js';
import { canMove, FILE_STATES, type FileState } from './states.js';
import { JournalViews } from './views.js';

/**
 * better-sqlite3 is CommonJS. Imported from ESM, Node first scans its source for named
 * exports (cjs-module-lexer) and wraps it in a module record; required, it is just loaded:
 * ~4 ms less on every start that opens the journal (`mmt-sync status`).
 */
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof DatabaseConstructor;

/**
 * Where better-sqlite3's addon is, told directly: left to find it, it asks the `bindings`
 * package, which tries a dozen build folders one stat at a time (~4 ms of every start).
 */
function nativeBinding(): { nativeBinding?: string } {
  try {
    return { nativeBinding: require.resolve('better-sqlite3/build/Release/better_sqlite3.node') };
  } catch {
    return {}; // built elsewhere: let it search
  }
}

/** How long any journal lock is waited for before "database is locked" is given up to the user. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Two processes opening a brand-new journal at once (a daemon and a `--once`, two syncs):
 * switching it to WAL needs the file to itself, and SQLite answers SQLITE_BUSY at once there
 * instead of consulting the busy timeout. So the switch is retried for as long as any other
 * lock is waited for. (The migration steps need no such loop: each is an IMMEDIATE
 * transaction, and BEGIN IMMEDIATE does wait out the busy timeout.)
 */
function switchToWal(db: DatabaseConstructor.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  let pause: Int32Array | undefined; // made only when the switch is refused: never on a normal start
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 10 + Math.random() * 40); // a short, jittered synchronous pause
    }
  }
}

/** What a rescan needs to decide, without reading the file, whether anything changed. */
export interface IndexEntry {
  readonly id: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly state: FileState;
  /** Journaled from its stat alone (never read). */
  readonly unread: boolean;
  /** Asked for: read it, and upload it if it started at or after this (0: any time). */
  readonly wantedFrom: number | null;
}

export interface Observation {
  readonly sourceId: string;
  readonly relPath: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export type StateCounts = Record<FileState, number>;

/** A source the journal has seen complete a scan. */
export interface KnownSource {
  readonly id: string;
  readonly label: string;
  readonly lastScanAt: number;
}

/**
 * The single source of truth for every file ever seen. Only this module writes state.
 * SQLite in WAL mode: a process killed at any point leaves the last committed state,
 * and several processes (the daemon and a `--once` run) can share it safely.
 */
export class Journal {
  readonly path: string;
  private readonly db: DatabaseConstructor.Database;
  /** Prepared once per SQL text: preparing costs more than running these small statements. */
  private readonly statements = new Map<string, DatabaseConstructor.Statement>();
  /** Made once: better-sqlite3 prepares BEGIN/COMMIT each time a transaction function is made. */
  private readonly inImmediateTransaction: <T>(work: () => T) => T;

  private constructor(path: string, db: DatabaseConstructor.Database) {
    this.path = path;
    this.db = db;
    const transaction = db.transaction((work: () => unknown) => work());
    this.inImmediateTransaction = <T>(work: () => T) => transaction.immediate(work) as T;
  }

  private sql(text: string): DatabaseConstructor.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * Several writes as one transaction (one commit for the whole intake of a file). IMMEDIATE,
   * like every transaction here that writes: a deferred one that reads first and then writes
   * gets SQLITE_BUSY at once, without busy_timeout, when another process committed in between
   * (WAL snapshot) — which made a second `--once` run's recorded upload look failed.
   */
  batch<T>(work: () => T): T {
    return this.run('writing', () => this.inImmediateTransaction(work));
  }

  static open(stateDir: string): Journal {
    const path = join(stateDir, 'journal.sqlite');
    try {
      ensurePrivateDir(stateDir);
      const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, ...nativeBinding() });
      switchToWal(db);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new Journal(path, db);
    } catch (error) {
      throw journalError(error, `opening ${path}`, stateDir);
    }
  }

  /**
   * For commands that only look (`mmt-sync sources`): nothing is created or migrated, and
   * no write is possible. Undefined when there is no journal yet.
   */
  static openReadOnly(stateDir: string): Journal | undefined {
    const path = join(stateDir, 'journal.sqlite');
    if (!existsSync(path)) return undefined;
    try {
      return new Journal(path, new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS, ...nativeBinding() }));
    } catch (error) {
      throw journalError(error, `opening ${path}`, stateDir);
    }
  }

  close(): void {
    this.db.close();
  }

  private run<T>(where: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw journalError(error, where, dirname(this.path));
    }
  }

  /** (path, size, mtime) of every file of a source: a no-op rescan reads nothing else. */
  index(sourceId: string): Map<string, IndexEntry> {
    return this.run('reading the index', () => {
      const rows = this.sql('SELECT id, rel_path, size, mtime_ms, state, unread, wanted_from FROM files WHERE source_id = ?')
        .raw()
        .all(sourceId) as Array<[number, string, number, number, FileState, number, number | null]>;
      const map = new Map<string, IndexEntry>();
      for (const [id, relPath, size, mtimeMs, state, unread, wantedFrom] of rows) map.set(relPath, { id, size, mtimeMs, state, unread: unread === 1, wantedFrom });
      return map;
    });
  }

  /** Records a completed scan of a source; `isNewSource` is true until the first one. */
  noteSourceScan(sourceId: string, label: string, now = Date.now()): void {
    this.run('recording a scan', () => {
      this.sql(
        `INSERT INTO sources (id, label, first_scan_at, last_scan_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_scan_at = excluded.last_scan_at, label = excluded.label`,
      ).run(sourceId, label, now, now);
    });
  }

  /** How many files of each source the journal holds, by source id. */
  fileCountsBySource(): Map<string, number> {
    return this.run('counting files by source', () => {
      const rows = this.sql('SELECT source_id, COUNT(*) FROM files GROUP BY source_id').raw().all() as Array<[string, number]>;
      return new Map(rows);
    });
  }

  /** Every source that completed a scan, with the label it had then. */
  knownSources(): KnownSource[] {
    return this.run('reading sources', () => {
      const rows = this.sql('SELECT id, label, last_scan_at FROM sources ORDER BY id').raw().all() as Array<[string, string, number]>;
      return rows.map(([id, label, lastScanAt]) => ({ id, label, lastScanAt }));
    });
  }

  /** True until a scan of the source completes (its backfill rule applies until then). */
  isNewSource(sourceId: string): boolean {
    return this.run('reading sources', () => !this.sql('SELECT 1 FROM sources WHERE id = ?').get(sourceId));
  }

  /** Refused before reading (too large, not a regular file, outside the source): skipped with the reason. */
  refuse(id: number, reason: string, now = Date.now()): void {
    this.move(id, 'skipped', { verdict: 'skip', reason }, now);
  }

  /** Same content under a new size/mtime (a FAT DST shift): remember the new stat, change nothing else. */
  touch(id: number, size: number, mtimeMs: number, now = Date.now()): void {
    this.run('updating a stat', () => this.update(id, { size, mtime_ms: mtimeMs, updated_at: now }));
  }

  /** A path now holds different content: the old record keeps its history under a retired name. */
  retire(id: number, now = Date.now()): void {
    this.run('retiring a record', () => this.update(id, { rel_path: `${this.get(id)?.relPath ?? id}#retired-${id}`, updated_at: now }));
  }

  /** A new file, or a known path whose size or mtime changed: back to `discovered`. */
  observe(observation: Observation, now = Date.now()): FileRecord {
    return this.run('recording a file', () => {
      const row = this.sql(
          `INSERT INTO files (source_id, rel_path, path, size, mtime_ms, state, first_seen_at, updated_at)
           VALUES (@sourceId, @relPath, @path, @size, @mtimeMs, 'discovered', @now, @now)
           ON CONFLICT (source_id, rel_path) DO UPDATE SET
             path = excluded.path, size = excluded.size, mtime_ms = excluded.mtime_ms, updated_at = excluded.updated_at
           RETURNING *`,
        )
        .get({ ...observation, now }) as Record<string, unknown>;
      return toRecord(row);
    });
  }

  /** The record at a path of a source (a member of a zip is found by its member path). */
  atPath(sourceId: string, relPath: string): FileRecord | undefined {
    return this.run('reading a file record', () => {
      const row = this.sql('SELECT * FROM files WHERE source_id = ? AND rel_path = ?').get(sourceId, relPath) as Record<string, unknown> | undefined;
      return row ? toRecord(row) : undefined;
    });
  }

  get(id: number): FileRecord | undefined {
    return this.run('reading a file record', () => {
      const row = this.sql('SELECT * FROM files WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      return row ? toRecord(row) : undefined;
    });
  }

  /** The one place a state changes; refuses moves the state table does not allow. */
  move(id: number, to: FileState, fields: Partial<Record<string, unknown>> = {}, now = Date.now()): void {
    this.run(`moving #${id} to ${to}`, () => {
      this.inImmediateTransaction(() => {
        const current = this.sql('SELECT state FROM files WHERE id = ?').pluck().get(id) as FileState | undefined;
        if (!current) throw new Error(`no file #${id}`);
        if (!canMove(current, to)) throw new Error(`file #${id} cannot move from ${current} to ${to}`);
        this.update(id, { ...fields, state: to, updated_at: now });
        if (isRecorded(to)) this.recordEvent(id, now, to, eventNote(current, to, fields));
      });
    });
  }

  private recordEvent(id: number, at: number, state: FileState, note: string | null): void {
    this.sql('INSERT INTO file_events (file_id, at, state, note) VALUES (?, ?, ?, ?)').run(id, at, state, note);
  }

  /** Read-only queries for the dashboard (views.ts); the SQL stays in journal/. */
  get views(): JournalViews {
    this.viewCache ??= new JournalViews((text) => this.sql(text), (where, work) => this.run(where, work));
    return this.viewCache;
  }

  private viewCache: JournalViews | undefined;

  private update(id: number, fields: Record<string, unknown>): void {
    const keys = Object.keys(fields);
    const sql = `UPDATE files SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`;
    this.sql(sql).run({ ...fields, id });
  }

  /**
   * A first plug-in's file that its stat alone puts clearly before the backfill window:
   * baseline without being opened, marked unread (read only if asked for later).
   */
  recordUnreadBaseline(observation: Observation, activityAt: number, now = Date.now()): void {
    const record = this.observe(observation, now);
    this.move(record.id, 'baseline', { unread: 1, wanted_from: null, activity_at: activityAt }, now);
  }

  /**
   * An unread baseline file is asked for (`forget`, `--since`, import): back to discovered,
   * so the next scan that sees it reads it; uploaded if it started at or after `from`.
   */
  requestRead(id: number, from: number, now = Date.now()): void {
    this.move(id, 'discovered', { wanted_from: from }, now);
  }

  /**
   * Baseline files never read (judged by their stat), and files asked for (--since, forget)
   * that no scan has read yet, by source (their device is not connected, or the read failed).
   */
  unreadCounts(): { baseline: number; requestedBySource: Map<string, number> } {
    return this.run('counting unread files', () => {
      const baseline = this.sql(`SELECT COUNT(*) FROM files WHERE state = 'baseline' AND unread = 1`).pluck().get() as number;
      const rows = this.sql(`SELECT source_id, COUNT(*) FROM files WHERE state = 'discovered' AND wanted_from IS NOT NULL GROUP BY source_id`)
        .raw()
        .all() as Array<[string, number]>;
      return { baseline, requestedBySource: new Map(rows) };
    });
  }

  /** The summary of a classified file; the caller then decides queued/skipped/duplicate/baseline. */
  recordClassification(
    id: number,
    activity: Activity,
    sha256: string,
    size: number,
    mtimeMs: number,
    /** When it happened, for the queue's newest-first order: its start, else the mtime. */
    activityAt = activity.start ? Date.parse(activity.start) : mtimeMs,
    /** The name the person gave it elsewhere (Strava's activities.csv), for its title. */
    activityName?: string,
  ): void {
    this.move(id, 'classified', {
      activity_name: activityName ?? null,
      unread: 0,
      wanted_from: null,
      activity_at: activityAt,
      sha256,
      size,
      mtime_ms: mtimeMs,
      format: activity.format,
      kind: activity.kind,
      sport: activity.sport ?? null,
      activity_type: activity.activityType ?? null,
      start: activity.start ?? null,
      duration_s: activity.durationS ?? null,
      distance_m: activity.distanceM ?? null,
      points: activity.points,
      positions: activity.positions,
      device: activity.device ? JSON.stringify(activity.device) : null,
      identity: activity.identity ?? null,
      polyline: activity.polyline ?? null,
      verdict: activity.verdict,
      reason: activity.reason,
      problems: JSON.stringify(activity.problems),
      duplicate_of: null,
      last_error: null,
    });
  }

  /** Seen before under another name, path or mtime: the same content, or the same activity. */
  findDuplicate(id: number, sha256: string, identity: string | undefined): FileRecord | undefined {
    return this.run('looking for duplicates', () => {
      const row = this.sql(
          `SELECT * FROM files
           WHERE id != @id AND state IN ('queued', 'uploading', 'uploaded', 'failed', 'baseline')
             AND (sha256 = @sha256 OR (@identity IS NOT NULL AND identity = @identity))
           ORDER BY CASE state WHEN 'uploaded' THEN 0 ELSE 1 END, id LIMIT 1`,
        )
        .get({ id, sha256, identity: identity ?? null }) as Record<string, unknown> | undefined;
      return row ? toRecord(row) : undefined;
    });
  }

  /**
   * Atomically takes the next due upload of `lane` for `owner`; two processes never take the
   * same one. Lane null is sync's and the daemon's queue; 'import' is `mmt-sync import`'s.
   */
  claimNext(owner: string, now = Date.now(), excludeIdentities: ReadonlySet<string> = new Set(), lane: string | null = null): FileRecord | undefined {
    return this.run('taking the next upload', () =>
      this.inImmediateTransaction(() => {
        // NULLs sort first: new entries, newest activity first, then the longest-waiting
        // retries; the (state, lane, next_attempt_at, activity_at DESC) index serves it.
        const candidates = this.sql(
            `SELECT id, identity FROM files WHERE state = 'queued' AND lane IS ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
             ORDER BY next_attempt_at, activity_at DESC LIMIT 50`,
          )
          .all(lane, now) as Array<{ id: number; identity: string | null }>;
        const pick = candidates.find((c) => !c.identity || !excludeIdentities.has(c.identity));
        if (!pick) return undefined;
        const row = this.sql(`UPDATE files SET state = 'uploading', claimed_by = ?, updated_at = ? WHERE id = ? AND state = 'queued' RETURNING *`)
          .get(owner, now, pick.id) as Record<string, unknown> | undefined;
        if (row) this.recordEvent(pick.id, now, 'uploading', `attempt ${(row.attempts as number) + 1}`);
        return row ? toRecord(row) : undefined;
      }),
    );
  }

  /** The server has it: remember its id; 'exists' (same content sent again) counts the same. */
  markUploaded(id: number, remoteId: string, remoteStatus: string | undefined, now = Date.now()): void {
    this.move(id, 'uploaded', { remote_id: remoteId, remote_status: remoteStatus ?? null, uploaded_at: now, claimed_by: null, last_error: null, next_attempt_at: null }, now);
  }

  /** A retryable failure: back in line after `delayMs`, or failed once the attempts are spent. */
  scheduleRetry(id: number, error: string, delayMs: number, maxAttempts: number, now = Date.now()): 'queued' | 'failed' {
    const attempts = (this.get(id)?.attempts ?? 0) + 1;
    if (attempts >= maxAttempts) {
      this.move(id, 'failed', { attempts, last_error: `${error} (gave up after ${attempts} attempts; \`mmt-sync retry\` tries again)`, claimed_by: null, next_attempt_at: null }, now);
      return 'failed';
    }
    this.move(id, 'queued', { attempts, last_error: error, claimed_by: null, next_attempt_at: now + delayMs }, now);
    return 'queued';
  }

  /** A permanent refusal (the request itself is wrong): recorded with the server's reason. */
  markFailed(id: number, error: string, now = Date.now()): void {
    const attempts = (this.get(id)?.attempts ?? 0) + 1;
    this.move(id, 'failed', { attempts, last_error: error, claimed_by: null, next_attempt_at: null }, now);
  }

  /** Not this upload's fault (login required, shutting down, the pace): back in line, no attempt counted; not before `notBefore` if given. */
  requeue(id: number, note?: string, now = Date.now(), notBefore?: number): void {
    this.move(id, 'queued', { claimed_by: null, ...(note ? { last_error: note } : {}), ...(notBefore !== undefined ? { next_attempt_at: notBefore } : {}) }, now);
  }

  /** `mmt-sync retry`: failed entries (one, or all) go back to the queue now. */
  retryFailed(id: number | 'all', now = Date.now()): number {
    const targets = id === 'all' ? this.list({ states: ['failed'] }) : [this.get(id)].filter((r): r is FileRecord => r?.state === 'failed');
    // Back in the ordinary queue, an import's file too: one file is no storm to pace.
    for (const record of targets) this.move(record.id, 'queued', { attempts: 0, next_attempt_at: null, lane: null }, now);
    return targets.length;
  }

  /**
   * `mmt-sync forget`: upload again (e.g. deleted on the site) — uploaded/duplicate/skipped
   * back to the queue; an unread baseline file is read first (at the next scan that sees it).
   */
  forget(id: number, now = Date.now()): FileRecord | undefined {
    const record = this.get(id);
    if (!record) return undefined;
    if (record.unread) {
      this.requestRead(id, 0, now);
      return this.get(id);
    }
    this.move(id, 'queued', { attempts: 0, next_attempt_at: null, remote_id: null, remote_status: null, duplicate_of: null, uploaded_at: null, lane: null }, now);
    return this.get(id);
  }

  /** Uploads claimed by processes that no longer exist go back in line (and will be re-sent). */
  releaseOrphanedClaims(isAlive: (owner: string) => boolean, now = Date.now()): number {
    return this.run('releasing abandoned uploads', () => {
      const rows = this.sql(`SELECT id, claimed_by FROM files WHERE state = 'uploading'`).all() as Array<{ id: number; claimed_by: string | null }>;
      let released = 0;
      for (const row of rows) {
        if (row.claimed_by && isAlive(row.claimed_by)) continue;
        this.sql(`UPDATE files SET state = 'queued', claimed_by = NULL, updated_at = ? WHERE id = ? AND state = 'uploading'`).run(now, row.id);
        released++;
      }
      return released;
    });
  }

  /** When the next queued upload of `lane` becomes due (undefined: nothing queued there). */
  nextDueAt(lane: string | null = null): number | undefined {
    return this.run('reading the queue', () => {
      const value = this.sql(`SELECT MIN(COALESCE(next_attempt_at, 0)) FROM files WHERE state = 'queued' AND lane IS ?`)
        .pluck()
        .get(lane) as number | null;
      return value ?? undefined;
    });
  }

  /** Queued uploads of `lane` that are not due before `time` (in backoff, or held back by a Retry-After). */
  countQueuedNotDueBy(time: number, lane: string | null = null): number {
    return this.run('reading the queue', () => this.sql(`SELECT COUNT(*) FROM files WHERE state = 'queued' AND lane IS ? AND next_attempt_at > ?`).pluck().get(lane, time) as number);
  }

  /** Queued uploads of `lane`. */
  countQueued(lane: string | null = null): number {
    return this.run('reading the queue', () => this.sql(`SELECT COUNT(*) FROM files WHERE state = 'queued' AND lane IS ?`).pluck().get(lane) as number);
  }

  counts(): StateCounts {
    return this.run('counting', () => {
      const counts = Object.fromEntries(FILE_STATES.map((s) => [s, 0])) as StateCounts;
      const rows = this.sql('SELECT state, COUNT(*) AS n FROM files GROUP BY state').all() as Array<{ state: FileState; n: number }>;
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    });
  }

  list(filter: { states?: readonly FileState[]; limit?: number; orderBy?: 'updated' | 'id' } = {}): FileRecord[] {
    return this.run('listing files', () => {
      const where = filter.states?.length ? `WHERE state IN (${filter.states.map(() => '?').join(', ')})` : '';
      const order = filter.orderBy === 'updated' ? 'updated_at DESC, id DESC' : 'id';
      const limit = filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : '';
      const rows = this.sql(`SELECT * FROM files ${where} ORDER BY ${order} ${limit}`).all(...(filter.states ?? [])) as Array<Record<string, unknown>>;
      return rows.map(toRecord);
    });
  }

  /**
   * Baseline files whose activity started at or after `since` join the queue. Unread ones
   * (judged by their stat alone) are asked for when their estimated time is within
   * `unreadMarginMs` of `since`: the next scan reads them and decides by the decoded start.
   */
  releaseBaseline(sinceMs: number, unreadMarginMs = 0, now = Date.now()): { queued: number; toRead: number } {
    return this.run('queueing older files', () =>
      this.inImmediateTransaction(() => {
        const rows = this.sql(`SELECT id, start, mtime_ms, unread, activity_at FROM files WHERE state = 'baseline'`).all() as Array<{
          id: number;
          start: string | null;
          mtime_ms: number;
          unread: number;
          activity_at: number | null;
        }>;
        const released = { queued: 0, toRead: 0 };
        for (const row of rows) {
          if (row.unread) {
            if ((row.activity_at ?? row.mtime_ms) < sinceMs - unreadMarginMs) continue;
            this.requestRead(row.id, sinceMs, now);
            released.toRead++;
            continue;
          }
          const when = row.start ? Date.parse(row.start) : row.mtime_ms;
          if (when >= sinceMs) {
            this.move(row.id, 'queued', { attempts: 0, next_attempt_at: null }, now);
            released.queued++;
          }
        }
        return released;
      }),
    );
  }

  getMeta(key: string): string | undefined {
    return this.run('reading meta', () => (this.sql('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined);
  }

  setMeta(key: string, value: string): void {
    this.run('writing meta', () => {
      this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  /** PRAGMA integrity_check: 'ok' or the problems found. */
  integrityCheck(): string {
    return this.run('checking integrity', () => (this.db.pragma('integrity_check', { simple: true }) as string) ?? 'ok');
  }
}
