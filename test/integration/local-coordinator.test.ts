import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeCoordinator, type CoordinatorFault } from '../helpers/fake-coordinator.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually, startProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, mainRequest, titleRequest } from '../fixtures/claude-code.js';

type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;
const ALIAS = 'claude-local-test';
const KEY = 'hybrid-api-key';
let coordinator: FakeCoordinator;
let client: Anthropic;

beforeAll(async () => {
  coordinator = await new FakeCoordinator(KEY).start();
});
afterAll(async () => {
  await coordinator.stop();
});
// The seed's stack: the coordinator in front of a llama.cpp with a 4096-token window.
const gateway = useGateway(() => ({
  settings: { local: { kind: 'coordinator', url: coordinator.url, model: 'qwen2.5-coder-7b', contextWindow: 4096, aliases: [ALIAS] }, rag: { enabled: false } },
  secrets: { localApiKey: KEY },
}));
beforeAll(() => {
  client = gateway.client();
});
afterEach(() => {
  coordinator.reset();
  gateway.upstream.received.length = 0;
});

describe.each([false, true])('the coordinator adapter (stream: %s)', (stream) => {
  const ask = (params: Params) => (stream ? client.messages.stream(params).finalMessage() : client.messages.create(params));

  it('answers with the coordinator response as a proper message, usage counted and marked estimated', async () => {
    const before = gateway.proxy.events.length;
    const message = await ask({ model: ALIAS, max_tokens: 500, messages: [{ role: 'user', content: 'What is NixOS?' }] });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: 'Coordinator answer (14 chars of prompt).' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(coordinator.queries).toEqual([{ prompt: 'What is NixOS?', generate_response: true, prefer_local: true, context: { client: 'claude-api-proxy', max_tokens: 500 } }]);
    const got = coordinator.calls[0]!;
    expect(got.headers['x-api-key']).toBe(KEY);
    expect(got.headers.authorization).toBeUndefined();
    const event = await eventually(() => gateway.proxy.events[before]);
    expect(event.metadata).toMatchObject({ routing_decision: 'local', backend: 'local:coordinator', usage_estimated: true, success: true });
  });

  it('renders a multi-turn conversation as a transcript', async () => {
    await ask({
      model: ALIAS,
      max_tokens: 500,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Name a Nix command.' },
        { role: 'assistant', content: 'nix build' },
        { role: 'user', content: 'And another?' },
      ],
    });
    expect(coordinator.queries[0]!.prompt).toBe('Be brief.\n\nUser: Name a Nix command.\n\nAssistant: nix build\n\nUser: And another?\n\nAssistant:');
  });

  it('returns only the JSON object for a structured-output title request', async () => {
    const message = await ask({ ...titleRequest('Fix the flaky login test'), model: ALIAS, max_tokens: 1024, stream: false } as unknown as Params);
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(JSON.parse(text)).toEqual({ title: 'Coordinator title' });
    expect(String(coordinator.queries[0]!.prompt)).toContain('JSON schema');
  });

  it('stops at max_tokens', async () => {
    coordinator.answer = () => 'word '.repeat(100);
    const message = await ask({ model: ALIAS, max_tokens: 5, messages: [{ role: 'user', content: 'Ramble.' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content[0]?.type === 'text' && message.content[0].text.length).toBeLessThanOrEqual(20);
  });
});

describe('coordinator failures fall back to the remote route', () => {
  async function send(body: unknown) {
    const before = gateway.proxy.events.length;
    const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(body) });
    await res.body.text();
    return { route: res.headers['x-claude-proxy-route'], event: await eventually(() => gateway.proxy.events[before]) };
  }

  it.each<[CoordinatorFault, string]>([
    ['http400', 'http_error'],
    ['http500', 'http_error'],
    ['no-response', 'malformed'],
  ])('%s → %s', async (fault, reason) => {
    coordinator.fault = fault;
    const { route, event } = await send({ model: ALIAS, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(route).toBe('remote');
    expect(event.metadata.fallback).toEqual({ from: 'local', reason });
    expect(gateway.upstream.received).toHaveLength(1);
  });

  it('a request larger than the 4096-token window is refused, never sent to be truncated', async () => {
    const { route, event } = await send(mainRequest('Explain the build.', { model: ALIAS }));
    expect(route).toBe('remote');
    expect(event.metadata.fallback).toEqual({ from: 'local', reason: 'context_overflow' });
    expect(coordinator.calls).toHaveLength(0);
  });

  it('a wrong key (401) is a clear failure, then fallback', async () => {
    const keyless = await startProxy({ remote: { url: gateway.upstream.url }, local: { kind: 'coordinator', url: coordinator.url, aliases: [ALIAS] }, rag: { enabled: false } });
    try {
      const before = keyless.events.length;
      const res = await request(`${keyless.url}/v1/messages`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify({ model: ALIAS, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }) });
      await res.body.text();
      const event = await eventually(() => keyless.events[before]);
      expect(event.metadata.fallback).toEqual({ from: 'local', reason: 'http_error' });
      expect(coordinator.calls[0]!.headers['x-api-key']).toBeUndefined();
    } finally {
      await keyless.close();
    }
  });
});
