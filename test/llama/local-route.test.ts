// The local route against a real llama.cpp llama-server (tiny random-weight qwen3, real tokenizer
// and chat template), in both protocols, driven by the official SDK. `npm run test:llama`.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, anthropicLike } from '../helpers/fake-anthropic.js';
import { eventually, startProxy, type RunningProxy } from '../helpers/proxy.js';
import { filler, mainRequest, toolResultRequest } from '../fixtures/claude-code.js';
import { MODEL_ALIAS, startLlamaServer, type LlamaServer } from './llama-server.js';

type Message = Anthropic.Messages.Message;
type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;
type Tool = Anthropic.Messages.Tool;

const ALIAS = 'claude-local-llama';
/** The server's real window; the proxy is told a larger one, so a long prompt reaches the server. */
const SERVER_CONTEXT = 16_384;
const PROXY_CONTEXT = 32_768;

const tool = (name: string, props: string[]): Tool => ({
  name,
  description: `${name} tool.`,
  input_schema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])), required: props },
});
const bash = tool('Bash', ['command']);
const read = tool('Read', ['file_path']);
const write = tool('Write', ['file_path', 'content']);
const grep = tool('Grep', ['pattern']);
const glob = tool('Glob', ['pattern']);
const question = [{ role: 'user' as const, content: 'What is NixOS?' }];

