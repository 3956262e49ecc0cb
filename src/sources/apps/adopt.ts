/**
 * A folder the user configured by hand that is an app's folder keeps the user's id and
 * settings but takes on the app's quirks (so Zwift's in-progress file cannot trip it);
 * the app's own source for that folder is then dropped. Folders are compared by realpath.
 */
import { realpathSync } from 'node:fs';
import type { Source } from '../source.js';

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export interface Adopted {
  /** The configured sources, app quirks merged into those that are an app's folder. */
  readonly folders: Source[];
  /** The app sources no configured folder stands for. */
  readonly apps: Source[];
}

export function adoptAppFolders(folders: readonly Source[], apps: readonly Source[]): Adopted {
  const appByReal = new Map(apps.map((app) => [realOr(app.root), app]));
  const adopted = new Set<Source>();
  const merged = folders.map((folder) => {
    const app = appByReal.get(realOr(folder.root));
    if (!app) return folder;
    adopted.add(app);
    return {
      ...folder,
      ...(app.app ? { app: app.app } : {}),
      ...(app.foundBy ? { foundBy: `${folder.foundBy ?? 'configured'}; also ${app.foundBy}` } : {}),
      ...(app.quirks ? { quirks: app.quirks } : {}),
    };
  });
  return { folders: merged, apps: apps.filter((app) => !adopted.has(app)) };
}
