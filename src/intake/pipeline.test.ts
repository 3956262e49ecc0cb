import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../journal/journal.js';
import { Spool } from '../journal/spool.js';
import { silentLogger } from '../log.js';
import { folderSourceId, type Source } from '../sources/source.js';
import { generateFitActivity } from '../testing/fit-generator.js';
import { releaseBaseline } from './backfill.js';
import type { ByteSource, Candidate } from './candidate.js';
import { listSources, type ListOptions } from './list.js';
import { runIntake, type IntakeEvent, type IntakeOptions } from './pipeline.js';
import { emptyReport } from './report.js';

const DAY = 86_400_000;
// Whole seconds: utimes takes float seconds, and a sub-millisecond mtime would not round-trip.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const CUTOFF = NOW - 14 * DAY;

function world() {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-pipeline-'));
  const folder = join(dir, 'Activity');
  mkdirSync(folder);
  const source: Source = { id: folderSourceId(folder), kind: 'folder', root: folder, label: folder, poll: false };
  const journal = Journal.open(join(dir, 'state'));
  const spool = new Spool(join(dir, 'state'));
  return { dir, folder, source, journal, spool, cleanup: () => (journal.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** Writes a file with an mtime (ms) of our choosing. */
function put(folder: string, name: string, bytes: Uint8Array | string, mtimeMs: number): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  utimesSync(path, mtimeMs / 1000, mtimeMs / 1000);
  return path;
}

const fit = (start: number, serial: number) => generateFitActivity({ start: new Date(start), durationS: 120, serial });

/** Drains the scanner stage alone: which files it hands to the read stage. */
async function listed(w: ReturnType<typeof world>, options: Partial<ListOptions> = {}): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for await (const c of listSources([w.source], w.journal, { maxFileBytes: 1 << 26, settleMs: 0, backfillCutoffMs: CUTOFF, ...options }, emptyReport())) out.push(c);
  return out;
}

async function intake(w: ReturnType<typeof world>, options: Partial<ListOptions & IntakeOptions> = {}, wrap: (c: Candidate) => Candidate = (c) => c) {
  const report = emptyReport();
  const events: IntakeEvent[] = [];
  const list = { maxFileBytes: 1 << 26, settleMs: 0, backfillCutoffMs: CUTOFF, ...options };
  async function* wrapped() {
    for await (const c of listSources([w.source], w.journal, list, report)) yield wrap(c);
  }
  await runIntake(wrapped(), w.journal, { maxFileBytes: list.maxFileBytes, log: silentLogger, spool: w.spool, ...options, onEvent: (e) => events.push(e) }, report);
  w.journal.noteSourceScan(w.source.id, w.source.label);
  return { report, events, taken: events.filter((e): e is Extract<IntakeEvent, { type: 'taken' }> => e.type === 'taken') };
}

describe('the intake pipeline', () => {
  it("journals a first scan's clearly old files as unread baseline without handing them to the read stage; near the edge, or where the name disagrees, it reads", async () => {
    const w = world();
    try {
      // Not activities at all: had any of them been read, it would be `skipped`, not baseline.
      put(w.folder, 'old-junk.fit', 'not a FIT file', NOW - 40 * DAY);
      put(w.folder, '2025-01-05-07-00-00.fit', 'not a FIT file either', NOW - 300 * DAY);
      put(w.folder, `${new Date(NOW - DAY).toISOString().slice(0, 19).replace(/[T:]/g, '-')}.fit`, 'named yesterday, mtime old', NOW - 40 * DAY);
      put(w.folder, 'edge-junk.fit', 'inside the margin', CUTOFF - DAY);
      put(w.folder, 'old-run-copied-today.fit', fit(NOW - 100 * DAY, 1), NOW);
      put(w.folder, 'new-run.fit', fit(NOW - 3_600_000, 2), NOW);

      const { report, taken } = await intake(w);
      expect(taken.map((t) => t.path.split('/').pop()).sort()).toEqual(['edge-junk.fit', 'new-run.fit', 'old-run-copied-today.fit', expect.stringMatching(/^\d{4}-.*\.fit$/)].sort());
      const byName = new Map(w.journal.list().map((r) => [r.relPath, r]));
      for (const name of ['old-junk.fit', '2025-01-05-07-00-00.fit']) {
        expect(byName.get(name)).toMatchObject({ state: 'baseline', unread: true, sha256: null });
      }
      expect(byName.get('edge-junk.fit')?.state).toBe('skipped');
      expect(byName.get('old-run-copied-today.fit')).toMatchObject({ state: 'baseline', unread: false });
      expect(byName.get('new-run.fit')?.state).toBe('queued');
      expect(report).toMatchObject({ files: 6, baseline: 3, baselineUnread: 2, queued: 1, skipped: 2 });
    } finally {
      w.cleanup();
    }
  });

  it('reads unread baseline files once asked for (--since): uploads what started since, keeps the rest as baseline, read now', async () => {
    const w = world();
    try {
      const runs = [30, 60, 90].map((days, i) => put(w.folder, `run-${days}.fit`, fit(NOW - days * DAY, 10 + i), NOW - days * DAY));
      await intake(w);
      expect(w.journal.list().every((r) => r.state === 'baseline' && r.unread)).toBe(true);

      // The stat margin asks for run-60 too (its mtime is within 2 days of the cutoff); its start decides.
      const since = NOW - 61 * DAY;
      expect(releaseBaseline(w.journal, since)).toEqual({ queued: 0, toRead: 2 });
      const again = await intake(w, { backfillCutoffMs: CUTOFF });
      expect(again.taken.map((t) => t.path).sort()).toEqual([runs[0], runs[1]].sort());
      const state = new Map(w.journal.list().map((r) => [r.relPath, r]));
      expect(state.get('run-30.fit')).toMatchObject({ state: 'queued', unread: false, wantedFrom: null });
      expect(state.get('run-60.fit')).toMatchObject({ state: 'queued', unread: false });
      expect(state.get('run-90.fit')).toMatchObject({ state: 'baseline', unread: true });

      // Asked for from a date after its start: read, and kept as baseline (no longer unread).
      expect(releaseBaseline(w.journal, NOW - 89 * DAY)).toEqual({ queued: 0, toRead: 1 });
      await intake(w);
      expect(w.journal.list().find((r) => r.relPath === 'run-90.fit')).toMatchObject({ state: 'baseline', unread: false, sha256: expect.any(String) });
    } finally {
      w.cleanup();
    }
  });

  it('does not read an unread baseline file whose mtime moved by an hour (FAT at a DST change), and reads one whose size changed', async () => {
    const w = world();
    try {
      put(w.folder, 'a.fit', 'junk', NOW - 50 * DAY);
      put(w.folder, 'b.fit', 'junk', NOW - 50 * DAY);
      await intake(w);
      utimesSync(join(w.folder, 'a.fit'), (NOW - 50 * DAY + 3_600_000) / 1000, (NOW - 50 * DAY + 3_600_000) / 1000);
      put(w.folder, 'b.fit', fit(NOW - 50 * DAY, 7), NOW - 50 * DAY);
      expect((await listed(w)).map((c) => c.relPath)).toEqual(['b.fit']);
      const { report } = await intake(w);
      expect(report.unchanged).toBe(1);
      const state = new Map(w.journal.list().map((r) => [r.relPath, r]));
      expect(state.get('a.fit')).toMatchObject({ state: 'baseline', unread: true, mtimeMs: Math.trunc(NOW - 50 * DAY + 3_600_000) });
      // A new content at a baseline path of the first plug-in answers to the same backfill rule.
      expect(state.get('b.fit')).toMatchObject({ state: 'baseline', unread: false });
    } finally {
      w.cleanup();
    }
  });

  it('reads newest first and takes files in in that order, whatever the listing order', async () => {
    const w = world();
    try {
      const ages = [5, 1, 9, 3, 7, 2, 8, 4, 6];
      for (const [i, hours] of ages.entries()) put(w.folder, `f${i}.fit`, fit(NOW - hours * 3_600_000, 20 + i), NOW - hours * 3_600_000);
      const { taken } = await intake(w, { parallelReads: 3, settleMs: 30 });
      const order = taken.map((t) => Number(/\/f(\d)\.fit$/.exec(t.path)![1]));
      expect(order.map((i) => ages[i])).toEqual([...ages].sort((a, b) => a - b));
    } finally {
      w.cleanup();
    }
  });

  it('keeps reads in flight within parallelReads and the byte budget', async () => {
    const w = world();
    try {
      for (let i = 0; i < 12; i++) put(w.folder, `f${i}.fit`, fit(NOW - (i + 1) * 3_600_000, 40 + i), NOW - i * 1000);
      let reading = 0;
      let bytes = 0;
      const peak = { reading: 0, bytes: 0 };
      const counted = (c: Candidate): Candidate => {
        const inner: ByteSource = c.bytes;
        return {
          ...c,
          bytes: {
            read: async (expected, max) => {
              reading++;
              bytes += c.size;
              peak.reading = Math.max(peak.reading, reading);
              peak.bytes = Math.max(peak.bytes, bytes);
              await new Promise((r) => setTimeout(r, 15));
              const outcome = await inner.read(expected, max);
              reading--;
              bytes -= c.size;
              return outcome;
            },
          },
        };
      };
      const size = fit(NOW, 1).length;
      const first = await intake(w, { parallelReads: 3 }, counted);
      expect(first.report.queued).toBe(12);
      expect(peak.reading).toBe(3);

      const w2 = world();
      try {
        for (let i = 0; i < 12; i++) put(w2.folder, `f${i}.fit`, fit(NOW - (i + 1) * 3_600_000, 60 + i), NOW - i * 1000);
        peak.reading = 0;
        peak.bytes = 0;
        await intake(w2, { parallelReads: 8, maxBytesInFlight: 2 * size }, counted);
        expect(peak.bytes).toBeLessThanOrEqual(2 * size);
        expect(peak.reading).toBe(2);
      } finally {
        w2.cleanup();
      }
    } finally {
      w.cleanup();
    }
  });

  it('reports a file gone between listing and reading as data, with its reason, and takes in the rest', async () => {
    const w = world();
    try {
      put(w.folder, 'stays.fit', fit(NOW - 7_200_000, 80), NOW - 7_200_000);
      const doomed = put(w.folder, 'pulled.fit', fit(NOW - 3_600_000, 81), NOW - 3_600_000);
      const pullFirst = (c: Candidate): Candidate =>
        c.path === doomed ? { ...c, bytes: { read: (e, m) => (rmSync(doomed), c.bytes.read(e, m)) } } : c;
      const { report, taken } = await intake(w, {}, pullFirst);
      expect(taken.map((t) => [t.path.split('/').pop(), t.outcome])).toEqual([
        ['pulled.fit', 'unreadable'],
        ['stays.fit', 'queued'],
      ]);
      expect(report.problems).toEqual([{ path: doomed, reason: 'the file disappeared (device unplugged or file moved)' }]);
      expect(w.journal.list().map((r) => r.relPath)).toEqual(['stays.fit']);
    } finally {
      w.cleanup();
    }
  });
});
