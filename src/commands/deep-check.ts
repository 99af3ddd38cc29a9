import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import { createAdapter } from '../backends/local/backend.js';
import { Upstream } from '../upstream/client.js';
import { classifyNetworkError } from '../upstream/failure.js';
import { errorMessage } from '../shared/errors.js';

export interface GenerationCheck {
  route: 'local' | 'remote';
  /** `skipped`: not tried (route off, or no credentials to try the remote one with). */
  outcome: 'ok' | 'failed' | 'skipped';
  detail: string;
}

const QUESTION = 'Reply with the single word: ok';
const DEADLINE_MS = 60_000;

/** One tiny generation through the configured local adapter, as a routed request would go. */
async function localGeneration(config: Config, apiKey: string | null): Promise<GenerationCheck> {
  if (!config.local.enabled) return { route: 'local', outcome: 'skipped', detail: 'local.enabled is false' };
  const adapter = createAdapter(config.local, apiKey);
  const started = performance.now();
  try {
    const body = { model: config.local.model, max_tokens: 16, messages: [{ role: 'user' as const, content: QUESTION }] };
    let text = '';
    let outputTokens = 0;
    for await (const event of adapter.stream({ body, format: null, thinking: false, inputTokens: 16 }, AbortSignal.timeout(DEADLINE_MS))) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
      if (event.type === 'error') return { route: 'local', outcome: 'failed', detail: `${event.error.type}: ${event.error.message}` };
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return { route: 'local', outcome: 'ok', detail: `answered in ${seconds} s, ${outputTokens} output tokens: ${JSON.stringify(text.trim().slice(0, 40))}` };
  } catch (error) {
    return { route: 'local', outcome: 'failed', detail: errorMessage(error) };
  } finally {
    await adapter.close();
  }
}

/**
 * One tiny generation on the remote route, only with a key of the proxy's own (Claude Code's login
 * travels per request; doctor has none to try).
 */
async function remoteGeneration(config: Config, apiKey: string | null): Promise<GenerationCheck> {
  if (apiKey === null) return { route: 'remote', outcome: 'skipped', detail: 'no key to try with (remote.apiKeyFile or ANTHROPIC_API_KEY); Claude Code sends its own' };
  const started = performance.now();
  const remote = new Upstream(config.remote.url, { connectTimeoutMs: config.remote.connectTimeoutMs });
  try {
    const response = await remote.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': apiKey },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] }),
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return { route: 'remote', outcome: 'failed', detail: `HTTP ${response.statusCode}: ${text.slice(0, 120)}` };
    return { route: 'remote', outcome: 'ok', detail: `answered in ${((performance.now() - started) / 1000).toFixed(1)} s` };
  } catch (error) {
    return { route: 'remote', outcome: 'failed', detail: classifyNetworkError(error).detail };
  } finally {
    await remote.close();
  }
}

/** `doctor --deep`: a real generation through each route. */
export function generationChecks(config: Config, secrets: Secrets): Promise<GenerationCheck[]> {
  return Promise.all([localGeneration(config, secrets.localApiKey), remoteGeneration(config, secrets.remoteApiKey)]);
}
