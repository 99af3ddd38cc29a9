import { parseArgs } from 'node:util';
import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { collectStats } from '../telemetry/collect-stats.js';
import { writeDashboardFiles } from '../telemetry/dashboard-files.js';
import { GROUP_BY, isGroupBy } from '../telemetry/stats.js';
import { formatStatsTable } from '../telemetry/stats-table.js';
import { parseTimeBound, TimeBoundError } from '../telemetry/time-bound.js';
import type { Io } from './io.js';

export const STATS_HELP = `Usage: claude-api-proxy stats [options]

Adds up the telemetry files: requests, local share, tokens and dollars saved, fallbacks, latency and
time to first byte per route, token estimate error, directory size. Corrupt lines are counted and skipped.

  --config, -c FILE        configuration file (for the telemetry directory and dashboard targets)
  --dir DIR                telemetry directory (default: telemetry.dir of the configuration)
  --since WHEN             only requests from then on: 7d, 12h, 30m, 2w, 2026-11-20 or 2026-11-20T14:00
  --until WHEN             only requests before then (a date includes that whole day)
  --by day|model|route|reason|session   add a breakdown
  --json                   print JSON (the default when stdout is not a terminal)
  --dashboard-json DIR     write token-savings.json and telemetry.json for the old dashboard into DIR
`;

/** How long the online check of the proxy may take when writing the dashboard files. */
const HEALTH_TIMEOUT_MS = 1_000;

const isTty = (stream: NodeJS.WritableStream): boolean => (stream as NodeJS.WriteStream).isTTY === true;

/** Whether a proxy answers on the configured address (any HTTP answer counts, even a refusal). */
async function proxyOnline(listen: Config['listen']): Promise<boolean> {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '[::1]' : listen.host.includes(':') && !listen.host.startsWith('[') ? `[${listen.host}]` : listen.host;
  try {
    const response = await fetch(`http://${host}:${listen.port}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function usage(io: Io, message: string): number {
  io.stderr.write(`claude-api-proxy stats: ${message}\nRun 'claude-api-proxy stats --help' for usage.\n`);
  return 2;
}

/** `claude-api-proxy stats`: the numbers as a table on a terminal, JSON otherwise. */
export async function stats(argv: string[], env: Env, io: Io, now: () => Date = () => new Date()): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      dir: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      'dashboard-json': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(STATS_HELP);
    return 0;
  }
  if (values.by !== undefined && !isGroupBy(values.by)) return usage(io, `--by must be one of ${GROUP_BY.join(', ')}`);
  const at = now();
  let since: Date | null;
  let until: Date | null;
  try {
    since = values.since === undefined ? null : parseTimeBound(values.since, at, 'since');
    until = values.until === undefined ? null : parseTimeBound(values.until, at, 'until');
  } catch (error) {
    if (error instanceof TimeBoundError) return usage(io, error.message);
    throw error;
  }
  const { config } = await loadConfig({ file: values.config, env });
  const dir = values.dir ?? config.telemetry.dir;
  const report = await collectStats({ dir, since, until, by: values.by ?? null, now: at });

  const dashboardDir = values['dashboard-json'];
  if (dashboardDir !== undefined) {
    const written = await writeDashboardFiles(dashboardDir, report, {
      targets: config.telemetry.dashboardTargets,
      online: await proxyOnline(config.listen),
      enabled: config.telemetry.enabled,
    });
    io.stdout.write(`${written.join('\n')}\n`);
    return 0;
  }
  io.stdout.write(values.json || !isTty(io.stdout) ? `${JSON.stringify(report, null, 2)}\n` : formatStatsTable(report));
  return 0;
}
