import { UsageError, type Command } from './command.js';
import { commandHelp, globalHelp } from './usage-text.js';

export const command: Command = {
  usage: '[COMMAND]',
  description: 'Prints the help of one command, or the list of commands.',
  options: {},
  args: { min: 0, max: 1, names: 'COMMAND' },
  examples: ['claude-api-proxy help init'],
  async run({ positionals }, _env, io, commands) {
    const [name] = positionals;
    if (name === undefined) {
      io.stdout.write(globalHelp(commands));
      return 0;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) throw new UsageError(`no command ${JSON.stringify(name)}`, 'help');
    io.stdout.write(commandHelp(entry, await entry.load()));
    return 0;
  },
};
