/**
 * What a file's stat and name say about when its activity happened, before it is read:
 * the order files are read in (newest first) and, on a source's first scan, whether a
 * file is so clearly older than the backfill window that it need not be opened at all.
 */

/**
 * Evidence from a stat must clear the window's edge by this much. FAT stores local time
 * (UTC−12 … UTC+14 read as UTC) and shifts an hour at DST changes; makers' file names
 * carry the device's local time too. Two days covers both with room to spare.
 */
export const STAT_MARGIN_MS = 2 * 86_400_000;

/** Earlier mtimes come from a device that lost its clock (FAT's 1980, GPS week rollovers): no evidence. */
const PLAUSIBLE_FROM = Date.UTC(2000, 0, 1);

/**
 * Makers' names that encode the start (device local time, zone unknown):
 * Garmin `2025-10-31-19-56-19.fit`, `Edge810-Vector-2013-08-16-15-35-10.fit`;
 * Wahoo ELEMNT `2019-02-17-062644-ELEMNT-297E-195-0.fit`; `20170518-191602-1740899583.fit`.
 */
const NAME_PATTERNS: readonly RegExp[] = [
  /(?:^|\D)(\d{4})-(\d{2})-(\d{2})-(\d{2})-?(\d{2})-?(\d{2})(?=\D|$)/,
  /(?:^|\D)(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?=\D|$)/,
];

/** The time a maker's file name encodes (read as UTC; off by the device's zone), if any. */
export function nameTimeMs(name: string): number | undefined {
  for (const pattern of NAME_PATTERNS) {
    const match = pattern.exec(name);
    if (!match) continue;
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const time = Date.UTC(year, month - 1, day, hour, minute, second);
    const back = new Date(time);
    // 2025-02-30 or 25:61 are not times: Date.UTC would roll them over silently.
    if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || back.getUTCHours() !== hour || back.getUTCMinutes() !== minute) continue;
    return time;
  }
  return undefined;
}

/** When the activity probably happened, before reading: the name's time, else the mtime. */
export function estimatedTimeMs(name: string, mtimeMs: number): number {
  return nameTimeMs(name) ?? mtimeMs;
}

/**
 * True when the stat alone puts the file clearly before `cutoffMs`: a plausible mtime,
 * and the name's time where the name has one, both older than the cutoff by the margin.
 * Anything near the edge, or with evidence that disagrees, is read instead.
 */
export function clearlyBefore(cutoffMs: number, name: string, mtimeMs: number): boolean {
  const limit = cutoffMs - STAT_MARGIN_MS;
  if (mtimeMs < PLAUSIBLE_FROM || mtimeMs >= limit) return false;
  const named = nameTimeMs(name);
  return named === undefined || named < limit;
}
