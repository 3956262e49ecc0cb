import type { CommandSpec, OptionSpec, ValueKind } from './spec.js';
import { walk } from './walk.js';

const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
/** Text inside an `_arguments` spec's [description]. */
const described = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\[/g, '\\[').replace(/\]/g, '\\]');
const functionName = (path: string): string => `_mmt_sync${path ? `__${path.replace(/[^A-Za-z0-9]+/g, '_')}` : ''}`;

function action(name: string, value: ValueKind): string {
  switch (value.kind) {
    case 'file':
      return `${name}:_files`;
    case 'dir':
      return `${name}:_files -/`;
    case 'choices':
      return `${name}:(${value.choices.join(' ')})`;
    default:
      return `${name}: `;
  }
}

function optionSpecs(option: OptionSpec): string[] {
  const exclusive = option.repeatable ? '*' : option.names.length > 1 ? `(${option.names.join(' ')})` : '';
  const tail = option.value ? `:${action('value', option.value)}` : '';
  return option.names.map((name) => q(`${exclusive}${name}[${described(option.description)}]${tail}`));
}

function commandFunction(path: string, spec: CommandSpec): string {
  const specs = spec.options.flatMap(optionSpecs);
  if (!spec.commands.length) {
    spec.args.forEach((arg, i) => specs.push(q(`${arg.variadic ? '*' : String(i + 1)}:${action(arg.name, arg.value)}`)));
    return `${functionName(path)}() {\n  _arguments -s \\\n    ${specs.join(' \\\n    ')}\n}`;
  }
  const items = spec.commands.map((c) => `        ${q(`${c.name}:${c.description}`)}`).join('\n');
  const dispatch = spec.commands.map((c) => `        ${c.name}) ${functionName(path ? `${path} ${c.name}` : c.name)} ;;`).join('\n');
  return `${functionName(path)}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \\
    ${[...specs, q('1: :->command'), q('*:: :->args')].join(' \\\n    ')}
  case $state in
    command)
      local -a commands=(
${items}
      )
      _describe -t commands 'mmt-sync command' commands ;;
    args)
      case $line[1] in
${dispatch}
      esac ;;
  esac
}`;
}

/** A native zsh completion (`_arguments`, `_describe`) for fpath or `source <(…)`. */
export function zshCompletion(root: CommandSpec): string {
  const functions = [...walk(root)].map(({ path, spec }) => commandFunction(path, spec));
  return `#compdef mmt-sync
# zsh completion for mmt-sync, generated from its command registry by \`mmt-sync completion zsh\`.
# Install: mmt-sync completion zsh > ~/.zfunc/_mmt-sync  (with fpath+=(~/.zfunc) before compinit)

${functions.join('\n\n')}

if [[ "\${funcstack[1]}" == _mmt-sync ]]; then
  _mmt_sync "$@"
else
  compdef _mmt_sync mmt-sync
fi
`;
}
