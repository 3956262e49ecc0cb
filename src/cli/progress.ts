import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { IntakeEvent } from '../intake/scan.js';
import type { UploadEvent } from '../queue/uploader.js';

/**
 * A progress bar on stderr (TTY only): files, bytes, current file, ETA. The total grows
 * while the intake runs: the scanner counts the files it will read ahead of the readers,
 * and each one that turns out not to be an upload (skipped, duplicate, baseline) leaves it.
 */
export class UploadProgress {
  private bar: cliProgress.SingleBar | undefined;
  private total: number;
  private bytes = 0;
  private done = 0;

  /** `onShow` runs once, when the bar first appears (with nothing to upload, it never does). */
  constructor(queued: number, private readonly onShow: () => void = () => {}) {
    this.total = queued;
    if (queued > 0) this.show();
  }

  private show(): cliProgress.SingleBar {
    if (this.bar) return this.bar;
    this.onShow();
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
    this.bar.start(this.total, this.done, { mb: (this.bytes / 1048576).toFixed(1), file: '' });
    return this.bar;
  }

  private setTotal(total: number): void {
    this.total = Math.max(total, this.done);
    if (this.total > 0) this.show().setTotal(this.total);
  }

  onIntake(event: IntakeEvent): void {
    if (event.type === 'found') this.setTotal(this.total + 1);
    else if (event.type === 'taken' && event.outcome !== 'queued') this.setTotal(this.total - 1);
  }

  onEvent(event: UploadEvent): void {
    if (event.type === 'start') {
      this.bytes += event.bytes;
      this.show().update(this.done, { mb: (this.bytes / 1048576).toFixed(1), file: basename(event.record.path) });
    } else if (event.type === 'uploaded' || event.type === 'failed') {
      this.done++;
      this.show().update(this.done);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
