import { basename } from 'node:path';
import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { choice, CONFIG_OPTION, text, type Command, type Io, type Values } from './command.js';
import { proxyUrl } from './proxy-client.js';
import { HEADER } from '../shared/headers.js';

const SHELLS = ['sh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The variables that send Claude Code through the proxy. A token file is read by the shell when the
 * line runs, so the secret never appears in the output.
 */
export function proxyVariables(config: Config): { name: string; value: string; fromFile?: string }[] {
  const vars: { name: string; value: string; fromFile?: string }[] = [{ name: 'ANTHROPIC_BASE_URL', value: proxyUrl(config.listen) }];
  if (config.auth.tokenFile !== null) vars.push({ name: 'ANTHROPIC_CUSTOM_HEADERS', value: `${HEADER.token}: `, fromFile: config.auth.tokenFile });
  return vars;
}

function line(shell: Shell, name: string, value: string, fromFile?: string): string {
  if (shell === 'fish') return fromFile ? `set -gx ${name} ${quote(value)}(cat ${quote(fromFile)})` : `set -gx ${name} ${quote(value)}`;
  return fromFile ? `export ${name}=${quote(value)}"$(cat ${quote(fromFile)})"` : `export ${name}=${quote(value)}`;
}

async function printEnv(values: Values, env: Env, io: Io): Promise<number> {
  const shell: Shell = choice(values, 'shell', SHELLS) ?? (basename(env.SHELL ?? '') === 'fish' ? 'fish' : 'sh');
  const { config } = await loadConfig({ file: text(values, 'config'), env });
  io.stdout.write(`${proxyVariables(config).map((v) => line(shell, v.name, v.value, v.fromFile)).join('\n')}\n`);
  return 0;
}

export const command: Command = {
  usage: '[--config FILE] [--shell sh|fish]',
  description: `Prints the exports that point Claude Code (and any Anthropic SDK) at the proxy, for eval in a shell
or a profile. With an inbound token the line reads the token file when it runs.`,
  options: {
    config: CONFIG_OPTION,
    shell: { type: 'string', value: 'SHELL', help: 'syntax to print (default: fish when $SHELL is fish, else sh)', choices: SHELLS },
  },
  args: { min: 0, max: 0 },
  examples: ['eval "$(claude-api-proxy env)"', 'claude-api-proxy env --shell fish | source'],
  run: ({ values }, env, io) => printEnv(values, env, io),
};
