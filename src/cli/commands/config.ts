import { existsSync } from 'node:fs';
import { loadConfig, type SettingOrigin } from '../../config/load.js';
import { userConfigFile } from '../../config/paths.js';
import { isSecretSetting } from '../../config/schema-keys.js';
import type { GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface ConfigPathResult {
  readonly path: string;
  readonly exists: boolean;
  /** What chose this path: --config, MMT_SYNC_CONFIG, or the platform's config folder. */
  readonly chosenBy: 'flag' | 'env' | 'default';
}

/** The config file this command line would read, whether or not it exists yet. */
export async function runConfigPath(options: GlobalOptions, io: Io): Promise<ConfigPathResult> {
  const { path, explicit } = userConfigFile(options.config);
  const result: ConfigPathResult = { path, exists: existsSync(path), chosenBy: options.config ? 'flag' : explicit ? 'env' : 'default' };
  if (options.json) io.out(JSON.stringify(result, null, 2));
  else {
    io.out(path);
    if (!result.exists) io.log.info(`${path} does not exist yet: the defaults in config/default.yaml apply; create it to change a setting`);
  }
  return result;
}

export interface ShownSetting extends SettingOrigin {
  readonly key: string;
  /** The value in effect; secrets are "[redacted]" (or "" when not set). */
  readonly value: unknown;
}

export interface ConfigShowResult {
  readonly file: string | undefined;
  readonly settings: readonly ShownSetting[];
}

const REDACTED = '[redacted]';

/** The value at a dotted key of the validated config (what commands actually use). */
function valueAt(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], config);
}

/** The flags that change a setting for this run, as the entry point applies them. */
function flagSettings(options: GlobalOptions): Array<[key: string, value: string, flag: string]> {
  const flags: Array<[string, string, string]> = [];
  if (options.verbose) flags.push(['log.level', 'debug', '--verbose']);
  else if (options.quiet) flags.push(['log.level', 'warn', '--quiet']);
  if (options.logFormat) flags.push(['log.format', options.logFormat, '--log-format']);
  return flags;
}

/** Every setting in effect, and whether it came from the defaults, the file, the environment or a flag. */
export async function runConfigShow(options: GlobalOptions, io: Io): Promise<ConfigShowResult> {
  const loaded = loadConfig(options.config ? { configFile: options.config } : {});
  const overrides = new Map(flagSettings(options).map(([key, value, flag]) => [key, { value, flag }]));
  const settings: ShownSetting[] = [...loaded.origins].map(([key, origin]) => {
    const override = overrides.get(key);
    const value = override ? override.value : valueAt(loaded.config, key);
    const shown = isSecretSetting(key.split('.')) && value !== '' ? REDACTED : value;
    return { key, value: shown, ...(override ? { from: 'flag' as const, name: override.flag } : origin) };
  });
  const result: ConfigShowResult = { file: loaded.file, settings };
  if (options.json) {
    io.out(JSON.stringify(result, null, 2));
    return result;
  }
  const width = Math.max(...settings.map((s) => s.key.length));
  const lines = settings.map((s) => {
    const value = typeof s.value === 'string' ? (s.value === '' ? '""' : s.value) : JSON.stringify(s.value);
    const origin = s.name ? `${s.from} ${s.name}` : s.from;
    return `${s.key.padEnd(width)}  ${value}  (${origin})`;
  });
  io.out(`# ${loaded.file ? `config file: ${loaded.file}` : 'no config file: defaults apply'}\n${lines.join('\n')}`);
  return result;
}
