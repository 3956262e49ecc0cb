/**
 * src/cli/completion/: the shell completion scripts of `mmt-sync completion`, written from
 * the registry's commander tree (spec.ts reads it; bash.ts, zsh.ts and fish.ts write one
 * script each). Imports only commander's types; nothing here runs a command.
 */
import type { Argument, Command, Option } from 'commander';

/** What a word after an option or in an argument's place may be. */
export type ValueKind = { readonly kind: 'file' | 'dir' | 'any' } | { readonly kind: 'choices'; readonly choices: readonly string[] };

export interface OptionSpec {
  /** `--folder`, and `-v` where there is a short form. */
  readonly names: readonly string[];
  readonly description: string;
  /** Undefined for a switch. */
  readonly value?: ValueKind;
  readonly repeatable: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
  /** Positional arguments in order; the last may repeat. */
  readonly args: ReadonlyArray<{ readonly name: string; readonly value: ValueKind; readonly variadic: boolean }>;
}

/** `<dir>` completes folders, `<file>`/`<files...>` files, declared choices their words. */
function valueKind(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  if (choices?.length) return { kind: 'choices', choices };
  if (/dir/i.test(placeholder)) return { kind: 'dir' };
  if (/file/i.test(placeholder)) return { kind: 'file' };
  return { kind: 'any' };
}

function optionSpec(option: Option): OptionSpec {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? '';
  return {
    names: [option.long, option.short].filter((n): n is string => Boolean(n)),
    description: option.description,
    ...(option.required || option.optional ? { value: valueKind(placeholder, option.argChoices) } : {}),
    repeatable: /repeatable/.test(option.description),
  };
}

function argSpec(argument: Argument): CommandSpec['args'][number] {
  return { name: argument.name(), value: valueKind(argument.name(), argument.argChoices), variadic: argument.variadic };
}

const HELP: OptionSpec = { names: ['--help', '-h'], description: 'show help', repeatable: false };

/**
 * The command tree as the registry defines it, which every shell's script is written
 * from: a command or option added to the registry completes without further work.
 */
export function describeCommands(command: Command): CommandSpec {
  return {
    name: command.name(),
    description: command.description(),
    options: [...command.options.filter((o) => !o.hidden).map(optionSpec), HELP],
    commands: command.commands.map(describeCommands),
    args: command.registeredArguments.map(argSpec),
  };
}
