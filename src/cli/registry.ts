import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { Io } from './io.js';

/** Shared by every command so each option is defined once. */
function withGlobalOptions(command: Command): Command {
  return command
    .option('--config <file>', 'config file (default: $XDG_CONFIG_HOME/mmt-sync/config.yaml, or MMT_SYNC_CONFIG)')
    .option('-v, --verbose', 'debug logging')
    .option('-q, --quiet', 'warnings and errors only')
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']))
    .option('--json', 'machine-readable output on stdout');
}

function number(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name}: expected a number from ${min} to ${max}, got "${value}"`);
    }
    return parsed;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const EXIT_STATUS_HELP = `
Exit status:
  0  success: nothing left failing
  1  some files failed or are still pending (or a check failed)
  2  usage or configuration error
  3  login required: run \`mmt-sync login\``;

export interface Runner {
  /** Runs a command's module with its options; the entry point maps errors to exit codes. */
  run(load: () => Promise<(opts: never, io: Io, signal: AbortSignal) => Promise<unknown>>, opts: object): Promise<void>;
}

/** The one registry of commands and flags; each command module is imported only when it runs. */
export function buildProgram(runner: Runner, version: string): Command {
  // Set before any command is added: subcommands copy these settings when they are created,
  // so every usage error (unknown option, missing argument) reaches the entry point as exit 2.
  const program = new Command('mmt-sync')
    .description('Uploads activities from a GPS watch or a sync folder to Map My Tracks.')
    .usage('[--once] [options] | <command> [options]')
    .version(version)
    .exitOverride()
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `mmt-sync --help` for usage)')
    .addHelpText('after', EXIT_STATUS_HELP);
  // Without a command, mmt-sync is the daemon, or `sync` with --once (src/cli/argv.ts):
  // these options are that form's, listed here so the top-level help shows them.
  program
    .option('--once', 'sync now and exit: scan, upload everything pending, summary, exit code (= mmt-sync sync)')
    .option('--folder <dir>', 'only this folder, for --once or the daemon (repeatable)')
    .option('--since <date>', 'with --once: upload files from this date on (YYYY-MM-DD) or "all"')
    .option('--dry-run', 'with --once: what would be uploaded and how many API calls; nothing is sent');
  withGlobalOptions(program);

  const command = (name: string, description: string, parent: Command = program) => {
    const path = parent === program ? name : `${parent.name()} ${name}`;
    return withGlobalOptions(parent.command(name).description(description).showHelpAfterError(`(run \`mmt-sync ${path} --help\` for usage)`));
  };

  command('login', 'authorize mmt-sync with Map My Tracks (browser, loopback redirect, PKCE)')
    .option('--no-browser', 'print the authorize URL on stdout instead of opening a browser')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/login.js')).runLogin as never, cmd.optsWithGlobals()),
    );

  command('logout', 'revoke the tokens at the server and delete them here').action((opts, cmd: Command) =>
    runner.run(async () => (await import('./commands/logout.js')).runLogout as never, cmd.optsWithGlobals()),
  );

  command('status', 'account, login state, access token expiry (never the token)').action((opts, cmd: Command) =>
    runner.run(async () => (await import('./commands/status.js')).runStatus as never, cmd.optsWithGlobals()),
  );

  command('doctor', 'check config, keychain, login and API reachability; each line with its fix').action((opts, cmd: Command) =>
    runner.run(async () => (await import('./commands/doctor.js')).runDoctor as never, cmd.optsWithGlobals()),
  );

  command('inspect', 'decode and classify files: the summary and verdict of each, nothing written')
    .argument('<files...>', 'FIT, GPX or TCX files; a .zip or .gz gives one result per activity inside')
    .action((files: string[], opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/inspect.js')).runInspect as never, { ...cmd.optsWithGlobals(), files }),
    );

  command('sources', 'every source in effect: configured folders, app folders, watches; why found, present or not, files journaled').action(
    (opts, cmd: Command) => runner.run(async () => (await import('./commands/sources.js')).runSources as never, cmd.optsWithGlobals()),
  );

  command('scan', 'find, settle, classify and journal new files once; report counts by verdict (no upload)')
    .option('--folder <dir>', 'scan only this folder (repeatable)', collect, [])
    .option('--since <date>', 'upload files from this date on (YYYY-MM-DD) or "all", overriding intake.backfill')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/scan.js')).runScan as never, cmd.optsWithGlobals()),
    );

  command('watch', 'the daemon: watch folders and devices, upload new activities as they appear (the default)')
    .option('--folder <dir>', 'watch only this folder (repeatable)', collect, [])
    .option('--grace <seconds>', 'how long in-flight uploads may finish after SIGTERM', number('--grace', 0, 3600), 20)
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/watch.js')).runWatch as never, cmd.optsWithGlobals()),
    );

  command('sync', 'scan all sources, upload everything pending, then exit (also: mmt-sync --once)')
    .option('--folder <dir>', 'sync only this folder (repeatable)', collect, [])
    .option('--since <date>', 'upload files from this date on (YYYY-MM-DD) or "all", overriding intake.backfill')
    .option('--dry-run', 'show what would be uploaded and how many API calls, send nothing')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/sync.js')).runSync as never, cmd.optsWithGlobals()),
    );

  command('import', 'bring history along: a Strava or Garmin Connect export (zip or unpacked), or any folder or archive of activities')
    .argument('<path>', 'the export (.zip or its unpacked folder), a folder, or an archive')
    .option('--since <date>', 'only activities from this date on (YYYY-MM-DD, or a duration like 52w)')
    .option('--until <date>', 'only activities before this date (YYYY-MM-DD)')
    .option('--dry-run', 'the preview only: counts by year and sport, already uploaded, duplicates; nothing recorded or sent')
    .action((path: string, opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/import.js')).runImport as never, { ...cmd.optsWithGlobals(), path }),
    );

  command('retry', 'send a failed or waiting upload now (waiting ones skip their backoff)')
    .argument('[id]', 'the file id shown by `mmt-sync list` (and `status`)')
    .option('--all', 'everything not uploaded yet: failed and waiting files, now')
    .action((id: string | undefined, opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/retry.js')).runRetry as never, { ...cmd.optsWithGlobals(), ...(id ? { id } : {}) }),
    );

  command('forget', 'upload a file again (e.g. after deleting the activity on the site)')
    .argument('<id>', 'the file id shown by `mmt-sync list` (`list --all` for skipped and duplicate files)')
    .option('--force', 'also for skipped, baseline or failed files')
    .action((id: string, opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/forget.js')).runForget as never, { ...cmd.optsWithGlobals(), id }),
    );

  // Issue 15: what went up, with links; what waits and why.
  command('list', 'what went up (with links), what waits and why, what failed; newest first, with the id `retry` and `forget` take')
    .option('--all', 'every file the journal knows, also skipped, duplicate and older ones held back')
    .option('--failed', 'only failed uploads')
    .option('--waiting', 'only uploads still waiting')
    .option('--since <date>', 'only activities from this date (YYYY-MM-DD) or this long ago (e.g. 30d) on')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/list.js')).runList as never, cmd.optsWithGlobals()),
    );

  // Issue 15: from nothing to a working setup, on a terminal (prompts) or by flags.
  command('setup', 'first run: client id and secret, login, the watches and folders found, older activities, the background service')
    .option('--base-url <url>', 'the API base URL (default: api.baseUrl, https://www.mapmytracks.com/api3/)')
    .option('--client-id <id>', 'the client id Map My Tracks gave you')
    .option('--client-secret-stdin', 'read the client secret from standard input (it goes to the token store, never to the config file)')
    .option('--no-browser', 'print the authorize URL on the first line of stdout instead of opening a browser')
    .addOption(new Option('--token-store <store>', 'where tokens and the client secret are kept').choices(['keychain', 'file']))
    .option('--since <date>', 'older activities found: upload those from this date (YYYY-MM-DD), "all", or "none" to hold them back')
    .option('--service', 'install the background service at the end')
    .option('--no-service', 'do not install the background service')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/setup.js')).runSetup as never, cmd.optsWithGlobals()),
    );

  command('live', 'stream a track while it is recorded (gpsd or a growing GPX/NMEA file) as a live activity')
    .option('--gpsd [host:port]', 'take fixes from gpsd (default localhost:2947)')
    .option('--follow <file>', 'follow a GPX or NMEA 0183 file another program is still writing')
    .option('--type <type>', 'Map My Tracks activity type')
    .option('--title <title>', 'activity title')
    .option('--interval <seconds>', 'send points in batches this often', number('--interval', 1, 3600), 10)
    .option('--idle-stop <seconds>', 'stop when the followed file has not grown for this long', number('--idle-stop', 1, 86_400), 120)
    .addOption(new Option('--status <status>', 'visibility of the live activity').choices(['public', 'private']))
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/live.js')).runLive as never, cmd.optsWithGlobals()),
    );

  command('ui', 'the dashboard in your browser: what went up, what waits and why (127.0.0.1 only)')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free one; default: ui.port)', number('--port', 0, 65535))
    .option('--no-browser', 'print the URL (first line of stdout) without opening a browser')
    .option('--print-url', 'print a new one-time URL into the dashboard already running, then exit')
    .action((opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/ui.js')).runUi as never, cmd.optsWithGlobals()),
    );

  command('service', 'install the background service (systemd user unit / LaunchAgent) and the plug-in trigger')
    .addArgument(
      new Argument('<action>', 'install | uninstall | status | plugged (what mmt-sync-device@.service runs)').choices(['install', 'uninstall', 'status', 'plugged']),
    )
    .option('--once-timer', 'a periodic `mmt-sync sync` timer instead of the resident daemon')
    .option('--dry-run', 'print every file and command without touching anything')
    .action((action: string, opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/service.js')).runService as never, { ...cmd.optsWithGlobals(), action }),
    );

  command('sandbox', 'run a local Map My Tracks API v3 stand-in (for trying mmt-sync, tests and demos)')
    .option('--port <n>', 'port (0: a free one)', number('--port', 0, 65535), 0)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--data <dir>', 'keep activities and tokens in this folder across restarts')
    .option('--client-id <id>', 'the client id it accepts (default: random)')
    .option('--client-secret <secret>', 'the client secret it accepts (default: random)')
    .option('--token-ttl <seconds>', 'access token lifetime', number('--token-ttl', 1, 31_536_000))
    .option('--fail-rate <p>', 'fraction of data requests that fail (500/502/503, dropped connections)', number('--fail-rate', 0, 1))
    .option('--latency <ms>', 'delay added to every response', number('--latency', 0, 600_000))
    .option('--rate-limit <n>', 'requests per minute per account before 429 with Retry-After', number('--rate-limit', 1, 1e9))
    .option('--fail-first <n>', 'the first N data requests answer 503', number('--fail-first', 0, 1e9))
    .option('--seed <n>', 'makes injected faults reproducible', number('--seed', 0, 2 ** 31))
    .option('--quirks <list>', 'answer like real servers do, comma-separated (e.g. bom,error-at-200,no-rotation; see the README)')
    .option('--redirect-uri <uri>', 'accept only this redirect URI, like a server with a registered one')
    .action((opts: Record<string, unknown>, cmd: Command) => {
      const o = cmd.optsWithGlobals();
      const sandboxOptions = {
        port: o.port,
        host: o.host,
        ...(o.data ? { dataDir: o.data } : {}),
        ...(o.clientId ? { clientId: o.clientId } : {}),
        ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
        ...(o.tokenTtl !== undefined ? { tokenTtlS: o.tokenTtl } : {}),
        ...(o.failRate !== undefined ? { failRate: o.failRate } : {}),
        ...(o.latency !== undefined ? { latencyMs: o.latency } : {}),
        ...(o.rateLimit !== undefined ? { rateLimitPerMin: o.rateLimit } : {}),
        ...(o.failFirst !== undefined ? { failFirst: o.failFirst } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.quirks !== undefined ? { quirks: o.quirks } : {}),
        ...(o.redirectUri !== undefined ? { redirectUri: o.redirectUri } : {}),
        ...(o.verbose ? { verbose: true } : {}),
      };
      return runner.run(async () => (await import('./commands/sandbox.js')).runSandbox as never, sandboxOptions);
    });

  const config = program
    .command('config')
    .description('where the config file is, and the configuration in effect')
    .showHelpAfterError('(run `mmt-sync config --help` for usage)');
  command('path', 'print the path of the config file (and whether it exists)', config).action((opts, cmd: Command) =>
    runner.run(async () => (await import('./commands/config.js')).runConfigPath as never, cmd.optsWithGlobals()),
  );
  command('show', 'the configuration in effect, and where each value came from (default, file, env, flag); secrets redacted', config).action(
    (opts, cmd: Command) => runner.run(async () => (await import('./commands/config.js')).runConfigShow as never, cmd.optsWithGlobals()),
  );

  command('completion', 'print a shell completion script (bash, zsh or fish); see the README for where to put it')
    .addArgument(new Argument('<shell>', 'bash | zsh | fish').choices(['bash', 'zsh', 'fish']))
    .action((shell: string, opts, cmd: Command) =>
      runner.run(async () => (await import('./commands/completion.js')).runCompletion as never, { ...cmd.optsWithGlobals(), shell }),
    );

  return program;
}
