import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFile } from '../../src/formats/classify.js';
import { Journal } from '../../src/journal/journal.js';
import { corpusDir } from '../lib/paths.js';

/**
 * A journal holding `count` uploaded activities, as years of use leave it: each with the
 * outline, summary and history a real corpus file gives at intake (the corpus's
 * activities, cycled, a day apart).
 */
export function fillJournal(stateDir: string, count: number): void {
  const corpus = corpusDir();
  const activities = ['fit', 'gpx']
    .flatMap((sub) => readdirSync(join(corpus, sub)).map((name) => classifyFile(name, readFileSync(join(corpus, sub, name)))))
    .filter((a) => a.verdict !== 'skip' && a.polyline);
  const journal = Journal.open(stateDir);
  try {
    journal.batch(() => {
      for (let i = 0; i < count; i++) {
        const activity = { ...activities[i % activities.length]!, start: new Date(Date.UTC(2012, 0, 1) + i * 86_400_000).toISOString() };
        const relPath = `Activity/${String(i).padStart(5, '0')}.${activity.format}`;
        const record = journal.observe({ sourceId: 'folder:/bench', relPath, path: `/bench/${relPath}`, size: 50_000, mtimeMs: 1_600_000_000_000 + i });
        journal.move(record.id, 'settled');
        journal.recordClassification(record.id, activity, `sha-${i}`, 50_000, 1_600_000_000_000 + i);
        journal.move(record.id, 'queued', { attempts: 0, next_attempt_at: null });
        const claimed = journal.claimNext('bench:1');
        journal.markUploaded(claimed!.id, String(100_000 + i), 'created');
      }
    });
  } finally {
    journal.close();
  }
}
