import { ConfigError, type Env } from '../config/load.js';
import { VERSION } from '../version.js';
import { UsageError, type Io } from './command.js';
import { parseCommand } from './parse.js';
import { COMMANDS, findCommand } from './registry.js';
import { commandHelp, globalHelp, PROGRAM } from './usage-text.js';
import { closest } from '../config/wording.js';
import { errorCode, errorMessage } from '../shared/errors.js';

export type { Io } from './io.js';

async function dispatch(argv: string[], env: Env, io: Io): Promise<number | undefined> {
  const [first] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(globalHelp(COMMANDS));
    return 0;
  }
  // No command, or options first (`claude-api-proxy --port 9000`): serve, as the predecessor did.
  const [name, args] = first === undefined || first.startsWith('-') ? ['serve', argv] : [first, argv.slice(1)];
  const entry = findCommand(name);
  if (!entry) {
    const suggestion = closest(name, COMMANDS.map((c) => c.name));
    throw new UsageError(`unknown command ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
  const command = await entry.load();
  const parsed = parseCommand(name, command, args);
  if (parsed.values.help === true) {
    io.stdout.write(commandHelp(entry, command));
    return 0;
  }
  return command.run(parsed, env, io, COMMANDS);
}

/**
 * Runs one command line. Resolves to the exit code, or undefined for a server that keeps running.
 * Every failure becomes a message and an exit code, never a stack trace.
 */
export async function runCli(argv: string[], env: Env, io: Io): Promise<number | undefined> {
  try {
    return await dispatch(argv, env, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`invalid configuration:\n${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      const help = error.command ? `${PROGRAM} ${error.command} --help` : `${PROGRAM} --help`;
      io.stderr.write(`${PROGRAM}${error.command ? ` ${error.command}` : ''}: ${error.message}\nRun '${help}' for usage.\n`);
      return 2;
    }
    const code = errorCode(error);
    io.stderr.write(`${PROGRAM}: ${errorMessage(error)}${code === 'EADDRINUSE' ? ' (is another proxy already running? use --port)' : ''}\n`);
    return 1;
  }
}
