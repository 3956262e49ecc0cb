import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { usageError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssue } from './issues.js';
import { defaultConfigFile, userConfigFile, type PathEnv } from './paths.js';

export interface LoadedConfig {
  readonly config: Config;
  /** The user file that was read, or undefined when only defaults apply. */
  readonly file: string | undefined;
}

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
  const api = merged.api as Record<string, unknown> | undefined;
  if (api && env.MMT_CLIENT_ID) api.clientId = env.MMT_CLIENT_ID;
  if (api && env.MMT_CLIENT_SECRET) api.clientSecret = env.MMT_CLIENT_SECRET;

  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw usageError('CONFIG_INVALID', `${first ? describeIssue(first) : 'invalid configuration'}${more}${file ? ` [${file}]` : ''}`);
  }
  return { config: result.data, file };
}
