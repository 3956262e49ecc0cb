import type { CommandSpec, ValueKind } from './spec.js';
import { walk } from './walk.js';

/** A word for the shell, single-quoted. */
const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** How the script says what to complete: file, dir, any, or `words:a b c`. */
function kind(value: ValueKind): string {
  return value.kind === 'choices' ? `words:${value.choices.join(' ')}` : value.kind;
}

/** A bash completion script (bash ≥ 4; `complete -F`), with the command tree as case tables. */
export function bashCompletion(root: CommandSpec): string {
  const commands: string[] = [];
  const options: string[] = [];
  const values: string[] = [];
  const args: string[] = [];
  for (const { path, spec } of walk(root)) {
    if (spec.commands.length) commands.push(`    ${q(path)}) echo ${q(spec.commands.map((c) => c.name).join(' '))} ;;`);
    options.push(`    ${q(path)}) echo ${q(spec.options.flatMap((o) => o.names).join(' '))} ;;`);
    for (const option of spec.options) {
      if (!option.value) continue;
      for (const name of option.names) values.push(`    ${q(`${path}|${name}`)}) echo ${q(kind(option.value))} ;;`);
    }
    spec.args.forEach((arg, index) => {
      const pattern = arg.variadic ? `${q(`${path}|`)}*` : q(`${path}|${index}`);
      args.push(`    ${pattern}) echo ${q(kind(arg.value))} ;;`);
    });
  }
  return `# bash completion for mmt-sync, generated from its command registry by \`mmt-sync completion bash\`.
# Install: mmt-sync completion bash > ~/.local/share/bash-completion/completions/mmt-sync
_mmt_sync_commands() {
  case "$1" in
${commands.join('\n')}
  esac
}
_mmt_sync_options() {
  case "$1" in
${options.join('\n')}
  esac
}
_mmt_sync_option_value() {
  case "$1|$2" in
${values.join('\n')}
  esac
}
_mmt_sync_argument() {
  case "$1|$2" in
${args.join('\n')}
  esac
}
_mmt_sync_reply() {
  case "$1" in
    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$2")) ;;
    dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$2")) ;;
    words:*) COMPREPLY=($(compgen -W "\${1#words:}" -- "$2")) ;;
    *) COMPREPLY=() ;;
  esac
}
_mmt_sync() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path='' expect='' args=0 i word commands
  # Walk the words before the cursor: command words deepen the path, an option that takes
  # a value swallows the next word, anything else is a positional argument.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ -n $expect ]]; then expect=''; continue; fi
    if [[ $word == -* ]]; then
      [[ $word == *=* ]] || expect="$(_mmt_sync_option_value "$path" "$word")"
      continue
    fi
    commands=" $(_mmt_sync_commands "$path") "
    if [[ $args -eq 0 && $commands == *" $word "* ]]; then
      path="\${path:+$path }$word"
    else
      args=$((args + 1))
    fi
  done
  if [[ -n $expect ]]; then _mmt_sync_reply "$expect" "$cur"; return 0; fi
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$(_mmt_sync_options "$path")" -- "$cur")); return 0; fi
  commands="$(_mmt_sync_commands "$path")"
  if [[ -n $commands && $args -eq 0 ]]; then COMPREPLY=($(compgen -W "$commands" -- "$cur")); return 0; fi
  _mmt_sync_reply "$(_mmt_sync_argument "$path" "$args")" "$cur"
}
complete -F _mmt_sync mmt-sync
`;
}
