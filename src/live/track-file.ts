/**
 * A followed track file as points: GPX (incremental, the document still open)
 * or NMEA 0183 sentences, told apart by the first bytes (the extension only
 * when the content cannot say). Every reset of the file starts a new document.
 */
import { extname } from 'node:path';
import { createGpxPointReader, type GpxPointReader } from '../formats/gpx/points.js';
import type { Logger } from '../log.js';
import { type FollowEnd, followFile } from './follow.js';
import { NmeaTrackReader } from './nmea-reader.js';
import { sendableHeartRate, type TrackPoint } from './track-point.js';

export type TrackFormat = 'gpx' | 'nmea';

/** '<' opens XML, '$' or '!' a sentence; undefined while there are only blanks (or nothing) yet. */
export function sniffTrackFormat(head: Uint8Array, path: string): TrackFormat | undefined {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i >= head.length) return undefined;
  if (head[i] === 0x3c) return 'gpx';
  if (head[i] === 0x24 || head[i] === 0x21) return 'nmea';
  // Leading garbage (a logger attached mid-sentence): the extension decides, NMEA otherwise.
  return extname(path).toLowerCase() === '.gpx' ? 'gpx' : 'nmea';
}

export interface TrackFileOptions {
  readonly path: string;
  readonly onPoint: (point: TrackPoint) => void;
  readonly idleMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly pollMs?: number;
}

interface Decoder {
  write(chunk: Buffer): void;
  end(): void;
}

export async function followTrackFile(options: TrackFileOptions): Promise<FollowEnd> {
  const { log } = options;
  let head: Buffer = Buffer.alloc(0);
  let decoder: Decoder | undefined;
  let toldTimeless = false;

  const gpxDecoder = (): Decoder => {
    let failed = false;
    const reader: GpxPointReader = createGpxPointReader((p) => {
      if (!p.time) {
        if (!toldTimeless) log.warn(`${options.path}: track points without <time> are skipped (a live point needs its time)`);
        toldTimeless = true;
        return;
      }
      const hr = sendableHeartRate(p.hr);
      options.onPoint({ lat: p.lat, lon: p.lon, ...(p.ele === undefined ? {} : { ele: p.ele }), timeMs: p.time.getTime(), ...(hr === undefined ? {} : { hr }) });
    });
    return {
      write: (chunk) => {
        if (failed || reader.write(chunk)) return;
        failed = true;
        const result = reader.close();
        log.warn(`${options.path}: stopped reading the GPX (${result.failure ?? 'unreadable'}); waiting for the file to be replaced`);
      },
      end: () => {
        if (!failed) reader.close();
      },
    };
  };

  const nmeaDecoder = (): Decoder => {
    const reader = new NmeaTrackReader(options.onPoint);
    return {
      write: (chunk) => reader.write(chunk),
      end: () => {
        reader.flush();
        const { rejected, points } = reader.stats;
        if (rejected) log.info(`${options.path}: ${rejected} damaged NMEA line${rejected === 1 ? '' : 's'} ignored (bad or missing checksum), ${points} fixes read`);
      },
    };
  };

  const onData = (chunk: Buffer) => {
    if (!decoder) {
      head = Buffer.concat([head, chunk]);
      const format = sniffTrackFormat(head, options.path);
      if (!format) return;
      log.debug(`${options.path}: reading ${format.toUpperCase()}`);
      decoder = format === 'gpx' ? gpxDecoder() : nmeaDecoder();
      chunk = head;
      head = Buffer.alloc(0);
    }
    decoder.write(chunk);
  };

  try {
    return await followFile({
      path: options.path,
      idleMs: options.idleMs,
      signal: options.signal,
      log,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      onData,
      onReset: () => {
        decoder?.end();
        decoder = undefined;
        head = Buffer.alloc(0);
      },
    });
  } finally {
    decoder?.end();
  }
}
