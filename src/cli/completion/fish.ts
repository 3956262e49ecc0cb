import type { CommandSpec, ValueKind } from './spec.js';
import { walk } from './walk.js';

const q = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function valueFlags(value: ValueKind): string {
  switch (value.kind) {
    case 'file':
      return '-r -F';
    case 'dir':
      return "-r -f -a '(__fish_complete_directories)'";
    case 'choices':
      return `-r -f -a ${q(value.choices.join(' '))}`;
    default:
      return '-r -f';
  }
}

/** A fish completion script: one `complete` line per command, option and argument. */
export function fishCompletion(root: CommandSpec): string {
  const lines: string[] = [];
  const parents: string[] = [];
  const takesValue: string[] = [];
  for (const { path, spec } of walk(root)) {
    const at = `-n ${q(`__mmt_sync_at ${q(path)}`)}`;
    for (const child of spec.commands) {
      parents.push(q(`${path}|${child.name}`));
      lines.push(`complete -c mmt-sync ${at} -f -a ${q(child.name)} -d ${q(child.description)}`);
    }
    for (const option of spec.options) {
      const names = option.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      lines.push(`complete -c mmt-sync ${at} ${names} ${option.value ? valueFlags(option.value) : '-f'} -d ${q(option.description)}`);
      if (option.value) for (const name of option.names) takesValue.push(q(`${path}|${name}`));
    }
    for (const arg of spec.args) {
      lines.push(`complete -c mmt-sync ${at} ${arg.value.kind === 'file' ? '-F' : valueFlags(arg.value).replace('-r ', '')} -d ${q(arg.name)}`);
    }
  }
  return `# fish completion for mmt-sync, generated from its command registry by \`mmt-sync completion fish\`.
# Install: mmt-sync completion fish > ~/.config/fish/completions/mmt-sync.fish
set -g __mmt_sync_commands ${parents.join(' ')}
set -g __mmt_sync_takes_value ${takesValue.join(' ')}

# The command words typed so far ('' for none, 'config show'), past options and their values.
function __mmt_sync_path
    set -l path ''
    set -l skip 0
    set -l positional 0
    for word in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
        else if string match -q -- '-*' $word
            contains -- "$path|$word" $__mmt_sync_takes_value; and set skip 1
        else if test $positional -eq 0; and contains -- "$path|$word" $__mmt_sync_commands
            set path (string trim -- "$path $word")
        else
            set positional 1
        end
    end
    echo $path
end

function __mmt_sync_at
    set -l current (__mmt_sync_path)
    test "$current" = "$argv[1]"
end

complete -c mmt-sync -f
${lines.join('\n')}
`;
}
