import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { round } from './samples.js';
import type { StatsReport, TokenCounts } from './stats.js';

// The two files the stack's old dashboard (port 8888) reads, in its exact shapes, filled from
// measured numbers only. The old generator guessed them; the field names stay so its page works.

export interface TokenSavingsFile {
  timestamp: string;
  queries: { total: number; local: number; remote: number; cached: number };
  routing: { local_percent: number; remote_percent: number; target_local_percent: number };
  cache: { hit_rate: number; target_hit_rate: number };
  tokens: { baseline_per_query: number; rag_per_query: number; estimated_savings: number; reduction_percent: number };
  cost: { estimated_savings_usd: number; cost_per_million_tokens: number; period: string };
}

export interface TelemetryFile {
  timestamp: string;
  status: 'online' | 'offline';
  summary: {
    total_events: number;
    local_events: number;
    remote_events: number;
    tokens_saved: number;
    last_event_at: string | null;
    telemetry_path: string;
    enabled: boolean;
    local_usage_rate: number;
  };
}

const sum = (t: TokenCounts): number => t.input + t.output + t.cache_read + t.cache_creation;

/**
 * `baseline`: tokens Anthropic would have billed had every request gone remote (what it billed plus
 * what was answered locally); `rag_per_query` keeps its old name for what it really billed per query.
 */
export function tokenSavingsFile(report: StatsReport, targets: Config['telemetry']['dashboardTargets']): TokenSavingsFile {
  const t = report.totals;
  const billed = sum(report.routes.remote.tokens);
  const baseline = billed + t.tokens_saved;
  const perQuery = (tokens: number) => (t.requests > 0 ? Math.round(tokens / t.requests) : 0);
  const localPercent = t.local_percent ?? 0;
  return {
    timestamp: report.generated_at,
    queries: { total: t.requests, local: t.served_local, remote: t.served_remote, cached: t.cached_requests },
    routing: { local_percent: localPercent, remote_percent: t.requests > 0 ? round(100 - localPercent, 2) : 0, target_local_percent: targets.localPercent },
    cache: { hit_rate: t.cache_hit_percent ?? 0, target_hit_rate: targets.cacheHitPercent },
    tokens: {
      baseline_per_query: perQuery(baseline),
      rag_per_query: perQuery(billed),
      estimated_savings: t.tokens_saved,
      reduction_percent: baseline > 0 ? round((t.tokens_saved / baseline) * 100, 2) : 0,
    },
    cost: {
      estimated_savings_usd: t.cost_saved_usd,
      cost_per_million_tokens: baseline > 0 ? round(((t.cost_usd + t.cost_saved_usd) / baseline) * 1_000_000, 4) : 0,
      period: report.range.since || report.range.until ? `${report.range.since ?? 'start'}/${report.range.until ?? report.generated_at}` : 'cumulative',
    },
  };
}

export function telemetryFile(report: StatsReport, proxy: { online: boolean; enabled: boolean }): TelemetryFile {
  const t = report.totals;
  return {
    timestamp: report.generated_at,
    status: proxy.online ? 'online' : 'offline',
    summary: {
      total_events: t.requests,
      local_events: t.served_local,
      remote_events: t.served_remote,
      tokens_saved: t.tokens_saved,
      last_event_at: report.range.last_event_at,
      telemetry_path: report.dir,
      enabled: proxy.enabled,
      local_usage_rate: t.local_percent ?? 0,
    },
  };
}

/** Readers never see half a file: write a temporary file beside the target, then rename over it. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes token-savings.json and telemetry.json into `dir` (created if missing). */
export async function writeDashboardFiles(
  dir: string,
  report: StatsReport,
  options: { targets: Config['telemetry']['dashboardTargets']; online: boolean; enabled: boolean },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, unknown][] = [
    ['token-savings.json', tokenSavingsFile(report, options.targets)],
    ['telemetry.json', telemetryFile(report, { online: options.online, enabled: options.enabled })],
  ];
  await Promise.all(files.map(([name, value]) => writeJsonAtomic(join(dir, name), value)));
  return files.map(([name]) => join(dir, name));
}
