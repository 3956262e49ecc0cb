/**
 * The watch of the issue: a Garmin laid out as over MTP (`Internal Storage/GARMIN/…`,
 * GarminDevice.xml naming its activity folder) holding 400 activities older than the
 * backfill window and 2 new ones, each a 1-hour FIT (~83 KB) named by its start as Garmin
 * names them, with the mtime a watch gives it (the end of the activity).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { garminDeviceXml } from '../../src/sources/test-fixtures.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';

export const STORAGE = 'Internal Storage';
export const ACTIVITY_DIR = join(STORAGE, 'GARMIN', 'Activity');
const DAY = 86_400_000;
const DURATION_S = 3600;

export interface WatchFile {
  readonly name: string;
  readonly sha256: string;
  readonly start: number;
  readonly bytes: number;
}

/** Garmin's own naming: the start, e.g. 2025-03-01-06-00-00.fit (the device's zone; UTC here). */
const garminName = (start: number) => `${new Date(start).toISOString().slice(0, 19).replace(/[T:]/g, '-')}.fit`;

/** Writes one activity that started at `start` into the watch's activity folder under `root`. */
export function addActivity(root: string, start: number, serial: number): WatchFile {
  const bytes = generateFitActivity({ start: new Date(start), durationS: DURATION_S, serial, seed: serial, sport: serial % 3 === 0 ? 'cycling' : 'running' });
  const name = garminName(start);
  const path = join(root, ACTIVITY_DIR, name);
  writeFileSync(path, bytes);
  const end = (start + DURATION_S * 1000) / 1000;
  utimesSync(path, end, end);
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), start, bytes: bytes.length };
}

/** `old` activities one a day from 20 days back, and `fresh` ones in the last two days. */
export function writeWatch(root: string, old: number, fresh: number, now = Date.now()): { old: WatchFile[]; fresh: WatchFile[] } {
  mkdirSync(join(root, ACTIVITY_DIR), { recursive: true });
  writeFileSync(join(root, STORAGE, 'GARMIN', 'GarminDevice.xml'), garminDeviceXml({ id: '3999000111', description: 'Forerunner 965' }));
  const hour = (i: number) => (6 + (i % 12)) * 3_600_000;
  const oldFiles = Array.from({ length: old }, (_, i) => addActivity(root, Math.floor((now - (20 + i) * DAY) / DAY) * DAY + hour(i), 1_000 + i));
  const freshFiles = Array.from({ length: fresh }, (_, i) => addActivity(root, now - (3 + 20 * i) * 3_600_000, 5_000 + i));
  return { old: oldFiles, fresh: freshFiles };
}

/** The same files (mtimes kept) somewhere else: the local-disk control. */
export function copyWatch(from: string, to: string): void {
  cpSync(from, to, { recursive: true, preserveTimestamps: true });
}
