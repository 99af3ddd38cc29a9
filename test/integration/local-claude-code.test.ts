import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeNative } from '../helpers/fake-native.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually, startProxy } from '../helpers/proxy.js';
import { claudeCodeHeaders, claudeCodeTools, filler, mainRequest, toolResultRequest } from '../fixtures/claude-code.js';
import { LOCAL_SIGNATURE_PREFIX } from '../../src/backends/local/thinking.js';
import type { Message, MessagesRequest, StreamEvent } from '../../src/anthropic/types.js';
import { SseReader } from '../../src/anthropic/sse-reader.js';
import { MessageAccumulator } from '../../src/anthropic/accumulate.js';

const ALIAS = 'claude-local-test';
const LOCAL_KEY = 'local-backend-own-key';
let native: FakeNative;

beforeAll(async () => {
  native = await new FakeNative({ key: LOCAL_KEY }).start();
});
afterAll(async () => {
  await native.stop();
});
const gateway = useGateway(() => ({
  settings: {
    local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 65_536, maxOutputTokens: 4096, aliases: [ALIAS] },
    rag: { enabled: false },
  },
  secrets: { localApiKey: LOCAL_KEY },
}));
afterEach(() => {
  native.reset();
  expect(gateway.upstream.received).toHaveLength(0);
});

