import type { Command } from 'commander';

const HELP_OR_VERSION = new Set(['-h', '--help', '-V', '--version']);

/**
 * The forms without a command word: `mmt-sync [options]` is the daemon (`watch`) and
 * `mmt-sync --once [options]` is `sync`. Any word that is not an option (or an option's
 * value) is left for the parser, so `mmt-sync syncc` is an unknown command with a
 * suggestion, never an argument of the daemon.
 */
export function normalizeArgv(argv: readonly string[], program: Command): string[] {
  const takesValue = new Set<string>();
  for (const option of program.options) {
    if (!option.required && !option.optional) continue;
    if (option.long) takesValue.add(option.long);
    if (option.short) takesValue.add(option.short);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') return [...argv];
    if (HELP_OR_VERSION.has(arg)) return [...argv];
    if (takesValue.has(arg)) i++;
  }
  if (argv.includes('--once')) return ['sync', ...argv.filter((a) => a !== '--once')];
  return ['watch', ...argv];
}
