/** Test fixtures for src/service: a ServiceContext over the real defaults, with any paths. */
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { packageRoot } from '../package-root.js';
import type { ServiceContext } from './context.js';

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const { config } = loadConfig({ env: { XDG_CONFIG_HOME: '/nonexistent/mmt-sync-test' } });
  return { ...config, ...overrides };
}

export function testContext(overrides: Partial<ServiceContext> = {}): ServiceContext {
  return {
    platform: 'linux',
    mode: 'daemon',
    home: '/home/runner',
    uid: 1000,
    node: process.execPath,
    cli: '/usr/lib/node_modules/mmt-sync/dist/src/cli/main.js',
    packageRoot: packageRoot(),
    stateDir: '/home/runner/.local/state/mmt-sync',
    configDir: '/home/runner/.config/mmt-sync',
    environment: [],
    config: defaultConfig(),
    ...overrides,
  };
}

/** Whether a command runs at all here (`systemd-analyze`, `python3`, `udevadm verify`). */
export function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
