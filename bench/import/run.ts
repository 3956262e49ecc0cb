/**
 * Importing a generated Strava export (MMT_BENCH_IMPORT_FILES activities, default 2,000
 * of ~290 KB: ~600 MB of FIT) into the sandbox run with `--rate-limit 120` (requests per
 * minute and account, a sliding window: faults.ts), in a process of its own.
 *
 * Figures, each beside its control from the same run:
 * - answers of 429 (the sandbox's own count) against the 5;
 * - wall time of `mmt-sync import` (spawn to exit: preview, intake and every upload)
 *   against the rate limit's minimum, N / limit minutes;
 * - peak RSS (GNU time) of the import against 200 MB, beside the peak RSS of the preview
 *   alone (`import --dry-run` of the same export: reading and decompressing everything).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { MB, round } from '../lib/stats.js';
import { cliPath, makeHome, scriptedLogin, startChild, startSandboxProcess, uploadRequests, type BenchHome } from '../upload/processes.js';
import { writeStravaExport } from './export.js';

const RATE_LIMIT_PER_MIN = 120;
const MAX_429 = 5;
const TIME_FACTOR = 1.2;
const TARGET_PEAK_MB = 200;
const GNU_TIME = '/usr/bin/time';

function envCount(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`Expected ${name} to be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** `mmt-sync import EXPORT --json [more]` under GNU time: exit, wall time, peak RSS, its JSON. */
async function timedImport(home: BenchHome, exportPath: string, more: readonly string[]) {
  if (!existsSync(GNU_TIME)) throw new Error(`Expected GNU time at ${GNU_TIME} for the peak RSS, got nothing there`);
  const timeFile = join(home.dir, `time-${Date.now()}.txt`);
  const started = performance.now();
  const child = startChild(GNU_TIME, ['-f', '%M %e', '-o', timeFile, process.execPath, cliPath(), 'import', exportPath, '--json', ...more], home.env);
  const { code, signal } = await child.exited;
  const wallS = (performance.now() - started) / 1000;
  const { stdout, stderr } = child.output();
  if (code !== 0) throw new Error(`Expected mmt-sync import to exit 0, got ${code ?? signal}; stderr: ${stderr.slice(-3000)}`);
  const match = /^(\d+) ([\d.]+)$/.exec(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '');
  if (!match) throw new Error(`Expected GNU time's figures in ${timeFile}, got none`);
  return { wallS, peakRss: Number(match[1]) * 1024, json: JSON.parse(stdout) as { preview: Record<string, unknown>; result?: Record<string, number> } };
}

