import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { IntakeEvent } from '../intake/scan.js';
import { clock, relative } from '../present/present.js';
import type { UploadEvent } from '../queue/uploader.js';
import type { ProgressStyle } from './terminal.js';

/**
 * Upload progress on stderr: files, bytes, the current file, and while nothing can go out,
 * why and until when. The total grows while the intake runs: the scanner counts the files it
 * will read ahead of the readers, and each one that turns out not to be an upload (skipped,
 * duplicate, baseline) leaves it.
 */
export interface UploadProgress {
  onEvent(event: UploadEvent): void;
  onIntake(event: IntakeEvent): void;
  stop(): void;
}

export interface ProgressOptions {
  /** The page of an uploaded activity (api.activityUrl), for the plain lines. */
  readonly linkFor?: (activityId: string) => string;
}

/** Counts what the events say; the two styles only draw it differently. */
class Tally {
  bytes = 0;
  done = 0;
  /** Files whose bytes are counted: a retry sends the same file again, and it is one file's worth. */
  private readonly counted = new Set<number>();
  /** Why nothing goes out now, and until when (a Retry-After, or every queued upload in backoff). */
  wait: { readonly until: number; readonly why: string; readonly rateLimited: boolean } | undefined;
  paused: string | undefined;

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

  /** Keeps what an upload event says; true for a file that finished. */
  note(event: UploadEvent): boolean {
    if (event.type === 'start') {
      if (!this.counted.has(event.record.id)) {
        this.counted.add(event.record.id);
        this.bytes += event.bytes;
      }
      this.wait = undefined;
    } else if (event.type === 'waiting') {
      const rateLimited = event.reason === 'rate-limited';
      this.wait = { until: event.nextTryAt, why: rateLimited ? 'rate limited' : (event.why ?? 'the server failed'), rateLimited };
    } else if (event.type === 'login-required') {
      this.paused = 'paused: login required';
    } else if (event.type === 'uploaded' || event.type === 'failed') {
      this.done++;
      return true;
    }
    return false;
  }

  /** "server unreachable — next try in 12 s", "rate limited until 10:42", or undefined while uploads go out. */
  waitText(now = Date.now()): string | undefined {
    if (this.paused) return this.paused;
    const wait = this.wait;
    if (!wait || wait.until <= now) return undefined;
    if (wait.rateLimited) return `rate limited until ${clock(wait.until, wait.until - now < 120_000)}`;
    return `${wait.why} — next try ${relative(wait.until, now)}`;
  }
}

/** A bar redrawn in place (a terminal that takes escape sequences); drawn once there is something to upload. */
class BarProgress implements UploadProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly tally: Tally;
  private file = '';

  constructor(total: number) {
    this.tally = new Tally(total);
    if (total > 0) this.show();
  }

  private show(): cliProgress.SingleBar {
    if (this.bar) return this.bar;
    const tally = this.tally;
    const file = () => this.file;
    this.bar = new cliProgress.SingleBar(
      {
        // While nothing can go out, the reason takes the ETA's place: an ETA of "NF" says nothing.
        format: (options, params, payload) => {
          const waiting = tally.waitText();
          const tail = waiting ?? `ETA {eta_formatted} · ${file()}`;
          return cliProgress.Format.Formatter({ ...options, format: `uploading [{bar}] {value}/{total} files · ${tally.mb} MB · ${tail}` }, params, payload);
        },
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.tally.total, this.tally.done, {});
    return this.bar;
  }

  onIntake(event: IntakeEvent): void {
    if (!this.tally.count(event)) return;
    if (this.bar) this.bar.setTotal(this.tally.total);
    else if (this.tally.total > 0) this.show();
  }

  onEvent(event: UploadEvent): void {
    const finished = this.tally.note(event);
    if (event.type === 'start') this.file = basename(event.record.path);
    // The bar redraws itself every few hundred ms, so a countdown moves on its own.
    if (finished) this.show().update(this.tally.done);
    else this.show().update({});
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** One plain line per finished file or wait: TERM=dumb and NO_COLOR get progress without a single escape. */
class LineProgress implements UploadProgress {
  private readonly tally: Tally;

  constructor(
    total: number,
    private readonly options: ProgressOptions,
  ) {
    this.tally = new Tally(total);
  }

  onIntake(event: IntakeEvent): void {
    this.tally.count(event);
  }

  onEvent(event: UploadEvent): void {
    const finished = this.tally.note(event);
    if (event.type === 'waiting' || event.type === 'login-required') {
      const waiting = this.tally.waitText();
      // "next try in 12 s" gets its clock time; "rate limited until 10:42" has it already.
      const at = event.type === 'waiting' && !this.tally.paused && !this.tally.wait?.rateLimited;
      if (waiting) process.stderr.write(`waiting: ${waiting}${at ? ` (at ${clock(event.nextTryAt, true)})` : ''}\n`);
      return;
    }
    if (!finished) return;
    const link = event.type === 'uploaded' && this.options.linkFor ? ` → ${this.options.linkFor(event.remoteId)}` : '';
    const what = event.type === 'uploaded' ? (event.existed ? 'already there' : 'uploaded') : 'failed';
    process.stderr.write(`${what} ${this.tally.done}/${this.tally.total} files · ${this.tally.mb} MB · ${basename(event.record.path)}${link}\n`);
  }

  stop(): void {}
}

/** The progress display for `style`, or undefined when nothing should be drawn. */
export function uploadProgress(style: ProgressStyle, total: number, options: ProgressOptions = {}): UploadProgress | undefined {
  if (style === 'bar') return new BarProgress(total);
  if (style === 'lines') return new LineProgress(total, options);
  return undefined;
}
