import { loadConfigCached } from '../config/cache.js';
import type { LoadedConfig } from '../config/load.js';
import { stateDir } from '../config/paths.js';
import type { Logger } from '../log.js';

/** Options every command accepts (the registry defines them once). */
export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly logFormat?: 'text' | 'json';
  readonly json?: boolean;
}

export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly stateDir: string;
}

/** Loads and validates the configuration (or finds it validated already) and applies its log settings (flags win). */
export async function commandContext(options: GlobalOptions, log: Logger): Promise<CommandContext> {
  // A dry run touches nothing, not even the kept copy of the validated configuration.
  const keep = !(options as { dryRun?: boolean }).dryRun;
  const loaded = await loadConfigCached({ ...(options.config ? { configFile: options.config } : {}), keep });
  if (!options.verbose && !options.quiet) log.setLevel(loaded.config.log.level);
  if (!options.logFormat) log.setFormat(loaded.config.log.format);
  return { loaded, stateDir: stateDir() };
}
