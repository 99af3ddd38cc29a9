import type { DiscoveredModel, DiscoveredServer } from '../backends/local/discover.js';
import { CLAUDE_CODE_TURN_TOKENS } from '../backends/local/advice.js';
import { LocalSchema } from '../config/schema.js';

export interface StarterChoice {
  server: DiscoveredServer;
  model: DiscoveredModel | null;
  /** Whether AIDB answered on its default address. */
  aidb: boolean;
}

/** The model to route to: the one with the largest known window (Claude Code turns need room). */
export function pickModel(server: DiscoveredServer): DiscoveredModel | null {
  return [...server.models].sort((a, b) => (b.contextWindow ?? 0) - (a.contextWindow ?? 0))[0] ?? null;
}

/** The server to route to: the first that serves a model, the coordinator only when nothing else answers. */
export function pickServer(servers: readonly DiscoveredServer[]): DiscoveredServer | null {
  return servers.find((s) => s.family !== 'coordinator' && s.models.length > 0) ?? servers.find((s) => s.family !== 'coordinator') ?? servers[0] ?? null;
}

const DEFAULT_WINDOW = LocalSchema.properties.contextWindow.default;

/** A commented YAML configuration that routes to the chosen server. */
export function starterConfig(choice: StarterChoice, today: string): string {
  const { server, model, aidb } = choice;
  const window = model?.contextWindow ?? null;
  const lines = [
    `# Written by 'claude-api-proxy init' on ${today} from what answered on this machine.`,
    "# 'claude-api-proxy config' shows every setting and where it comes from; 'claude-api-proxy doctor' checks it.",
    'local:',
    `  kind: ${server.kind}            # ${server.family} at ${server.url}`,
    `  url: ${server.url}`,
  ];
  if (server.kind !== 'coordinator') {
    lines.push(`  model: ${JSON.stringify(model?.id ?? 'local')}`);
    if (window !== null) lines.push(`  contextWindow: ${window}        # as the server reports it`);
    else lines.push(`  contextWindow: ${DEFAULT_WINDOW}         # the server did not say; set it to the context it runs with`);
    if ((window ?? DEFAULT_WINDOW) < CLAUDE_CODE_TURN_TOKENS) lines.push(`  # Claude Code turns need about ${CLAUDE_CODE_TURN_TOKENS / 1000}k tokens: with a smaller window they go remote.`);
  }
  lines.push('rag:', `  enabled: ${aidb}${aidb ? '' : '              # AIDB did not answer'}`, '');
  return lines.join('\n');
}
