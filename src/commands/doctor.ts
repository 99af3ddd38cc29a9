import { loadConfig, type Env } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadSecrets } from '../config/secrets.js';
import { componentStatus, disabledStatus, probeRemote, type ComponentStatus } from '../backends/health.js';
import { discoverConfigured, localAdvice, type Advice } from '../backends/local/advice.js';
import { createAdapter } from '../backends/local/backend.js';
import { AidbClient } from '../rag/aidb.js';
import { textTable } from '../shared/text-table.js';
import { Upstream } from '../upstream/client.js';
import { CONFIG_OPTION, flag, text, type Command } from './command.js';
import { generationChecks, type GenerationCheck } from './deep-check.js';

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

export interface DoctorFindings {
  statuses: ComponentStatus[];
  advice: Advice[];
  generations: GenerationCheck[];
}

/** The report doctor prints, and whether everything required works. */
export function doctorReport(findings: DoctorFindings, source: string): { text: string; ok: boolean } {
  const { statuses, advice, generations } = findings;
  const rows = [
    ['COMPONENT', 'TARGET', 'STATUS', 'LATENCY', 'DETAIL'],
    ...statuses.map((s) => [s.name, s.target, statusWord(s), s.latency_ms === null ? '-' : `${s.latency_ms} ms`, s.detail]),
  ];
  const fixes = statuses.filter((s) => s.fix !== null && s.state !== 'disabled').map((s) => `  ${s.name}: ${s.fix}`);
  const failed = statuses.filter((s) => s.required && s.state === 'down');
  const blockers = advice.filter((a) => a.level === 'blocker');
  const badGenerations = generations.filter((g) => g.outcome === 'failed');
  const lines = [`configuration: ${source}`, '', textTable(rows).join('\n'), ''];
  if (fixes.length > 0) lines.push('What to fix:', ...fixes, '');
  if (advice.length > 0) {
    lines.push('Local route:', ...advice.flatMap((a) => [`  ${a.level === 'blocker' ? '!' : '~'} ${a.text}`, `    fix: ${a.fix}`]), '');
  }
  if (generations.length > 0) {
    lines.push(textTable([['GENERATION', 'RESULT', 'DETAIL'], ...generations.map((g) => [g.route, g.outcome, g.detail])]).join('\n'), '');
  }
  lines.push(failed.length === 0 ? 'Everything required is reachable.' : `Not working: ${failed.map((s) => s.name).join(', ')}.`);
  if (blockers.length > 0) lines.push('Nothing can go local until the items marked ! are fixed.');
  else if (advice.length === 0 && statuses.some((s) => s.name === 'local' && s.state === 'up')) lines.push('The local route is ready.');
  if (badGenerations.length > 0) lines.push(`A test generation failed: ${badGenerations.map((g) => g.route).join(', ')}.`);
  return { text: `${lines.join('\n')}\n`, ok: failed.length === 0 && blockers.length === 0 && badGenerations.length === 0 };
}

/**
 * `claude-api-proxy doctor`: probes the local backend, AIDB and the remote API as configured, reads
 * the context window the local server really runs, and prints what to fix. Exit code 1 when
 * something required is down or nothing can go local.
 */
export async function doctor(options: { config?: string; deep?: boolean }, env: Env, out: NodeJS.WritableStream): Promise<number> {
  const { config, file } = await loadConfig({ file: options.config, env });
  const secrets = await loadSecrets(config, env);
  const [statuses, server] = await Promise.all([Promise.all([probeLocal(config, secrets.localApiKey), probeAidb(config), checkRemote(config)]), discoverConfigured(config.local)]);
  const generations = options.deep ? await generationChecks(config, secrets) : [];
  const report = doctorReport({ statuses, advice: localAdvice(config, statuses, server), generations }, file ?? 'defaults (no configuration file)');
  out.write(report.text);
  return report.ok ? 0 : 1;
}

export const command: Command = {
  usage: '[--config FILE] [--deep]',
  description: `Probes the local backend, AIDB and the remote API as configured and prints a table, then what
stands between this configuration and local answers: an unreachable backend, a context window
smaller than a Claude Code turn or different from the one the server runs, a local.url that cannot
work. Exit code 1 when something required is down or nothing can go local.`,
  options: {
    config: CONFIG_OPTION,
    deep: { type: 'boolean', help: 'also send one tiny real generation through each route (remote: only with a key of the proxy\'s own)' },
  },
  args: { min: 0, max: 0 },
  examples: ['claude-api-proxy doctor', 'claude-api-proxy doctor --deep'],
  run: ({ values }, env, io) => doctor({ config: text(values, 'config'), deep: flag(values, 'deep') }, env, io.stdout),
};
