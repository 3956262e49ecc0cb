/** A generated backlog: distinct FIT activities, as a watch's Activity folder holds them. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFitActivity } from '../../src/testing/fit-generator.js';

export interface GeneratedFile {
  readonly path: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

const FIRST_START = Date.parse('2025-03-01T06:00:00Z');
const FIRST_SERIAL = 3_900_000_000;

/**
 * The i-th activity of a series: 10 minutes, its own start (one every 6 hours) and its
 * own serial, so no two files share content or identity. Not written anywhere.
 */
export function backlogActivity(i: number, durationS = 600): { name: string; bytes: Uint8Array; sha256: string } {
  const start = new Date(FIRST_START + i * 6 * 3_600_000);
  const bytes = generateFitActivity({ start, durationS, serial: FIRST_SERIAL + i, seed: i + 1, sport: i % 3 === 2 ? 'cycling' : 'running' });
  // Garmin's own naming: the start time, e.g. 2025-03-01-06-00-00.fit.
  const name = `${start.toISOString().slice(0, 19).replace(/[T:]/g, '-')}.fit`;
  return { name, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Writes activities `from`..`from + count - 1` of the series into `dir`. */
export function writeBacklog(dir: string, count: number, from = 0): GeneratedFile[] {
  mkdirSync(dir, { recursive: true });
  const files: GeneratedFile[] = [];
  for (let i = from; i < from + count; i++) {
    const activity = backlogActivity(i);
    const path = join(dir, activity.name);
    writeFileSync(path, activity.bytes);
    files.push({ ...activity, path });
  }
  return files;
}
