/**
 * The verdict rules of issue 14 on hand-written files: an activity whose file_id names no
 * type, an intact activity without a summary, a clock that was never set, and indoor
 * activities (no positions) repaired with their indoor type.
 */
import { describe, expect, it } from 'vitest';
import { activity, FILE_ID, fitTime, GARMIN, RawFit, RECORD, semi, SESSION, T0 } from '../../testing/raw-fit.js';
import { generateFitActivity } from '../../testing/fit-generator.js';
import { classifyFit } from './classify.js';

const INDOOR_RECORD = [[253, 4, 0x86], [3, 1, 0x02], [5, 4, 0x86]] as const;

describe('classifyFit verdicts', () => {
  it('takes a file_id without a type for an activity when records and a session show one', () => {
    const untyped = activity({ type: 0xff });
    expect(classifyFit(untyped)).toMatchObject({
      verdict: 'upload',
      kind: 'activity',
      reason: 'activity without a file type in its file_id (its records and session show one)',
      points: 10,
      sport: 'running',
    });
    // Records alone are not enough to call a file of no type an activity.
    const recordsOnly = new RawFit().define(0, 0, FILE_ID).data(0, [0xff, GARMIN, 2697, 1234, T0]).define(1, 20, RECORD).data(1, [T0, semi(1), semi(1), 3000, 100]).file();
    expect(classifyFit(recordsOnly)).toMatchObject({ verdict: 'skip', reason: 'not an activity (file type: unknown)' });
    // Damaged, it is repaired like any activity.
    untyped[untyped.length - 1]! ^= 0xff;
    expect(classifyFit(untyped)).toMatchObject({ verdict: 'repair', kind: 'activity', repaired: { format: 'fit' } });
  });

  it('uploads an intact activity without session or lap as it is, saying it has no summary', () => {
    const bare = new RawFit().define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]).define(1, 20, RECORD);
    for (let i = 0; i < 5; i++) bare.data(1, [T0 + i, semi(51 + i * 1e-4), semi(0.1), 3000, 100]);
    const a = classifyFit(bare.file());
    expect(a).toMatchObject({ verdict: 'upload', reason: 'activity without a summary', durationS: 4, problems: [] });
    expect(a.repaired).toBeUndefined();
  });

  it('uses the creation time for a start before 2000 (a clock never set), in the summary and the identity alike', () => {
    const unset = fitTime('1999-06-01T00:00:00Z');
    const created = fitTime('2024-03-01T08:00:00Z');
    const build = (serial: number): Uint8Array => {
      const fit = new RawFit().define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, serial, created]).define(1, 20, RECORD);
      for (let i = 0; i < 5; i++) fit.data(1, [unset + i, semi(51 + i * 1e-4), semi(0.1), 3000, 100]);
      return fit.define(2, 18, SESSION).data(2, [unset + 5, unset, 1, 0, 5000, 5000, 1000]).file();
    };
    expect(classifyFit(build(1234))).toMatchObject({ start: '2024-03-01T08:00:00Z', identity: 'fit:garmin:1234:2024-03-01T08:00:00Z', durationS: 5 });
    // Without a serial the identity also names the first record's time: the same rule applies there.
    expect(classifyFit(build(0))).toMatchObject({ start: '2024-03-01T08:00:00Z', identity: 'fit:garmin:product-2697:2024-03-01T08:00:00Z:2024-03-01T08:00:00Z' });
    // A plausible start is kept, whatever the creation time says.
    expect(classifyFit(activity())).toMatchObject({ start: '2024-03-01T08:00:00Z' });
  });

  it('repairs an indoor activity (timed records, no positions) as FIT with its indoor type, where GPX had nothing to rebuild', () => {
    const fit = new RawFit().define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]).define(1, 20, INDOOR_RECORD);
    for (let i = 0; i < 60; i++) fit.data(1, [T0 + i, 120 + (i % 10), i * 800]);
    const bytes = fit.define(2, 18, SESSION).data(2, [T0 + 60, T0, 2, 6, 60_000, 60_000, 48_000]).file(); // cycling / indoor_cycling
    bytes[bytes.length - 1]! ^= 0xff;
    const a = classifyFit(bytes);
    expect(a).toMatchObject({ verdict: 'repair', positions: 0, activityType: 'indoor cycling', repaired: { format: 'fit' } });
    expect(classifyFit(a.repaired!.bytes)).toMatchObject({ verdict: 'upload', points: 60, positions: 0, activityType: 'indoor cycling' });
  });

  it.each([
    ['a treadmill run', { sport: 'running' } as const, 'running', 'treadmill'],
    ['a ride on a trainer', { sport: 'cycling' } as const, 'indoor cycling', 'indoor_cycling'],
    ['a pool swim', { sport: 'swimming' } as const, 'swimming', 'lap_swimming'],
    ['a walk on a treadmill', { sport: 'walking' } as const, 'walking', 'indoor_walking'],
  ])('gives %s cut short its indoor type', (_what, options, type, subSport) => {
    const clean = generateFitActivity({ start: new Date('2025-01-05T18:00:00Z'), durationS: 300, indoor: true, ...options });
    expect(classifyFit(clean)).toMatchObject({ verdict: 'upload', activityType: type, subSport });
    const a = classifyFit(clean.slice(0, Math.floor(clean.length * 0.7)));
    expect(a).toMatchObject({ verdict: 'repair', activityType: type, subSport, positions: 0, repaired: { format: 'fit' } });
    expect(a.reason).toContain('summary rebuilt from records');
  });
});
