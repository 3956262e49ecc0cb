import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../formats/activity.js';
import Database from 'better-sqlite3';
import { Journal } from './journal.js';
import { MIGRATIONS } from './migrations.js';

const activity = (over: Partial<Activity> = {}): Activity => ({
  format: 'fit',
  kind: 'activity',
  points: 10,
  positions: 10,
  problems: [],
  verdict: 'upload',
  reason: 'complete activity file',
  identity: 'fit:garmin:1:100',
  start: '2026-11-01T08:00:00.000Z',
  ...over,
});

function fresh(): Journal {
  return Journal.open(join(mkdtempSync(join(tmpdir(), 'mmt-journal-')), 'state'));
}

function classified(journal: Journal, relPath: string, sha: string, a: Activity = activity()) {
  const record = journal.observe({ sourceId: 's', relPath, path: `/x/${relPath}`, size: 10, mtimeMs: 1000 });
  journal.move(record.id, 'settled');
  journal.recordClassification(record.id, a, sha, 10, 1000, Date.parse(a.start ?? '2026-01-01'));
  return record.id;
}

describe('Journal', () => {
  it('migrates a new database to the current schema and reopens it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mmt-journal-')), 'state');
    Journal.open(dir).close();
    const again = Journal.open(dir);
    expect(again.integrityCheck()).toBe('ok');
    again.close();
  });

  it('moves states only along the allowed table', () => {
    const journal = fresh();
    const id = classified(journal, 'a.fit', 'sha-a');
    expect(() => journal.move(id, 'uploaded')).toThrow(/cannot move from classified to uploaded/);
    journal.move(id, 'queued');
    expect(journal.get(id)?.state).toBe('queued');
  });

  it('finds the same content or the same activity under another name', () => {
    const journal = fresh();
    const first = classified(journal, 'a.fit', 'sha-a');
    journal.move(first, 'queued');
    const renamed = classified(journal, 'renamed.fit', 'sha-a');
    expect(journal.findDuplicate(renamed, 'sha-a', undefined)?.id).toBe(first);
    const resaved = classified(journal, 'other.fit', 'sha-b');
    expect(journal.findDuplicate(resaved, 'sha-b', 'fit:garmin:1:100')?.id).toBe(first);
    expect(journal.findDuplicate(resaved, 'sha-c', 'fit:garmin:2:100')).toBeUndefined();
  });

  it('hands each queued upload to exactly one claimer, and returns abandoned claims to the queue', () => {
    const journal = fresh();
    const id = classified(journal, 'a.fit', 'sha-a');
    journal.move(id, 'queued');
    const other = Journal.open(journal.path.replace(/\/journal\.sqlite$/, ''));
    expect(journal.claimNext('pid:1')?.id).toBe(id);
    expect(other.claimNext('pid:2')).toBeUndefined();
    expect(journal.releaseOrphanedClaims((owner) => owner !== 'pid:1')).toBe(1);
    expect(other.claimNext('pid:2')?.id).toBe(id);
    other.close();
  });

  it('does not hand out a queued upload before its backoff is over', () => {
    const journal = fresh();
    const id = classified(journal, 'a.fit', 'sha-a');
    journal.move(id, 'queued', { next_attempt_at: 5_000 });
    expect(journal.claimNext('p', 4_999)).toBeUndefined();
    expect(journal.nextDueAt()).toBe(5_000);
    expect(journal.claimNext('p', 5_000)?.id).toBe(id);
  });

  it('releases baseline files from a date on', () => {
    const journal = fresh();
    const old = classified(journal, 'old.fit', 'sha-o', activity({ start: '2020-01-01T00:00:00Z', identity: 'o' }));
    const recent = classified(journal, 'new.fit', 'sha-n', activity({ start: '2026-01-01T00:00:00Z', identity: 'n' }));
    journal.move(old, 'baseline');
    journal.move(recent, 'baseline');
    expect(journal.releaseBaseline(Date.parse('2025-01-01'))).toEqual({ queued: 1, toRead: 0 });
    expect(journal.get(recent)?.state).toBe('queued');
    expect(journal.get(old)?.state).toBe('baseline');
  });

  it('reports a state directory that cannot be created as a clear, typed error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-journal-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    expect(() => Journal.open(join(dir, 'not-a-dir', 'state'))).toThrow(/the journal cannot be written .*make the state directory writable/);
  });

  it('migrates a journal of the previous schema: every record gets its activity time, and the queue hands out the newest first', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mmt-journal-')), 'state');
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'journal.sqlite'));
    for (const step of MIGRATIONS.slice(0, 3)) db.exec(step);
    db.pragma('user_version = 3');
    const insert = db.prepare(
      `INSERT INTO files (source_id, rel_path, path, size, mtime_ms, sha256, start, state, first_seen_at, updated_at) VALUES ('s', ?, ?, 1, ?, ?, ?, ?, 0, 0)`,
    );
    insert.run('older.fit', '/x/older.fit', 5_000, 'a', '2026-01-01T08:00:00.000Z', 'queued');
    insert.run('newer.fit', '/x/newer.fit', 1_000, 'b', '2026-03-01T08:00:00.000Z', 'queued');
    insert.run('no-start.gpx', '/x/no-start.gpx', 7_000, 'c', null, 'baseline');
    db.close();

    const journal = Journal.open(dir);
    try {
      const byPath = new Map(journal.list().map((r) => [r.relPath, r]));
      expect(byPath.get('older.fit')).toMatchObject({ activityAt: Date.parse('2026-01-01T08:00:00Z'), unread: false, wantedFrom: null });
      expect(byPath.get('no-start.gpx')?.activityAt).toBe(7_000);
      expect(journal.claimNext('p')?.relPath).toBe('newer.fit');
      expect(journal.claimNext('p')?.relPath).toBe('older.fit');
      expect(journal.integrityCheck()).toBe('ok');
    } finally {
      journal.close();
    }
  });
});

