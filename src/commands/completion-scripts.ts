import type { Command, OptionSpec } from './command.js';
import { optionsOf } from './parse.js';

export interface Described {
  name: string;
  summary: string;
  command: Command;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const PROGRAM = 'claude-api-proxy';
const takesPath = (o: OptionSpec): boolean => o.type === 'string' && /FILE|DIR/.test(o.value ?? '');
/** Words completed for a command's positional arguments. */
function argumentWords(d: Described, all: readonly Described[]): string[] | null {
  if (d.name === 'help') return all.map((c) => c.name);
  if (d.name === 'completion') return [...SHELLS];
  return null;
}

function bash(all: readonly Described[]): string {
  const optionCases = all.flatMap((d) =>
    Object.entries(optionsOf(d.command)).flatMap(([name, o]) => {
      const flags = [`--${name}`, ...(o.short ? [`-${o.short}`] : [])].map((f) => `"${d.name} ${f}"`).join('|');
      if (o.choices) return [`    ${flags}) COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur")); return ;;`];
      if (takesPath(o)) return [`    ${flags}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`];
      if (o.type === 'string') return [`    ${flags}) return ;;`];
      return [];
    }),
  );
  const commandCases = all.map((d) => {
    const words = argumentWords(d, all);
    const opts = Object.entries(optionsOf(d.command)).map(([name]) => `--${name}`).join(' ');
    return `    ${d.name}) opts="${opts}"${words ? `; args="${words.join(' ')}"` : ''} ;;`;
  });
  return `# bash completion for ${PROGRAM}: eval "$(${PROGRAM} completion bash)", or save it as
# ~/.local/share/bash-completion/completions/${PROGRAM}
_claude_api_proxy() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" opts="" args=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${all.map((d) => d.name).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$cmd $prev" in
${optionCases.join('\n')}
  esac
  case "$cmd" in
${commandCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n $args ]]; then
    COMPREPLY=($(compgen -W "$args" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _claude_api_proxy ${PROGRAM}
`;
}

// zsh _arguments specs treat [ ] : and ' specially; help texts are plain words here.
const zshText = (s: string): string => s.replace(/[[\]:']/g, ' ').replace(/\s+/g, ' ').trim();

function zshOption(name: string, o: OptionSpec): string {
  const value = o.type === 'boolean' ? '' : o.choices ? `:${o.value ?? 'value'}:(${o.choices.join(' ')})` : takesPath(o) ? `:${o.value ?? 'file'}:_files` : `:${o.value ?? 'value'}: `;
  const body = `[${zshText(o.help)}]${value}`;
  if (!o.short) return `'${o.multiple ? '*' : ''}--${name}${body}'`;
  return `${o.multiple ? "'*'" : `'(-${o.short} --${name})'`}{-${o.short},--${name}}'${body}'`;
}

function zsh(all: readonly Described[]): string {
  const cases = all.map((d) => {
    const words = argumentWords(d, all);
    const specs = Object.entries(optionsOf(d.command)).map(([name, o]) => zshOption(name, o));
    const positional = d.command.args.max === 0 ? [] : [words ? `'*:${zshText(d.command.args.names ?? 'argument')}:(${words.join(' ')})'` : `'*:${zshText(d.command.args.names ?? 'argument')}:_files'`];
    return `        ${d.name}) _arguments ${[...specs, ...positional].join(' ')} ;;`;
  });
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}: source <(${PROGRAM} completion zsh), or save it as _${PROGRAM} in $fpath
_claude_api_proxy() {
  local state
  local -a commands=(
${all.map((d) => `    '${d.name}:${zshText(d.summary)}'`).join('\n')}
  )
  _arguments -C '(- *)--help[print help]' '(- *)--version[print the version]' '1: :->command' '*:: :->argument'
  case $state in
    command) _describe command commands ;;
    argument)
      case $words[1] in
${cases.join('\n')}
      esac ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _claude_api_proxy "$@"
else
  compdef _claude_api_proxy ${PROGRAM}
fi
`;
}

const fishText = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(all: readonly Described[]): string {
  const lines = [`# fish completion for ${PROGRAM}: ${PROGRAM} completion fish > ~/.config/fish/completions/${PROGRAM}.fish`, `complete -c ${PROGRAM} -f`];
  for (const d of all) lines.push(`complete -c ${PROGRAM} -n __fish_use_subcommand -a ${d.name} -d ${fishText(d.summary)}`);
  for (const d of all) {
    const when = `-n '__fish_seen_subcommand_from ${d.name}'`;
    for (const [name, o] of Object.entries(optionsOf(d.command))) {
      const value = o.type === 'boolean' ? '' : o.choices ? ` -x -a ${fishText(o.choices.join(' '))}` : takesPath(o) ? ' -r -F' : ' -x';
      lines.push(`complete -c ${PROGRAM} ${when} -l ${name}${o.short ? ` -s ${o.short}` : ''}${value} -d ${fishText(o.help)}`);
    }
    const words = argumentWords(d, all);
    if (words) lines.push(`complete -c ${PROGRAM} ${when} -a ${fishText(words.join(' '))}`);
    else if (d.command.args.max > 0) lines.push(`complete -c ${PROGRAM} ${when} -F`);
  }
  return `${lines.join('\n')}\n`;
}

/** A completion script for `shell`, generated from the command table. */
export function completionScript(shell: Shell, all: readonly Described[]): string {
  return shell === 'bash' ? bash(all) : shell === 'zsh' ? zsh(all) : fish(all);
}
