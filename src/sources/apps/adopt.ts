/**
 * A folder the user configured by hand that is an app's folder keeps the user's id and
 * settings but takes on the app's quirks (so Zwift's in-progress file cannot trip it);
 * the app's own source for that folder is then dropped. Folders are compared by realpath.
 * A configured folder laid out as an app's folder on any OS (a Mac's MyWhoosh folder on a
 * disk mounted under Linux, where no app is detected) takes the app's quirks by its path.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import type { Source } from '../source.js';
import { APPS, USER, type AppSpec, type Segment } from './catalogue.js';

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
    if (!app) {
      const spec = appLaidOutAt(folder.root);
      return spec?.quirks ? { ...folder, app: { id: spec.id, name: spec.name }, foundBy: `${folder.foundBy ?? 'configured'}; laid out as ${spec.name}'s folder`, quirks: spec.quirks } : folder;
    }
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

/** The app whose folder `root` ends like, on any OS: every level of one of its locations, names matched. */
function appLaidOutAt(root: string): AppSpec | undefined {
  const levels = root.split(sep).filter(Boolean);
  const matches = (segment: Segment, name: string) =>
    segment === USER ? true : typeof segment === 'string' ? segment.toLowerCase() === name.toLowerCase() : segment.pattern.test(name);
  return APPS.find((spec) =>
    spec.locations.some((location) => {
      const tail = levels.slice(-location.path.length);
      return tail.length === location.path.length && location.path.every((segment, i) => matches(segment, tail[i]!));
    }),
  );
}
