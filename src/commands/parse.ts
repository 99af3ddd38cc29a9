import { parseArgs } from 'node:util';
import { UsageError, type Command, type OptionSpec, type Parsed, type Values } from './command.js';
import { closest } from '../config/wording.js';

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

/** A command's options with --help, which every command has. */
export const optionsOf = (command: Command): Record<string, OptionSpec> => ({ ...command.options, help: HELP_OPTION });

function unknownOption(raw: string, options: Record<string, OptionSpec>, name: string): UsageError {
  const known = Object.keys(options);
  const suggestion = raw.startsWith('--') ? closest(raw.slice(2), known) : null;
  return new UsageError(`unknown option ${raw}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`, name);
}

/** A value outside a closed set, in the one wording every option and argument uses; suggests the closest allowed value. */
export function notAChoice(what: string, value: string, choices: readonly string[], name: string): UsageError {
  const suggestion = closest(value, choices);
  return new UsageError(`${what} ${JSON.stringify(value)} must be one of: ${choices.join(', ')}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, name);
}

/**
 * Parses one command's arguments. Every mistake becomes a UsageError in words (Node's own parser
 * messages talk about its API): unknown options, missing values, values outside an option's choices,
 * too many or too few arguments.
 */
export function parseCommand(name: string, command: Command, argv: string[]): Parsed {
  const options = optionsOf(command);
  const config = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]));
  const { tokens } = parseArgs({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  const values: Values = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      positionals.push(...argv.slice(token.index + 1));
      break;
    }
    if (token.kind === 'positional') {
      if (command.args.rest) {
        positionals.push(...argv.slice(token.index));
        break;
      }
      positionals.push(token.value);
      continue;
    }
    const spec = options[token.name];
    if (!spec) {
      if (command.args.rest) {
        positionals.push(...argv.slice(token.index));
        break;
      }
      throw unknownOption(token.rawName, options, name);
    }
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value${spec.value ? ` (${spec.value})` : ''}`, name);
    // `--port --host x` would otherwise take "--host" as the port.
    if (spec.type === 'string' && token.inlineValue === false && token.value.startsWith('--')) {
      throw new UsageError(`${token.rawName} needs a value${spec.value ? ` (${spec.value})` : ''} before ${token.value}`, name);
    }
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`, name);
    const value = token.value ?? true;
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) throw notAChoice(token.rawName, value, spec.choices, name);
    if (spec.multiple) values[token.name] = [...(Array.isArray(values[token.name]) ? (values[token.name] as string[]) : []), String(value)];
    else values[token.name] = value;
  }
  if (values.help === true) return { values, positionals };
  const { min, max } = command.args;
  const what = command.args.names ?? 'argument';
  if (positionals.length < min) throw new UsageError(`needs ${what}`, name);
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((p) => JSON.stringify(p)).join(' ');
    throw new UsageError(max === 0 ? `takes no arguments (got ${extra})` : `takes at most ${max} ${what} (extra: ${extra})`, name);
  }
  return { values, positionals };
}
