/**
 * The hard limits every expansion runs under, so a zip or gzip bomb is refused with its
 * reason in bounded time and memory. Options are validated up front.
 */
import { MB } from '../fsutil/format-bytes.js';

export interface ArchiveCaps {
  /** Largest decompressed member; a member is held in memory whole. Use `intake.maxFileMB`. */
  readonly maxMemberBytes: number;
  /**
   * Decompressed ÷ compressed size beyond which a member is refused, once it is past
   * `RATIO_FLOOR_BYTES` (tiny members compress absurdly well and harm nobody). FIT files
   * compress 3–5:1, GPX and TCX 10–25:1; deflate cannot pass ~1032:1; bombs sit near that.
   * @default 100
   */
  readonly maxRatio: number;
  /** Entries in one zip, directories included. @default 50_000 */
  readonly maxEntries: number;
  /** Zips inside zips: 1 = a plain zip, 2 = a zip inside a zip (Garmin's export). @default 2 */
  readonly maxDepth: number;
  /** Decompressed bytes over a whole archive, nested zips included. @default 16 GB */
  readonly maxTotalBytes: number;
}

/** Members that end up smaller than this are never refused for their ratio. */
export const RATIO_FLOOR_BYTES = MB;

export function defaultCaps(maxMemberBytes: number): ArchiveCaps {
  return { maxMemberBytes, maxRatio: 100, maxEntries: 50_000, maxDepth: 2, maxTotalBytes: 16 * 1024 * MB };
}

export function validateCaps(caps: ArchiveCaps): void {
  for (const [key, min] of [['maxMemberBytes', 1], ['maxRatio', 1], ['maxEntries', 1], ['maxDepth', 1], ['maxTotalBytes', 1]] as const) {
    const value = caps[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new TypeError(`Expected caps.${key} to be a number of at least ${min}, got ${String(value)}`);
    }
  }
}

/** Decompressed bytes taken so far over one whole expansion. */
export class Budget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** False (and nothing taken) when `bytes` more would pass the limit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
}
