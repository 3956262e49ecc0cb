import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { UploadEvent } from '../queue/uploader.js';

/** A progress bar on stderr (TTY only): files, bytes, current file, ETA. */
export class UploadProgress {
  private readonly bar: cliProgress.SingleBar;
  private bytes = 0;
  private done = 0;

  constructor(total: number) {
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
      this.bytes += event.bytes;
      this.bar.update(this.done, { mb: (this.bytes / 1048576).toFixed(1), file: basename(event.record.path) });
    } else if (event.type === 'uploaded' || event.type === 'failed') {
      this.done++;
      this.bar.update(this.done);
    }
  }

  stop(): void {
    this.bar.stop();
  }
}
