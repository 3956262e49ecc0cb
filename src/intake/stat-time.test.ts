import { describe, expect, it } from 'vitest';
import { STAT_MARGIN_MS, clearlyBefore, estimatedTimeMs, nameTimeMs } from './stat-time.js';

const DAY = 86_400_000;

describe('nameTimeMs', () => {
  it('reads the start makers encode in their file names, from the shared corpus', () => {
    expect(nameTimeMs('2013-02-06-12-11-14.fit')).toBe(Date.UTC(2013, 1, 6, 12, 11, 14));
    expect(nameTimeMs('Edge810-Vector-2013-08-16-15-35-10.fit')).toBe(Date.UTC(2013, 7, 16, 15, 35, 10));
    expect(nameTimeMs('2019-02-17-062644-ELEMNT-297E-195-0.fit')).toBe(Date.UTC(2019, 1, 17, 6, 26, 44));
    expect(nameTimeMs('20170518-191602-1740899583.fit')).toBe(Date.UTC(2017, 4, 18, 19, 16, 2));
  });

  it('finds no time in names that carry none, or carry an impossible one', () => {
    for (const name of ['Activity.fit', 'garmin-fenix-5-run.fit', 'A1B21234.FIT', '2025-02-30-10-00-00.fit', '2025-01-01-25-00-00.fit', '12025-01-01-10-00-00.fit']) {
      expect(nameTimeMs(name), name).toBeUndefined();
    }
  });

  it('orders by the name where it has a time, else by mtime', () => {
    expect(estimatedTimeMs('2013-02-06-12-11-14.fit', 5)).toBe(Date.UTC(2013, 1, 6, 12, 11, 14));
    expect(estimatedTimeMs('run.fit', 5)).toBe(5);
  });
});

describe('clearlyBefore', () => {
  const cutoff = Date.UTC(2026, 10, 15);

  it('needs the mtime older than the cutoff by the margin (at least 2 days: FAT local time and DST)', () => {
    expect(STAT_MARGIN_MS).toBeGreaterThanOrEqual(2 * DAY);
    expect(clearlyBefore(cutoff, 'run.fit', cutoff - STAT_MARGIN_MS - 1)).toBe(true);
    expect(clearlyBefore(cutoff, 'run.fit', cutoff - STAT_MARGIN_MS)).toBe(false);
    expect(clearlyBefore(cutoff, 'run.fit', cutoff - DAY)).toBe(false);
  });

  it('reads a file whose name and mtime disagree', () => {
    const old = cutoff - 30 * DAY;
    expect(clearlyBefore(cutoff, '2026-11-20-07-00-00.fit', old)).toBe(false);
    expect(clearlyBefore(cutoff, '2026-10-01-07-00-00.fit', old)).toBe(true);
  });

  it('takes no evidence from the mtime of a device that lost its clock', () => {
    expect(clearlyBefore(cutoff, 'run.fit', Date.UTC(1980, 0, 1))).toBe(false);
    expect(clearlyBefore(cutoff, 'run.fit', Date.UTC(1999, 11, 31))).toBe(false);
  });
});
