/**
 * FIT files written byte by byte, for what no encoder produces on demand: big-endian
 * definitions, compressed-timestamp headers, developer fields, unknown messages,
 * chained and broken files. CRCs come from @garmin/fitsdk, not from our crc.ts.
 */
import { CrcCalculator } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { classifyFit, rebuildAsGpx } from './classify.js';
import { scanFit } from './scan.js';

import { activity, concat, CYCLING, FILE_ID, GARMIN, RawFit, RECORD, RECORD_NO_TIME, RUNNING, semi, T0 } from '../../testing/raw-fit.js';

describe('classifyFit on hand-written files', () => {
  it('summarises a little-endian activity', () => {
    const a = classifyFit(activity());
    expect(a).toMatchObject({
      verdict: 'upload',
      reason: 'complete activity file',
      kind: 'activity',
      sport: 'running',
      subSport: 'generic',
      activityType: 'running',
      start: '2024-03-01T08:00:00Z',
      durationS: 9,
      distanceM: 100,
      points: 10,
      positions: 10,
      problems: [],
      device: { manufacturer: 'garmin', product: 'fenix5', serial: '1234' }, // product 2697, named from the profile
      identity: 'fit:garmin:1234:2024-03-01T08:00:00Z',
    });
    expect(a.repaired).toBeUndefined();
  });

  it('reads big-endian definitions the same as little-endian ones', () => {
    const little = activity();
    const big = activity({ bigEndian: true });
    expect(big).not.toEqual(little);
    const { problems, ...summary } = classifyFit(big);
    expect(problems).toEqual([]);
    expect(summary).toEqual(omit(classifyFit(little), 'problems'));
    const track = scanFit(big, { track: true }).track!;
    expect(Array.from(track.lat.subarray(0, track.length))).toEqual(Array.from(scanFit(little, { track: true }).track!.lat.subarray(0, 10)));
    expect(track.ele[0]).toBe(100);
    expect(track.hr[9]).toBe(129);
  });

  it('takes compressed timestamps from the last full timestamp, across the 32-second rollover', () => {
    const base = T0 - (T0 % 32) + 28;
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(1, 20, RECORD).data(1, [base, semi(45), semi(7), 3000, 100]);
    fit.define(2, 20, RECORD_NO_TIME);
    fit.compressed(2, 30, [semi(45.001), semi(7), 101]); // base + 2
    fit.compressed(2, 1, [semi(45.002), semi(7), 102]); // rolls over: base + 5
    fit.compressed(2, 3, [semi(45.003), semi(7), 103]); // base + 7
    fit.compressed(2, 3, [0x7fffffff, 0x7fffffff, 104]); // same second, no position
    const bytes = fit.file();
    const scan = scanFit(bytes, { track: true });
    expect(scan.records).toBe(5);
    expect(scan.positions).toBe(4);
    expect(Array.from(scan.track!.time.subarray(0, 4))).toEqual([base, base + 2, base + 5, base + 7]);
    expect(scan.lastRecordTime).toBe(base + 7);
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'upload', points: 5, positions: 4, durationS: 7 });
  });

  it('counts compressed-timestamp records that have no timestamp to refer to', () => {
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(3, 20, RECORD_NO_TIME);
    fit.compressed(3, 5, [semi(45), semi(7), 100]).compressed(3, 6, [semi(45.001), semi(7), 100]);
    const scan = scanFit(fit.file(), { track: true });
    expect(scan.records).toBe(2);
    expect(Number.isNaN(scan.track!.time[0])).toBe(true);
  });

  it('skips developer fields, developer data messages and unknown messages by size', () => {
    const bytes = activity({
      middle: (fit) => {
        fit.define(5, 207, [[3, 1, 0x02]]).data(5, [0]); // developer_data_id
        fit.define(6, 206, [[0, 1, 0x02], [1, 1, 0x02], [2, 1, 0x02], [3, 8, 0x07]]).data(6, [0, 0, 0x84, 0]);
        fit.define(7, 20, RECORD, [[0, 2, 0], [1, 1, 0]]); // records with 3 developer bytes
        for (let i = 0; i < 5; i++) fit.data(7, [T0 + 10 + i, semi(51.6), semi(-0.1), 3000, 130], [0x40, 0x41, 0x42]);
        fit.define(8, 0xff00, [[0, 3, 0x0d], [1, 7, 0x0d], [2, 4, 0x86]]).data(8, [1, 2, 3]); // manufacturer range
      },
      sessions: [[CYCLING, 14, 500]],
    });
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'upload', points: 15, positions: 15, sport: 'cycling', durationS: 14, distanceM: 500 });
  });

  it('treats invalid values as absent', () => {
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 0xffff, 0, 0xffffffff]); // no product, serial, time
    fit.define(1, 20, RECORD);
    fit.data(1, [T0, 0x7fffffff, 0x7fffffff, 0xffff, 0xff]);
    fit.data(1, [T0 + 1, semi(10), semi(20), 0xffff, 0xff]);
    fit.data(1, [T0 + 2, 0, 0, 0xffff, 0xff]); // 0,0 is "no fix"
    fit.data(1, [T0 + 3, semi(10.001), semi(20), 3000, 90]);
    const bytes = fit.file();
    const a = classifyFit(bytes);
    expect(a).toMatchObject({ verdict: 'upload', points: 4, positions: 2, device: { manufacturer: 'garmin' } });
    expect(a.device).toEqual({ manufacturer: 'garmin', product: undefined, serial: undefined });
    // No serial, no time_created: product and the first record time stand in.
    expect(a.identity).toBe('fit:garmin:product-unknown:-:2024-03-01T08:00:00Z');
    const track = scanFit(bytes, { track: true }).track!;
    expect(track.length).toBe(2);
    expect(Number.isNaN(track.ele[0])).toBe(true);
    expect(track.hr[0]).toBe(0);
    expect(track.ele[1]).toBe(100);
  });

  it('names the sport of a multisport file "multisport" and sums its legs', () => {
    const a = classifyFit(activity({ sessions: [[5, 600, 1000], [3, 60, 10], [CYCLING, 3600, 30000], [3, 30, 5], [RUNNING, 1800, 5000]] }));
    expect(a).toMatchObject({ sport: 'multisport', activityType: 'miscellaneous', durationS: 6090, distanceM: 36015 });
  });

  it('omits the start when the device only knows the time since power-on', () => {
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 1436, 99, 16_000_000]);
    fit.define(1, 20, RECORD).data(1, [16_000_001, semi(1), semi(1), 3000, 100]).data(1, [16_000_002, semi(1), semi(1), 3000, 100]);
    const a = classifyFit(fit.file());
    expect(a.start).toBeUndefined();
    expect(a).toMatchObject({ verdict: 'upload', durationS: 1, identity: 'fit:garmin:99:1990-07-04T04:26:40Z' });
  });

  it('skips files that are not activities, or activities without records', () => {
    expect(classifyFit(activity({ type: 2, records: 0 }))).toMatchObject({ verdict: 'skip', kind: 'settings', reason: 'not an activity (file type: settings)' });
    expect(classifyFit(activity({ type: 32, records: 0 }))).toMatchObject({ verdict: 'skip', reason: 'not an activity (file type: monitoring_b)' });
    expect(classifyFit(activity({ records: 0 }))).toMatchObject({ verdict: 'skip', reason: 'activity file without records' });
    const noFileId = new RawFit().define(1, 20, RECORD).data(1, [T0, semi(1), semi(1), 3000, 100]).file();
    expect(classifyFit(noFileId)).toMatchObject({ verdict: 'skip', reason: 'FIT file without a file_id message' });
  });

  it('says "not a FIT file" for anything without a FIT header', () => {
    const gpx = new TextEncoder().encode('<?xml version="1.0"?><gpx version="1.1"></gpx>');
    const cases = [new Uint8Array(0), new Uint8Array(11), gpx, activity().subarray(0, 11), activity().subarray(1)];
    for (const bytes of cases) expect(classifyFit(bytes)).toMatchObject({ verdict: 'skip', reason: 'not a FIT file', format: 'unknown' });
  });
});

