import { LocalSchema, type Config } from '../../config/schema.js';
import type { ComponentStatus } from '../health.js';
import { discoverAt, windowFor, type DiscoveredServer } from './discover.js';

/** What the configured local server says about itself; null when the route is off or for the coordinator (it lists no models). */
export function discoverConfigured(local: Config['local']): Promise<DiscoveredServer | null> {
  return local.enabled && local.kind !== 'coordinator' ? discoverAt(local.url) : Promise.resolve(null);
}

/** Tokens a Claude Code turn sends with its system prompt and tools (measured: about 20–26k). */
export const CLAUDE_CODE_TURN_TOKENS = 26_000;

export interface Advice {
  /** `blocker`: nothing can go local until it is fixed; `warning`: some requests cannot. */
  level: 'blocker' | 'warning';
  text: string;
  fix: string;
}

const DEFAULT_URL = LocalSchema.properties.url.default;

/**
 * What stands between this configuration and local answers, from what the server said about itself
 * (`server`, null when nothing answered like a model server) and whether the probe reached it.
 */
export function localAdvice(config: Config, statuses: readonly ComponentStatus[], server: DiscoveredServer | null): Advice[] {
  const local = config.local;
  const up = (name: ComponentStatus['name']) => statuses.some((s) => s.name === name && s.state === 'up');
  const reachable = up('local');
  if (!local.enabled) return [{ level: 'warning', text: 'local.enabled is false: every request goes to Anthropic', fix: 'set local.enabled: true to answer locally' }];
  const advice: Advice[] = [];
  if (local.kind === 'openai' && /\/v1\/?$/.test(local.url)) {
    advice.push({
      level: 'blocker',
      text: `local.url ${local.url} ends in /v1, and the openai adapter adds /v1/chat/completions itself: every request fails`,
      fix: `set local.url: ${local.url.replace(/\/v1\/?$/, '')}`,
    });
  }
  if (!reachable) {
    const defaulted = local.kind === 'coordinator' && local.url === DEFAULT_URL;
    advice.push({
      level: 'blocker',
      text: defaulted
        ? `nothing can go local: the default backend, a hybrid coordinator at ${local.url}, does not answer`
        : `nothing can go local: the ${local.kind} backend at ${local.url} does not answer`,
      fix: defaulted ? "run 'claude-api-proxy init' to find a local server and write a configuration for it" : `start the server at ${local.url}, or run 'claude-api-proxy init' to find one`,
    });
  }
  const served = server ? windowFor(server, local.model) : null;
  if (served !== null && served !== local.contextWindow) {
    advice.push(
      served < local.contextWindow
        ? {
            level: 'warning',
            text: `the server runs a context of ${served} tokens but local.contextWindow is ${local.contextWindow}: requests between the two get HTTP 400 and fall back`,
            fix: `set local.contextWindow: ${served}, or restart the server with a context of ${local.contextWindow}`,
          }
        : {
            level: 'warning',
            text: `the server runs a context of ${served} tokens but local.contextWindow is ${local.contextWindow}: requests that would fit are sent remote`,
            fix: `set local.contextWindow: ${served}`,
          },
    );
  }
  const window = Math.min(served ?? local.contextWindow, local.contextWindow);
  if (local.kind !== 'coordinator' && window < CLAUDE_CODE_TURN_TOKENS) {
    advice.push({
      level: 'warning',
      text: `a window of ${window} tokens is smaller than a Claude Code turn (about 20–26k tokens with its tools): Claude Code's main requests go remote`,
      fix: 'run the server with a 32768-token context (llama-server -c 32768, OLLAMA_CONTEXT_LENGTH=32768, vLLM --max-model-len 32768) and set local.contextWindow to it',
    });
  }
  if (config.rag.enabled && !up('aidb')) {
    advice.push({
      level: 'warning',
      text: `AIDB at ${config.rag.url} does not answer: local answers come without retrieved context`,
      fix: 'start AIDB, point rag.url (or AIDB_MCP_URL) at it, or set rag.enabled: false',
    });
  }
  if (server && server.note) advice.push({ level: 'warning', text: server.note, fix: 'set num_ctx (or OLLAMA_CONTEXT_LENGTH) and local.contextWindow to the same size' });
  return advice;
}
