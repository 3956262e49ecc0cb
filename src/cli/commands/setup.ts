import { openAccountStore } from '../../auth/account-store.js';
import { login } from '../../auth/login.js';
import { deadReason } from '../../auth/tokens.js';
import { loadConfigCached } from '../../config/cache.js';
import { stateDir as defaultStateDir, userConfigFile } from '../../config/paths.js';
import type { Config } from '../../config/schema.js';
import { gatherSources } from '../../intake/gather-sources.js';
import { Journal } from '../../journal/journal.js';
import { Spool } from '../../journal/spool.js';
import { silentLogger } from '../../log.js';
import { gatherAnswers, checkSince, type SetupFlags } from '../../setup/answers.js';
import { describeHeldBack, sendOlder, takeStock, type Backlog } from '../../setup/backlog.js';
import { writeSetupConfig } from '../../setup/config-file.js';
import { terminalPrompter, type Prompter } from '../../setup/prompter.js';
import { nothingToWatch } from '../../sources/nothing-found.js';
import type { Source } from '../../sources/source.js';
import { presentAuthorizeUrl } from '../authorize-url.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export interface SetupOptions extends GlobalOptions, SetupFlags {
  /** false: print the authorize URL instead of opening a browser (`--no-browser`). */
  readonly browser?: boolean;
  /** true/false: install the service or not; undefined: ask (terminal) or leave it (no terminal). */
  readonly service?: boolean;
}

export interface SetupResult {
  readonly configFile: string;
  readonly tokenStore: string;
  readonly secretStored: boolean;
  readonly loggedIn: 'now' | 'already';
  readonly sources: ReadonlyArray<{ readonly label: string; readonly kind: Source['kind']; readonly root: string }>;
  readonly backlog: Backlog & { readonly sent: number };
  readonly service: 'installed' | 'skipped';
}

const KIND_WORDS: Record<Source['kind'], string> = { device: 'watch', app: 'training app', folder: 'folder' };

/** A person answers when stdin and stdout are both a terminal and the flags leave questions open. */
async function prompterFor(options: SetupOptions, io: Io, signal: AbortSignal): Promise<Prompter | undefined> {
  if (options.json || !io.isTTY || !process.stdin.isTTY || options.clientSecretStdin) return undefined;
  return terminalPrompter({ colour: io.progress === 'bar', signal });
}

/**
 * `mmt-sync setup`: from nothing to uploading. Each step is one a person could run alone
 * (config, login, sources, sync --since, service install); setup runs them in order, from
 * flags or from answers, and can be run again to change any of them.
 */
export async function runSetup(options: SetupOptions, io: Io, signal: AbortSignal): Promise<SetupResult> {
  const before = await commandContext(options, io.log);
  const configFile = userConfigFile(options.config).path;
  const prompter = await prompterFor(options, io, signal);
  const configured = before.loaded.config;
  const answers = await gatherAnswers(
    options,
    { baseUrl: configured.api.baseUrl, clientId: configured.api.clientId, tokenStore: configured.auth.tokenStore, configuredSecret: Boolean(configured.api.clientSecret) },
    prompter,
    process.stdin,
  );

  const stateDir = defaultStateDir();
  // The secret first: a token store out of reach (no keyring) stops setup before the config
  // file changes, so a secret the file holds is never dropped for one that was not kept.
  if (answers.secret !== undefined) {
    const planned: Config = {
      ...configured,
      api: { ...configured.api, baseUrl: answers.baseUrl, clientId: answers.clientId },
      auth: { ...configured.auth, tokenStore: answers.tokenStore },
    };
    const store = openAccountStore(planned, stateDir).clientSecret;
    await store.write(answers.secret);
    io.log.info(`client secret kept in the ${store.description}`);
  }
  // A secret in the file wins over the store's: a new one typed here replaces the file's.
  const written = writeSetupConfig(configFile, answers, answers.secret !== undefined);
  io.log.info(`${written.created ? 'wrote' : 'updated'} ${configFile}${written.secretRemoved ? ' (its client secret moved to the token store)' : ''}`);
  const { config } = await loadConfigCached({ ...(options.config ? { configFile: options.config } : {}), keep: true });
  const account = openAccountStore(config, stateDir);

  const loggedIn = await ensureLogin(config, stateDir, options, io, signal, prompter, answers.secret !== undefined);
  const sources = await gatherSources(config, [], silentLogger);
  io.out(sources.length ? ['found:', ...sources.map((s) => `  ${s.label} — ${KIND_WORDS[s.kind]}, ${s.root}`)].join('\n') : nothingToWatch(config, configFile));

  const backlog = await olderActivities(sources, config, stateDir, options, io, prompter, signal);
  const service = await offerService(options, io, signal, prompter);
  const result: SetupResult = {
    configFile,
    tokenStore: account.store.description,
    secretStored: answers.secret !== undefined,
    loggedIn,
    sources: sources.map((s) => ({ label: s.label, kind: s.kind, root: s.root })),
    backlog,
    service,
  };
  io.out(options.json ? JSON.stringify(result) : closing(result));
  return result;
}