describe('classifyFit on damaged files', () => {
  it('repairs a CRC mismatch by rewriting what decodes as a valid FIT file', () => {
    const bytes = activity();
    bytes[bytes.length - 1]! ^= 0xff;
    const a = classifyFit(bytes);
    expect(a).toMatchObject({ verdict: 'repair', problems: ['file CRC mismatch'], points: 10, positions: 10 });
    // This hand-written file never had an activity message; a repaired file gets one.
    expect(a.reason).toBe('file CRC mismatch; uploading what decodes as a repaired FIT file (10 records; activity message rebuilt from its sessions)');
    expect(a.repaired?.format).toBe('fit');
    // Nothing was lost but the CRC: the data are the same bytes, followed by the activity message.
    expect(a.repaired!.bytes.subarray(14, bytes.length - 2)).toEqual(bytes.subarray(14, -2));
    expect(classifyFit(a.repaired!.bytes)).toMatchObject({ verdict: 'upload', points: 10, identity: a.identity });
  });

  it('detects a change of any single data byte', () => {
    const clean = activity();
    const missed: number[] = [];
    for (let i = 14; i < clean.length - 2; i++) {
      const bytes = clean.slice();
      bytes[i]! ^= 0x01;
      const a = classifyFit(bytes);
      if (a.verdict === 'upload' || !a.problems.includes('file CRC mismatch')) missed.push(i);
    }
    expect(missed).toEqual([]);
  });

  it('repairs a header CRC mismatch', () => {
    const bytes = activity();
    bytes[12]! ^= 0x01;
    expect(classifyFit(bytes).problems).toEqual(['header CRC mismatch', 'file CRC mismatch']);
    const crc = CrcCalculator.calculateCRC(bytes, 0, bytes.length - 2);
    bytes.set([crc & 0xff, crc >> 8], bytes.length - 2);
    expect(classifyFit(bytes)).toMatchObject({ verdict: 'repair', problems: ['header CRC mismatch'] });
  });

  it('reports a record of an undefined local message type as a bad record', () => {
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(1, 20, RECORD);
    for (let i = 0; i < 3; i++) fit.data(1, [T0 + i, semi(1 + i * 1e-4), semi(1), 3000, 100]);
    const bytes = concat(fit.file().subarray(0, -2), Uint8Array.of(0x09, 0, 0)); // stray record, then room for the CRC
    bytes.set([bytes.length - 16, 0], 4); // data size now covers the stray record
    bytes.set([0, 0], 12); // header CRC: not computed
    const crc = CrcCalculator.calculateCRC(bytes, 0, bytes.length - 2);
    bytes.set([crc & 0xff, crc >> 8], bytes.length - 2);
    const a = classifyFit(bytes);
    expect(a.problems).toEqual([`bad record at byte ${bytes.length - 3}: data record uses undefined local message type 9`]);
    // The record before a bad one may be garbled too: it is dropped.
    expect(a).toMatchObject({ verdict: 'repair', points: 2, positions: 2, repaired: { format: 'fit' } });
    expect(scanFit(a.repaired!.bytes).records).toBe(2);
  });

  it('resynchronises after a lost byte and keeps the records after it', () => {
    const clean = activity({ records: 60 });
    const recordSize = 16;
    const firstRecord = 14 + 6 + FILE_ID.length * 3 + 14 + 6 + RECORD.length * 3;
    const lost = firstRecord + 20 * recordSize + 14; // inside record 20's altitude
    // As a text-mode transfer does: one byte gone, header and CRC untouched.
    const bytes = concat(clean.subarray(0, lost), clean.subarray(lost + 1));
    const a = classifyFit(bytes);
    expect(a.verdict).toBe('repair');
    expect(a.problems.join('; ')).toMatch(/bad record at byte \d+: .*skipped \d+ bytes to resynchronise/);
    expect(a.points).toBeGreaterThanOrEqual(57);
    expect(a.sport).toBe('running'); // the session after the damage is read too
    const track = scanFit(a.repaired!.bytes, { track: true }).track!;
    const times = Array.from(track.time.subarray(0, track.length));
    expect(times.length).toBe(a.points);
    expect(times.length).toBeGreaterThanOrEqual(57);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
  });

  it('leaves out points garbled into another time or place', () => {
    const fit = new RawFit();
    fit.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    fit.define(1, 20, RECORD);
    for (let i = 0; i < 10; i++) {
      const garbled = i === 4 ? [16_000_000, semi(0.1), semi(133)] : i === 7 ? [T0 + i, semi(-40), semi(1)] : [T0 + i, semi(51.5 + i * 1e-4), semi(-0.1)];
      fit.data(1, [...garbled, 3000, 100]);
    }
    const bytes = fit.file();
    bytes[bytes.length - 1]! ^= 0xff;
    const a = classifyFit(bytes);
    expect(a.reason).toBe('file CRC mismatch; uploading what decodes as a repaired FIT file (8 records, 2 garbled messages left out; summary rebuilt from records)');
    const kept = scanFit(a.repaired!.bytes, { track: true }).track!;
    expect(kept.length).toBe(8);
    expect(Array.from(kept.time.subarray(0, 8))).toEqual([0, 1, 2, 3, 5, 6, 8, 9].map((i) => T0 + i));
  });

  it('reads a file the device never closed (data size 0, no CRC) to its end', () => {
    const clean = activity();
    const bytes = clean.slice(0, -2);
    bytes.set([0, 0, 0, 0], 4); // data size
    bytes.set([0, 0], 12); // header CRC not computed
    const a = classifyFit(bytes);
    expect(a.problems).toEqual(['file never closed by the device (header declares no data, but data follows)']);
    expect(a).toMatchObject({ verdict: 'repair', points: 10, positions: 10, sport: 'running', repaired: { format: 'fit' } });
    expect(classifyFit(a.repaired!.bytes)).toMatchObject({ verdict: 'upload', points: 10, reason: 'complete activity file' });
  });

  it('skips a damaged activity with fewer than 2 timed records: nothing to upload', () => {
    const bytes = activity({ records: 1 });
    bytes[bytes.length - 1]! ^= 0xff;
    expect(classifyFit(bytes)).toMatchObject({
      verdict: 'skip',
      reason: 'file CRC mismatch; fewer than 2 timed records decode, nothing to upload',
    });
    const untimed = new RawFit();
    untimed.define(0, 0, FILE_ID).data(0, [4, GARMIN, 2697, 1234, T0]);
    untimed.define(1, 20, RECORD_NO_TIME).data(1, [semi(1), semi(1), 90]).data(1, [semi(1.001), semi(1), 90]);
    const bytes2 = untimed.file();
    bytes2[bytes2.length - 1]! ^= 0xff;
    expect(classifyFit(bytes2)).toMatchObject({ verdict: 'skip', positions: 2 });
  });

  it('never throws, never uploads, and always explains, whatever the truncation', () => {
    for (const clean of [activity(), activity({ bigEndian: true, records: 3 })]) {
      const wrong: string[] = [];
      for (let n = 0; n < clean.length; n++) {
        const a = classifyFit(clean.subarray(0, n));
        const explained = a.reason.length > 0 && (n < 14 || a.problems.some((p) => p.startsWith('truncated')));
        // Every record that decodes goes up, in a file that is whole again.
        const again = a.repaired && classifyFit(a.repaired.bytes);
        const rebuilt = a.verdict !== 'repair' || (again!.verdict === 'upload' && again!.points === a.points);
        if (a.verdict === 'upload' || !explained || !rebuilt) wrong.push(`${n}: ${a.verdict} ${a.reason}`);
      }
      expect(wrong).toEqual([]);
      expect(classifyFit(clean).verdict).toBe('upload');
    }
  });

  it('survives random corruption without throwing or hanging', () => {
    const clean = activity({ records: 40 });
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
    const wrong: string[] = [];
    for (let i = 0; i < 600; i++) {
      const bytes = clean.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++) bytes[14 + Math.floor(random() * (bytes.length - 14))] = Math.floor(random() * 256);
      const a = classifyFit(bytes);
      const changed = bytes.some((b, j) => b !== clean[j]);
      if (!a.reason || (a.verdict === 'upload' && changed)) wrong.push(`${i}: ${a.verdict} ${a.reason}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('classifyFit on chained files', () => {
  it('uploads a chain of intact files as it is', () => {
    expect(classifyFit(concat(activity(), activity({ type: 2, records: 0 })))).toMatchObject({ verdict: 'upload', points: 10 });
    expect(classifyFit(concat(activity(), activity()))).toMatchObject({ verdict: 'upload', points: 20, durationS: 9 });
  });

  it('uploads the intact first file when a later one has a bad CRC', () => {
    const first = activity();
    const second = activity({ records: 20 });
    second[second.length - 2]! ^= 0xff;
    const a = classifyFit(concat(first, second));
    expect(a).toMatchObject({ verdict: 'repair', problems: ['second chained FIT file has a CRC mismatch'], repaired: { format: 'fit' } });
    expect(a.repaired!.bytes).toEqual(first);
    expect(classifyFit(a.repaired!.bytes).verdict).toBe('upload');
  });

  it('uploads the intact first file when a later one is truncated or its header is corrupt', () => {
    const first = activity();
    const truncated = classifyFit(concat(first, activity().subarray(0, 20)));
    expect(truncated).toMatchObject({ verdict: 'repair', repaired: { format: 'fit', bytes: first } });
    expect(truncated.problems[0]).toMatch(/^second chained FIT file is truncated/);
    const garbage = classifyFit(concat(first, Uint8Array.of(1, 2, 3)));
    expect(garbage.problems).toEqual(['second chained FIT file has a corrupt header (3 bytes after the previous FIT file are not a FIT header)']);
    expect(garbage.repaired?.bytes).toEqual(first);
  });

  it('rewrites every file into one when the first one is damaged, under the first file_id', () => {
    const first = activity();
    first[first.length - 1]! ^= 0xff;
    const a = classifyFit(concat(first, activity({ records: 5, serial: 99 })));
    expect(a).toMatchObject({ verdict: 'repair', problems: ['file CRC mismatch'], positions: 15, repaired: { format: 'fit' } });
    const again = scanFit(a.repaired!.bytes);
    expect(again.segments).toHaveLength(1);
    expect(again).toMatchObject({ records: 15, fileId: { serial: 1234 } });
    expect(again.sessions).toHaveLength(2);
  });

  it('rebuilds GPX from the positioned records when no FIT file can be made (the fallback)', () => {
    const bytes = activity();
    bytes[bytes.length - 1]! ^= 0xff;
    const gpx = rebuildAsGpx(bytes, 'running');
    expect(gpx?.reason).toBe('uploading what decodes (10 track points rebuilt as GPX)');
    expect(countTrkpt(gpx!.bytes)).toBe(10);
    expect(rebuildAsGpx(activity({ records: 1 }), 'running')).toBeUndefined();
  });
});

describe('scanFit', () => {
  it('reads bytes that sit at an offset inside a larger buffer', () => {
    const bytes = activity();
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 5);
    expect(classifyFit(padded.subarray(5, 5 + bytes.length))).toMatchObject({ verdict: 'upload', positions: 10 });
  });
});

function countTrkpt(gpx: Uint8Array): number {
  return new TextDecoder().decode(gpx).split('<trkpt ').length - 1;
}

function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _, ...rest } = value;
  return rest;
}
