import { loadConfig, type Env } from '../config/load.js';
import { collectStats } from '../telemetry/collect-stats.js';
import { writeDashboardFiles } from '../telemetry/dashboard-files.js';
import { GROUP_BY } from '../telemetry/stats.js';
import { formatStatsTable } from '../telemetry/stats-table.js';
import { parseTimeBound, TimeBoundError } from '../telemetry/time-bound.js';
import { proxyUp, proxyUrl } from './proxy-client.js';
import { choice, CONFIG_OPTION, flag, text, UsageError, type Command, type Io, type Values } from './command.js';

/** How long the online check of the proxy may take when writing the dashboard files. */
const HEALTH_TIMEOUT_MS = 1_000;

const isTty = (stream: NodeJS.WritableStream): boolean => (stream as NodeJS.WriteStream).isTTY === true;

/** `claude-api-proxy stats`: the numbers as a table on a terminal, JSON otherwise. */
export async function stats(values: Values, env: Env, io: Io, now: () => Date = () => new Date()): Promise<number> {
  const by = choice(values, 'by', GROUP_BY) ?? null;
  const at = now();
  let since: Date | null;
  let until: Date | null;
  try {
    const [from, to] = [text(values, 'since'), text(values, 'until')];
    since = from === undefined ? null : parseTimeBound(from, at, 'since');
    until = to === undefined ? null : parseTimeBound(to, at, 'until');
  } catch (error) {
    if (error instanceof TimeBoundError) throw new UsageError(error.message, 'stats');
    throw error;
  }
  const { config } = await loadConfig({ file: text(values, 'config'), env });
  const dir = text(values, 'dir') ?? config.telemetry.dir;
  const report = await collectStats({ dir, since, until, by, now: at });

  const dashboardDir = text(values, 'dashboard-json');
  if (dashboardDir !== undefined) {
    const written = await writeDashboardFiles(dashboardDir, report, {
      targets: config.telemetry.dashboardTargets,
      online: await proxyUp(proxyUrl(config.listen), HEALTH_TIMEOUT_MS),
      enabled: config.telemetry.enabled,
    });
    io.stdout.write(`${written.join('\n')}\n`);
    return 0;
  }
  io.stdout.write(flag(values, 'json') || !isTty(io.stdout) ? `${JSON.stringify(report, null, 2)}\n` : formatStatsTable(report));
  return 0;
}

export const command: Command = {
  usage: '[options]',
  description: `Adds up the telemetry files: requests, local share, tokens and dollars saved, fallbacks, latency and
time to first byte per route, token estimate error, directory size. Corrupt lines are counted and skipped.
A table on a terminal, JSON otherwise.`,
  options: {
    config: { ...CONFIG_OPTION, help: 'configuration file (for the telemetry directory and dashboard targets)' },
    dir: { type: 'string', value: 'DIR', help: 'telemetry directory (default: telemetry.dir of the configuration)' },
    since: { type: 'string', value: 'WHEN', help: 'only requests from then on: 7d, 12h, 30m, 2w, 2026-11-20 or 2026-11-20T14:00' },
    until: { type: 'string', value: 'WHEN', help: 'only requests before then (a date includes that whole day)' },
    by: { type: 'string', value: 'KEY', help: 'add a breakdown', choices: GROUP_BY },
    json: { type: 'boolean', help: 'print JSON (the default when stdout is not a terminal)' },
    'dashboard-json': { type: 'string', value: 'DIR', help: 'write token-savings.json and telemetry.json for the old dashboard into DIR' },
  },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy stats --since 7d --by day'],
  run: ({ values }, env, io) => stats(values, env, io),
};
