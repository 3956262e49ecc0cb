import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { trackToGpx } from './gpx.js';
import { Track } from './track.js';
import { fitTimeToIso } from './time.js';

const semi = (deg: number): number => Math.round((deg * 2 ** 31) / 180);

/** Elements by name, with their attributes and text, from a well-formed document (throws otherwise). */
function parse(xml: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const parser = new SaxesParser({ xmlns: true });
  const out: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const open: number[] = [];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag) => {
    const attributes = Object.fromEntries(Object.values(tag.attributes).map((a) => [a.local, a.value]));
    open.push(out.push({ name: `${tag.uri}#${tag.local}`, attributes, text: '' }) - 1);
  });
  parser.on('text', (text) => {
    const top = open.at(-1);
    if (top !== undefined) out[top]!.text += text;
  });
  parser.on('closetag', () => open.pop());
  parser.write(xml).close();
  return out;
}

const GPX = 'http://www.topografix.com/GPX/1/1';
const TPX = 'http://www.garmin.com/xmlschemas/TrackPointExtension/v1';

describe('trackToGpx', () => {
  it('writes a well-formed GPX 1.1 track with time, elevation, heart rate and cadence', () => {
    const track = new Track();
    const t0 = 1_000_000_000; // 2021-09-08T01:46:40Z
    track.push(t0, semi(51.5), semi(-0.12), 12.4, 140, NaN);
    track.push(t0 + 1, semi(51.50001), semi(-0.12002), NaN, NaN, 88);
    track.push(NaN, semi(-33.9), semi(151.2), -3, NaN, NaN);
    const xml = new TextDecoder().decode(trackToGpx(track, { type: 'running', name: 'a <b> & "c"' }));
    const elements = parse(xml);
    const named = (name: string) => elements.filter((e) => e.name === name);
    expect(named(`${GPX}#gpx`)[0]!.attributes.version).toBe('1.1');
    expect(named(`${GPX}#type`)[0]!.text).toBe('running');
    expect(named(`${GPX}#name`)[0]!.text).toBe('a <b> & "c"');
    const points = named(`${GPX}#trkpt`);
    expect(points.map((p) => [Number(p.attributes.lat), Number(p.attributes.lon)])).toEqual([
      [51.5, -0.12],
      [51.50001, -0.12002],
      [-33.9, 151.2],
    ]);
    expect(named(`${GPX}#time`).map((e) => e.text)).toEqual(['2021-09-08T01:46:40Z', '2021-09-08T01:46:40Z', '2021-09-08T01:46:41Z']);
    expect(named(`${GPX}#ele`).map((e) => Number(e.text))).toEqual([12.4, -3]);
    expect(named(`${TPX}#hr`).map((e) => e.text)).toEqual(['140']);
    expect(named(`${TPX}#cad`).map((e) => e.text)).toEqual(['88']);
  });

  it('grows past its initial capacity', () => {
    const track = new Track();
    for (let i = 0; i < 1500; i++) track.push(i + 1e9, semi(10 + i * 1e-5), semi(20), 5, 100, 80);
    expect(track.length).toBe(1500);
    expect(track.time[1499]).toBe(1e9 + 1499);
    expect(parse(new TextDecoder().decode(trackToGpx(track))).filter((e) => e.name === `${GPX}#trkpt`)).toHaveLength(1500);
  });
});

describe('fitTimeToIso', () => {
  it('counts from 1989-12-31T00:00:00Z, across day boundaries', () => {
    expect(fitTimeToIso(0)).toBe('1989-12-31T00:00:00Z');
    expect(fitTimeToIso(86_399)).toBe('1989-12-31T23:59:59Z');
    expect(fitTimeToIso(86_400)).toBe('1990-01-01T00:00:00Z');
    expect(fitTimeToIso(0xfffffffe)).toBe(new Date((0xfffffffe + 631_065_600) * 1000).toISOString().replace('.000', ''));
    expect(fitTimeToIso(1_000_000_000.7)).toBe('2021-09-08T01:46:40Z');
  });
});
