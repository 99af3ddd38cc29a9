import { loadConfig, type Env } from '../config/load.js';
import type { StatsReport } from '../telemetry/stats.js';
import { CONFIG_OPTION, text, type Command, type Io, type Values } from './command.js';
import { fetchJson, proxyUrl, tokenHeaders } from './proxy-client.js';
import { localDate } from '../telemetry/json-line.js';
import { statusPhrase } from './today.js';

// Claude Code runs the status line often and waits for it: answer quickly or say little.
const TIMEOUT_MS = 500;

async function statusline(values: Values, env: Env, io: Io): Promise<number> {
  try {
    const { config } = await loadConfig({ file: text(values, 'config'), env });
    const stats = await fetchJson(proxyUrl(config.listen), `/stats?since=${localDate(new Date())}`, await tokenHeaders(config), TIMEOUT_MS);
    io.stdout.write(stats.ok && stats.status === 200 ? `${statusPhrase((stats.body as StatsReport).totals)}\n` : 'proxy off\n');
  } catch {
    io.stdout.write('proxy: check config\n');
  }
  return 0;
}

export const command: Command = {
  usage: '[--config FILE]',
  description: `Prints one short line for Claude Code's status line: the share of today's requests served locally and
the money saved. Fast (half a second at most) and always exit code 0: "proxy off" when none answers.
Claude Code's settings.json: {"statusLine": {"type": "command", "command": "claude-api-proxy statusline"}}`,
  options: { config: CONFIG_OPTION },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy statusline'],
  run: ({ values }, env, io) => statusline(values, env, io),
};