describe.each(['anthropic', 'openai'] as const)('local.kind %s against llama-server', (kind) => {
  let llama: LlamaServer;
  let remote: FakeUpstream;
  let proxy: RunningProxy;
  let client: Anthropic;

  beforeAll(async () => {
    llama = await startLlamaServer({ contextSize: SERVER_CONTEXT });
    remote = await new FakeUpstream(anthropicLike()).start();
    proxy = await startProxy({
      remote: { url: remote.url },
      local: { kind, url: llama.url, model: MODEL_ALIAS, contextWindow: PROXY_CONTEXT, maxOutputTokens: 8192, aliases: [ALIAS] },
      rag: { enabled: false },
    });
    client = new Anthropic({ baseURL: proxy.url, apiKey: 'sk-ant-client-key', maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy?.close();
    await remote?.stop();
    await llama?.stop();
  });
  /** Everything in this suite must be answered by llama-server; a fallback is a failure. */
  const expectNoFallback = () => expect(remote.received.filter((r) => r.url.startsWith('/v1/messages'))).toEqual([]);

  const ask = (params: Params, stream: boolean): Promise<Message> => (stream ? client.messages.stream(params).finalMessage() : client.messages.create(params));

  async function lastEvent(before: number) {
    return (await eventually(() => proxy.events[before])).metadata;
  }

  describe.each([false, true])('stream: %s', (stream) => {
    afterEach(expectNoFallback);

    it('answers a question with the server own usage', async () => {
      const before = proxy.events.length;
      const message = await ask({ model: ALIAS, max_tokens: 64, messages: question }, stream);
      expect(message.id).toMatch(/^msg_/);
      expect(['end_turn', 'max_tokens']).toContain(message.stop_reason);
      expect(message.content.every((b) => b.type === 'text')).toBe(true);
      // A repeated prompt comes from the server's cache: input counts only what it had to read anew.
      expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBeGreaterThan(5);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      expect(await lastEvent(before)).toMatchObject({ routing_decision: 'local', backend: `local:${kind}`, fallback: null, success: true, usage_estimated: false });
    });

    it('with tool_choice auto gives a well-formed answer', async () => {
      const message = await ask({ model: ALIAS, max_tokens: 40, tools: [bash, read], tool_choice: { type: 'auto' }, messages: question }, stream);
      expect(['end_turn', 'tool_use', 'max_tokens']).toContain(message.stop_reason);
      // Only a call cut by max_tokens may leave nothing (the cut call is dropped).
      if (message.stop_reason !== 'max_tokens') expect(message.content.length).toBeGreaterThan(0);
      for (const block of message.content) {
        if (block.type === 'tool_use') expect(['Bash', 'Read']).toContain(block.name);
        else expect(block.type).toBe('text');
      }
    });

    it('with tool_choice any calls a tool with its required input', async () => {
      // The tiny model goes on with parallel calls until max_tokens; the complete ones are kept.
      const message = await ask({ model: ALIAS, max_tokens: 120, tools: [bash, read], tool_choice: { type: 'any' }, messages: question }, stream);
      expect(['tool_use', 'max_tokens']).toContain(message.stop_reason);
      const calls = message.content.filter((b) => b.type === 'tool_use');
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        const required = call.name === 'Bash' ? 'command' : 'file_path';
        expect(typeof (call.input as Record<string, unknown>)[required]).toBe('string');
      }
    });

    it('honours a named tool_choice', async () => {
      const tools = [bash, read, write, glob, grep];
      let called = 0;
      for (const name of ['Grep', 'Glob']) {
        const message = await ask({ model: ALIAS, max_tokens: 160, tools, tool_choice: { type: 'tool', name }, messages: question }, stream);
        const calls = message.content.filter((b) => b.type === 'tool_use');
        expect(calls.map((c) => c.name)).toEqual(calls.map(() => name));
        called += calls.length;
      }
      expect(called).toBeGreaterThan(1);
    });

    it('a tool call cut by max_tokens is a max_tokens answer, never a fallback or a breaker strike', async () => {
      const before = proxy.events.length;
      // More than local.breakerFailures (3) in a row: an open breaker would send the plain question remote.
      // The server's sampler runs on across requests, so not every answer reaches the call before
      // the cut; most do.
      let cut = 0;
      for (let i = 0; i < 4; i++) {
        const message = await ask({ model: ALIAS, max_tokens: 14, tools: [write], tool_choice: { type: 'any' }, messages: question }, stream);
        expect(message.content.filter((b) => b.type === 'tool_use')).toEqual([]);
        if (message.stop_reason === 'max_tokens') cut += 1;
      }
      expect(cut).toBeGreaterThan(1);
      await ask({ model: ALIAS, max_tokens: 16, messages: question }, stream);
      await eventually(() => proxy.events[before + 4]);
      expect(proxy.events.slice(before).map((e) => [e.metadata.routing_decision, e.metadata.success])).toEqual(Array(5).fill(['local', true]));
    });

    it('ends at a stop sequence and names it', async () => {
      const message = await ask({ model: ALIAS, max_tokens: 200, stop_sequences: ['e'], messages: question }, stream);
      expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'e' });
      const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      expect(text).not.toContain('e');
    });
  });

  it('count_tokens is the server own count', async () => {
    const tools = [bash, read];
    const counted = await client.messages.countTokens({ model: ALIAS, messages: question, tools });
    const direct =
      kind === 'anthropic'
        ? await postJson(`${llama.url}/v1/messages/count_tokens`, { model: MODEL_ALIAS, messages: question, tools })
        : await postJson(`${llama.url}/v1/chat/completions/input_tokens`, {
            model: MODEL_ALIAS,
            messages: question,
            tools: tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })),
          });
    expect(counted.input_tokens).toBe((direct as { input_tokens: number }).input_tokens);
    expectNoFallback();
  });

  it('lists the local alias and probes the server by its model name', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain(ALIAS);
    const [local] = await proxy.ctx.local.status();
    expect(local).toMatchObject({ name: 'local', state: 'up', warning: false, breaker: 'closed' });
  });

  it('a client that goes away while the server prefills frees the server slot', async () => {
    const before = proxy.events.length;
    const abort = new AbortController();
    const body = { ...mainRequest('Explain the build.'), model: ALIAS, max_tokens: 64, stream: false } as unknown as Params;
    const answer = client.messages.create(body, { signal: abort.signal });
    const processing = () => slots().then((list) => list.some((s) => s.is_processing));
    await eventually(processing, 30_000);
    abort.abort();
    await expect(answer).rejects.toThrow(Anthropic.APIUserAbortError);
    await eventually(async () => !(await processing()), 30_000);
    expect(await lastEvent(before)).toMatchObject({ routing_decision: 'local', success: false });
    const next = await client.messages.create({ model: ALIAS, max_tokens: 16, messages: question });
    expect(next.usage.output_tokens).toBeGreaterThan(0);
    expectNoFallback();
  });

  it('a prompt over the server real context falls back to Anthropic without a breaker strike', async () => {
    const before = proxy.events.length;
    const long = [{ role: 'user' as const, content: filler(90_000, 'overflow') }];
    const message = await client.messages.create({ model: ALIAS, max_tokens: 64, messages: long });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream.' }]);
    expect(await lastEvent(before)).toMatchObject({ routing_decision: 'remote', fallback: { from: 'local', reason: 'http_error' } });
    expect(proxy.ctx.local.healthy()).toBe(true);
    remote.received.length = 0;
  });

  it('serves the second Claude Code turn from the server prompt cache', async () => {
    const first = { ...mainRequest('Explain the build.'), model: ALIAS, max_tokens: 32 };
    const second = { ...toolResultRequest('Explain the build.'), model: ALIAS, max_tokens: 32 };
    await client.messages.stream(first as unknown as Params).finalMessage();
    const message = await client.messages.stream(second as unknown as Params).finalMessage();
    const read = message.usage.cache_read_input_tokens ?? 0;
    const total = read + message.usage.input_tokens;
    expect(total).toBeGreaterThan(5000);
    expect(read / total).toBeGreaterThanOrEqual(0.9);
    expectNoFallback();
  });

  async function slots(): Promise<{ is_processing: boolean }[]> {
    return (await (await fetch(`${llama.url}/slots`)).json()) as { is_processing: boolean }[];
  }
});

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}
