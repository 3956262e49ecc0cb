import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../fsutil/atomic-write.js';

/** What `setup` writes into the config file; everything else in it is left as the user wrote it. */
export interface SetupSettings {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly tokenStore: 'keychain' | 'file';
}

const HEADER = `# mmt-sync's configuration, written by \`mmt-sync setup\`. Only what differs from the
# defaults is needed here; every setting, with its default and what it means, is in
# config/default.yaml of the package (\`mmt-sync config show\` prints what is in effect).
# The client secret is not here: setup keeps it in the token store, beside the tokens.
`;

/**
 * Writes the settings into the config file, creating it and its folder (0700) when they do
 * not exist, keeping every other key and comment of an existing one. `dropSecret`: a client
 * secret written in the file is removed (setup has put the new one in the token store, and
 * the file's would win over it). Returns whether a secret was removed.
 */
export function writeSetupConfig(path: string, settings: SetupSettings, dropSecret: boolean): { created: boolean; secretRemoved: boolean } {
  const created = !existsSync(path);
  const doc = parseDocument(created ? HEADER : readFileSync(path, 'utf8'));
  if (doc.errors.length) throw usageError('CONFIG_INVALID', `${path}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); fix or move it, then run setup again`);
  if (!created && doc.contents !== null && !isMap(doc.contents)) throw usageError('CONFIG_INVALID', `${path}: expected a mapping of settings`);
  doc.setIn(['api', 'baseUrl'], settings.baseUrl);
  doc.setIn(['api', 'clientId'], settings.clientId);
  doc.setIn(['auth', 'tokenStore'], settings.tokenStore);
  const secretRemoved = dropSecret && doc.hasIn(['api', 'clientSecret']);
  if (secretRemoved) doc.deleteIn(['api', 'clientSecret']);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, doc.toString(), 0o600);
  return { created, secretRemoved };
}
