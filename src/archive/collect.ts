/**
 * Reads a decompressing stream under the caps, into memory (a member) or into a private
 * temp file (a zip inside a zip): the moment its output passes the member cap, the ratio
 * bound or the archive's total budget, the stream is destroyed and the member refused
 * with the reason. Errors (zlib's, yauzl's) come back as reasons, never as exceptions;
 * only an abort throws.
 */
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { formatBytes } from '../fsutil/format-bytes.js';
import { RATIO_FLOOR_BYTES, type Budget } from './caps.js';

export interface Bounds {
  readonly maxBytes: number;
  readonly maxRatio: number;
  /** What went in: the ratio is judged against it. */
  readonly compressedBytes: number;
  readonly budget: Budget;
  /** The size the archive declares (zip), to allocate once; never trusted as a bound. */
  readonly expectedBytes?: number;
}

export type Collected =
  | { readonly ok: true; readonly bytes: Buffer; readonly crc32: number }
  | { readonly ok: false; readonly reason: string };

export type Spilled = { readonly ok: true; readonly crc32: number; readonly size: number } | { readonly ok: false; readonly reason: string };

export function ratioReason(maxRatio: number): string {
  return `expands more than ${maxRatio}:1 (a compression bomb's ratio)`;
}

/** A decompression or archive error in words a user can act on. */
export function describeStreamError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  const message = err?.message ?? String(error);
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) return 'truncated: the compressed data ends early';
  if (/incorrect header check|not in gzip format/i.test(message)) return 'not gzip data';
  if (err?.code === 'Z_DATA_ERROR') return `corrupt compressed data (${message})`;
  const tooMany = /too many bytes in the stream\. expected (\d+)/.exec(message);
  if (tooMany) return `the archive's directory says ${tooMany[1]} bytes, but the data holds more`;
  const tooFew = /not enough bytes in the stream\. expected (\d+)\. got only (\d+)/.exec(message);
  if (tooFew) return `the archive's directory says ${tooFew[1]} bytes, but the data holds only ${tooFew[2]}`;
  return message;
}

/** Counts what comes out of a stream against the bounds, and its CRC-32. */
class Meter {
  size = 0;
  crc = 0;
  constructor(private readonly bounds: Bounds) {}

  /** The reason to stop, or undefined when the chunk is within every bound (and is then counted). */
  add(chunk: Buffer): string | undefined {
    const { maxBytes, maxRatio, compressedBytes, budget } = this.bounds;
    const next = this.size + chunk.length;
    if (next > maxBytes) return `expands past the ${formatBytes(maxBytes)} cap`;
    if (next > RATIO_FLOOR_BYTES && next > maxRatio * compressedBytes) return ratioReason(maxRatio);
    if (!budget.take(chunk.length)) return `the archive expands past ${formatBytes(budget.limit)} in total`;
    this.crc = crc32(chunk, this.crc);
    this.size = next;
    return undefined;
  }
}

/**
 * Drives `stream` to its end, handing each chunk within bounds to `sink`; `sink` may
 * return a promise to slow the stream down (backpressure).
 */
function drain<T>(stream: Readable, bounds: Bounds, signal: AbortSignal | undefined, sink: (chunk: Buffer, meter: Meter) => void | Promise<void>, done: (meter: Meter) => T): Promise<T | { ok: false; reason: string }> {
  return new Promise((resolve, reject) => {
    const meter = new Meter(bounds);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const refuse = (reason: string) => {
      stream.destroy();
      settle(() => resolve({ ok: false, reason }));
    };
    const onAbort = () => {
      stream.destroy();
      settle(() => reject(signal!.reason));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      const reason = meter.add(chunk);
      if (reason) return refuse(reason);
      const slow = sink(chunk, meter);
      if (slow) {
        stream.pause();
        slow.then(
          () => stream.resume(),
          (error: unknown) => refuse(describeStreamError(error)),
        );
      }
    });
    stream.on('error', (error) => settle(() => resolve({ ok: false, reason: describeStreamError(error) })));
    stream.on('end', () => settle(() => resolve(done(meter))));
  });
}

/** The whole decompressed member in memory (at most `bounds.maxBytes`). */
export async function collect(stream: Readable, bounds: Bounds, signal?: AbortSignal): Promise<Collected> {
  const expected = bounds.expectedBytes;
  const preallocated = expected !== undefined && expected <= bounds.maxBytes ? Buffer.allocUnsafe(expected) : undefined;
  const chunks: Buffer[] = [];
  /** Bytes in `preallocated`; once a chunk does not fit, the rest go to `chunks`. */
  let filled = 0;
  return drain(
    stream,
    bounds,
    signal,
    (chunk) => {
      if (preallocated && chunks.length === 0 && filled + chunk.length <= preallocated.length) {
        chunk.copy(preallocated, filled);
        filled += chunk.length;
      } else chunks.push(chunk);
    },
    (meter): Collected => {
      const head = preallocated ? [preallocated.subarray(0, filled)] : [];
      const bytes = chunks.length === 0 && preallocated ? head[0]! : Buffer.concat([...head, ...chunks], meter.size);
      return { ok: true, bytes, crc32: meter.crc };
    },
  );
}

/** The decompressed member written to `file` (created new, owner-only), for a zip inside a zip. */
export async function spill(stream: Readable, bounds: Bounds, file: string, signal?: AbortSignal): Promise<Spilled> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const opened = new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  try {
    await opened;
  } catch (error) {
    return { ok: false, reason: `could not write a temporary file: ${(error as Error).message}` };
  }
  const written = await drain(
    stream,
    bounds,
    signal,
    (chunk) => (out.write(chunk) ? undefined : new Promise<void>((resolve, reject) => out.once('drain', resolve).once('error', reject))),
    (meter): Spilled => ({ ok: true, crc32: meter.crc, size: meter.size }),
  ).catch((error: unknown) => {
    out.destroy();
    throw error;
  });
  await new Promise<void>((resolve) => out.end(resolve));
  return written;
}
