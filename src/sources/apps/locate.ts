/**
 * Turns an app location (a base and path segments, some of them name patterns) into the
 * directories that exist on this machine. Only directory listings and stats: nothing is
 * opened. The platform, home and environment come in as arguments, so a test lays out a
 * fake home like each OS and runs the same code.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { USER, type AppLocation, type Base, type Segment } from './catalogue.js';

export interface LocateContext {
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
}

export interface Located {
  /** The directory as found (through the base as the user knows it). */
  readonly dir: string;
  /** Its realpath: two locations that lead to one directory are one source. */
  readonly real: string;
  /** The names that matched pattern levels and tell sources apart (a device id, an account id), in order. */
  readonly names: readonly string[];
}

/** An environment variable, however Windows capitalised it (`ProgramData`, `PROGRAMDATA`). */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : env[key];
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function loginName(env: NodeJS.ProcessEnv): string | undefined {
  const named = envValue(env, 'USER') ?? envValue(env, 'LOGNAME');
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** The directories a base stands for, most specific first. */
export function baseDirs(base: Base, context: LocateContext): string[] {
  const { home, env } = context;
  const dirs: (string | undefined)[] = [];
  switch (base) {
    case 'home':
      dirs.push(home);
      break;
    case 'oneDrive':
      dirs.push(envValue(env, 'OneDrive'), join(home, 'OneDrive'));
      break;
    case 'localAppData':
      dirs.push(envValue(env, 'LOCALAPPDATA') ?? join(home, 'AppData', 'Local'));
      break;
    case 'appData':
      dirs.push(envValue(env, 'APPDATA') ?? join(home, 'AppData', 'Roaming'));
      break;
    case 'programData':
      dirs.push(envValue(env, 'ProgramData') ?? 'C:\\ProgramData');
      break;
    case 'winePrefix':
      dirs.push(envValue(env, 'WINEPREFIX'), join(home, '.wine'));
      break;
    case 'steam':
      dirs.push(join(home, '.steam', 'steam'), join(home, '.local', 'share', 'Steam'));
      break;
  }
  return [...new Set(dirs.filter((d): d is string => d !== undefined))];
}

/** How a location reads for people: `~/Documents/Zwift/Activities`, `%ProgramData%\Garmin\…\<device>\FIT_TYPE_4`. */
export function describeLocation(location: AppLocation): string {
  const windows = location.platforms.every((p) => p === 'win32');
  const start: Record<Base, string> = {
    home: '~',
    oneDrive: '%OneDrive%',
    localAppData: '%LOCALAPPDATA%',
    appData: '%APPDATA%',
    programData: '%ProgramData%',
    winePrefix: '$WINEPREFIX',
    steam: '<Steam>',
  };
  const parts = location.path.map((s) => (s === USER ? '$USER' : typeof s === 'string' ? s : s.shown));
  return [start[location.base], ...parts].join(windows ? '\\' : '/');
}

async function subdirectories(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return []; // absent or unreadable: nothing here, and not worth a word
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Every existing directory the location leads to (none when the app is not there). */
export async function locate(location: AppLocation, context: LocateContext): Promise<Located[]> {
  if (!location.platforms.includes(context.platform)) return [];
  let frontier: Array<{ dir: string; names: string[] }> = baseDirs(location.base, context).map((dir) => ({ dir, names: [] }));
  for (const segment of location.path) {
    const next: typeof frontier = [];
    for (const { dir, names } of frontier) next.push(...(await step(dir, names, segment, context)));
    frontier = next;
    if (frontier.length === 0) return [];
  }
  const found: Located[] = [];
  for (const { dir, names } of frontier) {
    if (!(await isDirectory(dir))) continue;
    found.push({ dir, real: await realpath(dir).catch(() => dir), names });
  }
  return found;
}

async function step(dir: string, names: string[], segment: Segment, context: LocateContext): Promise<Array<{ dir: string; names: string[] }>> {
  if (segment === USER) {
    const user = loginName(context.env);
    return user ? [{ dir: join(dir, user), names }] : [];
  }
  if (typeof segment === 'string') return [{ dir: join(dir, segment), names }];
  const matches = (await subdirectories(dir)).filter((entry) => segment.pattern.test(entry.name));
  return matches.map((entry) => ({ dir: join(dir, entry.name), names: segment.inLabel === false ? names : [...names, entry.name] }));
}