const OUTLINE = '_p~iF~ps|U_ulLnnqC_mqNvxq`@';

function queued(journal: Journal, relPath: string, a: Activity = activity({ identity: undefined, polyline: OUTLINE })): number {
  const id = classified(journal, relPath, `sha-${relPath}`, a);
  journal.move(id, 'queued', { attempts: 0, next_attempt_at: null });
  return id;
}

describe('what the dashboard reads from the journal', () => {
  it('keeps the outline of each activity and its history, each move with a note a person can read', () => {
    const journal = fresh();
    const id = queued(journal, 'run.fit');
    expect(journal.get(id)?.polyline).toBe(OUTLINE);
    journal.claimNext('me:1', 2000);
    journal.scheduleRetry(id, 'HTTP 503', 1000, 2, 3000);
    journal.claimNext('me:1', 5000);
    journal.scheduleRetry(id, 'HTTP 503', 1000, 2, 6000);
    journal.retryFailed(id, 7000);
    journal.claimNext('me:1', 8000);
    journal.markUploaded(id, '4711', 'created', 9000);
    journal.forget(id, 10_000);
    const history = journal.views.history(id).map((e) => [e.state, e.note]);
    expect(history).toEqual([
      ['classified', 'complete activity file'],
      ['queued', null],
      ['uploading', 'attempt 1'],
      ['queued', `HTTP 503 (next try ${new Date(4000).toISOString()})`],
      ['uploading', 'attempt 2'],
      ['failed', 'HTTP 503 (gave up after 2 attempts; `mmt-sync retry` tries again)'],
      ['queued', 'queued again (retry)'],
      ['uploading', 'attempt 1'],
      ['uploaded', 'activity 4711'],
      ['queued', 'forgotten: to be uploaded again'],
    ]);
    journal.close();
  });

  it('pages activities newest first by their own start, and lists what waits and what failed', () => {
    const journal = fresh();
    const ids = [3, 1, 2].map((day) => queued(journal, `day${day}.fit`, activity({ identity: undefined, start: `2026-11-0${day}T08:00:00.000Z` })));
    const skipped = journal.observe({ sourceId: 's', relPath: 'settings.fit', path: '/x/settings.fit', size: 1, mtimeMs: 1 });
    journal.refuse(skipped.id, 'not an activity');
    journal.markFailed(journal.claimNext('me:1')!.id, '403 unsupported');
    const page1 = journal.views.activities(0, 2);
    expect(page1.total).toBe(3);
    expect(page1.rows.map((r) => r.relPath)).toEqual(['day3.fit', 'day2.fit']);
    expect(journal.views.activities(2, 2).rows.map((r) => r.relPath)).toEqual(['day1.fit']);
    const attention = journal.views.attention(10);
    expect(attention.failedTotal).toBe(1);
    expect(attention.failed[0]?.lastError).toBe('403 unsupported');
    expect(attention.waitingTotal).toBe(2);
    expect(attention.waiting.map((r) => r.id).sort()).toEqual(ids.filter((id) => id !== attention.failed[0]!.id).sort());
    expect(journal.views.sources()).toEqual([{ id: 's', uploaded: 0, waiting: 2, failed: 1 }]);
    journal.close();
  });

  it('sees commits of another connection in its data version (what tells open pages to update)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mmt-views-')), 'state');
    const reader = Journal.open(dir);
    const writer = Journal.open(dir);
    const before = reader.views.dataVersion();
    expect(reader.views.dataVersion()).toBe(before);
    queued(writer, 'new.fit');
    expect(reader.views.dataVersion()).not.toBe(before);
    reader.close();
    writer.close();
  });
});
