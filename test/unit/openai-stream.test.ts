import { describe, expect, it } from 'vitest';
import { MessageAccumulator } from '../../src/anthropic/accumulate.js';
import type { StreamEvent } from '../../src/anthropic/types.js';
import { ChatStreamTranslator } from '../../src/backends/local/adapters/openai/stream.js';
import { AnswerNormalizer } from '../../src/backends/local/normalize.js';
import { LocalFailure } from '../../src/backends/local/types.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'chatcmpl-1', model: 'qwen', choices: [{ index: 0, delta, finish_reason: finish }] });
const usageChunk = (prompt: number, completion: number, cached?: number) => ({
  id: 'chatcmpl-1',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }) },
});

function translate(chunks: unknown[]): StreamEvent[] {
  const translator = new ChatStreamTranslator('fallback-model');
  return [...chunks.flatMap((c) => translator.push(c)), ...translator.finish()];
}

/** Translated, then normalized as the local backend does: tool calls are judged there, for every adapter. */
function answer(chunks: unknown[]): StreamEvent[] {
  const normalizer = new AnswerNormalizer({ thinking: true, inputTokens: 10, signature: 'local', model: 'fallback-model', maxChars: 65_536 });
  const events = translate(chunks).flatMap((event) => normalizer.push(event));
  normalizer.finish();
  return events;
}

function failure(chunks: unknown[]): LocalFailure {
  try {
    answer(chunks);
  } catch (error) {
    if (error instanceof LocalFailure) return error;
    throw error;
  }
  throw new Error('expected a LocalFailure');
}

const withoutStart = (events: StreamEvent[]) => events.slice(1);

function accumulate(events: StreamEvent[]) {
  const accumulator = new MessageAccumulator();
  for (const event of events) accumulator.apply(event);
  return accumulator.result();
}

describe('chat completion chunks as Anthropic events', () => {
  it('text: message_start, one text block, the mapped stop reason and real usage', () => {
    const events = translate([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk(40, 2)]);
    expect(events[0]).toMatchObject({ type: 'message_start', message: { model: 'qwen', content: [], usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(withoutStart(events)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2, input_tokens: 40 } },
      { type: 'message_stop' },
    ]);
  });

  it('interleaved tool-call fragments of several calls become complete tool_use blocks, in index order, after the text', () => {
    const events = translate([
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'Read', arguments: '' } }, { index: 0, id: 'call_a', type: 'function', function: { name: 'Bash', arguments: '{"com' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"file_path"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'mand": "ls"' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ': "/etc/hosts"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk(100, 30),
    ]);
    expect(withoutStart(events)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"com' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'mand": "ls"' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'Read', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"file_path"' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: ': "/etc/hosts"}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30, input_tokens: 100 } },
      { type: 'message_stop' },
    ]);
    const accumulator = new MessageAccumulator();
    for (const event of events) accumulator.apply(event);
    expect(accumulator.result().content.slice(1)).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Bash', input: { command: 'ls' } },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: { file_path: '/etc/hosts' } },
    ]);
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['tool_calls', 'end_turn'],
  ])('finish_reason %s without calls → %s', (finish, stop) => {
    const events = translate([chunk({ content: 'x' }, finish)]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: stop } });
  });

  it('a server that says "stop" after tool calls still yields tool_use', () => {
    const events = translate([chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'Bash', arguments: '{}' } }] }), chunk({}, 'stop')]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('leaves out a call that finish_reason length cut off, keeping the complete ones, as max_tokens', () => {
    const events = answer([
      chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c2', function: { name: 'Write', arguments: '{"file_path":"a.txt","content":"hel' } }] }),
      chunk({}, 'length'),
    ]);
    const message = accumulate(events);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'Bash', input: { command: 'ls' } }]);
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('ends the text at the first stop sequence, split across chunks, and names it', () => {
    const translator = new ChatStreamTranslator('m', ['STOP', '##']);
    const events = [chunk({ content: 'one tw' }), chunk({ content: 'o ST' }), chunk({ content: 'OP three ##' }), chunk({}, 'stop')].flatMap((c) => translator.push(c));
    expect(translator.stopped).toBe(true);
    const message = accumulate([...events, ...translator.finish()]);
    expect(message.content).toEqual([{ type: 'text', text: 'one two ' }]);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'STOP' });
  });

  it('passes on held-back text that was no stop sequence after all', () => {
    const translator = new ChatStreamTranslator('m', ['STOP']);
    const events = [chunk({ content: 'a ST' }), chunk({ content: 'ORM' }), chunk({ content: ' ST' }), chunk({}, 'stop')].flatMap((c) => translator.push(c));
    const message = accumulate([...events, ...translator.finish()]);
    expect(message.content).toEqual([{ type: 'text', text: 'a STORM ST' }]);
    expect(message).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
  });

  it('reports cached prompt tokens as cache reads, apart from input', () => {
    const events = translate([chunk({ content: 'x' }, 'stop'), usageChunk(1000, 5, 800)]);
    expect(events.at(-2)).toMatchObject({ usage: { input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 5 } });
  });

  it('leaves usage at zero when the server sends none (the answer normalizer counts it)', () => {
    expect(translate([chunk({ content: 'x' }, 'stop')]).at(-2)).toMatchObject({ usage: { output_tokens: 0 } });
  });

  it('reasoning text becomes a thinking block before the answer', () => {
    const events = translate([chunk({ reasoning_content: 'Think' }), chunk({ reasoning: 'ing.' }), chunk({ content: 'Done.' }, 'stop')]);
    expect(withoutStart(events).slice(0, 6)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Think' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'ing.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Done.' } },
    ]);
  });

  it('a whole (non-streaming) completion translates the same way', () => {
    const events = translate([
      {
        id: 'chatcmpl-2',
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Ok.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 12, completion_tokens: 8 },
      },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('tool ids that Anthropic would reject are made safe', () => {
    const events = translate([chunk({ tool_calls: [{ index: 0, id: 'call:1/x', function: { name: 'Bash', arguments: '{}' } }] }, 'tool_calls')]);
    expect(events[1]).toMatchObject({ content_block: { type: 'tool_use', id: 'call_1_x' } });
  });
});

describe('broken streams', () => {
  it('a tool call whose arguments are not a JSON object is never emitted', () => {
    expect(failure([chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'Bash', arguments: '{"command": "ls' } }] }, 'tool_calls')]).reason).toBe('invalid_tool_json');
    expect(failure([chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'Bash', arguments: '["ls"]' } }] }, 'tool_calls')]).reason).toBe('invalid_tool_json');
    expect(failure([chunk({ tool_calls: [{ index: 0, id: 'c', function: { arguments: '{}' } }] }, 'tool_calls')]).reason).toBe('invalid_tool_json');
  });

  it('a stream without finish_reason was cut', () => {
    expect(failure([chunk({ content: 'par' })]).reason).toBe('interrupted');
  });

  it('no chunks at all is malformed, and an error chunk is the backend failing', () => {
    expect(failure([]).reason).toBe('malformed');
    expect(failure([{ error: { message: 'boom' } }]).reason).toBe('http_error');
    expect(failure(['not an object']).reason).toBe('malformed');
  });
});
