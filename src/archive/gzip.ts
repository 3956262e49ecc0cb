/** Gunzips a member or a file on disk under the caps (see collect.ts). */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Budget, type ArchiveCaps } from './caps.js';
import { collect, type Collected } from './collect.js';

export function gunzipBytes(compressed: Uint8Array, caps: ArchiveCaps, budget: Budget, signal?: AbortSignal): Promise<Collected> {
  const gunzip = createGunzip();
  const result = collect(gunzip, { maxBytes: caps.maxMemberBytes, maxRatio: caps.maxRatio, compressedBytes: compressed.length, budget }, signal);
  gunzip.end(compressed);
  return result;
}

export async function gunzipFile(path: string, caps: ArchiveCaps, budget: Budget, signal?: AbortSignal): Promise<Collected> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    return { ok: false, reason: `not readable: ${(error as Error).message}` };
  }
  const gunzip = createGunzip();
  // Destroying the gunzip stream (a refusal, an abort) ends the file read too.
  pipeline(createReadStream(path), gunzip, () => {});
  return collect(gunzip, { maxBytes: caps.maxMemberBytes, maxRatio: caps.maxRatio, compressedBytes: size, budget }, signal);
}

/** A gzipped file on disk on its own (a `.fit.gz` in a source), under the caps. */
export function gunzipFileCapped(path: string, caps: ArchiveCaps, signal?: AbortSignal): Promise<Collected> {
  return gunzipFile(path, caps, new Budget(caps.maxTotalBytes), signal);
}