export async function measureImport(): Promise<Check[]> {
  const count = envCount('MMT_BENCH_IMPORT_FILES', 2000, 10);
  const durationS = envCount('MMT_BENCH_IMPORT_DURATION_S', 12_500, 60);
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-import-'));
  const sandbox = await startSandboxProcess(['--rate-limit', String(RATE_LIMIT_PER_MIN)]);
  const home = makeHome(sandbox, ['intake:', '  settleS: 0', ''].join('\n'), 'mmt-sync-bench-import-');
  try {
    const genStart = performance.now();
    const generated = await writeStravaExport(join(work, 'export_1.zip'), count, durationS);
    progress(`import: ${count} activities generated (${round(generated.fitBytes / MB, 1)} MB of FIT, zip ${round(generated.zipBytes / MB, 1)} MB) in ${round((performance.now() - genStart) / 1000, 1)} s`);
    await scriptedLogin(home);

    const loadBefore = loadavg().map((l) => round(l, 2));
    const preview = await timedImport(home, generated.path, ['--dry-run']);
    progress(`import: preview alone ${round(preview.wallS, 1)} s, peak RSS ${round(preview.peakRss / MB, 1)} MB`);
    const startedAt = Date.now();
    const run = await timedImport(home, generated.path, []);
    const loadAfter = loadavg().map((l) => round(l, 2));
    const stats = await sandbox.stats();
    const uploads = uploadRequests(stats).filter((e) => e.t >= startedAt);
    const activities = await sandbox.activities();
    const received = new Set(activities.map((a) => a.sha256));
    const missing = [...generated.sha256s].filter((sha) => !received.has(sha)).length;
    const exactlyOnce = missing === 0 && activities.length === count && run.json.result?.uploaded === count;
    const limited = stats.faults.rateLimited;
    const minimumS = (count / RATE_LIMIT_PER_MIN) * 60;
    const arrivals = uploads.filter((e) => e.status === 200).map((e) => e.t).sort((a, b) => a - b);
    const uploadSpanS = arrivals.length > 1 ? (arrivals.at(-1)! - arrivals[0]!) / 1000 : 0;
    progress(`import: ${round(run.wallS, 1)} s (minimum ${round(minimumS, 1)} s), ${limited} answers of 429, peak RSS ${round(run.peakRss / MB, 1)} MB, exactly once: ${exactlyOnce}`);
    const setup = {
      activities: count,
      activityS: durationS,
      fitMB: round(generated.fitBytes / MB, 1),
      zipMB: round(generated.zipBytes / MB, 1),
      layout: 'Strava bulk export: activities/<id>.fit.gz stored in one zip, activities.csv',
      sandbox: `mmt-sync sandbox --rate-limit ${RATE_LIMIT_PER_MIN} (per minute and account, sliding 60 s window) in its own process on 127.0.0.1`,
      config: 'import.startPerMin 60 (default), upload.concurrency 2 (default), tokens in a file',
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    };
    return [
      {
        id: 'import-429s',
        what: `answers of 429 the sandbox gave over the whole import of ${count} activities (its own fault count), every activity up exactly once`,
        target: `<= ${MAX_429}`,
        pass: limited <= MAX_429 && exactlyOnce,
        headline: `${limited} (exactly once: ${exactlyOnce})`,
        numbers: { rateLimited: limited, reportedByImport: run.json.result?.rateLimited, ceilingPerMin: run.json.result?.ceilingPerMin, uploadRequests: uploads.length, missing, setup },
      },
      {
        id: 'import-time',
        what: '`mmt-sync import EXPORT --json` from spawn to exit (preview, intake, every upload), beside the minimum the rate limit allows (N / limit)',
        target: `<= ${TIME_FACTOR} x ${round(minimumS, 1)} s`,
        pass: run.wallS <= TIME_FACTOR * minimumS && exactlyOnce,
        headline: `${round(run.wallS, 1)} s = ${round(run.wallS / minimumS, 3)} x the minimum ${round(minimumS, 1)} s`,
        numbers: {
          wallS: round(run.wallS, 1),
          control: { minimumS: round(minimumS, 1), strictMinimumS: round(((count - RATE_LIMIT_PER_MIN) / RATE_LIMIT_PER_MIN) * 60, 1), previewAloneS: round(preview.wallS, 1) },
          ratio: round(run.wallS / minimumS, 3),
          uploadSpanS: round(uploadSpanS, 1),
          achievedPerMin: uploadSpanS > 0 ? round(((arrivals.length - 1) / uploadSpanS) * 60, 1) : undefined,
        },
      },
      {
        id: 'import-peak-rss',
        what: 'peak RSS of the import process (GNU time %M), beside the peak RSS of the preview alone (`import --dry-run`, same export) from the same run',
        target: `<= ${TARGET_PEAK_MB} MB`,
        pass: run.peakRss <= TARGET_PEAK_MB * MB,
        headline: `${round(run.peakRss / MB, 1)} MB (preview alone ${round(preview.peakRss / MB, 1)} MB)`,
        numbers: { unit: 'MB = 10^6 bytes', peakRssMB: round(run.peakRss / MB, 1), control: { previewAlonePeakRssMB: round(preview.peakRss / MB, 1) } },
      },
    ];
  } finally {
    await sandbox.close();
    home.remove();
    rmSync(work, { recursive: true, force: true });
  }
}
