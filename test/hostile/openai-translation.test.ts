import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageAccumulator } from '../../src/anthropic/accumulate.js';
import type { MessageParam, MessagesRequest, StreamEvent } from '../../src/anthropic/types.js';
import { toChatRequest, type ChatMessage } from '../../src/backends/local/adapters/openai/request.js';
import { ChatStreamTranslator } from '../../src/backends/local/adapters/openai/stream.js';
import { LocalFailure } from '../../src/backends/local/types.js';

interface Call {
  id: string;
  name: string;
  args: Record<string, unknown>;
}
interface Reply {
  reasoning: string;
  text: string;
  calls: Call[];
  finish: 'stop' | 'length' | 'tool_calls';
}

const word = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 });
const reply: fc.Arbitrary<Reply> = fc.record({
  reasoning: fc.string({ unit: 'grapheme', maxLength: 40 }),
  text: fc.string({ unit: 'grapheme', maxLength: 60 }),
  calls: fc.uniqueArray(
    fc.record({ id: fc.stringMatching(/^call_[A-Za-z0-9]{1,8}$/), name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/), args: fc.dictionary(word, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) as fc.Arbitrary<Record<string, unknown>> }),
    { maxLength: 3, selector: (c) => c.id },
  ),
  finish: fc.constantFrom('stop' as const, 'length' as const, 'tool_calls' as const),
});

/** Cuts a string at arbitrary points (by code point, as a server would send characters). */
function pieces(text: string, cuts: number[]): string[] {
  const chars = [...text];
  const points = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let last = 0;
  for (const p of [...points, chars.length]) {
    if (p > last) out.push(chars.slice(last, p).join(''));
    last = p;
  }
  return out;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'chatcmpl-x', model: 'qwen', choices: [{ index: 0, delta, finish_reason: finish }] });

/** The chunks a server could send for this reply: any fragmenting, tool-call fragments interleaved in any order. */
function chunksOf(r: Reply, cuts: number[], order: number[]): unknown[] {
  const out: unknown[] = [];
  for (const p of pieces(r.reasoning, cuts)) out.push(chunk({ reasoning_content: p }));
  for (const p of pieces(r.text, cuts)) out.push(chunk({ content: p }));
  const fragments = r.calls.map((c, index) => pieces(JSON.stringify(c.args), cuts).map((arguments_, i) => ({ index, ...(i === 0 ? { id: c.id, type: 'function' } : {}), function: { ...(i === 0 ? { name: c.name } : {}), arguments: arguments_ } })));
  // Interleave: take the next fragment of the call chosen by `order`, keeping each call's own order.
  const queues = fragments.map((f) => [...f]);
  for (const pick of order) {
    const live = queues.filter((q) => q.length > 0);
    if (live.length === 0) break;
    out.push(chunk({ tool_calls: [live[pick % live.length]!.shift()] }));
  }
  for (const q of queues) for (const f of q) out.push(chunk({ tool_calls: [f] }));
  out.push(chunk({}, r.finish));
  out.push({ id: 'chatcmpl-x', choices: [], usage: { prompt_tokens: 50, completion_tokens: 9 } });
  return out;
}

function translate(chunks: unknown[]): StreamEvent[] {
  const translator = new ChatStreamTranslator('fallback');
  return [...chunks.flatMap((c) => translator.push(c)), ...translator.finish()];
}

function expectWellFormed(events: StreamEvent[]): void {
  expect(events[0]!.type).toBe('message_start');
  expect(events.at(-1)!.type).toBe('message_stop');
  expect(events.at(-2)!.type).toBe('message_delta');
  const open = new Set<number>();
  let next = 0;
  for (const e of events) {
    if (e.type === 'content_block_start') {
      expect(e.index).toBe(next++);
      open.add(e.index);
    } else if (e.type === 'content_block_delta') expect(open.has(e.index)).toBe(true);
    else if (e.type === 'content_block_stop') expect(open.delete(e.index)).toBe(true);
  }
  expect(open.size).toBe(0);
}

