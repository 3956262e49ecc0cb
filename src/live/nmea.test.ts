import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NmeaTrackReader } from './nmea-reader.js';
import { hasValidChecksum, parseTrackSentence } from './nmea-sentence.js';
import type { TrackPoint } from './track-point.js';

const FIXTURE = new URL('../../test/fixtures/nmea/park-loop-10min.nmea', import.meta.url);
const EXPECTED = JSON.parse(readFileSync(new URL('../../test/fixtures/nmea/park-loop-10min.expected.json', import.meta.url), 'utf8')) as Array<{
  lat: number;
  lon: number;
  ele: number;
  time: number;
}>;

/** A sentence with a correct checksum. */
function nmea(body: string): string {
  let sum = 0;
  for (const c of body) sum ^= c.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

function read(chunks: Array<string | Uint8Array>, flush = true): { points: TrackPoint[]; reader: NmeaTrackReader } {
  const points: TrackPoint[] = [];
  const reader = new NmeaTrackReader((p) => points.push(p));
  for (const chunk of chunks) reader.write(chunk);
  if (flush) reader.flush();
  return { points, reader };
}

describe('NMEA sentences', () => {
  it('verifies checksums and refuses sentences without one', () => {
    expect(hasValidChecksum('$GPRMC,063000.00,V,,,,,,,010524,,,N*7A')).toBe(true);
    expect(hasValidChecksum('$GPRMC,063000.00,V,,,,,,,010524,,,N*7a')).toBe(true);
    expect(hasValidChecksum('$GPRMC,063000.00,V,,,,,,,010524,,,N*7B')).toBe(false);
    expect(hasValidChecksum('$GPRMC,063000.00,V,,,,,,,010524,,,N')).toBe(false);
    expect(hasValidChecksum('$GPRMC,063000.00,V,,,,,,,010524,,,N*7')).toBe(false);
  });

  it('reads RMC: time, validity, signed position, date', () => {
    const rmc = parseTrackSentence(nmea('GNRMC,235959.50,A,3351.1234,S,15112.5000,E,0.1,0.0,311299,,,A'));
    expect(rmc).toEqual({
      kind: 'rmc',
      timeOfDayMs: 86_399_500,
      valid: true,
      position: { lat: -(33 + 51.1234 / 60), lon: 151 + 12.5 / 60 },
      dateMs: Date.UTC(1999, 11, 31),
    });
    expect(parseTrackSentence(nmea('GPRMC,063000.00,V,,,,,,,010524,,,N'))).toEqual({
      kind: 'rmc',
      timeOfDayMs: 23_400_000,
      valid: false,
      dateMs: Date.UTC(2024, 4, 1),
    });
  });

  it('reads GGA: quality, position, altitude above mean sea level', () => {
    expect(parseTrackSentence(nmea('GPGGA,063020.00,5130.33007,N,00009.60014,W,1,08,0.93,27.8,M,45.3,M,,'))).toEqual({
      kind: 'gga',
      timeOfDayMs: 23_420_000,
      quality: 1,
      position: { lat: 51 + 30.33007 / 60, lon: -(9.60014 / 60) },
      altitude: 27.8,
    });
    expect(parseTrackSentence(nmea('GPGGA,063000.00,,,,,0,00,99.99,,,,,,'))).toMatchObject({ quality: 0 });
  });

  it('ignores other sentence types, garbage, impossible values and noise before the start', () => {
    expect(parseTrackSentence(nmea('GPGSA,A,3,02,05,,,,,,,,,,,1.60,0.93,1.30'))).toBeUndefined();
    expect(parseTrackSentence('hello')).toBeUndefined();
    expect(parseTrackSentence(nmea('GPRMC,256000.00,A,5130.0,N,00009.6,W,0,0,010524,,,A'))).toBeUndefined();
    expect(parseTrackSentence(nmea('GPGGA,063020.00,9130.0,N,00009.6,W,1,08,0.9,27.8,M,45.3,M,,'))).toMatchObject({ quality: 1 });
    expect(parseTrackSentence(nmea('GPGGA,063020.00,9130.0,N,00009.6,W,1,08,0.9,27.8,M,45.3,M,,'))).not.toHaveProperty('position');
    expect(parseTrackSentence(`\u0000\u00ff${nmea('GPRMC,063000.00,V,,,,,,,010524,,,N')}`)).toMatchObject({ kind: 'rmc' });
  });
});

describe('NmeaTrackReader', () => {
  const fixture = readFileSync(FIXTURE);

  it('takes exactly the fixes of the 10-minute park loop: no cold start, no dropout, not the damaged RMC', () => {
    const { points, reader } = read([fixture]);
    expect(points).toHaveLength(600);
    expect(points.map((p) => p.timeMs / 1000)).toEqual(EXPECTED.map((e) => e.time));
    points.forEach((p, i) => {
      expect(p.lat).toBeCloseTo(EXPECTED[i]!.lat, 8);
      expect(p.lon).toBeCloseTo(EXPECTED[i]!.lon, 8);
      expect(p.ele).toBe(EXPECTED[i]!.ele);
    });
    // 60 cold-start epochs and the 4 s dropout; the flipped digit and the GSV cut short are counted.
    expect(reader.stats).toMatchObject({ points: 600, noFix: 64, undated: 0, rejected: 2 });
    // The flipped latitude digit would have put a point 300 km north.
    expect(Math.max(...points.map((p) => p.lat))).toBeLessThan(51.52);
  });

  it('gives the same points however the bytes are split', () => {
    const whole = read([fixture]).points;
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < fixture.length; ) {
      const size = 1 + Math.floor(random() * 97);
      chunks.push(fixture.subarray(at, at + size));
      at += size;
    }
    expect(read(chunks).points).toEqual(whole);
  });

  it('hands out an epoch as soon as its RMC and GGA are in, and a half-written line only once complete', () => {
    const rmc = nmea('GPRMC,120000.00,A,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,A');
    const gga = nmea('GPGGA,120000.00,5130.00000,N,00010.00000,W,1,09,0.9,30.5,M,45.3,M,,');
    const { points, reader } = read([`${rmc}\r\n`, gga.slice(0, 30)], false);
    expect(points).toEqual([]);
    reader.write(`${gga.slice(30)}\r\n`);
    expect(points).toEqual([{ lat: 51.5, lon: -(10 / 60), ele: 30.5, timeMs: Date.UTC(2024, 4, 1, 12) }]);
  });

  it('reads a last line without newline at the end, but not one cut short', () => {
    const rmc = nmea('GPRMC,120000.00,A,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,A');
    expect(read([rmc]).points).toHaveLength(1);
    expect(read([rmc.slice(0, -1)]).points).toHaveLength(0);
  });

  it('needs both sentences to agree on a fix', () => {
    const rmcV = nmea('GPRMC,120000.00,V,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,N');
    const gga1 = nmea('GPGGA,120000.00,5130.00000,N,00010.00000,W,1,09,0.9,30.5,M,45.3,M,,');
    const rmcA = nmea('GPRMC,120001.00,A,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,A');
    const gga0 = nmea('GPGGA,120001.00,5130.00000,N,00010.00000,W,0,09,0.9,30.5,M,45.3,M,,');
    expect(read([[rmcV, gga1, rmcA, gga0].join('\n')]).points).toEqual([]);
  });

  it('carries the RMC date to GGA-only epochs across UTC midnight, and skips fixes before any date', () => {
    const gga = (time: string) => nmea(`GNGGA,${time},5130.00000,N,00010.00000,W,1,09,0.9,30.5,M,45.3,M,,`);
    const lines = [
      gga('235957.00'), // no date known yet
      nmea('GNRMC,235958.00,A,5130.00000,N,00010.00000,W,0.0,0.0,311224,,,A'),
      gga('235958.00'),
      gga('235959.00'),
      gga('000000.00'),
      gga('000001.00'),
    ];
    const { points, reader } = read([lines.join('\r\n')]);
    expect(points.map((p) => new Date(p.timeMs).toISOString())).toEqual([
      '2024-12-31T23:59:58.000Z',
      '2024-12-31T23:59:59.000Z',
      '2025-01-01T00:00:00.000Z',
      '2025-01-01T00:00:01.000Z',
    ]);
    expect(reader.stats.undated).toBe(1);
  });

  it('takes one point per epoch when a receiver repeats sentence types for several talkers', () => {
    const lines = [
      nmea('GPRMC,120000.00,A,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,A'),
      nmea('GPGGA,120000.00,5130.00000,N,00010.00000,W,1,09,0.9,30.5,M,45.3,M,,'),
      nmea('GNRMC,120000.00,A,5130.00000,N,00010.00000,W,0.0,0.0,010524,,,A'),
      nmea('GNGGA,120000.00,5130.00000,N,00010.00000,W,1,09,0.9,30.5,M,45.3,M,,'),
    ];
    expect(read([lines.join('\n')]).points).toHaveLength(1);
  });
});
