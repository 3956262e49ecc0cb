import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { expandHome, type PathEnv } from '../config/paths.js';
import { usageError } from '../errors.js';
import { pathNeedsPolling, readMounts, type MountEntry } from './mounts.js';
import { folderSourceId, type Source } from './source.js';

export interface ConfiguredSourcesOptions {
  /** For `~`. @default process.env */
  readonly env?: PathEnv;
  /** Relative paths are taken from here. @default process.cwd() */
  readonly cwd?: string;
  /** The mount table that decides polling. @default /proc/self/mountinfo, when it exists */
  readonly mounts?: readonly MountEntry[];
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The folders the user named: `sources:` of the config first, then each `--folder`.
 * Paths are made absolute (`~` expanded); two that lead to the same directory count once
 * and the first wins, so a `--folder` repeating a configured source keeps its settings.
 * A folder that does not exist (yet) is kept: it may be a sync folder still to appear.
 * The id is built from the path as written, not its realpath, so it stays the same
 * whether or not the folder exists today.
 */
export function configuredSources(
  config: Pick<Config, 'sources'>,
  extraFolders: readonly string[],
  options: ConfiguredSourcesOptions = {},
): Source[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const mounts = options.mounts ?? readMounts();
  const seen = new Set<string>();
  const sources: Source[] = [];

  const add = (path: string, foundBy: string, settings: Partial<Pick<Source, 'activityType' | 'status' | 'include' | 'exclude'>>) => {
    const root = resolve(cwd, expandHome(path, env));
    const real = realpathOr(root);
    if (seen.has(real)) return;
    seen.add(real);
    sources.push({
      id: folderSourceId(root),
      kind: 'folder',
      root,
      label: root,
      foundBy,
      poll: pathNeedsPolling(real, mounts),
      ...settings,
    });
  };

  for (const entry of config.sources) {
    const { path, activityType, status, include, exclude } = entry;
    add(path, 'configured under sources:', {
      ...(activityType !== undefined ? { activityType } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(include !== undefined && include.length > 0 ? { include } : {}),
      ...(exclude !== undefined && exclude.length > 0 ? { exclude } : {}),
    });
  }
  for (const folder of extraFolders) {
    if (typeof folder !== 'string' || folder.trim() === '') {
      throw usageError('FOLDER_INVALID', `Expected --folder to name a directory, got ${JSON.stringify(folder)}`);
    }
    add(folder, 'named with --folder', {});
  }
  return sources;
}
