/**
 * The app folders present on this machine, as sources. Absent apps cost a few failed
 * stats and say nothing.
 */
import { homedir } from 'node:os';
import type { Config } from '../../config/schema.js';
import { pathNeedsPolling, readMounts, type MountEntry } from '../mounts.js';
import { appSourceId, type Source } from '../source.js';
import { APPS, type AppSpec } from './catalogue.js';
import { describeLocation, locate, type LocateContext } from './locate.js';

export interface DetectAppsOptions {
  /** @default os.homedir() (HOME, or USERPROFILE on Windows) */
  readonly home?: string;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** For %LOCALAPPDATA%, %ProgramData%, %OneDrive%, $WINEPREFIX, $USER. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The mount table that decides polling. @default /proc/self/mountinfo, when it exists */
  readonly mounts?: readonly MountEntry[];
}

/** The sources of every enabled app found here; none when `apps.detect` is off. */
export async function detectApps(apps: Config['apps'], options: DetectAppsOptions = {}): Promise<Source[]> {
  if (!apps.detect) return [];
  const context: LocateContext = {
    home: options.home ?? homedir(),
    platform: options.platform ?? process.platform,
    env: options.env ?? process.env,
  };
  const mounts = options.mounts ?? readMounts();
  const sources: Source[] = [];
  const seen = new Set<string>();
  for (const app of APPS) {
    const settings = apps[app.id];
    if (!settings.enabled) continue;
    for (const location of app.locations) {
      for (const found of await locate(location, context)) {
        // ~/.steam/steam is usually a link to ~/.local/share/Steam: one folder, one source.
        if (seen.has(found.real)) continue;
        seen.add(found.real);
        sources.push({
          id: appSourceId(app.id, found.dir),
          kind: 'app',
          root: found.dir,
          label: label(app, location.variant, found.names),
          app: { id: app.id, name: app.name },
          foundBy: `${app.name}'s folder ${describeLocation(location)}`,
          poll: pathNeedsPolling(found.real, mounts),
          ...(settings.activityType !== undefined ? { activityType: settings.activityType } : {}),
          ...(settings.status !== undefined ? { status: settings.status } : {}),
          ...(app.quirks ? { quirks: app.quirks } : {}),
        });
      }
    }
  }
  return sources;
}

/** "Zwift", "Zwift (Steam Proton)", "Garmin Express 3912345678 (history)". */
function label(app: AppSpec, variant: string | undefined, names: readonly string[]): string {
  const name = [app.name, ...names].join(' ');
  return variant ? `${name} (${variant})` : name;
}
