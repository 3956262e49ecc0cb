/**
 * The configuration as last validated, kept so that a command starts without loading
 * the YAML parser and zod: together they cost more than everything else a quick command
 * such as `status` does (measured: bench/results/startup.json). What `loadConfig` returns
 * depends only on the text of config/default.yaml and of the user's file, the two
 * MMT_CLIENT_* variables and the code that validates; the cache is keyed by a hash of all
 * of them, so any change is a miss that validates afresh (and errors are never cached).
 *
 * The client secret is never written here. It comes from the environment (read again on
 * each run), from the user's file (kept as where it sits in that file: the file's text is
 * part of the key, so on a hit the same characters are at the same place), or it is the
 * empty default. A secret the file spells in a way a plain slice cannot give back
 * (escapes, a block scalar) makes the configuration uncacheable: every run validates.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil/atomic-write.js';
import { VERSION } from '../package-root.js';
import type { LoadedConfig, SettingOrigin } from './load.js';
import { defaultConfigFile, stateDir, userConfigFile, type PathEnv } from './paths.js';

const CACHE_FILE = 'config-cache.json';

type SecretSource = { readonly from: 'env' } | { readonly from: 'value'; readonly value: string } | { readonly from: 'file'; readonly start: number; readonly end: number };

/** What is written: `LoadedConfig` with its origins as entries (JSON has no Map). */
interface CacheEntry {
  readonly key: string;
  readonly loaded: Omit<LoadedConfig, 'origins'> & { readonly origins: ReadonlyArray<[string, SettingOrigin]> };
  readonly secret: SecretSource;
}

/** The validating code: a rebuilt or upgraded mmt-sync must not trust an older verdict. */
function codeFingerprint(): string {
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  const stamp = (path: string) => {
    try {
      const stats = statSync(path);
      return `${stats.size}:${stats.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return [VERSION, ...['./schema.js', './load.js', './cache.js'].map((name) => stamp(here(name)))].join('|');
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * `loadConfig`, answered from the cache when nothing it depends on changed. A miss keeps
 * what it validated beside the journal, only once there is one (reading the config never
 * creates state: `service install` then `uninstall` leaves nothing behind), and not when
 * `keep` is false (a `--dry-run` touches nothing).
 */
export async function loadConfigCached(options: { configFile?: string; env?: PathEnv; keep?: boolean } = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const user = userConfigFile(options.configFile, env);
  const defaultsText = readText(defaultConfigFile());
  const userText = existsSync(user.path) ? readText(user.path) : undefined;
  const envSecret = env.MMT_CLIENT_SECRET ? env.MMT_CLIENT_SECRET : undefined;
  const key = createHash('sha256')
    .update(JSON.stringify([codeFingerprint(), defaultsText ?? null, user.path, userText ?? null, env.MMT_CLIENT_ID ?? null, envSecret !== undefined]))
    .digest('hex');
  const cacheFile = join(stateDir(env), CACHE_FILE);

  const hit = defaultsText !== undefined ? fromCache(readText(cacheFile), key, userText, envSecret) : undefined;
  if (hit) return hit;

  const { loadConfig } = await import('./load.js');
  const loaded = loadConfig({ ...(options.configFile ? { configFile: options.configFile } : {}), env });
  if (defaultsText !== undefined && options.keep !== false && existsSync(join(stateDir(env), 'journal.sqlite'))) {
    const secret = await secretSource(loaded.config.api.clientSecret, userText, envSecret);
    if (secret) {
      const kept = withSecret(loaded, '');
      store(cacheFile, { key, loaded: { ...kept, origins: [...kept.origins] }, secret });
    }
  }
  return loaded;
}

function withSecret(loaded: LoadedConfig, clientSecret: string): LoadedConfig {
  return { ...loaded, config: { ...loaded.config, api: { ...loaded.config.api, clientSecret } } };
}

function fromCache(text: string | undefined, key: string, userText: string | undefined, envSecret: string | undefined): LoadedConfig | undefined {
  if (!text) return undefined;
  let entry: CacheEntry;
  try {
    entry = JSON.parse(text) as CacheEntry;
  } catch {
    return undefined; // torn by a crash mid-write: validate afresh
  }
  if (entry.key !== key || !entry.loaded?.config || !Array.isArray(entry.loaded.origins)) return undefined;
  const { secret } = entry;
  const loaded: LoadedConfig = { ...entry.loaded, origins: new Map(entry.loaded.origins) };
  if (secret.from === 'env') return envSecret === undefined ? undefined : withSecret(loaded, envSecret);
  if (secret.from === 'value') return withSecret(loaded, secret.value);
  return userText === undefined ? undefined : withSecret(loaded, userText.slice(secret.start, secret.end));
}

/** Where the validated secret came from, or undefined when it cannot be found again without parsing. */
async function secretSource(secret: string, userText: string | undefined, envSecret: string | undefined): Promise<SecretSource | undefined> {
  if (envSecret !== undefined) return envSecret === secret ? { from: 'env' } : undefined;
  const { isScalar, parseDocument } = await import('yaml');
  const node = userText === undefined ? undefined : parseDocument(userText).getIn(['api', 'clientSecret'], true);
  if (node === undefined) return secret === '' ? { from: 'value', value: '' } : undefined; // the empty default
  if (!isScalar(node) || !node.range || secret === '') return secret === '' ? { from: 'value', value: '' } : undefined;
  const [start, end] = node.range;
  // A plain scalar is its own text; a quoted one without escapes is its text between the quotes.
  for (const [from, to] of [
    [start, end],
    [start + 1, end - 1],
  ] as const) {
    if (userText!.slice(from, to) === secret) return { from: 'file', start: from, end: to };
  }
  return undefined;
}

function store(path: string, entry: CacheEntry): void {
  try {
    // No fsync: a torn copy fails to parse and is validated afresh.
    writeFileAtomic(path, JSON.stringify(entry), 0o600, { fsync: false });
  } catch {
    // A read-only or full state dir: every run validates, which is only slower.
  }
}
