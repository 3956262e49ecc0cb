import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../formats/activity.js';
import { Journal } from './journal.js';

const activity = (over: Partial<Activity> = {}): Activity => ({
  format: 'fit',
  kind: 'activity',
  points: 10,
  positions: 10,
  problems: [],
  verdict: 'upload',
  reason: 'complete activity file',
  start: '2026-11-01T08:00:00.000Z',
  polyline: '_p~iF~ps|U_ulLnnqC_mqNvxq`@',
  ...over,
});

function queued(journal: Journal, relPath: string, a: Activity = activity()): number {
  const record = journal.observe({ sourceId: 'folder:/x', relPath, path: `/x/${relPath}`, size: 10, mtimeMs: 1000 });
  journal.move(record.id, 'settled');
  journal.recordClassification(record.id, a, `sha-${relPath}`, 10, 1000);
  journal.move(record.id, 'queued', { attempts: 0, next_attempt_at: null });
  return record.id;
}

describe('what the dashboard reads from the journal', () => {
  it('keeps the outline of each activity and its history, each move with a note a person can read', () => {
    const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'mmt-views-')), 'state'));
    const id = queued(journal, 'run.fit');
    expect(journal.get(id)?.polyline).toBe('_p~iF~ps|U_ulLnnqC_mqNvxq`@');
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
    const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'mmt-views-')), 'state'));
    const ids = [3, 1, 2].map((day) => queued(journal, `day${day}.fit`, activity({ start: `2026-11-0${day}T08:00:00.000Z` })));
    const skipped = journal.observe({ sourceId: 'folder:/x', relPath: 'settings.fit', path: '/x/settings.fit', size: 1, mtimeMs: 1 });
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
    expect(journal.views.sources()).toEqual([{ id: 'folder:/x', label: null, lastScanAt: null, uploaded: 0, waiting: 2, failed: 1 }]);
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
