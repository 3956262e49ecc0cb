import { readFileSync, readdirSync } from 'node:fs';
import { Decoder, Stream, type RecordMesg } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { classifyFile } from '../classify.js';
import { decodePolyline, encodePolyline } from './codec.js';
import { MAX_POINTS, TrackSketch } from './sketch.js';
import { simplifyToBudget } from './simplify.js';

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url);
const SEMICIRCLE = 180 / 2 ** 31;

function simplify(points: ReadonlyArray<[number, number]>, budget: number): number[] {
  const xs = Float64Array.from(points, (p) => p[0]);
  const ys = Float64Array.from(points, (p) => p[1]);
  return [...simplifyToBudget(xs, ys, points.length, budget)];
}

describe('simplifyToBudget (Douglas-Peucker to a point count)', () => {
  it('keeps both ends and the corners that carry the shape, within the budget', () => {
    // An L: a straight run east, a corner, a straight run north, with points every step.
    const points: Array<[number, number]> = [];
    for (let i = 0; i <= 100; i++) points.push([i, 0]);
    for (let j = 1; j <= 100; j++) points.push([100, j]);
    expect(simplify(points, 3)).toEqual([0, 100, 200]);
    // An out-and-back along one line: the turn is far from the chord's segment, so it stays.
    const back: Array<[number, number]> = [];
    for (let i = 0; i <= 50; i++) back.push([i, 0]);
    for (let i = 49; i >= 0; i--) back.push([i, 0.001]);
    expect(simplify(back, 3)).toContain(50);
    // Collinear points add nothing: the budget is not filled with them.
    expect(simplify(Array.from({ length: 1000 }, (_, i): [number, number] => [i, 2 * i]), 200)).toEqual([0, 999]);
  });

  it('returns every point of a track within the budget', () => {
    const points = Array.from({ length: 150 }, (_, i): [number, number] => [Math.cos(i), Math.sin(i)]);
    expect(simplify(points, 200)).toHaveLength(150);
  });
});

describe('TrackSketch', () => {
  it('outlines a million positions in bounded memory, at most 200 points, start and end kept exactly', () => {
    const sketch = new TrackSketch();
    const n = 1_000_003;
    const at = (i: number): [number, number] => [46 + 0.02 * Math.sin(i / 20_000), 14 + 0.03 * Math.cos(i / 13_000) + i * 1e-8];
    for (let i = 0; i < n; i++) sketch.add(...at(i));
    const points = decodePolyline(sketch.finish());
    expect(points.length).toBeGreaterThan(100);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(points[0]![0]).toBeCloseTo(at(0)[0], 5);
    expect(points.at(-1)![0]).toBeCloseTo(at(n - 1)[0], 5);
    expect(points.at(-1)![1]).toBeCloseTo(at(n - 1)[1], 5);
    // Every kept point lies on the curve (sampling keeps real positions, never averages).
    for (const [lat] of points) expect(Math.abs(lat - 46)).toBeLessThanOrEqual(0.02 + 1e-5);
  });

  it('gives nothing for fewer than two positions', () => {
    const sketch = new TrackSketch();
    sketch.add(46, 14);
    expect(sketch.finish()).toBeUndefined();
  });
});

describe('the encoded polyline', () => {
  it("matches Google's published example and decodes back", () => {
    const path: Array<[number, number]> = [
      [38.5, -120.2],
      [40.7, -120.95],
      [43.252, -126.453],
    ];
    expect(encodePolyline(path)).toBe('_p~iF~ps|U_ulLnnqC_mqNvxq`@');
    expect(decodePolyline('_p~iF~ps|U_ulLnnqC_mqNvxq`@')).toEqual(path);
  });

  it('reads anything that is not a polyline as no points', () => {
    for (const junk of [null, undefined, '', 'not a polyline!', '<script>', '\u00e9\u00e9']) expect(decodePolyline(junk)).toEqual([]);
  });
});

describe('outlines of the real corpus files', () => {
  const fits = readdirSync(new URL('fit/', CORPUS)).filter((f) => /\.fit$/i.test(f));

  it.each(fits)('%s: the outline starts and ends where @garmin/fitsdk says the track does', (file) => {
    const bytes = readFileSync(new URL(`fit/${file}`, CORPUS));
    const activity = classifyFile(file, bytes);
    const points = decodePolyline(activity.polyline);
    if (activity.positions < 2) {
      expect(activity.polyline).toBeUndefined();
      return;
    }
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.length).toBeLessThanOrEqual(Math.min(MAX_POINTS, activity.positions));
    if (activity.problems.length) return; // the SDK stops at the first fault; its track is a prefix of ours
    const records = (new Decoder(Stream.fromBuffer(bytes)).read({ convertTypesToStrings: false }).messages.recordMesgs ?? []) as RecordMesg[];
    const positioned = records.filter((r) => r.positionLat != null && r.positionLong != null && !(r.positionLat === 0 && r.positionLong === 0));
    const first = positioned[0]!;
    const last = positioned.at(-1)!;
    expect(points[0]![0]).toBeCloseTo(first.positionLat! * SEMICIRCLE, 4);
    expect(points[0]![1]).toBeCloseTo(first.positionLong! * SEMICIRCLE, 4);
    expect(points.at(-1)![0]).toBeCloseTo(last.positionLat! * SEMICIRCLE, 4);
    expect(points.at(-1)![1]).toBeCloseTo(last.positionLong! * SEMICIRCLE, 4);
  });

  it('gives every GPX track with positions an outline of at most 200 points', () => {
    const gpxs = readdirSync(new URL('gpx/', CORPUS)).filter((f) => f.endsWith('.gpx'));
    let outlined = 0;
    for (const file of gpxs) {
      const activity = classifyFile(file, readFileSync(new URL(`gpx/${file}`, CORPUS)));
      if (activity.positions < 2) continue;
      const points = decodePolyline(activity.polyline);
      expect(points.length, file).toBeGreaterThanOrEqual(2);
      expect(points.length, file).toBeLessThanOrEqual(MAX_POINTS);
      outlined++;
    }
    expect(outlined).toBeGreaterThan(5);
  });
});
