import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadSecrets } from '../config/secrets.js';
import { componentStatus, disabledStatus, probeRemote, type ComponentStatus } from '../backends/health.js';
import { createAdapter } from '../backends/local/leg.js';
import { AidbClient } from '../rag/aidb.js';
import { textTable } from '../shared/text-table.js';
import { Upstream } from '../upstream/client.js';

async function probeLocal(config: Config, apiKey: string | null): Promise<ComponentStatus> {
  const target = `${config.local.kind} ${config.local.url}`;
  if (!config.local.enabled) return disabledStatus('local', target, 'local.enabled is false');
  const adapter = createAdapter(config.local, apiKey);
  try {
    const result = await adapter.probe(AbortSignal.timeout(10_000));
    if (!result.ok && result.fix === null) {
      result.fix = `start the ${config.local.kind} server at ${config.local.url}, or fix local.url / local.kind`;
    }
    return componentStatus('local', target, true, result);
  } finally {
    await adapter.close();
  }
}

async function probeAidb(config: Config): Promise<ComponentStatus> {
  if (!config.local.enabled || !config.rag.enabled) return disabledStatus('aidb', config.rag.url, config.rag.enabled ? 'the local route is off' : 'rag.enabled is false');
  const client = new AidbClient(config.rag);
  try {
    return componentStatus('aidb', config.rag.url, true, await client.probe(AbortSignal.timeout(10_000)));
  } finally {
    await client.close();
  }
}

async function checkRemote(config: Config): Promise<ComponentStatus> {
  const remote = new Upstream(config.remote.url, { connectTimeoutMs: config.remote.connectTimeoutMs });
  try {
    return componentStatus('remote', config.remote.url, true, await probeRemote(remote, AbortSignal.timeout(10_000)));
  } finally {
    await remote.close();
  }
}

function statusWord(status: ComponentStatus): string {
  if (status.state === 'disabled') return 'off';
  if (status.state === 'down') return 'FAIL';
  return status.warning ? 'warn' : 'ok';
}

/** The report doctor prints, and whether everything required works. */
export function doctorReport(statuses: ComponentStatus[], source: string): { text: string; ok: boolean } {
  const rows = [
    ['COMPONENT', 'TARGET', 'STATUS', 'LATENCY', 'DETAIL'],
    ...statuses.map((s) => [s.name, s.target, statusWord(s), s.latency_ms === null ? '-' : `${s.latency_ms} ms`, s.detail]),
  ];
  const fixes = statuses.filter((s) => s.fix !== null && s.state !== 'disabled').map((s) => `  ${s.name}: ${s.fix}`);
  const failed = statuses.filter((s) => s.required && s.state === 'down');
  const lines = [`configuration: ${source}`, '', textTable(rows).join('\n'), ''];
  if (fixes.length > 0) lines.push('What to fix:', ...fixes, '');
  lines.push(failed.length === 0 ? 'Everything required is reachable.' : `Not working: ${failed.map((s) => s.name).join(', ')}.`);
  return { text: `${lines.join('\n')}\n`, ok: failed.length === 0 };
}

/**
 * `claude-api-proxy doctor`: probes the local backend, AIDB and the remote API as configured and
 * prints a table with what to fix. Exit code 1 when something required is down.
 */
export async function doctor(options: { config?: string }, env: Env, out: NodeJS.WritableStream): Promise<number> {
  const { config, file } = await loadConfig({ file: options.config, env });
  const secrets = await loadSecrets(config, env);
  const statuses = await Promise.all([probeLocal(config, secrets.localApiKey), probeAidb(config), checkRemote(config)]);
  const report = doctorReport(statuses, file ?? 'defaults (no configuration file)');
  out.write(report.text);
  return report.ok ? 0 : 1;
}
