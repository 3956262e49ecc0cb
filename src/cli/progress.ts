import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { IntakeEvent } from '../intake/scan.js';
import type { UploadEvent } from '../queue/uploader.js';
import type { ProgressStyle } from './terminal.js';

/**
 * Upload progress on stderr: files, bytes, the current file. The total grows while the
 * intake runs: the scanner counts the files it will read ahead of the readers, and each
 * one that turns out not to be an upload (skipped, duplicate, baseline) leaves it.
 */
export interface UploadProgress {
  onEvent(event: UploadEvent): void;
  onIntake(event: IntakeEvent): void;
  stop(): void;
}

/** Counts what the events say; the two styles only draw it differently. */
class Tally {
  bytes = 0;
  done = 0;
  constructor(public total: number) {}
  get mb(): string {
    return (this.bytes / 1048576).toFixed(1);
  }
  /** Moves the total for what the intake said; true when it moved. */
  count(event: IntakeEvent): boolean {
    if (event.type === 'found') this.total++;
    else if (event.type === 'taken' && event.outcome !== 'queued') this.total = Math.max(this.done, this.total - 1);
    else return false;
    return true;
  }
}

/** A bar redrawn in place, with an ETA (a terminal that takes escape sequences); drawn once there is something to upload. */
class BarProgress implements UploadProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly tally: Tally;

  constructor(total: number) {
    this.tally = new Tally(total);
    if (total > 0) this.show();
  }

  private show(): cliProgress.SingleBar {
    if (this.bar) return this.bar;
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
    this.bar.start(this.tally.total, this.tally.done, { mb: this.tally.mb, file: '' });
    return this.bar;
  }

  onIntake(event: IntakeEvent): void {
    if (!this.tally.count(event)) return;
    if (this.bar) this.bar.setTotal(this.tally.total);
    else if (this.tally.total > 0) this.show();
  }

  onEvent(event: UploadEvent): void {
    if (event.type === 'start') {
      this.tally.bytes += event.bytes;
      this.show().update(this.tally.done, { mb: this.tally.mb, file: basename(event.record.path) });
    } else if (event.type === 'uploaded' || event.type === 'failed') {
      this.tally.done++;
      this.show().update(this.tally.done);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** One plain line per finished file: TERM=dumb and NO_COLOR get progress without a single escape. */
class LineProgress implements UploadProgress {
  private readonly tally: Tally;

  constructor(total: number) {
    this.tally = new Tally(total);
  }

  onIntake(event: IntakeEvent): void {
    this.tally.count(event);
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
