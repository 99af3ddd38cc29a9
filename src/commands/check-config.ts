import { loadConfig, type Env } from '../config/load.js';
import { loadSecrets } from '../config/secrets.js';
import { flag, type Command } from './command.js';

/** Validates a configuration file as `serve` does (key files included); prints what is wrong. */
export async function checkConfig(file: string, env: Env, out: NodeJS.WritableStream, keyFiles = true): Promise<void> {
  const { config } = await loadConfig({ file, env });
  if (keyFiles) await loadSecrets(config, env);
  out.write(`${file}: valid (listen ${config.listen.host}:${config.listen.port}, local ${config.local.kind} ${config.local.url}, ${config.routing.rules.length} rules)\n`);
}

export const command: Command = {
  usage: 'FILE',
  description: `Checks a configuration file the way serve does at start: every setting, the routing rules, and
that the key files it names can be read. Exit code 2 with every problem at once when it is not valid.
The Nix modules run it at build time, where secrets do not exist yet: --skip-key-files.`,
  options: {
    'skip-key-files': { type: 'boolean', help: 'do not read the key files (for build sandboxes without the secrets)' },
  },
  args: { min: 1, max: 1, names: 'FILE' },
  examples: ['claude-api-proxy check-config ~/.config/claude-api-proxy/config.yaml'],
  async run({ positionals, values }, env, io) {
    await checkConfig(positionals[0] ?? '', env, io.stdout, !flag(values, 'skip-key-files'));
    return 0;
  },
};
