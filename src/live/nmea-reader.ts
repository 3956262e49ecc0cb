/**
 * Turns a stream of NMEA 0183 text into track points. Bytes arrive in pieces
 * (a file another program is still writing), so a line is only read once its
 * newline is in. Sentences of one epoch (same UTC time) are combined: RMC
 * brings the date and its validity flag, GGA the fix quality and altitude.
 */
import type { TrackPoint } from './track-point.js';
import { type GgaSentence, type RmcSentence, hasValidChecksum, parseTrackSentence } from './nmea-sentence.js';

const DAY_MS = 86_400_000;
/** A single line longer than this is not NMEA (the standard caps sentences at 82 characters). */
const MAX_LINE = 4096;

export interface NmeaReadStats {
  /** RMC/GGA sentences taken. */
  readonly sentences: number;
  /** Lines that started like a sentence but failed the checksum or could not be read. */
  readonly rejected: number;
  /** Epochs without a fix (RMC status V or GGA quality 0). */
  readonly noFix: number;
  /** Fixed epochs skipped because no RMC had told the date yet. */
  readonly undated: number;
  readonly points: number;
}

interface Epoch {
  readonly timeOfDayMs: number;
  rmc?: RmcSentence;
  gga?: GgaSentence;
}

export class NmeaTrackReader {
  private tail = '';
  private epoch: Epoch | undefined;
  /** UTC midnight of the current date, from the last RMC that carried one. */
  private dateMs: number | undefined;
  private lastTimeOfDayMs: number | undefined;
  private lastEmittedMs = -Infinity;
  private counts = { sentences: 0, rejected: 0, noFix: 0, undated: 0, points: 0 };

  constructor(private readonly onPoint: (point: TrackPoint) => void) {}

  get stats(): NmeaReadStats {
    return { ...this.counts };
  }

  /** Feeds the bytes appended since the last call. */
  write(chunk: Uint8Array | string): void {
    this.tail += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    let newline: number;
    while ((newline = this.tail.search(/[\r\n]/)) >= 0) {
      const line = this.tail.slice(0, newline);
      this.tail = this.tail.slice(newline + 1);
      this.line(line);
    }
    if (this.tail.length > MAX_LINE) {
      this.counts.rejected++;
      this.tail = '';
    }
  }

  /** No more input: a last line without newline still counts if its checksum holds; the open epoch ends. */
  flush(): void {
    if (this.tail) this.line(this.tail);
    this.tail = '';
    this.closeEpoch();
  }

  private line(line: string): void {
    const trimmed = line.trim();
    if (!trimmed) return;
    const sentence = parseTrackSentence(trimmed);
    if (!sentence) {
      // Other sentence types (GSA, GSV, …) are fine to ignore; a damaged line is worth counting.
      if (isDamaged(trimmed)) this.counts.rejected++;
      return;
    }
    this.counts.sentences++;
    if (this.epoch && this.epoch.timeOfDayMs !== sentence.timeOfDayMs) this.closeEpoch();
    this.epoch ??= { timeOfDayMs: sentence.timeOfDayMs };
    // Receivers with several constellations may repeat a type (GPRMC and GNRMC): the first one counts.
    if (sentence.kind === 'rmc') this.epoch.rmc ??= sentence;
    else this.epoch.gga ??= sentence;
    if (this.epoch.rmc && this.epoch.gga) this.closeEpoch();
  }

  private closeEpoch(): void {
    const epoch = this.epoch;
    this.epoch = undefined;
    if (!epoch) return;
    const { rmc, gga } = epoch;
    this.advanceDate(epoch.timeOfDayMs, rmc?.dateMs);
    const fixed = (rmc?.valid ?? true) && (gga ? gga.quality > 0 : true);
    const position = gga?.position ?? rmc?.position;
    if (!fixed || !position) {
      this.counts.noFix++;
      return;
    }
    if (this.dateMs === undefined) {
      this.counts.undated++;
      return;
    }
    const timeMs = this.dateMs + epoch.timeOfDayMs;
    // The same epoch told twice (a repeated sentence after the pair closed it) is one point.
    if (timeMs <= this.lastEmittedMs) return;
    this.lastEmittedMs = timeMs;
    this.counts.points++;
    this.onPoint({ lat: position.lat, lon: position.lon, ...(gga?.altitude === undefined ? {} : { ele: gga.altitude }), timeMs });
  }

  /**
   * The date comes from RMC; an epoch with only GGA (or an RMC without a date)
   * carries the last one forward, rolling over at UTC midnight.
   */
  private advanceDate(timeOfDayMs: number, rmcDateMs: number | undefined): void {
    if (rmcDateMs !== undefined) {
      this.dateMs = rmcDateMs;
    } else if (this.dateMs !== undefined && this.lastTimeOfDayMs !== undefined && timeOfDayMs < this.lastTimeOfDayMs - DAY_MS / 2) {
      this.dateMs += DAY_MS;
    }
    this.lastTimeOfDayMs = timeOfDayMs;
  }
}

/** A line with a sentence start whose checksum does not hold (or is missing). */
function isDamaged(line: string): boolean {
  const start = Math.max(line.lastIndexOf('$'), line.lastIndexOf('!'));
  return start >= 0 && !hasValidChecksum(line.slice(start).trim());
}
