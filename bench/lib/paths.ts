import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../src/package-root.js';

/** Where the commit-ready JSON results live: `bench/results/` of the repository. */
export function resultsDir(): string {
  return join(packageRoot(), 'bench', 'results');
}

export function resultPath(moduleName: string): string {
  return join(resultsDir(), `${moduleName}.json`);
}

/** A compiled file of dist/bench/, for spawning: `benchFile('intake/rss-measure.js')`. */
export function benchFile(relative: string): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', relative);
}

/** The shared corpus of real device files, beside the repository (`../shared/corpus`). */
export function corpusDir(): string {
  const dir = resolve(packageRoot(), '..', 'shared', 'corpus');
  for (const sub of ['fit', 'gpx']) {
    const path = join(dir, sub);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new Error(
        `Expected the corpus of device files at ${path}, got nothing there. ` +
          'The intake benchmark reads ../shared/corpus/{fit,gpx} relative to the repository; check it out beside the repo.',
      );
    }
  }
  return dir;
}
