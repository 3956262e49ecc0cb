/**
 * Run size, the fuzz summary's shape, and where it is written. `MMT_SYNC_CHAOS=full`
 * (npm run test:chaos) is the full size; anything else is the CI size.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from '../../helpers/cli.js';

export const FULL = process.env.MMT_SYNC_CHAOS === 'full';
export const SIZE: 'full' | 'ci' = FULL ? 'full' : 'ci';
export const RESULTS_FILE = join(REPO, 'bench', 'results', 'fuzz.json');
export const FIXTURES = join(REPO, 'test', 'reliability', 'fixtures');

export function machine() {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Writes this run's summary as the file's top level, and keeps the last run of each
 * size under `bySize`, so a CI-size run does not erase the full-size figures.
 */
export function writeResults(summary: Record<string, unknown> & { size: string }, file = RESULTS_FILE): void {
  let bySize: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const previous = JSON.parse(readFileSync(file, 'utf8')) as { bySize?: Record<string, unknown> };
      bySize = previous.bySize ?? {};
    } catch {
      bySize = {};
    }
  }
  bySize[summary.size] = summary;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...summary, bySize }, null, 2)}\n`);
}
