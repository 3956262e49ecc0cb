import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { UploadEvent } from '../queue/uploader.js';
import type { ProgressStyle } from './terminal.js';

/** Upload progress on stderr: files, bytes, the current file. */
export interface UploadProgress {
  onEvent(event: UploadEvent): void;
  stop(): void;
}

/** Counts what the events say; the two styles only draw it differently. */
class Tally {
  bytes = 0;
  done = 0;
  constructor(readonly total: number) {}
  get mb(): string {
    return (this.bytes / 1048576).toFixed(1);
  }
}

/** A bar redrawn in place, with an ETA (a terminal that takes escape sequences). */
class BarProgress implements UploadProgress {
  private readonly bar: cliProgress.SingleBar;
  private readonly tally: Tally;

  constructor(total: number) {
    this.tally = new Tally(total);
    this.bar = new cliProgress.SingleBar(
      {
        format: 'uploading [{bar}] {value}/{total} files · {mb} MB · ETA {eta_formatted} · {file}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { mb: '0.0', file: '' });
  }

  onEvent(event: UploadEvent): void {
    if (event.type === 'start') {
      this.tally.bytes += event.bytes;
      this.bar.update(this.tally.done, { mb: this.tally.mb, file: basename(event.record.path) });
    } else if (event.type === 'uploaded' || event.type === 'failed') {
      this.tally.done++;
      this.bar.update(this.tally.done);
    }
  }

  stop(): void {
    this.bar.stop();
  }
}

/** One plain line per finished file: TERM=dumb and NO_COLOR get progress without a single escape. */
class LineProgress implements UploadProgress {
  private readonly tally: Tally;

  constructor(total: number) {
    this.tally = new Tally(total);
  }

  onEvent(event: UploadEvent): void {
    if (event.type === 'start') this.tally.bytes += event.bytes;
    if (event.type !== 'uploaded' && event.type !== 'failed') return;
    this.tally.done++;
    const what = event.type === 'uploaded' ? 'uploaded' : 'failed';
    process.stderr.write(`${what} ${this.tally.done}/${this.tally.total} files · ${this.tally.mb} MB · ${basename(event.record.path)}\n`);
  }

  stop(): void {}
}

/** The progress display for `style`, or undefined when nothing should be drawn. */
export function uploadProgress(style: ProgressStyle, total: number): UploadProgress | undefined {
  if (style === 'bar') return new BarProgress(total);
  if (style === 'lines') return new LineProgress(total);
  return undefined;
}
