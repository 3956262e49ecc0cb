/**
 * The live buffer's tables, rows and SQLite error wording (see buffer.ts).
 * Versioned like the journal: each entry moves PRAGMA user_version by one;
 * never edit a shipped step.
 */
import type Database from 'better-sqlite3';
import { MmtError } from '../errors.js';
import type { LiveSession, SessionState } from './buffer.js';

const SCHEMA: readonly string[] = [
  `
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    activity_type TEXT,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    activity_id TEXT,
    owner TEXT,
    next_seq INTEGER NOT NULL DEFAULT 1,
    sent_seq INTEGER NOT NULL DEFAULT 0,
    last_point_ms INTEGER,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_open ON sessions (account, state);
  CREATE TABLE points (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    seq INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    ele REAL,
    time_ms INTEGER NOT NULL,
    hr INTEGER,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;
  `,
];

export interface SessionRow {
  id: number;
  account: string;
  source: string;
  title: string;
  activity_type: string | null;
  status: 'public' | 'private';
  state: SessionState;
  activity_id: string | null;
  owner: string | null;
  next_seq: number;
  sent_seq: number;
  last_point_ms: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export function toSession(row: SessionRow): LiveSession {
  return {
    id: row.id,
    account: row.account,
    source: row.source,
    title: row.title,
    activityType: row.activity_type,
    status: row.status,
    state: row.state,
    activityId: row.activity_id,
    owner: row.owner,
    received: row.next_seq - 1,
    sent: row.sent_seq,
    lastPointMs: row.last_point_ms,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    error: row.error,
  };
}

export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA.length) throw new Error(`written by a newer mmt-sync (schema ${version}); upgrade mmt-sync`);
  for (let v = version; v < SCHEMA.length; v++) {
    db.transaction(() => {
      db.exec(SCHEMA[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** SQLite's failures in the user's words; a full disk or read-only state dir needs the user, not a retry. */
export function guard<T>(path: string, what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof MmtError) throw error;
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'SQLITE_FULL' || /ENOSPC|disk is full/i.test(message)) {
      throw new MmtError('failed', 'LIVE_DISK_FULL', `the disk holding ${path} is full (${what}): free some space`, { cause: error });
    }
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /EACCES|EROFS|EPERM|readonly/i.test(message)) {
      throw new MmtError('failed', 'LIVE_READ_ONLY', `${path} cannot be written (${what}: ${message}): make the state directory writable`, { cause: error });
    }
    throw new MmtError('internal', 'LIVE_BUFFER', `live buffer ${path}, ${what}: ${message}`, { cause: error });
  }
}
