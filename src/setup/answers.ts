/**
 * setup/: the steps of `mmt-sync setup` that are not a command of their own — the answers
 * (from flags or a person at a terminal), the config file it writes, the first look at the
 * backlog. May import config/, intake/, journal/, sources/, present/, net/, errors, log;
 * never cli/ (the command in cli/commands/setup.ts runs these steps in order).
 */
import { usageError } from '../errors.js';
import { backfillCutoff } from '../intake/backfill.js';
import { isSecureUrl } from '../net/loopback.js';
import type { Prompter } from './prompter.js';

/** What setup needs to know, from flags or from the person at the terminal. */
export interface SetupFlags {
  readonly baseUrl?: string;
  readonly clientId?: string;
  readonly clientSecretStdin?: boolean;
  readonly tokenStore?: 'keychain' | 'file';
  readonly since?: string;
}

export interface SetupAnswers {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly tokenStore: 'keychain' | 'file';
  /** A new client secret to keep in the token store (undefined: keep the one there is). */
  readonly secret?: string;
}

/** What an earlier setup, the config file or the environment already give. */
export interface Current {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly tokenStore: 'keychain' | 'file';
  /** A client secret from the config file or MMT_CLIENT_SECRET. */
  readonly configuredSecret: boolean;
}

export function checkBaseUrl(value: string): string | true {
  try {
    return isSecureUrl(new URL(value)) ? true : 'an https:// URL (plain http only for this machine, e.g. the sandbox)';
  } catch {
    return 'a URL like https://www.mapmytracks.com/api3/';
  }
}

/** `--since` of setup: a date or "all" sends older activities from then on; "none" holds them back. */
export function checkSince(value: string): string | true {
  if (value === 'none' || value === 'all') return true;
  try {
    backfillCutoff('all', value);
    return true;
  } catch {
    return 'a date like 2024-01-31, "all", or "none"';
  }
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function must(check: string | true, what: string, value: string): void {
  if (check !== true) throw usageError('USAGE', `setup: ${what} "${value}": expected ${check}`);
}

/**
 * The answers, each from its flag when given, else asked (`prompter`), else what there is
 * already; without a terminal a missing one is a usage error naming its flag.
 */
export async function gatherAnswers(flags: SetupFlags, current: Current, prompter: Prompter | undefined, stdin: NodeJS.ReadableStream): Promise<SetupAnswers> {
  if (flags.baseUrl !== undefined) must(checkBaseUrl(flags.baseUrl), '--base-url', flags.baseUrl);
  if (flags.since !== undefined) must(checkSince(flags.since), '--since', flags.since);
  const secretFromStdin = flags.clientSecretStdin ? await readStdin(stdin) : undefined;
  if (secretFromStdin !== undefined && !secretFromStdin.trim()) throw usageError('USAGE', 'setup: --client-secret-stdin read an empty secret');

  const baseUrl = flags.baseUrl ?? (prompter ? await prompter.text('API base URL', { default: current.baseUrl, validate: checkBaseUrl }) : current.baseUrl);
  const clientId =
    flags.clientId ??
    (prompter
      ? await prompter.text('Client id (from Map My Tracks)', { ...(current.clientId ? { default: current.clientId } : {}), validate: (v) => (v.trim() ? true : 'the client id Map My Tracks gave you') })
      : current.clientId);
  if (!clientId.trim()) throw usageError('USAGE', 'setup: give the client id Map My Tracks gave you with --client-id (README: "Getting API access")');

  let secret = secretFromStdin;
  if (secret === undefined && prompter) {
    const typed = await prompter.secret(current.configuredSecret ? 'Client secret (Enter keeps the one configured)' : 'Client secret (not shown; kept in the token store, not in the config file)', {
      validate: (v) => (v.trim() || current.configuredSecret ? true : 'the client secret Map My Tracks gave you'),
    });
    secret = typed.trim() ? typed.trim() : undefined;
  }

  const tokenStore =
    flags.tokenStore ??
    (prompter
      ? await prompter.choose<'keychain' | 'file'>(
          'Where should the tokens and the client secret be kept?',
          [
            { value: 'keychain', name: 'the OS keychain (recommended)', description: 'Secret Service / macOS Keychain / Windows Credential Manager' },
            { value: 'file', name: 'a private file in the state directory', description: 'for a machine without a keyring (a server, a container)' },
          ],
          current.tokenStore,
        )
      : current.tokenStore);
  return { baseUrl: baseUrl.trim(), clientId: clientId.trim(), tokenStore, ...(secret !== undefined ? { secret } : {}) };
}
