import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/anthropic/types.js';
import { AnswerNormalizer } from '../../src/backends/local/normalize.js';
import { localSignature } from '../../src/backends/local/thinking.js';
import { blockEvents, messageEnd, messageStart } from '../../src/backends/local/events.js';
import { LocalFailure } from '../../src/backends/local/types.js';

const options = { thinking: false, inputTokens: 321, signature: localSignature('anthropic'), model: 'local-model', maxChars: 65_536 };

function run(events: StreamEvent[], overrides: Partial<typeof options> = {}): { out: StreamEvent[]; normalizer: AnswerNormalizer } {
  const normalizer = new AnswerNormalizer({ ...options, ...overrides });
  const out = events.flatMap((e) => normalizer.push(e));
  normalizer.finish();
  return { out, normalizer };
}

function failure(events: StreamEvent[]): LocalFailure {
  try {
    run(events);
  } catch (error) {
    if (error instanceof LocalFailure) return error;
    throw error;
  }
  throw new Error('expected a LocalFailure');
}

const start = (usage = { input_tokens: 50, output_tokens: 1 }, id = 'msg_backend', model = 'qwen') => messageStart(model, usage, id);
const thinking = { type: 'thinking' as const, thinking: 'Hmm.', signature: 'backend-sig' };

describe('the answer normalizer', () => {
  it('passes a well-formed answer through and keeps the backend usage', () => {
    const events = [start(), ...blockEvents(0, { type: 'text', text: 'Hi' }), ...messageEnd('end_turn', { output_tokens: 3 })];
    const { out, normalizer } = run(events);
    expect(out).toEqual(events);
    expect(normalizer.estimated).toBe(false);
  });

  it('gives the message a msg_ id and a model name when the backend has none', () => {
    const { out } = run([start(undefined, 'chatcmpl-9', ''), ...messageEnd('end_turn', { output_tokens: 1 })]);
    expect(out[0]).toMatchObject({ message: { model: 'local-model' } });
    expect(out[0]?.type === 'message_start' && out[0].message.id).toMatch(/^msg_01/);
  });

  it('counts usage the backend did not report, and says so', () => {
    const { out, normalizer } = run([start({ input_tokens: 0, output_tokens: 0 }), ...blockEvents(0, { type: 'text', text: 'a'.repeat(400) }), ...messageEnd('end_turn', { output_tokens: 0 })]);
    expect(out[0]).toMatchObject({ message: { usage: { input_tokens: 321, output_tokens: 0 } } });
    expect(out.at(-2)).toMatchObject({ usage: { input_tokens: 321, output_tokens: 100 } });
    expect(normalizer.estimated).toBe(true);
  });

  it.each([
    ['text', { type: 'text' as const, text: 'a'.repeat(70_000) }],
    ['tool input', { type: 'tool_use' as const, id: 'toolu_1', name: 'Bash', input: { command: 'b'.repeat(70_000) } }],
    ['dropped thinking', { ...thinking, thinking: 'c'.repeat(70_000) }],
  ])('%s beyond maxChars fails the answer as too_long', (_name, block) => {
    expect(failure([start(), ...blockEvents(0, block), ...messageEnd('end_turn', { output_tokens: 5 })]).reason).toBe('too_long');
  });

  it('drops thinking blocks the client did not ask for and renumbers the rest', () => {
    const { out } = run([start(), ...blockEvents(0, thinking), ...blockEvents(1, { type: 'text', text: 'Answer.' }), ...messageEnd('end_turn', { output_tokens: 5 })]);
    expect(out.slice(1, -2)).toEqual(blockEvents(0, { type: 'text', text: 'Answer.' }));
  });

  it('keeps asked-for thinking blocks, signed as local instead of with the backend signature', () => {
    const { out } = run([start(), ...blockEvents(0, thinking), ...messageEnd('end_turn', { output_tokens: 5 })], { thinking: true });
    expect(out.slice(1, -2)).toEqual(blockEvents(0, { type: 'thinking', thinking: 'Hmm.', signature: 'claude-api-proxy:local:anthropic' }));
  });

  it('holds a tool_use block until its input is complete, then releases it whole', () => {
    const normalizer = new AnswerNormalizer(options);
    normalizer.push(start());
    const tool = blockEvents(0, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } });
    expect(normalizer.push(tool[0]!)).toEqual([]);
    expect(normalizer.push(tool[1]!)).toEqual([]);
    expect(normalizer.push(tool[2]!)).toEqual(tool);
  });

  it.each([
    ['not JSON', '{"command": "ls'],
    ['not an object', '"ls"'],
  ])('fails the answer on tool input that is %s', (_name, json) => {
    const events: StreamEvent[] = [
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: json } },
      { type: 'content_block_stop', index: 0 },
      ...messageEnd('tool_use', { output_tokens: 9 }),
    ];
    expect(failure(events).reason).toBe('invalid_tool_json');
  });

  it('fails the answer on a tool call without a name, from any adapter', () => {
    const nameless = blockEvents(0, { type: 'tool_use', id: 't', name: '', input: {} });
    expect(failure([start(), ...nameless, ...messageEnd('tool_use', { output_tokens: 9 })]).message).toBe('the backend produced a tool call without a name');
  });

  const cutCall: StreamEvent[] = [
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't2', name: 'Write', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"file_path": "a.txt", "content": "hel' } },
    { type: 'content_block_stop', index: 1 },
  ];

  it('ends an answer whose last call max_tokens cut off without that call, as max_tokens', () => {
    const complete = blockEvents(0, { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } });
    const { out } = run([start(), ...complete, ...cutCall, ...messageEnd('max_tokens', { output_tokens: 20 })]);
    expect(out.slice(1)).toEqual([...complete, ...messageEnd('max_tokens', { output_tokens: 20 })]);
  });

  it('fails an answer that goes on after an incomplete call', () => {
    expect(failure([start(), ...cutCall, ...blockEvents(2, { type: 'text', text: 'more' }), ...messageEnd('max_tokens', { output_tokens: 20 })]).reason).toBe('invalid_tool_json');
  });

  it('says stop_sequence where the backend said end_turn with the matched stop sequence', () => {
    const { out } = run([start(), ...blockEvents(0, { type: 'text', text: 'Hi' }), ...messageEnd('end_turn', { output_tokens: 3 }, 'END')]);
    expect(out.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' }, usage: { output_tokens: 3 } });
  });

  it('adds the message_delta a backend left out', () => {
    const { out } = run([start(), ...blockEvents(0, { type: 'text', text: 'Hi' }), { type: 'message_stop' }]);
    expect(out.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'end_turn' } });
  });

  it.each<[string, StreamEvent[], string]>([
    ['nothing at all', [], 'malformed'],
    ['content before message_start', [{ type: 'content_block_stop', index: 0 }], 'malformed'],
    ['no message_stop', [start(), ...blockEvents(0, { type: 'text', text: 'Hi' })], 'interrupted'],
    ['an error event', [start(), { type: 'error', error: { type: 'overloaded_error', message: 'busy' } }], 'http_error'],
    ['a delta for a block that never started', [start(), { type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'x' } }], 'malformed'],
    ['a text delta in a tool block', [start(), { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'B', input: {} } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }], 'malformed'],
  ])('fails on %s', (_name, events, reason) => {
    expect(failure(events).reason).toBe(reason);
  });
});
