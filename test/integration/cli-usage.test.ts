/**
 * Command-line conventions people bring from git, npm and restic: a typo gets "did you
 * mean", every usage error (unknown command or option, missing or invalid argument, a
 * --folder that is not there) exits 2 on every subcommand, and the top-level help shows
 * the README's main command. The commands come from the registry, so one added later is
 * held to the same rules without a new test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeCommands, type CommandSpec } from '../../src/cli/completion/spec.js';
import { walk } from '../../src/cli/completion/walk.js';
import { buildProgram } from '../../src/cli/registry.js';
import { makeHome, runCli } from '../helpers/cli.js';

const home = makeHome({ baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 's' });
const env = home.env;
const tree = describeCommands(buildProgram({ run: async () => {} }, '0.0.0'));
/** Every command that runs something (`config` only groups `config path` and `config show`). */
const leaves = [...walk(tree)].filter(({ path, spec }) => path && !spec.commands.length);

const GLOBAL = new Set(['--config', '--verbose', '--quiet', '--log-format', '--json', '--help']);

/** One of the command's own long options (else a global one) with a letter dropped: near enough for a suggestion. */
function typoOf(spec: CommandSpec): { typo: string; meant: string } {
  const longs = spec.options.flatMap((o) => o.names).filter((n) => n.startsWith('--') && n.length >= 7);
  const meant = longs.find((n) => !GLOBAL.has(n)) ?? '--verbose';
  return { typo: meant.slice(0, -2) + meant.slice(-1), meant };
}

describe.concurrent('usage errors exit 2 with a hint', () => {
  it('an unknown command: "did you mean", not an argument of the daemon', async () => {
    const result = await runCli(['syncc'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'syncc'/);
    expect(result.stderr).toMatch(/did you mean sync\?/i);
    expect(result.stderr).not.toMatch(/too many arguments/);
  });

  it('an unknown subcommand of config', async () => {
    const result = await runCli(['config', 'shwo'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/did you mean show\?/i);
  });

  it.each([['inspect'], ['status'], ['config', 'show']])('%s --no-such-option exits 2 and points at its help', async (...words) => {
    const result = await runCli([...words, '--no-such-option'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--no-such-option'/);
    expect(result.stderr).toContain(`run \`mmt-sync ${words.join(' ')} --help\``);
  });

  it.each([
    [['inspect'], /missing required argument 'files'/],
    [['forget'], /missing required argument 'id'/],
    [['service'], /missing required argument 'action'/],
    [['service', 'instal'], /Allowed choices are install, uninstall, status, plugged/],
    [['completion', 'tcsh'], /Allowed choices are bash, zsh, fish/],
    [['sandbox', '--port', 'eighty'], /--port: expected a number from 0 to 65535, got "eighty"/],
    [['--log-format', 'xml', 'status'], /Allowed choices are text, json/],
    [['config'], /Usage: mmt-sync config/],
  ])('%j exits 2', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a --folder that does not exist is "no such folder", not a device problem', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mmt-sync-usage-')), 'not-there');
    const forms = [['--once', '--folder', missing], ['sync', '--folder', missing], ['scan', '--folder', missing], ['watch', '--folder', missing], ['--folder', missing]];
    const results = await Promise.all(forms.map((args) => runCli(args, env)));
    results.forEach((result, i) => {
      expect(result.code, `${forms[i]!.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`no such folder: ${missing}`);
      expect(result.stderr).not.toMatch(/device unplugged/);
    });
  });

  it('the top-level help shows the main command and its options, and exits 0', async () => {
    const result = await runCli(['--help'], env);
    expect(result.code).toBe(0);
    for (const option of ['--once', '--folder <dir>', '--dry-run', '--since <date>', '--config <file>']) expect(result.stdout).toContain(option);
    for (const { name } of tree.commands) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(result.stdout).toMatch(/Exit status:[\s\S]*2 {2}usage or configuration error/);
  });
});

/**
 * Every command of the registry, parsed in this process: an unknown option must come back
 * as a parse error (a subcommand that did not inherit the program's settings would call
 * process.exit(1) itself), and a near miss of a real option must be suggested.
 */
describe('every subcommand of the registry', () => {
  const program = buildProgram({ run: async () => {} }, '0.0.0');
  const silence = (command: Command): void => {
    command.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    command.commands.forEach(silence);
  };
  silence(program);
  const parseError = async (args: string[]): Promise<CommanderError> => {
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) return error;
      throw error;
    }
    throw new Error(`${args.join(' ')} parsed without an error`);
  };

  it.each(leaves.map(({ path, spec }) => [path, spec] as const))('%s: an unknown option is a usage error, a near one is suggested', async (path, spec) => {
    const words = path.split(' ');
    const unknown = await parseError([...words, '--no-such-option']);
    expect(unknown.code).toBe('commander.unknownOption');
    expect(unknown.exitCode).not.toBe(0);
    const typo = typoOf(spec);
    const near = await parseError([...words, typo.typo]);
    expect(near.message.toLowerCase()).toContain(`did you mean ${typo.meant}?`);
  });
});
