import type { Io } from './io.js';

/**
 * Argument lists simple enough to need no parser. `mmt-sync status` is what a person, a
 * shell prompt or a status bar runs most; loading commander and building the registry is
 * about a third of its cold start on Node 20 (bench/results/startup.json). Only the exact
 * lists below start without them; anything else — another flag, a typo, `--help` — goes
 * through the registry, so help, errors and suggestions stay the parser's.
 */
type Command = (options: never, io: Io, signal: AbortSignal) => Promise<unknown>;

export interface DirectCommand {
  readonly load: () => Promise<Command>;
  readonly options: Record<string, unknown>;
}

const loadStatus = async () => (await import('./commands/status.js')).runStatus as Command;

/** The command and its options when `argv` is one of the lists that need no parser. */
export function directCommand(argv: readonly string[]): DirectCommand | undefined {
  const [name, ...rest] = argv;
  if (name !== 'status') return undefined;
  if (rest.length === 0) return { load: loadStatus, options: {} };
  if (rest.length === 1 && rest[0] === '--json') return { load: loadStatus, options: { json: true } };
  return undefined;
}