describe('OpenAI chat chunks → Anthropic events', () => {
  it('any fragmenting and interleaving gives a well-formed stream with the same message (property)', () => {
    fc.assert(
      fc.property(reply, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (r, cuts, order) => {
        const events = translate(chunksOf(r, cuts, order));
        expectWellFormed(events);
        const accumulator = new MessageAccumulator();
        for (const e of events) accumulator.apply(e);
        const message = accumulator.result();
        const thinking = message.content.filter((b) => b.type === 'thinking');
        const text = message.content.filter((b) => b.type === 'text');
        const tools = message.content.filter((b) => b.type === 'tool_use');
        expect(thinking.map((b) => b.thinking).join('')).toBe(r.reasoning);
        expect(text.map((b) => b.text).join('')).toBe(r.text);
        // Arguments travel as JSON text: compare with what JSON can carry (-0 becomes 0).
        expect(tools.map((b) => ({ id: b.id, name: b.name, args: b.input }))).toEqual(JSON.parse(JSON.stringify(r.calls)));
        expect(message.stop_reason).toBe(r.finish === 'length' ? 'max_tokens' : r.calls.length > 0 ? 'tool_use' : 'end_turn');
        expect(message.usage).toMatchObject({ input_tokens: 50, output_tokens: 9 });
        // The same reply cut differently is the same message.
        const again = new MessageAccumulator();
        for (const e of translate(chunksOf(r, [], []))) again.apply(e);
        expect(again.result().content).toEqual(message.content);
      }),
      { numRuns: 400 },
    );
  });

  it('any chunk sequence at all either translates or fails as a LocalFailure, never another error (property)', () => {
    const anyChunk = fc.oneof(
      fc.anything({ maxDepth: 4 }),
      fc.record({ choices: fc.array(fc.record({ delta: fc.anything({ maxDepth: 3 }), finish_reason: fc.oneof(fc.constant(null), fc.string(), fc.anything()) }), { maxLength: 2 }) }),
      fc.record({ choices: fc.constant([{ delta: {} }]), usage: fc.anything({ maxDepth: 2 }) }),
      fc.record({ choices: fc.constant([{ delta: {} }]), tool_calls: fc.anything({ maxDepth: 3 }) }).map((c) => ({ choices: [{ delta: { tool_calls: c.tool_calls } }] })),
    );
    fc.assert(
      fc.property(fc.array(anyChunk, { maxLength: 8 }), (chunks) => {
        try {
          translate(chunks);
        } catch (error) {
          expect(error).toBeInstanceOf(LocalFailure);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Anthropic request → chat completion request', () => {
  const textBlock = word.map((text) => ({ type: 'text' as const, text }));
  const toolUse = fc.record({ type: fc.constant('tool_use' as const), id: fc.stringMatching(/^toolu_[a-z0-9]{1,6}$/), name: fc.stringMatching(/^[A-Za-z]{1,8}$/), input: fc.dictionary(word, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) });
  const toolResult = fc.record({
    type: fc.constant('tool_result' as const),
    tool_use_id: fc.stringMatching(/^toolu_[a-z0-9]{1,6}$/),
    content: fc.oneof(word, fc.array(textBlock, { maxLength: 2 })),
    is_error: fc.boolean(),
  });
  const userTurn = fc.record({ role: fc.constant('user' as const), content: fc.oneof(word, fc.array(fc.oneof(textBlock, toolResult), { minLength: 1, maxLength: 3 })) });
  const assistantTurn = fc.record({ role: fc.constant('assistant' as const), content: fc.array(fc.oneof(textBlock, toolUse), { minLength: 1, maxLength: 3 }) });
  const request = fc.record({
    system: fc.option(fc.oneof(word, fc.array(textBlock, { maxLength: 3 })), { nil: undefined }),
    messages: fc.array(fc.oneof(userTurn, assistantTurn), { minLength: 1, maxLength: 6 }),
    stream: fc.boolean(),
    max_tokens: fc.integer({ min: 1, max: 100_000 }),
  });

  it('never throws, keeps every text, every tool call and every tool result (property)', () => {
    fc.assert(
      fc.property(request, (r) => {
        const body = { model: 'qwen', ...r } as MessagesRequest;
        const chat = toChatRequest({ body, format: null, thinking: false, inputTokens: 0 }) as { messages: ChatMessage[]; stream: boolean; max_tokens: number };
        expect(chat.stream).toBe(r.stream);
        expect(chat.max_tokens).toBe(r.max_tokens);
        const out = JSON.stringify(chat.messages);
        const blocks = r.messages.flatMap((m: MessageParam) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content));
        for (const b of blocks) {
          if (b.type === 'text') expect(out).toContain(JSON.stringify(b.text).slice(1, -1));
          if (b.type === 'tool_use') {
            const calls = chat.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : [])).filter((c) => c.id === b.id);
            expect(calls.map((c) => ({ name: c.function.name, input: JSON.parse(c.function.arguments) as unknown }))).toContainEqual({ name: b.name, input: JSON.parse(JSON.stringify(b.input)) as unknown });
          }
          if (b.type === 'tool_result') expect(chat.messages.some((m) => m.role === 'tool' && m.tool_call_id === b.tool_use_id)).toBe(true);
        }
        for (const m of chat.messages) expect(['system', 'user', 'assistant', 'tool']).toContain(m.role);
      }),
      { numRuns: 500 },
    );
  });
});
