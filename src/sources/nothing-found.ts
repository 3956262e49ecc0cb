import type { Config } from '../config/schema.js';
import { defaultMediaRoots } from './devices.js';

/**
 * The one line for "there is nothing to look at": no folder under `sources:`, no training
 * app found, no watch connected. It says what to do about it, and where a watch is looked for.
 */
function watchRoots(config: Config): string {
  const roots = config.devices.mediaRoots.length ? config.devices.mediaRoots : defaultMediaRoots(process.platform, process.env, process.getuid?.()).map((r) => r.dir);
  return `${roots.slice(0, 3).join(', ')}${roots.length > 3 ? ', …' : ''}`;
}

const where = (configFile: string | undefined) => configFile ?? 'the config file (`mmt-sync config path`)';

/** `sync` with nothing to scan. */
export function nothingToScan(config: Config, configFile: string | undefined): string {
  if (!config.devices.autoDetect) {
    return `nothing to sync: no folders under sources: in ${where(configFile)}, no training app found, and devices.autoDetect is off; add a folder there`;
  }
  return `nothing to sync: no watch connected (looked under ${watchRoots(config)}), no training app found and no folders under sources: in ${where(configFile)}; plug in your watch, or add a folder there`;
}

/** The daemon with nothing to watch yet: it waits for a watch, and says how else to give it work. */
export function nothingToWatch(config: Config, configFile: string | undefined): string {
  if (!config.devices.autoDetect) {
    return `nothing to watch: no folders under sources: in ${where(configFile)}, no training app found, and devices.autoDetect is off; add a folder there and send SIGHUP (or restart)`;
  }
  return `no watch connected yet and no folders configured: waiting for a watch to be plugged in (under ${watchRoots(config)}); folders go under sources: in ${where(configFile)}`;
}
