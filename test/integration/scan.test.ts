import { appendFileSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli, startCli } from '../helpers/cli.js';
import { expectedRows } from '../helpers/corpus.js';
import { corpusCopy } from '../helpers/tree.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };

async function scan(home: ReturnType<typeof makeHome>, folder: string, extra: string[] = []) {
  const result = await runCli(['scan', '--json', '--folder', folder, ...extra], home.env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, number>;
}

describe('mmt-sync scan', () => {
  it('journals the corpus with the expected verdicts; a no-op rescan reads nothing; renames and DST-shifted mtimes add nothing', async () => {
    const folder = corpusCopy();
    const victim = join(folder, 'gpx/korita-zbevnica.gpx');
    // Whole seconds: utimes takes float seconds, and a sub-millisecond mtime would not round-trip.
    utimesSync(victim, 1_700_000_000, 1_700_000_000);
    const home = makeHome(API, 'intake:\n  settleS: 0.2\n  backfill: all\n');
    const first = await scan(home, folder);
    const rows = expectedRows();
    expect(first.files).toBe(rows.length);
    const journal = Journal.open(home.stateDir);
    try {
      const byPath = new Map(journal.list().map((r) => [r.relPath, r]));
      for (const row of rows) {
        const record = byPath.get(row.file);
        expect(record, row.file).toBeDefined();
        expect(record!.verdict, `${row.file}: ${record!.reason}`).toBe(row.outcome);
        if (row.outcome === 'skip') expect(record!.state).toBe('skipped');
        else expect(['queued', 'duplicate']).toContain(record!.state);
      }
      // Same activity under several names (the corpus holds damaged copies of Activity.fit): queued once.
      const queuedIdentities = journal.list({ states: ['queued'] }).map((r) => r.identity);
      expect(new Set(queuedIdentities).size).toBe(queuedIdentities.length);
    } finally {
      journal.close();
    }

    // Rewrite a file's bytes in place, same size and mtime: a no-op rescan must not notice (it reads nothing).
    const bytes = readFileSync(victim);
    bytes[bytes.length - 3] = 0x20;
    writeFileSync(victim, bytes);
    utimesSync(victim, 1_700_000_000, 1_700_000_000);
    const second = await scan(home, folder);
    expect(second.unchanged).toBe(rows.length);
    expect(second.queued).toBe(0);

    // Renamed and re-mounted with mtimes an hour off: nothing new.
    renameSync(join(folder, 'fit/garmin-fenix-5-run.fit'), join(folder, 'fit/renamed-run.fit'));
    for (const f of ['fit/garmin-edge-820-bike.fit', 'gpx/cerknicko-jezero.gpx']) {
      const s = statSync(join(folder, f));
      utimesSync(join(folder, f), s.atime, new Date(s.mtimeMs + 3_600_000));
    }
    const third = await scan(home, folder);
    expect(third.queued).toBe(0);
    expect(third.duplicates).toBe(1);
  });

  it('records old files of a first scan as baseline, says how to upload them, and --since queues them', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-backfill-'));
    writeFileSync(join(folder, 'old.fit'), generateFitActivity({ start: new Date('2024-03-01T07:00:00Z'), durationS: 600, serial: 11 }));
    writeFileSync(join(folder, 'new.fit'), generateFitActivity({ start: new Date(Date.now() - 86_400_000), durationS: 600, serial: 12 }));
    const home = makeHome(API, 'intake:\n  settleS: 0.1\n');
    const result = await runCli(['scan', '--folder', folder], home.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 queued for upload.*1 baseline/);
    expect(result.stderr).toMatch(/1 older file was recorded as baseline.*--since/);
    const later = await scan(home, folder, ['--since', '2024-01-01']);
    expect(later.unchanged).toBe(2);
    const journal = Journal.open(home.stateDir);
    expect(journal.counts().queued).toBe(2);
    journal.close();
  });

  it('does not take a file that is still being written, and takes it once it holds still', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-settle-'));
    const full = generateFitActivity({ start: new Date(Date.now() - 3_600_000), durationS: 1800, serial: 77 });
    const path = join(folder, 'growing.fit');
    writeFileSync(path, full.subarray(0, 1000));
    const home = makeHome(API, 'intake:\n  settleS: 1\n  backfill: all\n');
    const run = startCli(['scan', '--json', '--folder', folder], home.env);
    // Once the scan has opened its journal it walks and then waits out the settle window;
    // the watch is still writing then (however slowly a loaded machine started the scan).
    while (!existsSync(join(home.stateDir, 'journal.sqlite'))) await new Promise((r) => setTimeout(r, 20));
    const fd = openSync(path, 'a');
    for (let offset = 1000; offset < full.length; offset += 2048) {
      await new Promise((r) => setTimeout(r, 60));
      writeSync(fd, full.subarray(offset, Math.min(full.length, offset + 2048)));
    }
    closeSync(fd);
    const first = await run.done;
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, number>;
    expect(report.notSettled).toBe(1);
    expect(report.queued).toBe(0);
    const second = await scan(home, folder);
    expect(second.queued).toBe(1);
    const journal = Journal.open(home.stateDir);
    const [record] = journal.list();
    expect(record?.verdict).toBe('upload');
    journal.close();
  });

  it('refuses files above the size cap with the reason and keeps going', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-cap-'));
    writeFileSync(join(folder, 'ok.fit'), generateFitActivity({ start: new Date(Date.now() - 3_600_000), durationS: 60, serial: 5 }));
    appendFileSync(join(folder, 'huge.gpx'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    const home = makeHome(API, 'intake:\n  settleS: 0\n  maxFileMB: 1\n  backfill: all\n');
    const report = await scan(home, folder);
    expect(report.queued).toBe(1);
    expect(report.refused).toBe(1);
    const journal = Journal.open(home.stateDir);
    const huge = journal.list().find((r) => r.relPath === 'huge.gpx');
    expect(huge?.state).toBe('skipped');
    expect(huge?.reason).toMatch(/larger than the 1 MB cap/);
    journal.close();
  });
});
