import type Database from 'better-sqlite3';

/**
 * Versioned schema. Each entry moves the database from version i to i+1 inside one
 * transaction; PRAGMA user_version records where it stands. Never edit a shipped step.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    first_scan_at INTEGER NOT NULL,
    last_scan_at INTEGER NOT NULL
  );
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    rel_path TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    sha256 TEXT,
    format TEXT,
    kind TEXT,
    sport TEXT,
    activity_type TEXT,
    start TEXT,
    duration_s REAL,
    distance_m REAL,
    points INTEGER,
    positions INTEGER,
    device TEXT,
    identity TEXT,
    verdict TEXT,
    reason TEXT,
    problems TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER,
    remote_id TEXT,
    remote_status TEXT,
    duplicate_of INTEGER,
    claimed_by TEXT,
    first_seen_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    uploaded_at INTEGER,
    UNIQUE (source_id, rel_path)
  );
  CREATE INDEX files_sha256 ON files (sha256);
  CREATE INDEX files_identity ON files (identity);
  CREATE INDEX files_state ON files (state, next_attempt_at);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: what actually goes up (a repaired FIT may go up as a rebuilt GPX) lives in the spool.
  `ALTER TABLE files ADD COLUMN upload_format TEXT;`,
  // 3: the hash of what goes up, so a spool copy torn by a power loss is recognised.
  `ALTER TABLE files ADD COLUMN upload_sha256 TEXT;`,
  // 4: for the dashboard: the track's outline (encoded polyline), each file's history,
  // and activities newest first without a sort of the whole table.
  `
  ALTER TABLE files ADD COLUMN polyline TEXT;
  CREATE TABLE file_events (
    file_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    state TEXT NOT NULL,
    note TEXT
  );
  CREATE INDEX file_events_file ON file_events (file_id);
  CREATE INDEX files_start ON files (start, state);
  `,
  // 5: reading only what it must. `unread`: journaled from its stat alone (a baseline file
  // of a first plug-in, never opened); `wanted_from`: asked for (--since, forget, import):
  // read at the next scan, and uploaded if the activity started at or after it (0: any time);
  // `activity_at`: when the activity happened as best known (decoded start, else the time in
  // its name, else mtime), so uploads leave newest first, served by the queue's index.
  `
  ALTER TABLE files ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE files ADD COLUMN wanted_from INTEGER;
  ALTER TABLE files ADD COLUMN activity_at INTEGER;
  UPDATE files SET activity_at = COALESCE(CAST(strftime('%s', start) AS INTEGER) * 1000, mtime_ms);
  DROP INDEX files_state;
  CREATE INDEX files_queue_order ON files (state, next_attempt_at, activity_at DESC);
  `,
  // 6: history imports (issue 13). `activity_name`: the name the person gave an activity
  // elsewhere (Strava's activities.csv), the title it goes up with; `lane`: who sends a
  // queued file — NULL for sync and the daemon, 'import' for `mmt-sync import`, which paces
  // its uploads to the server's rate limit and must not have a daemon send its backlog
  // unpaced beside it. The queue's index leads with the lane, so each sender finds its own.
  `
  ALTER TABLE files ADD COLUMN activity_name TEXT;
  ALTER TABLE files ADD COLUMN lane TEXT;
  DROP INDEX files_queue_order;
  CREATE INDEX files_queue_order ON files (state, lane, next_attempt_at, activity_at DESC);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  // One step per IMMEDIATE transaction, the version read under its write lock: two first runs
  // at once (a daemon and a `--once`) must not both create the tables ("already exists").
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(`the journal was written by a newer mmt-sync (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade mmt-sync`);
    }
    if (current === SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[current]!);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // Next step.
  }
}
