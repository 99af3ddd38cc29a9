import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { toChatRequest } from '../../src/backends/local/adapters/openai/request.js';
import type { PreparedRequest } from '../../src/backends/local/types.js';

const prepared = (body: Partial<MessagesRequest>, format: PreparedRequest['format'] = null): PreparedRequest => ({
  body: { model: 'qwen', max_tokens: 300, stream: true, messages: [], ...body },
  format,
  thinking: false,
  inputTokens: 10,
});

describe('an Anthropic request as a chat completion', () => {
  it('carries system, turns, limits and asks for usage in the stream', () => {
    const chat = toChatRequest(
      prepared({
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Use Nix.', cache_control: { type: 'ephemeral' } },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }] },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Bye' },
        ],
        stop_sequences: ['a', 'b', 'c', 'd', 'e'],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
      }),
    );
    expect(chat).toEqual({
      model: 'qwen',
      stream: true,
      stream_options: { include_usage: true },
      // No `stop`: the proxy matches stop sequences itself, to know which one ended the answer.
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      messages: [
        { role: 'system', content: 'You are terse.\n\nUse Nix.' },
        { role: 'user', content: 'Hi\n\nthere' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ],
    });
  });

  it('turns base64 and URL images into image_url parts', () => {
    const chat = toChatRequest(
      prepared({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
              { type: 'image', source: { type: 'url', url: 'https://example.org/a.png' } },
              { type: 'text', text: 'Compare.' },
            ],
          },
        ],
      }),
    );
    expect((chat.messages as unknown[])[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        { type: 'image_url', image_url: { url: 'https://example.org/a.png' } },
        { type: 'text', text: 'Compare.' },
      ],
    });
  });

  it('maps tool definitions, tool_use to tool_calls and tool_result to tool messages ahead of the user text', () => {
    const chat = toChatRequest(
      prepared({
        tools: [{ name: 'Bash', description: 'Run.', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
        tool_choice: { type: 'any' },
        messages: [
          { role: 'user', content: 'List files and the date.' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Two calls.' },
              { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
              { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'date' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a.txt' }] },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no clock', is_error: true },
              { type: 'text', text: 'Thanks.' },
            ],
          },
        ],
      }),
    );
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'Bash', description: 'Run.', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }]);
    expect(chat.tool_choice).toBe('required');
    expect((chat.messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Two calls.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'Bash', arguments: '{"command":"date"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no clock' },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'none' }, 'none'],
    [{ type: 'tool', name: 'Bash' }, { type: 'function', function: { name: 'Bash' } }],
  ])('maps tool_choice %j', (choice, expected) => {
    const chat = toChatRequest(prepared({ tools: [{ name: 'Bash', input_schema: { type: 'object' } }], tool_choice: choice, messages: [{ role: 'user', content: 'x' }] }));
    expect(chat.tool_choice).toEqual(expected);
  });

  it('asks for the JSON schema as response_format', () => {
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };
    const chat = toChatRequest(prepared({ messages: [{ role: 'user', content: 'Title?' }] }, { schema }));
    expect(chat.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'reply', schema, strict: true } });
  });
});
