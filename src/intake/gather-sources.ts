import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { configuredSources, detectDevices } from '../sources/index.js';
import type { Source } from '../sources/source.js';

/**
 * The sources of one run: `--folder` alone when given (an explicit request wins), else
 * the configured folders plus every watch found mounted right now.
 */
export async function gatherSources(config: Config, folders: readonly string[], log: Logger): Promise<Source[]> {
  if (folders.length) return configuredSources({ ...config, sources: [] }, folders);
  const sources = configuredSources(config, []);
  if (config.devices.autoDetect) {
    const devices = await detectDevices({ mediaRoots: config.devices.mediaRoots });
    for (const device of devices) log.info(`found ${device.label} at ${device.root}`);
    sources.push(...devices);
  }
  return sources;
}