/** Logs in unless a live login for this account is there already (and the client secret did not change). */
async function ensureLogin(config: Config, stateDir: string, options: SetupOptions, io: Io, signal: AbortSignal, prompter: Prompter | undefined, newSecret: boolean): Promise<'now' | 'already'> {
  const { openAccount } = await import('../../auth/account.js');
  const account = openAccount(config, stateDir, io.log);
  // Read before anything else: an unreachable keychain is said before the browser opens.
  const tokens = await account.store.read();
  if (tokens && !deadReason(tokens) && !newSecret) {
    const again = prompter ? await prompter.confirm(`Already logged in to ${account.endpoints.baseUrl}. Log in again?`, false) : false;
    if (!again) {
      io.log.info(`already logged in to ${account.endpoints.baseUrl}`);
      return 'already';
    }
  }
  await login({
    endpoints: account.endpoints,
    store: account.store,
    timeoutMs: config.auth.loginTimeoutS * 1000,
    callbackPort: config.auth.callbackPort,
    log: io.log,
    signal,
    presentUrl: presentAuthorizeUrl(io, options.browser === false),
  });
  io.log.info(`logged in to ${account.endpoints.baseUrl}; tokens stored in the ${account.store.description}`);
  return 'now';
}

/**
 * The first scan, sending nothing: recent activities are queued for the first sync, older
 * ones held back and counted; `--since` (or the answer) sends those from a date on.
 */
async function olderActivities(
  sources: readonly Source[],
  config: Config,
  stateDir: string,
  options: SetupOptions,
  io: Io,
  prompter: Prompter | undefined,
  signal: AbortSignal,
): Promise<Backlog & { sent: number }> {
  if (!sources.length) return { recent: 0, heldBack: [], sent: 0 };
  const journal = Journal.open(stateDir);
  try {
    const backlog = await takeStock(sources, journal, new Spool(stateDir), config, signal);
    const older = backlog.heldBack.reduce((sum, h) => sum + h.count, 0);
    if (backlog.recent) io.out(`${backlog.recent} recent ${backlog.recent === 1 ? 'activity' : 'activities'} to upload`);
    if (!older) return { ...backlog, sent: 0 };
    for (const held of backlog.heldBack) io.out(describeHeldBack(held));
    let since = options.since;
    if (since === undefined && prompter && (await prompter.confirm(`Upload ${older === 1 ? 'it' : 'them'} too?`, false))) {
      const oldest = backlog.heldBack.map((h) => h.oldest).sort()[0]!.slice(0, 10);
      since = await prompter.text('Since when? (a date, or "all")', { default: oldest, validate: checkSince });
    }
    if (since === undefined || since === 'none') {
      io.out(`held back; to send them later: mmt-sync sync --since ${backlog.heldBack.map((h) => h.oldest).sort()[0]!.slice(0, 10)}`);
      return { ...backlog, sent: 0 };
    }
    const { queued, toRead } = sendOlder(journal, since);
    io.out(`${queued + toRead} older ${queued + toRead === 1 ? 'activity' : 'activities'} from ${since} on will upload with the next sync`);
    return { ...backlog, sent: queued + toRead };
  } finally {
    journal.close();
  }
}

async function offerService(options: SetupOptions, io: Io, signal: AbortSignal, prompter: Prompter | undefined): Promise<'installed' | 'skipped'> {
  const install = options.service ?? (prompter ? await prompter.confirm('Install the background service (uploads as soon as a watch is plugged in)?', true) : false);
  if (!install) return 'skipped';
  const { runService } = await import('./service.js');
  await runService({ ...(options.config ? { config: options.config } : {}), ...(options.json ? { json: true } : {}), action: 'install' }, { ...io, out: options.json ? () => {} : io.out }, signal);
  return 'installed';
}

function closing(result: SetupResult): string {
  const next =
    result.service === 'installed'
      ? 'the service uploads from now on; `mmt-sync status` shows how it goes, `mmt-sync list` what went up'
      : 'run `mmt-sync sync` to upload now, or `mmt-sync service install` to upload in the background';
  return `setup done: ${result.configFile}; ${next}`;
}
