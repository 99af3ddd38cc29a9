import { loadConfig, type Env } from '../config/load.js';
import type { ComponentStatus } from '../backends/health.js';
import type { StatsReport } from '../telemetry/stats.js';
import { CONFIG_OPTION, flag, JSON_OPTION, text, type Command, type Io, type Values } from './command.js';
import { fetchJson, proxyUrl, tokenHeaders } from './proxy-client.js';
import { localDate } from '../telemetry/json-line.js';
import { todayPhrase } from './today.js';

const TIMEOUT_MS = 3_000;

interface Health {
  version?: string;
  uptime_s?: number;
}

const uptime = (s: number): string => (s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`);

function backendLine(b: ComponentStatus): string {
  const word = b.state === 'disabled' ? 'off' : b.state === 'down' ? 'FAIL' : b.warning ? 'warn' : 'ok';
  return `${`${b.name}:`.padEnd(9)} ${word.padEnd(4)}  ${b.target} (${b.detail})${b.fix && b.state !== 'disabled' ? `\n           fix: ${b.fix}` : ''}`;
}

async function status(values: Values, env: Env, io: Io): Promise<number> {
  const { config } = await loadConfig({ file: text(values, 'config'), env });
  const base = proxyUrl(config.listen);
  const headers = await tokenHeaders(config);
  const health = await fetchJson(base, '/health', headers, TIMEOUT_MS);
  if (!health.ok) {
    if (flag(values, 'json')) io.stdout.write(`${JSON.stringify({ url: base, up: false, error: health.error }, null, 2)}\n`);
    else io.stdout.write(`proxy:    ${health.error} at ${base}\n          start it: claude-api-proxy serve (or claude-api-proxy code, which starts it)\n`);
    return 1;
  }
  const [ready, stats] = await Promise.all([
    fetchJson(base, '/health/ready', headers, TIMEOUT_MS),
    fetchJson(base, `/stats?since=${localDate(new Date())}`, headers, TIMEOUT_MS),
  ]);
  const backends = ready.ok ? ((ready.body as { backends?: ComponentStatus[] }).backends ?? []) : [];
  const report = stats.ok && stats.status === 200 ? (stats.body as StatsReport) : null;
  if (flag(values, 'json')) {
    io.stdout.write(`${JSON.stringify({ url: base, up: true, health: health.body, backends, today: report?.totals ?? null }, null, 2)}\n`);
    return 0;
  }
  const h = health.body as Health;
  const lines = [`proxy:    up at ${base} (version ${h.version ?? '?'}, up ${uptime(h.uptime_s ?? 0)})`, ...backends.map(backendLine)];
  lines.push(`today:    ${report ? todayPhrase(report.totals) : `no numbers (${stats.ok ? `HTTP ${stats.status}` : stats.error})`}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const command: Command = {
  usage: '[--config FILE] [--json]',
  description: `Asks the running proxy (at listen.host:listen.port of the configuration) whether it is up, how each
backend is doing (/health/ready), and how much went local today (/stats). Exit code 1 when no proxy answers.`,
  options: { config: CONFIG_OPTION, json: JSON_OPTION },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy status'],
  run: ({ values }, env, io) => status(values, env, io),
};
