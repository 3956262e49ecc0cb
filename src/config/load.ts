import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { usageError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssues } from './issues.js';
import { defaultConfigFile, userConfigFile, type PathEnv } from './paths.js';

/** Where a setting's value came from (`flag` is added by commands that apply flags). */
export interface SettingOrigin {
  readonly from: 'default' | 'file' | 'env' | 'flag';
  /** The environment variable or flag. */
  readonly name?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** The user file that was read, or undefined when only defaults apply. */
  readonly file: string | undefined;
  /** By dotted key (`api.baseUrl`); a list is one setting (`sources`). */
  readonly origins: ReadonlyMap<string, SettingOrigin>;
}

/** Settings the environment may give, over the file (CI and service.env keep secrets out of files). */
const ENV_SETTINGS: ReadonlyArray<readonly [variable: string, path: readonly [string, string]]> = [
  ['MMT_CLIENT_ID', ['api', 'clientId']],
  ['MMT_CLIENT_SECRET', ['api', 'clientSecret']],
];

export { defaultConfigFile } from './paths.js';

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'is not readable (permission denied)' : (error as Error).message;
    throw usageError('CONFIG_UNREADABLE', `config ${path} ${why}`);
  }
  try {
    // logLevel 'error': YAML warnings (unknown tags) would be a second, multi-line message.
    return parseYaml(text, { prettyErrors: true, logLevel: 'error' }) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      throw usageError('CONFIG_INVALID', `${path}: not valid YAML${where}: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    // yaml's alias-count guard (a "billion laughs" of aliases) throws a ReferenceError.
    throw usageError('CONFIG_INVALID', `${path}: not valid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every setting's dotted key: sections are walked into, a value or a list is one leaf. */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafKeys(inner, prefix ? `${prefix}.${key}` : key));
}

function hasKey(value: unknown, dotted: string): boolean {
  let current = value;
  for (const key of dotted.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return false;
    current = current[key];
  }
  return true;
}

/** The user's file is laid over the defaults: objects merge, everything else replaces. */
function overlay(base: unknown, top: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(top)) return top === undefined ? base : top;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) merged[key] = overlay(base[key], value);
  return merged;
}

export function loadConfig(options: { configFile?: string; env?: PathEnv } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const defaults = readYaml(defaultConfigFile());
  const user = userConfigFile(options.configFile, env);
  let userValues: unknown = {};
  let file: string | undefined;
  if (existsSync(user.path)) {
    userValues = readYaml(user.path);
    file = user.path;
    if (!isPlainObject(userValues)) {
      throw usageError('CONFIG_INVALID', `${user.path}: expected a mapping of settings, got ${JSON.stringify(userValues)}`);
    }
  } else if (user.explicit) {
    throw usageError('CONFIG_MISSING', `config file not found: ${user.path}`);
  }
  const merged = overlay(defaults, userValues) as Record<string, unknown>;
  const origins = new Map<string, SettingOrigin>(leafKeys(merged).map((key) => [key, { from: hasKey(userValues, key) ? 'file' : 'default' }]));
  for (const [variable, [section, key]] of ENV_SETTINGS) {
    const target = merged[section];
    if (!env[variable] || !isPlainObject(target)) continue;
    target[key] = env[variable];
    origins.set(`${section}.${key}`, { from: 'env', name: variable });
  }

  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const problems = describeIssues(result.error.issues);
    // One problem stays one line; several are listed, one a line, so all can be fixed at once.
    const message =
      problems.length <= 1
        ? `${problems[0] ?? 'invalid configuration'}${file ? ` [${file}]` : ''}`
        : `${problems.length} problems in ${file ?? 'the configuration'}:\n${problems.map((p) => `  ${p}`).join('\n')}`;
    throw usageError('CONFIG_INVALID', message);
  }
  return { config: result.data, file, origins };
}
