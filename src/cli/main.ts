#!/usr/bin/env node
import './compile-cache.js';
import { EXIT_CODES, MmtError, exitCodeFor } from '../errors.js';
import { createLogger } from '../log.js';
import { VERSION } from '../package-root.js';
import { redact } from '../redact.js';
import { directCommand } from './direct.js';
import { processIo, type Io } from './io.js';

/**
 * The entry point: the only place that knows about argv, signals and exit codes.
 * Commands get (options, io, signal) and return or throw; nothing else exits.
 */
async function main(argv: string[]): Promise<number> {
  // Everything mmt-sync writes (journal, spool, tokens, locks) is the user's alone.
  process.umask(0o077);
  // `--version` alone answers before the argument parser and the registry load: they are
  // most of what a cold start costs (bench/results/startup.json).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_CODES.ok;
  }
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const quiet = argv.includes('-q') || argv.includes('--quiet');
  const jsonLogs = argv.includes('json') && argv.some((a) => a === '--log-format' || a === '--log-format=json');
  const log = createLogger({ level: verbose ? 'debug' : quiet ? 'warn' : 'info', format: jsonLogs ? 'json' : 'text' });
  const io = processIo(log);

  // `mmt-sync inspect DIR | head`: the reader has gone; stop quietly, as git and ls do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit();
    throw error;
  });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    log.debug(`${signal} received; stopping`);
    controller.abort(new MmtError('failed', 'INTERRUPTED', `interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exitCode: number = EXIT_CODES.ok;
  try {
    const direct = directCommand(argv);
    if (direct) {
      const command = await direct.load();
      await command(direct.options as never, io, controller.signal);
    } else {
      await parseAndRun(argv, io, controller.signal);
    }
  } catch (error) {
    if (isCommanderError(error)) {
      // --help and --version end here too, with code 0.
      exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    } else {
      exitCode = exitCodeFor(error);
      if (error instanceof MmtError && error.kind !== 'internal') {
        log.error(error.message);
        if (verbose && error.cause instanceof Error && error.cause.stack) log.debug(error.cause.stack);
      } else {
        log.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return exitCode;
}

/** Every argument list but the few `directCommand` knows: commander and the registry. */
async function parseAndRun(argv: string[], io: Io, signal: AbortSignal): Promise<void> {
  const [{ buildProgram }, { normalizeArgv }] = await Promise.all([import('./registry.js'), import('./argv.js')]);
  const program = buildProgram(
    {
      run: async (load, opts) => {
        const command = await load();
        await command(opts as never, io, signal);
      },
    },
    VERSION,
  );
  await program.parseAsync(normalizeArgv(argv, program), { from: 'user' });
}

/**
 * Commander's own errors (usage, --help, invalid arguments) carry an exit code and a
 * `commander.*` code; recognised by those so that a direct command never loads commander.
 */
function isCommanderError(error: unknown): error is { exitCode: number } {
  const { code, exitCode } = (error ?? {}) as { code?: unknown; exitCode?: unknown };
  return error instanceof Error && typeof exitCode === 'number' && typeof code === 'string' && code.startsWith('commander.');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${redact(String(error))}\n`);
    process.exitCode = EXIT_CODES.failed;
  },
);
