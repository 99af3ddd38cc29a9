import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { optionsOf } from './parse.js';
import type { Entry } from './command.js';

export const PROGRAM = 'claude-api-proxy';

/** The option lines of a command's help: flags on the left, what they do on the right. */
export function optionRows(command: Command): [string, string][] {
  return Object.entries(optionsOf(command)).map(([name, o]) => {
    const flags = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const choices = o.choices ? ` (${o.choices.join(', ')})` : '';
    return [flags, `${o.help}${choices}${o.multiple ? '; repeatable' : ''}`];
  });
}

const columns = (rows: [string, string][], indent = '  '): string[] => {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`);
};

/** `claude-api-proxy CMD --help`. */
export function commandHelp(entry: Entry, command: Command): string {
  const lines = [`Usage: ${PROGRAM} ${entry.name}${command.usage ? ` ${command.usage}` : ''}`, '', `${entry.summary.charAt(0).toUpperCase()}${entry.summary.slice(1)}.`, '', command.description, '', 'Options:', ...columns(optionRows(command))];
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** `claude-api-proxy --help`. */
export function globalHelp(commands: readonly Entry[]): string {
  return `${PROGRAM} ${VERSION}: a local gateway for Claude Code

Usage: ${PROGRAM} COMMAND [options]     (no command: serve)

Commands:
${columns(commands.map((c): [string, string] => [c.name, c.summary])).join('\n')}

'${PROGRAM} help COMMAND' or '${PROGRAM} COMMAND --help' tells more about one.

First day:   ${PROGRAM} init   then   ${PROGRAM} code
Configuration: $XDG_CONFIG_HOME/claude-api-proxy/config.yaml ('${PROGRAM} config' shows it; docs/configuration.md).
Exit codes: 0 ok, 1 runtime error, 2 invalid configuration or usage.
`;
}
