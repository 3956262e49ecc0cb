/**
 * A no-op rescan of a 10,000-file source: what the daemon pays on every timer tick and
 * every mount when nothing changed. Also times the first full scan that fills the journal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanSources, type ScanOptions, type ScanReport } from '../../src/intake/scan.js';
import { Journal } from '../../src/journal/journal.js';
import { Spool } from '../../src/journal/spool.js';
import { silentLogger } from '../../src/log.js';
import { configuredSources } from '../../src/sources/index.js';
import { generateFitActivity, type GeneratedSport } from '../../src/testing/fit-generator.js';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { median, percentile, round } from '../lib/stats.js';

const TARGET_MEDIAN_MS = 150;
const FILES = 10_000;
/** Distinct FIT activities; the other FIT files are copies of them in other folders. */
const DISTINCT_FIT = 300;
const FIT_SHARE = 0.5;
const FILES_PER_FOLDER = 200;
const RESCANS = 11;
const SPORTS: readonly GeneratedSport[] = ['running', 'cycling', 'walking', 'hiking'];

/** A short GPX track: three timed points, so it classifies as an activity. */
function tinyGpx(i: number): string {
  const t = Date.UTC(2022, 0, 1) + i * 3_600_000;
  const point = (k: number) =>
    `<trkpt lat="${(46 + i * 1e-5 + k * 1e-4).toFixed(6)}" lon="${(14.5 + k * 1e-4).toFixed(6)}"><ele>${300 + k}</ele>` +
    `<time>${new Date(t + k * 5000).toISOString()}</time></trkpt>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="mmt-sync bench" xmlns="http://www.topografix.com/GPX/1/1">` +
    `<trk><name>walk ${i}</name><trkseg>${[0, 1, 2].map(point).join('')}</trkseg></trk></gpx>\n`
  );
}

/** Half FIT (a few hundred distinct, copied into other folders), half distinct tiny GPX, 200 a folder. */
function populate(root: string): { bytes: number; fit: number; gpx: number } {
  const fitCount = Math.round(FILES * FIT_SHARE);
  const distinct = Array.from({ length: DISTINCT_FIT }, (_, i) =>
    generateFitActivity({
      start: new Date(Date.UTC(2021, 0, 1) + i * 86_400_000),
      durationS: 300,
      sport: SPORTS[i % SPORTS.length]!,
      seed: i + 1,
      serial: 3_900_000_000 + i,
    }),
  );
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const folder = join(root, `${2020 + Math.floor(i / (FILES_PER_FOLDER * 12))}`, `${String(Math.floor(i / FILES_PER_FOLDER) % 12 + 1).padStart(2, '0')}`);
    if (i % FILES_PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    const content = i < fitCount ? distinct[i % DISTINCT_FIT]! : tinyGpx(i);
    const name = i < fitCount ? `activity-${String(i).padStart(5, '0')}.fit` : `track-${String(i).padStart(5, '0')}.gpx`;
    writeFileSync(join(folder, name), content);
    bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  }
  return { bytes, fit: fitCount, gpx: FILES - fitCount };
}

/** Counts that must be zero for a rescan to have been a no-op. */
function changed(report: ScanReport): number {
  return report.files - report.unchanged;
}

export async function measureRescan(): Promise<Check> {
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-rescan-'));
  try {
    const root = join(work, 'source');
    const generateStart = performance.now();
    const made = populate(root);
    progress(`rescan: wrote ${FILES} files (${round(made.bytes / 1e6, 1)} MB) in ${round((performance.now() - generateStart) / 1000, 1)} s`);

    const sources = configuredSources({ sources: [] }, [root], { cwd: work, env: {} });
    const stateDir = join(work, 'state');
    const journal = Journal.open(stateDir);
    // As `mmt-sync scan` does: every queued file is also copied (fsync'ed) into the spool.
    const spool = new Spool(stateDir);
    const options: ScanOptions = { settleMs: 0, backfillCutoffMs: undefined, maxFileBytes: 64 * 2 ** 20, log: silentLogger, spool };
    try {
      const fullStart = performance.now();
      const first = await scanSources(sources, journal, options);
      const fullMs = performance.now() - fullStart;
      progress(`rescan: full scan ${round(fullMs / 1000, 1)} s (${round(FILES / (fullMs / 1000), 0)} files/s)`);

      const samples: number[] = [];
      let notNoOp = 0;
      // The first rescan is a warm-up (JIT, prepared statements); it is not counted.
      for (let i = 0; i <= RESCANS; i++) {
        const start = performance.now();
        const report = await scanSources(sources, journal, options);
        const ms = performance.now() - start;
        if (changed(report) !== 0) notNoOp++;
        if (i > 0) samples.push(ms);
      }
      const med = median(samples);
      const p90 = percentile(samples, 90);
      progress(`rescan: no-op rescan median ${round(med, 1)} ms, p90 ${round(p90, 1)} ms`);
      const { problems, ...outcome } = first;
      return {
        id: 'noop-rescan',
        what: `scanSources over one folder source of ${FILES} files (nothing changed since the last scan) into a journal that holds them all`,
        target: `median <= ${TARGET_MEDIAN_MS} ms`,
        pass: med <= TARGET_MEDIAN_MS && notNoOp === 0,
        headline: `${round(med, 1)} ms median, ${round(p90, 1)} ms p90`,
        numbers: {
          files: FILES,
          layout: `${made.fit} FIT (${DISTINCT_FIT} distinct, 300 s at 1 s records, copied across folders) + ${made.gpx} distinct 3-point GPX, ${FILES_PER_FOLDER} a folder`,
          MB: round(made.bytes / 1e6, 2),
          rescans: samples.length,
          medianMs: round(med, 2),
          p90Ms: round(p90, 2),
          minMs: round(Math.min(...samples), 2),
          maxMs: round(Math.max(...samples), 2),
          rescansThatFoundChanges: notNoOp,
          fullScan: {
            ms: round(fullMs, 0),
            filesPerS: round(FILES / (fullMs / 1000), 0),
            MBps: round(made.bytes / 1e6 / (fullMs / 1000), 2),
            outcome: { ...outcome, problems: problems.length },
          },
          tmpdir: tmpdir(),
        },
      };
    } finally {
      journal.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
