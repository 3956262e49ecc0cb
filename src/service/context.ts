import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { configDir } from '../config/paths.js';
import { MmtError, usageError } from '../errors.js';
import { packageRoot } from '../package-root.js';

export type ServiceMode = 'daemon' | 'once';
export type ServicePlatform = 'linux' | 'darwin';

/** Everything the generated files depend on, resolved once, so rendering is pure. */
export interface ServiceContext {
  readonly platform: ServicePlatform;
  readonly mode: ServiceMode;
  readonly home: string;
  readonly uid: number;
  /** The Node binary that runs the service: the one running this install. */
  readonly node: string;
  /** The installed package's CLI entry point (dist/src/cli/main.js). */
  readonly cli: string;
  readonly packageRoot: string;
  readonly stateDir: string;
  readonly configDir: string;
  /** Variables the service must see to find the same config and state as this shell. */
  readonly environment: ReadonlyArray<readonly [string, string]>;
  readonly config: Config;
}

export interface ServiceContextInput {
  readonly mode: ServiceMode;
  readonly config: Config;
  readonly stateDir: string;
  /** `--config FILE`, when given. */
  readonly configFile?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** @default process.execPath */
  readonly node?: string;
  /** @default the package this code belongs to */
  readonly packageRoot?: string;
  /** @default process.getuid() */
  readonly uid?: number;
}

export function servicePlatform(platform: NodeJS.Platform): ServicePlatform {
  if (platform === 'linux' || platform === 'darwin') return platform;
  throw new MmtError('usage', 'SERVICE_UNSUPPORTED', `mmt-sync service supports Linux (systemd) and macOS (launchd), not ${platform}; run \`mmt-sync watch\` from your own service manager`);
}

export function resolveServiceContext(input: ServiceContextInput): ServiceContext {
  const env = input.env ?? process.env;
  const platform = servicePlatform(input.platform ?? process.platform);
  const root = input.packageRoot ?? packageRoot();
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    throw usageError('SERVICE_NOT_BUILT', `${cli} does not exist: build the package first (npm run build) or install it (npm install -g mmt-sync)`);
  }
  const environment: Array<[string, string]> = [];
  // The service starts with the service manager's environment, not this shell's: pin what
  // decides where config and state live, so both find the same files.
  for (const name of ['XDG_CONFIG_HOME', 'XDG_STATE_HOME'] as const) {
    const value = env[name];
    if (value) environment.push([name, resolve(value)]);
  }
  const explicitConfig = input.configFile ?? env.MMT_SYNC_CONFIG;
  if (explicitConfig) environment.push(['MMT_SYNC_CONFIG', resolve(explicitConfig)]);
  return {
    platform,
    mode: input.mode,
    home: env.HOME ?? homedir(),
    uid: input.uid ?? process.getuid?.() ?? userInfo().uid,
    node: input.node ?? process.execPath,
    cli,
    packageRoot: root,
    stateDir: resolve(input.stateDir),
    configDir: configDir(env),
    environment,
    config: input.config,
  };
}
