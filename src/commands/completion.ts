import { UsageError, type Command, type Entry } from './command.js';
import { completionScript, SHELLS, type Described, type Shell } from './completion-scripts.js';

/** Every command with its definition (loading each module: for help pages and completion only). */
export const describeAll = (commands: readonly Entry[]): Promise<Described[]> => Promise.all(commands.map(async (e) => ({ name: e.name, summary: e.summary, command: await e.load() })));

export const command: Command = {
  usage: 'bash|zsh|fish',
  description: 'Prints a completion script for the shell: commands, their options and the values options take.',
  options: {},
  args: { min: 1, max: 1, names: 'SHELL (bash, zsh or fish)' },
  examples: ['eval "$(claude-api-proxy completion bash)"', 'source <(claude-api-proxy completion zsh)', 'claude-api-proxy completion fish > ~/.config/fish/completions/claude-api-proxy.fish'],
  async run({ positionals }, _env, io, commands) {
    const shell = positionals[0] ?? '';
    if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`no completion for ${JSON.stringify(shell)}: bash, zsh or fish`, 'completion');
    io.stdout.write(completionScript(shell as Shell, await describeAll(commands)));
    return 0;
  },
};
