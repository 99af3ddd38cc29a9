import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNative } from '../helpers/fake-native.js';
import { FakeOpenAi } from '../helpers/fake-openai.js';
import { useGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/proxy.js';
import { titleRequest } from '../fixtures/claude-code.js';

type Message = Anthropic.Messages.Message;
type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;

const ALIAS = 'claude-local-test';
const bash: Anthropic.Messages.Tool = {
  name: 'Bash',
  description: 'Runs a shell command.',
  input_schema: { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } }, required: ['command'] },
};
const read: Anthropic.Messages.Tool = {
  name: 'Read',
  description: 'Reads a file.',
  input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] },
};

/** Checks what the SDK accumulated: a complete local message with real usage. */
function expectWellFormed(message: Message): void {
  expect(message.id).toMatch(/^msg_/);
  expect(message.type).toBe('message');
  expect(message.role).toBe('assistant');
  expect(message.usage.input_tokens).toBeGreaterThan(0);
  expect(message.usage.output_tokens).toBeGreaterThan(0);
  expect(message.content.length).toBeGreaterThan(0);
  for (const block of message.content) {
    if (block.type === 'tool_use') {
      expect(block.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(typeof block.input).toBe('object');
    }
  }
}

describe.each([
  ['anthropic', () => new FakeNative()],
  ['openai', () => new FakeOpenAi()],
] as const)('the %s adapter, driven by the official SDK', (kind, makeFake) => {
  let fake: FakeNative | FakeOpenAi;
  let client: Anthropic;

  beforeAll(async () => {
    fake = await makeFake().start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  const gateway = useGateway(() => ({
    settings: { local: { kind, url: fake.url, model: fake.model, contextWindow: 32_768, maxOutputTokens: 4096, aliases: [ALIAS] }, rag: { enabled: false } },
  }));
  beforeAll(() => {
    client = gateway.client({ apiKey: 'sk-ant-client-key' });
  });
  afterEach(() => {
    fake.reset();
    expect(gateway.upstream.received).toHaveLength(0);
  });

  const ask = (params: Params, stream: boolean): Promise<Message> =>
    stream ? client.messages.stream(params).finalMessage() : client.messages.create(params);

  describe.each([false, true])('stream: %s', (stream) => {
    it('answers a plain question locally, with real usage and telemetry', async () => {
      const before = gateway.proxy.events.length;
      const message = await ask({ model: ALIAS, max_tokens: 200, messages: [{ role: 'user', content: 'What is NixOS?' }] }, stream);
      expectWellFormed(message);
      expect(message.content).toEqual([{ type: 'text', text: 'Local answer to: What is NixOS?' }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(fake.accepted).toHaveLength(1);
      const event = await eventually(() => gateway.proxy.events[before]);
      expect(event.metadata).toMatchObject({ routing_decision: 'local', backend: `local:${kind}`, fallback: null, success: true, usage_estimated: false });
      expect(event.metadata.input_tokens).toBe(message.usage.input_tokens);
      expect(event.metadata.output_tokens).toBe(message.usage.output_tokens);
    });

    it('completes a tool round trip (tool_use → tool_result → final answer)', async () => {
      const question = { role: 'user' as const, content: 'Please run `ls -la` for me.' };
      const first = await ask({ model: ALIAS, max_tokens: 500, tools: [bash], messages: [question] }, stream);
      expectWellFormed(first);
      expect(first.stop_reason).toBe('tool_use');
      const call = first.content.find((b) => b.type === 'tool_use');
      expect(call).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls -la', description: 'Run the command' } });
      if (call?.type !== 'tool_use') throw new Error('no tool call');

      const second = await ask(
        {
          model: ALIAS,
          max_tokens: 500,
          tools: [bash],
          messages: [
            question,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'README.md\nflake.nix' }] },
          ],
        },
        stream,
      );
      expectWellFormed(second);
      expect(second.stop_reason).toBe('end_turn');
      expect(second.content).toEqual([{ type: 'text', text: 'The tool said: README.md\nflake.nix' }]);
      expect(fake.rejected).toEqual([]);
    });

    it('returns parallel tool calls as separate, complete tool_use blocks', async () => {
      fake.brain = () => ({
        blocks: [
          { type: 'text', text: 'Reading both.' },
          { type: 'tool_use', name: 'Read', input: { file_path: '/etc/hosts' } },
          { type: 'tool_use', name: 'Read', input: { file_path: '/etc/nixos/configuration.nix' } },
          { type: 'tool_use', name: 'Bash', input: { command: 'git status --short', description: 'Status' } },
        ],
      });
      const message = await ask({ model: ALIAS, max_tokens: 500, tools: [bash, read], messages: [{ role: 'user', content: 'Look around.' }] }, stream);
      expectWellFormed(message);
      expect(message.stop_reason).toBe('tool_use');
      const calls = message.content.filter((b) => b.type === 'tool_use');
      expect(calls.map((c) => c.type === 'tool_use' && [c.name, c.input])).toEqual([
        ['Read', { file_path: '/etc/hosts' }],
        ['Read', { file_path: '/etc/nixos/configuration.nix' }],
        ['Bash', { command: 'git status --short', description: 'Status' }],
      ]);
      expect(new Set(calls.map((c) => c.type === 'tool_use' && c.id)).size).toBe(3);
    });

    it('stops at max_tokens', async () => {
      fake.brain = () => ({ blocks: [{ type: 'text', text: 'word '.repeat(200) }] });
      const message = await ask({ model: ALIAS, max_tokens: 5, messages: [{ role: 'user', content: 'Tell me a long story.' }] }, stream);
      expectWellFormed(message);
      expect(message.stop_reason).toBe('max_tokens');
      expect(message.content[0]?.type === 'text' && message.content[0].text.length).toBeLessThanOrEqual(20);
    });

    it('counts usage the backend does not report, and marks it estimated', async () => {
      fake.fault = 'no-usage';
      const before = gateway.proxy.events.length;
      const message = await ask({ model: ALIAS, max_tokens: 200, messages: [{ role: 'user', content: 'What is NixOS?' }] }, stream);
      expectWellFormed(message);
      const event = await eventually(() => gateway.proxy.events[before]);
      expect(event.metadata).toMatchObject({ routing_decision: 'local', usage_estimated: true, input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens });
    });

    it('returns the backend reasoning as thinking only when the client asked for it', async () => {
      fake.brain = () => ({ blocks: [{ type: 'thinking', thinking: 'Nix is a package manager.' }, { type: 'text', text: 'An OS built on Nix.' }] });
      if (fake instanceof FakeOpenAi) {
        fake.reasoning = 'Nix is a package manager.';
        fake.brain = () => ({ blocks: [{ type: 'text', text: 'An OS built on Nix.' }] });
      }
      const question = { model: ALIAS, max_tokens: 2000, messages: [{ role: 'user' as const, content: 'What is NixOS?' }] };
      const withThinking = await ask({ ...question, thinking: { type: 'enabled', budget_tokens: 1024 } }, stream);
      expect(withThinking.content.map((b) => b.type)).toEqual(['thinking', 'text']);
      const block = withThinking.content[0];
      expect(block?.type === 'thinking' && [block.thinking, block.signature]).toEqual(['Nix is a package manager.', `claude-api-proxy:local:${kind}`]);
      const without = await ask(question, stream);
      expect(without.content).toEqual([{ type: 'text', text: 'An OS built on Nix.' }]);
    });

    it('answers the session-title request with JSON matching its schema', async () => {
      // The SDK refuses non-streaming calls with Claude Code's 32000 max_tokens; the shape is otherwise the same.
      const body = { ...titleRequest('Fix the flaky login test'), model: ALIAS, stream: false, max_tokens: 1024 } as unknown as Params;
      const message = await ask(body, stream);
      expectWellFormed(message);
      const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
      expect(JSON.parse(text)).toEqual({ title: 'Fake model title' });
      expect(fake.rejected).toEqual([]);
    });
  });

  it('asks a server without a token count endpoint once, then estimates without asking', async () => {
    const params = { model: ALIAS, messages: [{ role: 'user' as const, content: 'What is NixOS?' }] };
    const first = await client.messages.countTokens(params);
    const second = await client.messages.countTokens(params);
    expect(first.input_tokens).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(fake.calls.map((call) => call.url)).toEqual([kind === 'openai' ? '/v1/chat/completions/input_tokens' : '/v1/messages/count_tokens']);
  });
});
