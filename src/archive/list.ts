/** The entry names of a zip, read from its central directory alone: nothing is decompressed. */
import yauzl from 'yauzl';
import type { ArchiveCaps } from './caps.js';
import { describeStreamError } from './collect.js';

export type Listing = { readonly ok: true; readonly names: readonly string[] } | { readonly ok: false; readonly reason: string };

export async function listZip(path: string, caps: Pick<ArchiveCaps, 'maxEntries'>): Promise<Listing> {
  let zip;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: true, decodeStrings: false });
  } catch (error) {
    return { ok: false, reason: `not a readable zip: ${describeStreamError(error)}` };
  }
  if (zip.entryCount > caps.maxEntries) {
    zip.close();
    return { ok: false, reason: `holds ${zip.entryCount} entries, more than the ${caps.maxEntries} cap` };
  }
  const names: string[] = [];
  try {
    for await (const entry of zip.eachEntry()) names.push(yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false));
    return { ok: true, names };
  } catch (error) {
    return { ok: false, reason: `the zip is damaged: ${describeStreamError(error)}` };
  } finally {
    if (zip.isOpen) zip.close();
  }
}
