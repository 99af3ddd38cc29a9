import type { Env } from '../config/load.js';
import type { Io } from './io.js';

export type { Io } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The placeholder help shows for the value of a string option. */
  value?: string;
  help: string;
  /** The only values the option takes: the parser refuses others, help and shell completion offer these. */
  choices?: readonly string[];
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** One command: its help, the options it accepts, how many arguments, and what it does. */
export interface Command {
  /** What follows the command name in the usage line. */
  usage: string;
  description: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes (`rest`: the first argument that is not an option ends parsing, the rest passes on). */
  args: { min: number; max: number; names?: string; rest?: boolean };
  examples?: string[];
  /** `commands`: every command, for those that describe the others (help, completion). */
  run(parsed: Parsed, env: Env, io: Io, commands: readonly Entry[]): Promise<number | undefined>;
}

/** A command as the table lists it: its name and summary, and its definition, loaded when needed. */
export interface Entry {
  name: string;
  summary: string;
  /** Each command's modules load only when it runs: the server starts without the others. */
  load(): Promise<Command>;
}

/** A wrong command line: the message and exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const CONFIG_OPTION: OptionSpec = { type: 'string', short: 'c', value: 'FILE', help: 'configuration file (default: $XDG_CONFIG_HOME/claude-api-proxy/config.yaml)' };
export const JSON_OPTION: OptionSpec = { type: 'boolean', help: 'print JSON' };

export const text = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};
/** A string option's value among its choices, typed as one of them (the parser has refused any other). */
export const choice = <T extends string>(values: Values, name: string, choices: readonly T[]): T | undefined => {
  const value = text(values, name);
  return choices.find((allowed) => allowed === value);
};
export const flag = (values: Values, name: string): boolean => values[name] === true;
export const list = (values: Values, name: string): string[] => {
  const value = values[name];
  return Array.isArray(value) ? value : [];
};