async function send(body: MessagesRequest, auth: { apiKey?: string; bearer?: string } = { apiKey: 'sk-ant-client-secret' }) {
  const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(auth), body: JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The message a client accumulates from an SSE body. */
function accumulate(sse: string): Message {
  const accumulator = new MessageAccumulator();
  const reader = new SseReader((record) => accumulator.apply(JSON.parse(record.data) as StreamEvent));
  reader.push(sse);
  reader.end();
  return accumulator.result();
}

/** The headers the proxy itself sends to a native backend; nothing of the client's may be among them. */
const OWN_HEADERS = new Set(['host', 'connection', 'content-type', 'content-length', 'accept', 'anthropic-version', 'x-api-key', 'authorization']);

describe('a Claude-Code-shaped main request on the strict native backend', () => {
  it.each<[string, { apiKey?: string; bearer?: string }]>([
    ['x-api-key', { apiKey: 'sk-ant-client-secret' }],
    ['OAuth Bearer', { bearer: 'sk-ant-oat01-client-secret' }],
  ])('is accepted, answered as a stream, and carries neither the billing block nor the client credentials (%s)', async (_name, auth) => {
    const body = mainRequest('Explain the build.', { model: ALIAS });
    expect(body.tools!.length).toBeGreaterThanOrEqual(12);
    const res = await send(body, auth);
    expect(res.status).toBe(200);
    expect(res.headers['x-claude-proxy-route']).toBe('local');
    expect(res.headers['request-id']).toMatch(/^req_/);
    expect(res.text).toContain('event: message_stop');
    expect(native.rejected).toEqual([]);
    expect(native.accepted).toHaveLength(1);

    const got = native.calls[0]!;
    expect(got.url).toBe('/v1/messages');
    for (const name of Object.keys(got.headers)) expect(OWN_HEADERS.has(name), `header ${name}`).toBe(true);
    expect(got.headers['x-api-key']).toBe(LOCAL_KEY);
    expect(got.headers.authorization).toBe(`Bearer ${LOCAL_KEY}`);
    const wire = got.body.toString('utf8');
    expect(wire).not.toContain('x-anthropic-billing-header');
    expect(wire).not.toContain('client-secret');

    const sent = native.accepted[0] as unknown as MessagesRequest;
    expect(sent.model).toBe(native.model);
    expect(sent.max_tokens).toBe(4096);
    expect(sent.messages.map((m) => m.role)).toEqual(['user']);
    // The role:"system" turn is now part of the system prompt, after the stable blocks.
    const system = sent.system as { text: string; cache_control?: unknown }[];
    const clientSystem = body.system as { text: string }[];
    expect(system.map((b) => b.text)).toEqual([clientSystem[1]!.text, clientSystem[2]!.text, body.messages[1]!.content]);
    expect(system[1]!.cache_control).toEqual({ type: 'ephemeral' });
    // Deferred tools exist only behind Anthropic's tool search.
    expect(sent.tools!.map((t) => t.name)).toEqual(claudeCodeTools().filter((t) => !t.defer_loading).map((t) => t.name));
  });

  it('keeps the system prompt byte-identical across conversations (the billing nonce is gone)', async () => {
    await send(mainRequest('First conversation.', { model: ALIAS, nonce: 'a1f' }));
    await send(mainRequest('Second conversation.', { model: ALIAS, nonce: '9c2' }));
    expect(native.accepted).toHaveLength(2);
    expect(JSON.stringify(native.accepted[1]!.system)).toBe(JSON.stringify(native.accepted[0]!.system));
  });

  it('accepts the tool-result round of the same conversation', async () => {
    const res = await send({ ...toolResultRequest('List the files.'), model: ALIAS });
    expect(res.status).toBe(200);
    expect(native.rejected).toEqual([]);
    expect(accumulate(res.text).content).toEqual([{ type: 'text', text: 'The tool said: total 0\nREADME.md' }]);
  });

  it('records the local answer in telemetry with the backend and real usage', async () => {
    const before = gateway.proxy.events.length;
    await send(mainRequest('Explain the build.', { model: ALIAS }));
    const event = await eventually(() => gateway.proxy.events[before]);
    expect(event.metadata).toMatchObject({ routing_decision: 'local', backend: 'local:anthropic', success: true, usage_estimated: false, model_served: native.model });
    expect(event.metadata.input_tokens).toBeGreaterThan(1000);
    expect(event.metadata.preparation).toMatchObject({ tools: 'passed', billing_block_removed: true, system_turns_folded: 1 });
  });

  it('records in telemetry that tools were stripped to fit a small window', async () => {
    const small = await startProxy(
      { remote: { url: gateway.upstream.url }, local: { kind: 'anthropic', url: native.url, model: native.model, contextWindow: 8192, maxOutputTokens: 1024, aliases: [ALIAS] }, rag: { enabled: false } },
      { secrets: { localApiKey: LOCAL_KEY } },
    );
    try {
      const res = await request(`${small.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest('Explain the build.', { model: ALIAS })) });
      await res.body.text();
      const event = await eventually(() => small.events[0]);
      expect(event.metadata.routing_decision).toBe('local');
      expect(event.metadata.preparation).toMatchObject({ tools: 'stripped' });
      const sent = JSON.parse(native.calls.at(-1)!.body.toString('utf8')) as MessagesRequest;
      expect(sent.tools).toBeUndefined();
      expect(sent.messages.length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe('thinking from the local model', () => {
  const client = () => new Anthropic({ baseURL: gateway.proxy.url, apiKey: 'sk-ant-client', maxRetries: 0 });
  const thinkingBrain = () => ({ blocks: [{ type: 'thinking' as const, thinking: 'Consider the question.' }, { type: 'text' as const, text: 'Forty-two.' }] });

  it('is returned as a thinking block with a local signature when the client asked for thinking', async () => {
    native.brain = thinkingBrain;
    const message = await client()
      .messages.stream({ model: ALIAS, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'Meaning?' }] })
      .finalMessage();
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const thinking = message.content[0];
    expect(thinking?.type === 'thinking' && thinking.thinking).toBe('Consider the question.');
    expect(thinking?.type === 'thinking' && thinking.signature.startsWith(LOCAL_SIGNATURE_PREFIX)).toBe(true);
  });

  it('is left out when thinking was not asked for, or asked for with display omitted', async () => {
    native.brain = thinkingBrain;
    const plain = await client().messages.create({ model: ALIAS, max_tokens: 200, messages: [{ role: 'user', content: 'Meaning?' }] });
    expect(plain.content).toEqual([{ type: 'text', text: 'Forty-two.' }]);
    const res = await send({ ...mainRequest('Meaning?', { model: ALIAS }), thinking: { type: 'adaptive', display: 'omitted' } });
    expect(res.text).not.toContain('"thinking"');
    expect(res.text).toContain('"index":0,"content_block":{"type":"text"');
  });
});

describe('count_tokens on the local route', () => {
  it('uses the backend count where it has one, and the proxy estimate where it has none', async () => {
    const body = { model: ALIAS, messages: [{ role: 'user', content: filler(2000) }], tools: claudeCodeTools().slice(0, 3) };
    const count = async () => {
      const res = await request(`${gateway.proxy.url}/v1/messages/count_tokens?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(body) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-claude-proxy-route']).toBe('local');
      return ((await res.body.json()) as { input_tokens: number }).input_tokens;
    };
    native.countTokens = true;
    const counted = await count();
    const asked = native.calls.find((r) => r.url === '/v1/messages/count_tokens');
    expect(asked).toBeDefined();
    expect(counted).toBe(Math.ceil(asked!.body.length / 4));
    native.countTokens = false;
    const estimated = await count();
    expect(estimated).toBeGreaterThan(500);
    expect(estimated).not.toBe(counted);
  });
});
