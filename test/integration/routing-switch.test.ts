import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SIGNATURE_PREFIX } from '../../src/backends/local/thinking.js';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { FakeNative } from '../helpers/fake-native.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { cc197Headers, defaultClaudeCodeRequest } from '../fixtures/routing-corpus.js';

// One Claude Code conversation whose tasks switch routes by what they ask: a complex task remote,
// a simple question local, a complex task remote again. Anthropic's signed thinking must reach
// Anthropic unchanged; the local model never sees thinking; local thinking never reaches Anthropic.

let native: FakeNative;

beforeAll(async () => {
  native = await new FakeNative().start();
});
afterAll(async () => {
  await native.stop();
});
const gateway = useGateway(() => ({
  settings: { local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 200_000 }, rag: { enabled: false } },
}));

const signed = { type: 'thinking', thinking: 'Start with the module graph.', signature: 'EqQBCkYIBxgCKkBsig+/fake/switch==' };
const localThinking = { type: 'thinking', thinking: 'NixOS is a distribution.', signature: `${LOCAL_SIGNATURE_PREFIX}qwen` };

async function post(body: MessagesRequest) {
  const before = gateway.proxy.events.length;
  const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: cc197Headers(), body: JSON.stringify(body) });
  await res.body.text();
  await eventually(() => gateway.proxy.events[before]);
  return { route: res.headers['x-claude-proxy-route'], reason: res.headers['x-claude-proxy-reason'] };
}

/** The first turn's messages, then the given turns appended. */
function conversation(...turns: MessagesRequest['messages']): MessagesRequest {
  const first = defaultClaudeCodeRequest('Refactor entire codebase');
  return { ...first, messages: [...first.messages, ...turns] };
}

describe('switching routes between tasks', () => {
  it('keeps remote thinking signatures valid', async () => {
    expect(await post(conversation())).toEqual({ route: 'remote', reason: 'complex_task' });

    const second = conversation({ role: 'assistant', content: [signed, { type: 'text', text: 'Refactored.' }] }, { role: 'user', content: [{ type: 'text', text: 'What is NixOS?' }] });
    expect(await post(second)).toEqual({ route: 'local', reason: 'simple_task' });
    expect(JSON.stringify(native.accepted.at(-1))).not.toContain('thinking');

    gateway.upstream.received.length = 0;
    const third = conversation(
      ...second.messages.slice(2),
      { role: 'assistant', content: [localThinking, { type: 'text', text: 'A Linux distribution.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Now migrate all services to the new queue' }] },
    );
    expect(await post(third)).toEqual({ route: 'remote', reason: 'complex_task' });
    const forwarded = gateway.upstream.received[0]!.body.toString('utf8');
    expect(forwarded).toContain(JSON.stringify(signed));
    expect(forwarded).not.toContain(LOCAL_SIGNATURE_PREFIX);
  });
});
