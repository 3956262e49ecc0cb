import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS } from './cli.js';

/** A fresh temp folder holding the whole shared corpus (fit/ and gpx/), like a sync folder. */
export function corpusCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-corpus-'));
  for (const sub of ['fit', 'gpx']) {
    mkdirSync(join(dir, sub));
    cpSync(join(CORPUS, sub), join(dir, sub), { recursive: true, filter: (src) => !/LICENSE/.test(src) });
  }
  return dir;
}
