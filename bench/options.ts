// The benches' command lines: a wrong option or value ends in one line and the usage, not a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type Values<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: false }>>['values'];

/** Ends the bench with one line and the usage (exit 2). */
export function refuse(message: string, usage: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}

/** The parsed options; `--help` prints the usage and exits. */
export function benchOptions<const T extends ParseArgsOptionsConfig>(options: T, usage: string): Values<T> {
  if (process.argv.includes('--help')) {
    process.stdout.write(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ options, allowPositionals: false }).values;
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error), usage);
  }
}

/** A count given on the command line: a whole number of at least 1. */
export function countOption(value: string, name: string, usage: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) refuse(`--${name} takes a whole number of at least 1, not ${JSON.stringify(value)}`, usage);
  return count;
}
