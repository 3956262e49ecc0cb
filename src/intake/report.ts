/** What one pass found, by outcome; `inspect`, `scan`, `sync` and the daemon report it. */
export interface ScanReport {
  files: number;
  unchanged: number;
  queued: number;
  repair: number;
  skipped: number;
  duplicates: number;
  baseline: number;
  /** Of `baseline`: judged by their stat alone, never read (read if asked for: --since, forget, import). */
  baselineUnread: number;
  refused: number;
  notSettled: number;
  unreadable: number;
  /** An import's activities from outside the dates asked for (--since/--until): not recorded. */
  outside: number;
  problems: Array<{ path: string; reason: string }>;
  /**
   * Sources holding files back (a ride being recorded beside Zwift's fresh in-progress
   * file), by id: when they may be listed. The daemon rescans each then.
   */
  heldUntil: Record<string, number>;
}

export function emptyReport(): ScanReport {
  return { files: 0, unchanged: 0, queued: 0, repair: 0, skipped: 0, duplicates: 0, baseline: 0, baselineUnread: 0, refused: 0, notSettled: 0, unreadable: 0, outside: 0, problems: [], heldUntil: {} };
}
