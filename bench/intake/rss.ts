/**
 * Peak resident memory while classifying a 24-hour FIT file, clean, with one corrupted
 * byte and cut short (the repair path: rewritten as FIT, the cut one with its summary
 * rebuilt). Each figure comes from a fresh process that does nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchFile } from '../lib/paths.js';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { round } from '../lib/stats.js';

const TARGET_MB = 100;
const MB = 1_000_000;

interface Generated {
  readonly clean: string;
  readonly corrupt: string;
  readonly cut: string;
  readonly bytes: number;
  readonly records: number;
  readonly corruptedOffset: number;
}

interface Measured {
  readonly baselineRss: number;
  readonly sampledPeakRss: number;
  readonly maxRss: number;
  readonly samples: number;
  readonly classifyMs: number;
  readonly verdict: string;
  readonly reason: string;
  readonly points: number;
  readonly problems: number;
  readonly repairedBytes: number;
}

/** Runs a compiled child script and parses the JSON line it prints. */
function child<T>(script: string, arg: string): T {
  const run = spawnSync(process.execPath, [benchFile(script), arg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${script} exited with ${run.status ?? run.signal}`);
  const line = run.stdout.trim().split('\n').at(-1);
  if (!line) throw new Error(`${script} printed nothing`);
  return JSON.parse(line) as T;
}

function summarise(m: Measured) {
  const peak = Math.max(m.maxRss, m.sampledPeakRss);
  return {
    peakRssMB: round(peak / MB, 1),
    baselineRssMB: round(m.baselineRss / MB, 1),
    aboveBaselineMB: round((peak - m.baselineRss) / MB, 1),
    classifyMs: round(m.classifyMs, 1),
    verdict: m.verdict,
    reason: m.reason,
    points: m.points,
    problems: m.problems,
    ...(m.repairedBytes ? { repairedMB: round(m.repairedBytes / MB, 2) } : {}),
  };
}

export async function measureRss(): Promise<Check> {
  const work = mkdtempSync(join(tmpdir(), 'mmt-sync-bench-rss-'));
  try {
    const file = child<Generated>('intake/rss-generate.js', work);
    const clean = summarise(child<Measured>('intake/rss-measure.js', file.clean));
    const corrupt = summarise(child<Measured>('intake/rss-measure.js', file.corrupt));
    const cut = summarise(child<Measured>('intake/rss-measure.js', file.cut));
    progress(`rss: 24-hour FIT peak ${clean.peakRssMB} MB clean, ${corrupt.peakRssMB} MB corrupted, ${cut.peakRssMB} MB cut short (${corrupt.verdict}, ${cut.verdict})`);
    const worst = Math.max(clean.peakRssMB, corrupt.peakRssMB, cut.peakRssMB);
    return {
      id: 'rss-24h-fit',
      what:
        'peak RSS of a fresh Node process that reads a 24-hour FIT file (86,400 records), clean, with a byte corrupted ' +
        'and cut short at 80 %, and classifies it (the damaged ones are repaired as FIT); ' +
        'max of process.resourceUsage().maxRSS and sampled process.memoryUsage().rss',
      target: `peak RSS <= ${TARGET_MB} MB`,
      pass: worst <= TARGET_MB,
      headline: `${clean.peakRssMB} MB clean, ${corrupt.peakRssMB} MB corrupted, ${cut.peakRssMB} MB cut short`,
      numbers: {
        unit: 'MB = 10^6 bytes; the baseline is the same process before reading the file',
        file: { MB: round(file.bytes / MB, 2), records: file.records, corruptedOffset: file.corruptedOffset },
        clean,
        corrupted: corrupt,
        cutShort: cut,
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
