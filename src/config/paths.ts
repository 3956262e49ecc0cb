import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

export interface PathEnv {
  readonly [key: string]: string | undefined;
}

/**
 * Where config and state live. XDG variables win everywhere (tests isolate with them);
 * otherwise the platform's convention.
 */
export function configDir(env: PathEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'mmt-sync');
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'mmt-sync');
  return join(env.HOME ?? homedir(), '.config', 'mmt-sync');
}

export function stateDir(env: PathEnv = process.env): string {
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'mmt-sync');
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'mmt-sync', 'state');
  return join(env.HOME ?? homedir(), '.local', 'state', 'mmt-sync');
}

/** Every setting with its default: the base layer the user's file is laid over. */
export function defaultConfigFile(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

/** The user config file: --config, then MMT_SYNC_CONFIG, then the config dir. */
export function userConfigFile(explicit: string | undefined, env: PathEnv = process.env): { path: string; explicit: boolean } {
  if (explicit) return { path: explicit, explicit: true };
  if (env.MMT_SYNC_CONFIG) return { path: env.MMT_SYNC_CONFIG, explicit: true };
  return { path: join(configDir(env), 'config.yaml'), explicit: false };
}

/** Expands a leading ~ the way a user writing a config file means it. */
export function expandHome(path: string, env: PathEnv = process.env): string {
  if (path === '~') return env.HOME ?? homedir();
  if (path.startsWith('~/')) return join(env.HOME ?? homedir(), path.slice(2));
  return path;
}
