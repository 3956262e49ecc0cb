import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { TpvEpochs, parseGpsdAddress, streamGpsd } from './gpsd.js';
import type { TrackPoint } from './track-point.js';

const log = createLogger({ level: 'error' });
const tpv = (extra: Record<string, unknown>) => ({ class: 'TPV', device: '/dev/pts/1', ...extra });

describe('parseGpsdAddress', () => {
  it('fills in localhost and 2947', () => {
    expect(parseGpsdAddress(true)).toEqual({ host: 'localhost', port: 2947 });
    expect(parseGpsdAddress('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseGpsdAddress('gps.local')).toEqual({ host: 'gps.local', port: 2947 });
    expect(parseGpsdAddress(':4000')).toEqual({ host: 'localhost', port: 4000 });
    expect(parseGpsdAddress('[::1]:4000')).toEqual({ host: '::1', port: 4000 });
    expect(() => parseGpsdAddress('host:99999')).toThrow(/HOST:PORT/);
    expect(() => parseGpsdAddress('a:b:c')).toThrow(/HOST:PORT/);
  });
});

describe('TpvEpochs', () => {
  it('hands out one point per epoch, the most complete report of it, and skips reports without a fix or a time', () => {
    const points: TrackPoint[] = [];
    const epochs = new TpvEpochs((p) => points.push(p));
    epochs.report(tpv({ mode: 1, time: '2024-05-01T06:30:00.000Z' }));
    epochs.report(tpv({ mode: 2, lat: 51.5, lon: -0.16 })); // a fix without a time yet
    // Before gpsd has learnt the cycle: one report per sentence, the later ones more complete.
    epochs.report(tpv({ mode: 2, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16, alt: 99 }));
    epochs.report(tpv({ mode: 3, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16, altHAE: 73.3, altMSL: 28, alt: 28 }));
    expect(points).toEqual([]);
    epochs.report(tpv({ mode: 3, time: '2024-05-01T06:30:02.000Z', lat: 51.50001, lon: -0.16001, alt: 28.5 }));
    epochs.report(tpv({ mode: 1, time: '2024-05-01T06:30:03.000Z' }));
    epochs.report(tpv({ mode: 3, time: '2024-05-01T06:30:01.000Z', lat: 1, lon: 1 })); // an epoch already handed out
    epochs.flush();
    expect(points).toEqual([
      { lat: 51.5, lon: -0.16, ele: 28, timeMs: Date.UTC(2024, 4, 1, 6, 30, 1) },
      { lat: 51.50001, lon: -0.16001, ele: 28.5, timeMs: Date.UTC(2024, 4, 1, 6, 30, 2) },
    ]);
  });

  it('keeps no altitude from a 2D fix', () => {
    const points: TrackPoint[] = [];
    const epochs = new TpvEpochs((p) => points.push(p));
    epochs.report(tpv({ mode: 2, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16, altMSL: 12 }));
    epochs.flush();
    expect(points[0]).not.toHaveProperty('ele');
  });
});

describe('streamGpsd against a stand-in gpsd', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A TCP server speaking just enough of gpsd: VERSION, then the scripted lines once WATCH arrives. */
  function fakeGpsd(lines: object[], port = 0, closeAfter = true): Promise<number> {
    server = createServer((socket: Socket) => {
      socket.write(`${JSON.stringify({ class: 'VERSION', release: '3.22', proto_major: 3, proto_minor: 14 })}\n`);
      socket.once('data', (data) => {
        expect(data.toString()).toBe('?WATCH={"enable":true,"json":true}\n');
        // Split mid-line on purpose: the client must reassemble lines.
        const text = lines.map((l) => `${JSON.stringify(l)}\r\n`).join('');
        socket.write(text.slice(0, 37));
        setTimeout(() => {
          socket.write(text.slice(37));
          if (closeAfter) socket.end();
        }, 20);
      });
    });
    return new Promise((resolve) => server!.listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
  }

  it('reads TPV fixes until gpsd closes the connection ("gone")', async () => {
    const port = await fakeGpsd([
      { class: 'DEVICES', devices: [] },
      tpv({ mode: 1, time: '2024-05-01T06:30:00.000Z' }),
      tpv({ mode: 3, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16, altMSL: 28 }),
      { class: 'SKY', satellites: [] },
      tpv({ mode: 3, time: '2024-05-01T06:30:02.000Z', lat: 51.6, lon: -0.17, altMSL: 29 }),
    ]);
    const points: TrackPoint[] = [];
    const end = await streamGpsd({ host: '127.0.0.1', port, onPoint: (p) => points.push(p), log, signal: new AbortController().signal });
    expect(end).toBe('gone');
    expect(points.map((p) => p.timeMs)).toEqual([Date.UTC(2024, 4, 1, 6, 30, 1), Date.UTC(2024, 4, 1, 6, 30, 2)]);
  });

  it('waits for a gpsd that is not up yet, and gives up with a clear reason', async () => {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise((resolve) => probe.close(resolve));
    const points: TrackPoint[] = [];
    const streaming = streamGpsd({ host: '127.0.0.1', port, onPoint: (p) => points.push(p), log, signal: new AbortController().signal, connectRetryMs: 20 });
    setTimeout(() => void fakeGpsd([tpv({ mode: 2, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16 })], port), 150);
    expect(await streaming).toBe('gone');
    expect(points).toHaveLength(1);

    await expect(
      streamGpsd({ host: '127.0.0.1', port: 1, onPoint: () => undefined, log, signal: new AbortController().signal, connectWaitMs: 100, connectRetryMs: 20 }),
    ).rejects.toThrow(/cannot connect to gpsd at 127\.0\.0\.1:1 \(ECONNREFUSED\): is gpsd running/);
  });

  it('stops on abort and hands out the fix it held', async () => {
    const port = await fakeGpsd([tpv({ mode: 3, time: '2024-05-01T06:30:01.000Z', lat: 51.5, lon: -0.16 })], 0, false);
    const points: TrackPoint[] = [];
    const controller = new AbortController();
    const streaming = streamGpsd({ host: '127.0.0.1', port, onPoint: (p) => points.push(p), log, signal: controller.signal, holdMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    expect(await streaming).toBe('aborted');
    expect(points).toHaveLength(1);
  });
});
