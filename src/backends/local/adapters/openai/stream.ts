import { randomBytes } from 'node:crypto';
import type { StopReason, StreamEvent, Usage } from '../../../../anthropic/types.js';
import { messageEnd, messageStart } from '../../events.js';
import { StopScanner } from './stop-scan.js';
import { LocalFailure } from '../../types.js';
import { isObject, type Json } from '../../../../shared/json.js';

interface PendingCall {
  id: string;
  name: string;
  fragments: string[];
}

const STOP_REASONS: Record<string, StopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Anthropic accepts tool ids of letters, digits, `_` and `-`. */
function toolId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9_-]/g, '_');
  return clean === '' ? `toolu_${randomBytes(12).toString('hex')}` : clean;
}

/**
 * Turns `/v1/chat/completions` chunks into the exact Anthropic event sequence. Text and reasoning
 * stream through as they come; tool calls, whose argument fragments may interleave across indices,
 * are collected and emitted as whole `tool_use` blocks (their fragments as `input_json_delta`s)
 * once the backend has finished; whether a call can be run (a name, arguments that parse) is the
 * answer normalizer's to judge (`normalize.ts`), as for every adapter. Stop sequences are matched
 * here, since chat servers do not say which one they stopped at: the answer ends at the first.
 */
export class ChatStreamTranslator {
  private started = false;
  private open: { kind: 'text' | 'thinking'; index: number } | null = null;
  private nextIndex = 0;
  private readonly calls = new Map<number, PendingCall>();
  private finishReason: string | null = null;
  private usage: { prompt?: number; completion?: number; cached?: number } = {};

  private readonly scanner: StopScanner | null;

  constructor(
    private readonly model: string,
    stopSequences: readonly string[] = [],
  ) {
    this.scanner = stopSequences.length > 0 ? new StopScanner(stopSequences) : null;
  }

  /** A stop sequence was matched: the answer is complete, whatever the backend still sends. */
  get stopped(): boolean {
    return this.scanner?.matched != null;
  }

  /** Events for one parsed chunk. */
  push(chunk: unknown): StreamEvent[] {
    if (!isObject(chunk)) throw new LocalFailure('malformed', 'a chunk is not a JSON object');
    if (chunk.error !== undefined) {
      const error = chunk.error;
      const message = isObject(error) && typeof error.message === 'string' ? error.message : JSON.stringify(error);
      throw new LocalFailure('http_error', `the backend reported an error mid-answer: ${message}`);
    }
    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push(messageStart(typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : this.model, { input_tokens: 0, output_tokens: 0 }));
    }
    if (this.stopped) return out;
    if (isObject(chunk.usage)) this.readUsage(chunk.usage);
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : {};
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
    if (reasoning !== '') out.push(...this.flushText(), ...this.append('thinking', reasoning));
    if (typeof delta.content === 'string' && delta.content !== '') out.push(...this.text(delta.content));
    if (this.stopped) return out;
    if (Array.isArray(delta.tool_calls)) delta.tool_calls.forEach((call, position) => this.collect(call, position));
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
    return out;
  }

  /** The closing events once the backend's stream ended; throws when it ended too early. */
  finish(): StreamEvent[] {
    if (!this.started) throw new LocalFailure('malformed', 'the backend sent no chunks');
    const matched = this.scanner?.matched ?? null;
    if (matched !== null) return [...this.closeOpen(), ...messageEnd('stop_sequence', this.finalUsage(), matched)];
    if (this.finishReason === null) throw new LocalFailure('interrupted', 'the stream ended without a finish_reason');
    const out = [...this.flushText(), ...this.closeOpen()];
    const ordered = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    for (const call of ordered) out.push(...this.toolBlock(call));
    let stop: StopReason = STOP_REASONS[this.finishReason] ?? 'end_turn';
    if (stop === 'tool_use' && ordered.length === 0) stop = 'end_turn';
    if (stop === 'end_turn' && ordered.length > 0) stop = 'tool_use';
    out.push(...messageEnd(stop, this.finalUsage()));
    return out;
  }

  private text(text: string): StreamEvent[] {
    const passed = this.scanner ? this.scanner.push(text) : text;
    return passed === '' ? [] : this.append('text', passed);
  }

  private flushText(): StreamEvent[] {
    const held = this.scanner?.flush() ?? '';
    return held === '' ? [] : this.append('text', held);
  }

  private append(kind: 'text' | 'thinking', text: string): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.open?.kind !== kind) {
      out.push(...this.closeOpen());
      const index = this.nextIndex++;
      this.open = { kind, index };
      out.push({ type: 'content_block_start', index, content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' } });
    }
    const index = this.open?.index ?? 0;
    out.push({ type: 'content_block_delta', index, delta: kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text } });
    return out;
  }

  private closeOpen(): StreamEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = null;
    return [{ type: 'content_block_stop', index }];
  }

  private collect(raw: unknown, position: number): void {
    if (!isObject(raw)) throw new LocalFailure('malformed', 'a tool call delta is not an object');
    const key = typeof raw.index === 'number' ? raw.index : position;
    let call = this.calls.get(key);
    if (!call) {
      call = { id: '', name: '', fragments: [] };
      this.calls.set(key, call);
    }
    if (typeof raw.id === 'string' && raw.id !== '') call.id = raw.id;
    const fn = isObject(raw.function) ? raw.function : {};
    if (typeof fn.name === 'string' && fn.name !== '' && call.name === '') call.name = fn.name;
    if (typeof fn.arguments === 'string' && fn.arguments !== '') call.fragments.push(fn.arguments);
    else if (isObject(fn.arguments)) call.fragments.push(JSON.stringify(fn.arguments));
  }

  private toolBlock(call: PendingCall): StreamEvent[] {
    const index = this.nextIndex++;
    return [
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolId(call.id), name: call.name, input: {} } },
      ...call.fragments.map((partial_json): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })),
      { type: 'content_block_stop', index },
    ];
  }

  private readUsage(usage: Json): void {
    if (typeof usage.prompt_tokens === 'number') this.usage.prompt = usage.prompt_tokens;
    if (typeof usage.completion_tokens === 'number') this.usage.completion = usage.completion_tokens;
    const details = usage.prompt_tokens_details;
    if (isObject(details) && typeof details.cached_tokens === 'number') this.usage.cached = details.cached_tokens;
  }

  private finalUsage(): Partial<Usage> & { output_tokens: number } {
    const usage: Partial<Usage> & { output_tokens: number } = { output_tokens: this.usage.completion ?? 0 };
    if (this.usage.prompt !== undefined) {
      // Anthropic counts cache reads apart from input; OpenAI includes them in prompt_tokens.
      const cached = Math.min(this.usage.cached ?? 0, this.usage.prompt);
      usage.input_tokens = this.usage.prompt - cached;
      if (cached > 0) usage.cache_read_input_tokens = cached;
    }
    return usage;
  }
}
