import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { adoptAppFolders, detectApps } from '../sources/apps/index.js';
import { configuredSources, detectDevices } from '../sources/index.js';
import type { Source } from '../sources/source.js';

/**
 * The sources of one run: `--folder` alone when given (an explicit request wins), else
 * the configured folders plus every app folder found and every watch mounted right now.
 * A configured folder that is an app's folder takes on the app's quirks.
 */
export async function gatherSources(config: Config, folders: readonly string[], log: Logger): Promise<Source[]> {
  const apps = await detectApps(config.apps);
  if (folders.length) return adoptAppFolders(configuredSources({ ...config, sources: [] }, folders), apps).folders;
  const { folders: sources, apps: appSources } = adoptAppFolders(configuredSources(config, []), apps);
  for (const app of appSources) log.info(`found ${app.label} at ${app.root}`);
  sources.push(...appSources);
  if (config.devices.autoDetect) {
    const devices = await detectDevices({ mediaRoots: config.devices.mediaRoots });
    for (const device of devices) log.info(`found ${device.label} at ${device.root}`);
    sources.push(...devices);
  }
  return sources;
}
