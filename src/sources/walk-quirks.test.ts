import { realpathSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceQuirks } from './source.js';
import { tempDir, writeFile } from './test-fixtures.js';
import { walkSource, type WalkEntry, type WalkSummary } from './walk.js';

let root = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir();
  root = realpathSync(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const NOW = Date.parse('2025-10-31T20:30:00Z');
const ZWIFT: SourceQuirks = { never: ['inProgressActivity.fit'], recording: { marker: 'inProgressActivity.fit', freshS: 300, holdS: 86_400 } };

async function walk(quirks: SourceQuirks, poll = false): Promise<{ files: string[]; summary: WalkSummary }> {
  const generator = walkSource({ root, quirks, poll }, { maxFileBytes: 1 << 20, now: () => NOW });
  const entries: WalkEntry[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { files: entries.map((e) => e.relPath), summary: step.value };
    entries.push(step.value);
  }
}

/** A file whose mtime is `agoS` seconds before NOW. */
function fileAged(name: string, agoS: number, content = 'fit'): void {
  const path = writeFile(join(root, name), content);
  const when = new Date(NOW - agoS * 1000);
  utimesSync(path, when, when);
}

describe('walkSource: source quirks', () => {
  it('never lists a name the app never means as an activity, whatever its case', async () => {
    fileAged('inProgressActivity.fit', 3600);
    fileAged('sub/INPROGRESSACTIVITY.FIT', 3600);
    fileAged('2025-10-30-18-00-00.fit', 86_400);
    for (const poll of [false, true]) {
      const { files, summary } = await walk({ never: ZWIFT.never! }, poll);
      expect(files).toEqual(['2025-10-30-18-00-00.fit']);
      expect(summary).toMatchObject({ files: 1, refused: 0, held: 0 });
    }
  });

  it('holds back the ride being recorded while the marker beside it is fresh, and lists it once the marker is stale', async () => {
    fileAged('2025-10-29-18-00-00.fit', 2 * 86_400); // yesterday's ride: not the one being written
    fileAged('2025-10-31-19-56-19.fit', 2 * 3600); // created when today's ride started, 2 h ago
    fileAged('inProgressActivity.fit', 20); // Zwift writes it throughout the ride
    const riding = await walk(ZWIFT);
    expect(riding.files).toEqual(['2025-10-29-18-00-00.fit']);
    expect(riding.summary).toMatchObject({ files: 1, held: 1, heldUntilMs: NOW - 20_000 + 300_000 });

    fileAged('2025-10-31-19-56-19.fit', 400); // saved at the end of the ride
    fileAged('inProgressActivity.fit', 400); // and left behind, stale
    const done = await walk(ZWIFT);
    expect(done.files).toEqual(['2025-10-29-18-00-00.fit', '2025-10-31-19-56-19.fit']);
    expect(done.summary.held).toBe(0);
    expect(done.summary.heldUntilMs).toBeUndefined();
  });

  it('without the recording quirk, a fresh marker holds nothing back', async () => {
    fileAged('2025-10-31-19-56-19.fit', 60);
    fileAged('inProgressActivity.fit', 5);
    expect((await walk({})).files).toEqual(['2025-10-31-19-56-19.fit', 'inProgressActivity.fit']);
  });

  it('lets an empty cloud placeholder wait for its content', async () => {
    fileAged('2025-05-01.fit', 60, '');
    fileAged('2025-05-02.fit', 60, 'fit');
    const { files, summary } = await walk({ placeholders: true });
    expect(files).toEqual(['2025-05-02.fit']);
    expect(summary).toMatchObject({ held: 1 });
    expect(summary.heldUntilMs).toBeUndefined();
    expect((await walk({})).files).toEqual(['2025-05-01.fit', '2025-05-02.fit']);
  });
});
