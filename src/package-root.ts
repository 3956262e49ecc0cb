import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The installed package's folder, whether this code runs from src/ (tests) or dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config', 'default.yaml'))) {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the mmt-sync package folder (package.json beside config/)');
}

const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; homepage: string };

export const VERSION: string = manifest.version;

/** The project's one canonical address (package.json `homepage`, the units' `Documentation=`). */
export const PROJECT_URL: string = manifest.homepage.replace(/#.*$/, '');

export const USER_AGENT = `mmt-sync/${VERSION} (+${PROJECT_URL})`;
