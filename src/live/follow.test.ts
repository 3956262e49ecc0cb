import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { type FollowReset, followFile } from './follow.js';
import { followTrackFile, sniffTrackFormat } from './track-file.js';
import type { TrackPoint } from './track-point.js';

const log = createLogger({ level: 'error' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'mmt-follow-')), name);

function follow(path: string, idleMs = 300) {
  const events: Array<string | { reset: FollowReset }> = [];
  const controller = new AbortController();
  const done = followFile({
    path,
    idleMs,
    pollMs: 20,
    signal: controller.signal,
    log,
    onData: (chunk) => events.push(chunk.toString()),
    onReset: (reason) => events.push({ reset: reason }),
  });
  return { events, controller, done, text: () => events.filter((e) => typeof e === 'string').join('') };
}

describe('followFile (tail -F from the first byte)', () => {
  it('hands out what is there, then what is appended, and ends after idleMs without change', async () => {
    const path = tempFile('a.log');
    writeFileSync(path, 'one\n');
    const f = follow(path);
    await sleep(80);
    appendFileSync(path, 'two\nthr');
    await sleep(80);
    appendFileSync(path, 'ee\n');
    const started = Date.now();
    expect(await f.done).toBe('idle');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(f.text()).toBe('one\ntwo\nthree\n');
  });

  it('waits for a file that does not exist yet', async () => {
    const path = tempFile('later.log');
    const f = follow(path, 1_000);
    await sleep(100);
    writeFileSync(path, 'hello\n');
    expect(await f.done).toBe('idle');
    expect(f.text()).toBe('hello\n');
  });

  it('starts over when the file is truncated', async () => {
    const path = tempFile('b.log');
    writeFileSync(path, 'first version, long\n');
    const f = follow(path);
    await sleep(80);
    truncateSync(path, 0);
    appendFileSync(path, 'new\n');
    expect(await f.done).toBe('idle');
    expect(f.events).toEqual(['first version, long\n', { reset: 'truncated' }, 'new\n']);
  });

  it('reads the rest of a replaced file, then the new one from its start (rotation, rewrite by rename)', async () => {
    const path = tempFile('c.log');
    writeFileSync(path, 'old 1\n');
    const f = follow(path);
    await sleep(80);
    appendFileSync(path, 'old 2\n');
    renameSync(path, `${path}.1`);
    writeFileSync(`${path}.tmp`, 'new 1\n');
    renameSync(`${path}.tmp`, path);
    await sleep(80);
    appendFileSync(path, 'new 2\n');
    expect(await f.done).toBe('idle');
    expect(f.events).toEqual(['old 1\n', 'old 2\n', { reset: 'replaced' }, 'new 1\n', 'new 2\n']);
  });

  it('keeps waiting while the file is gone, and stops at once on abort', async () => {
    const path = tempFile('d.log');
    writeFileSync(path, 'x\n');
    const f = follow(path, 60_000);
    await sleep(60);
    rmSync(path);
    await sleep(60);
    f.controller.abort();
    expect(await f.done).toBe('aborted');
    expect(f.text()).toBe('x\n');
  });
});

describe('followTrackFile', () => {
  it('tells GPX from NMEA by the first bytes, the extension only for leading garbage', () => {
    expect(sniffTrackFormat(Buffer.from('\ufeff  \n<?xml version="1.0"?>'), 'x.txt')).toBe('gpx');
    expect(sniffTrackFormat(Buffer.from('$GPRMC,'), 'x.gpx')).toBe('nmea');
    expect(sniffTrackFormat(Buffer.from(' \r\n'), 'x.gpx')).toBeUndefined();
    expect(sniffTrackFormat(Buffer.from('\u0000\u0001junk'), 'x.gpx')).toBe('gpx');
    expect(sniffTrackFormat(Buffer.from('\u0000\u0001junk'), 'x.log')).toBe('nmea');
  });

  it('reads a GPX being written, with heart rate, skipping points without time, and again from the start after a rewrite', async () => {
    const path = tempFile('t.gpx');
    const trkpt = (i: number, time = true) =>
      `<trkpt lat="51.${i}" lon="-0.${i}"><ele>1${i}</ele>${time ? `<time>2024-05-01T06:30:0${i}Z</time>` : ''}<extensions><ns3:TrackPointExtension><ns3:hr>14${i}</ns3:hr></ns3:TrackPointExtension></extensions></trkpt>`;
    const head = '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="x"><trk><trkseg>';
    writeFileSync(path, '');
    const points: TrackPoint[] = [];
    const done = followTrackFile({ path, idleMs: 300, pollMs: 20, signal: new AbortController().signal, log, onPoint: (p) => points.push(p) });
    const body = head + trkpt(1) + trkpt(2, false) + trkpt(3);
    appendFileSync(path, body.slice(0, 150));
    await sleep(60);
    appendFileSync(path, body.slice(150));
    await sleep(60);
    // The writer rewrites the whole file (temp file and rename) with one more point.
    writeFileSync(`${path}.tmp`, `${body}${trkpt(4)}</trkseg></trk></gpx>`);
    renameSync(`${path}.tmp`, path);
    expect(await done).toBe('idle');
    expect(points.map((p) => [p.timeMs / 1000 - Date.UTC(2024, 4, 1, 6, 30) / 1000, p.hr, p.ele])).toEqual([
      [1, 141, 11],
      [3, 143, 13],
      [1, 141, 11],
      [3, 143, 13],
      [4, 144, 14],
    ]);
  });

  it('reads NMEA lines split across writes, and a last line without newline once the file is idle', async () => {
    const path = tempFile('t.nmea');
    const fix = (time: string) => {
      const body = `GPRMC,${time},A,5130.33007,N,00009.60014,W,3.1,92.0,010524,,,A`;
      let sum = 0;
      for (const c of body) sum ^= c.charCodeAt(0);
      return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
    };
    writeFileSync(path, `${fix('063020.00')}\r\n${fix('063021.00').slice(0, 20)}`);
    const points: TrackPoint[] = [];
    const done = followTrackFile({ path, idleMs: 300, pollMs: 20, signal: new AbortController().signal, log, onPoint: (p) => points.push(p) });
    await sleep(80);
    appendFileSync(path, `${fix('063021.00').slice(20)}\r\n${fix('063022.00')}`);
    expect(await done).toBe('idle');
    expect(points.map((p) => new Date(p.timeMs).toISOString().slice(11, 19))).toEqual(['06:30:20', '06:30:21', '06:30:22']);
  });
});
