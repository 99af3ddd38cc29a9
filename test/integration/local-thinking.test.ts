import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeNative } from '../helpers/fake-native.js';
import { useGateway } from '../helpers/gateway.js';
import { claudeCodeHeaders } from '../fixtures/claude-code.js';
import { LOCAL_SIGNATURE_PREFIX } from '../../src/backends/local/thinking.js';

const ALIAS = 'claude-local-test';
let native: FakeNative;

beforeAll(async () => {
  native = await new FakeNative().start();
});
afterAll(async () => {
  await native.stop();
});
const gateway = useGateway(() => ({
  settings: { local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 32_768, aliases: [ALIAS] }, rag: { enabled: false } },
}));

/** A thinking block as Anthropic signed it (opaque bytes that must not change). */
const signed = { type: 'thinking', thinking: 'The user wants the build explained; start with flake.nix.', signature: 'EqQBCkYIBxgCKkBsig+/fake/sig==' };

async function toRemote(raw: string): Promise<Buffer> {
  gateway.upstream.received.length = 0;
  const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { ...claudeCodeHeaders(), 'x-claude-proxy-route': 'remote' },
    body: raw,
  });
  await res.body.text();
  expect(res.headers['x-claude-proxy-route']).toBe('remote');
  return gateway.upstream.received[0]!.body;
}

describe('history sent to Anthropic', () => {
  it('loses the thinking blocks the local model produced and keeps the signed ones byte-identical', async () => {
    native.brain = () => ({ blocks: [{ type: 'thinking', thinking: 'Local reasoning.' }, { type: 'text', text: 'Local reply.' }] });
    const client = new Anthropic({ baseURL: gateway.proxy.url, apiKey: 'sk-ant-client', maxRetries: 0 });
    const local = await client.messages
      .stream({ model: ALIAS, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Second question?' }] })
      .finalMessage();
    const localThinking = local.content[0];
    expect(localThinking?.type === 'thinking' && localThinking.signature.startsWith(LOCAL_SIGNATURE_PREFIX)).toBe(true);

    const body = {
      model: 'claude-opus-5-5',
      max_tokens: 4000,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [
        { role: 'user', content: 'First question?' },
        { role: 'assistant', content: [signed, { type: 'text', text: 'Remote reply.' }] },
        { role: 'user', content: 'Second question?' },
        { role: 'assistant', content: local.content },
        { role: 'user', content: 'Third question?' },
      ],
    };
    const received = await toRemote(JSON.stringify(body));
    const text = received.toString('utf8');
    expect(text).not.toContain(LOCAL_SIGNATURE_PREFIX);
    expect(text).toContain(JSON.stringify(signed));
    const parsed = JSON.parse(text) as typeof body;
    expect(parsed.messages[3]!.content).toEqual([{ type: 'text', text: 'Local reply.' }]);
    expect({ ...parsed, messages: parsed.messages.filter((_, i) => i !== 3) }).toEqual({ ...body, messages: body.messages.filter((_, i) => i !== 3) });
  });

  it('is forwarded as the very same bytes when it holds no local thinking', async () => {
    const body = {
      model: 'claude-opus-5-5',
      max_tokens: 4000,
      messages: [
        { role: 'user', content: 'First question?' },
        { role: 'assistant', content: [signed, { type: 'text', text: 'Remote reply.' }] },
        { role: 'user', content: 'Second question?' },
      ],
    };
    // Unusual spacing would not survive a re-serialisation.
    const raw = JSON.stringify(body, null, 3);
    expect((await toRemote(raw)).toString('utf8')).toBe(raw);
  });
});
