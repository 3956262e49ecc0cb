import { usageError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { STAT_MARGIN_MS } from './stat-time.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The moment before which a source's first scan records files as baseline instead of
 * uploading them. undefined: everything uploads (`all`). `--since` wins over the setting.
 */
export function backfillCutoff(setting: string, since: string | undefined, now = Date.now()): number | undefined {
  return parseMoment(since ?? setting, since !== undefined ? '--since' : 'intake.backfill', now);
}

/**
 * A moment as a person writes it: a date (2026-01-31, UTC midnight), a duration back from
 * now (14d, 12h, 2w), or "all" (undefined: no bound). `what` names the setting in the error.
 */
export function parseMoment(text: string, what: string, now = Date.now()): number | undefined {
  const value = text.trim();
  if (value === 'all') return undefined;
  const duration = /^(\d+)([hdw])$/.exec(value);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  const date = Date.parse(value);
  // Date.parse takes 2024-02-30 as 1 March: the calendar date must survive the round trip.
  if (day && !Number.isNaN(date) && new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)).toISOString().slice(0, 10) === day[0]) return date;
  throw usageError('BAD_SINCE', `${what}: expected a date like 2026-01-31, a duration like 14d, or "all", got "${value}"`);
}

/** When an activity happened, for the backfill rule: its own start, else the file's mtime. */
export function activityTime(start: string | null | undefined, mtimeMs: number): number {
  const parsed = start ? Date.parse(start) : Number.NaN;
  return Number.isNaN(parsed) ? mtimeMs : parsed;
}

/**
 * `--since`: baseline files from the cutoff on are sent. Those judged by their stat alone
 * are asked for within the stat margin of it, read at the next scan that sees them, and
 * kept as baseline if their decoded start is still before it.
 */
export function releaseBaseline(journal: Journal, cutoff: number | undefined): { queued: number; toRead: number } {
  return journal.releaseBaseline(cutoff ?? 0, STAT_MARGIN_MS);
}
