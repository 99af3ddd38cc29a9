import { mintMessageId } from '../../anthropic/errors.js';
import { MalformedStreamError, parseToolInput } from '../../anthropic/accumulate.js';
import type { StreamEvent, Usage } from '../../anthropic/types.js';
import { estimateText, JSON_CHARS_PER_TOKEN } from '../../routing/estimate.js';
import { LocalFailure } from './types.js';

type Slot = { kind: 'dropped' } | { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; name: string; held: StreamEvent[]; json: string };

export interface AnswerOptions {
  /** The client asked for thinking: reasoning blocks are kept (re-signed) instead of dropped. */
  thinking: boolean;
  /** Estimated input tokens, used when the backend reports none. */
  inputTokens: number;
  /** The signature local thinking blocks carry. */
  signature: string;
  /** The model name to report when the backend names none. */
  model: string;
  /**
   * Most characters of content the answer may carry (local.maxOutputTokens × local.answerCharsPerToken):
   * a backend that ignores max_tokens must not grow a collected answer or a held tool call without end.
   */
  maxChars: number;
}

/**
 * Turns whatever an adapter produced into a stream a client can trust: it starts with
 * `message_start` and a `msg_…` id, thinking blocks are kept only when asked for (and signed as
 * local), a `tool_use` is released only once it has a name and its input parses as a JSON object
 * (this is the one place tool calls are held and checked, for every adapter), usage is never
 * zero (counted when the backend reports none), and an answer that stops early is a failure.
 * A call cut off by `max_tokens` is not a failure: the answer ends there with `stop_reason:
 * "max_tokens"`, without the incomplete call (a client must not run a call with half its input).
 */
export class AnswerNormalizer {
  private started = false;
  private stopped = false;
  private sawDelta = false;
  private readonly slots = new Map<number, Slot>();
  private nextIndex = 0;
  private outputTokens = 0;
  private inputProvisional = false;
  private usageCounted = false;
  /** Why the last tool call was held back: its input did not parse. Only `max_tokens` excuses it. */
  private incompleteCall: string | null = null;
  private chars = 0;

  constructor(private readonly options: AnswerOptions) {}

  /** Whether any usage number was counted by the proxy rather than reported by the backend. */
  get estimated(): boolean {
    return this.usageCounted;
  }

  /** The events to pass on for one event from the adapter. Throws LocalFailure on a broken answer. */
  push(event: StreamEvent): StreamEvent[] {
    if (this.stopped) return [];
    if (event.type === 'error') throw new LocalFailure('http_error', `the backend reported ${event.error.type}: ${event.error.message}`);
    if (!this.started) {
      if (event.type === 'ping') return [];
      if (event.type !== 'message_start') throw new LocalFailure('malformed', `the answer began with ${event.type} instead of message_start`);
      return [this.start(event)];
    }
    switch (event.type) {
      case 'message_start':
        throw new LocalFailure('malformed', 'a second message_start');
      case 'content_block_start':
        this.requireNoIncompleteCall();
        return this.blockStart(event);
      case 'content_block_delta':
        this.requireNoIncompleteCall();
        return this.blockDelta(event);
      case 'content_block_stop':
        return this.blockStop(event.index);
      case 'message_delta':
        return [this.delta(event)];
      case 'message_stop':
        this.stopped = true;
        return this.sawDelta ? [event] : [this.delta({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } }), event];
      default:
        return [event];
    }
  }

  /** Call when the adapter's stream ended; throws when the answer is incomplete. */
  finish(): void {
    if (!this.started) throw new LocalFailure('malformed', 'the backend sent no answer');
    if (!this.stopped) throw new LocalFailure('interrupted', 'the answer ended before message_stop');
  }

  private start(event: Extract<StreamEvent, { type: 'message_start' }>): StreamEvent {
    this.started = true;
    const message = { ...event.message, content: [] };
    if (typeof message.id !== 'string' || !message.id.startsWith('msg_')) message.id = mintMessageId();
    if (typeof message.model !== 'string' || message.model === '') message.model = this.options.model;
    const reported = event.message.usage ?? { input_tokens: 0, output_tokens: 0 };
    const usage: Usage = { ...reported, output_tokens: positive(reported.output_tokens) ?? 0 };
    if (positive(reported.input_tokens) === undefined) {
      usage.input_tokens = this.options.inputTokens;
      this.inputProvisional = true;
    }
    message.usage = usage;
    return { type: 'message_start', message };
  }

  private blockStart(event: Extract<StreamEvent, { type: 'content_block_start' }>): StreamEvent[] {
    const block = event.content_block;
    if (block.type === 'text') this.bound(block.text.length);
    if (this.slots.has(event.index)) throw new LocalFailure('malformed', `content block ${event.index} started while still open`);
    const kept = block.type === 'text' || block.type === 'tool_use' || (block.type === 'thinking' && this.options.thinking);
    if (!kept) {
      this.slots.set(event.index, { kind: 'dropped' });
      return [];
    }
    const index = this.nextIndex++;
    if (block.type === 'tool_use') {
      const start: StreamEvent = { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } };
      this.slots.set(event.index, { kind: 'tool', index, name: block.name, held: [start], json: '' });
      return [];
    }
    if (block.type === 'thinking') {
      this.slots.set(event.index, { kind: 'thinking', index });
      const out: StreamEvent[] = [{ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }];
      if (block.thinking) out.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
      return out;
    }
    this.slots.set(event.index, { kind: 'text', index });
    const out: StreamEvent[] = [{ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }];
    if (block.type === 'text' && block.text) {
      this.count(block.text);
      out.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    }
    return out;
  }

  private blockDelta(event: Extract<StreamEvent, { type: 'content_block_delta' }>): StreamEvent[] {
    const slot = this.slot(event.index);
    const delta = event.delta;
    this.bound(deltaChars(delta));
    if (delta.type === 'text_delta' || delta.type === 'thinking_delta') this.count(delta.type === 'text_delta' ? delta.text : delta.thinking);
    if (slot.kind === 'dropped') return [];
    if (slot.kind === 'tool') {
      if (delta.type !== 'input_json_delta') throw new LocalFailure('malformed', `${delta.type} inside a tool_use block`);
      slot.json += delta.partial_json;
      this.outputTokens += delta.partial_json.length / JSON_CHARS_PER_TOKEN;
      slot.held.push({ type: 'content_block_delta', index: slot.index, delta });
      return [];
    }
    if (slot.kind === 'thinking') {
      if (delta.type === 'signature_delta') return [];
      if (delta.type !== 'thinking_delta') throw new LocalFailure('malformed', `${delta.type} inside a thinking block`);
      return [{ type: 'content_block_delta', index: slot.index, delta }];
    }
    if (delta.type !== 'text_delta') throw new LocalFailure('malformed', `${delta.type} inside a text block`);
    return [{ type: 'content_block_delta', index: slot.index, delta }];
  }

  private blockStop(backendIndex: number): StreamEvent[] {
    const slot = this.slot(backendIndex);
    this.slots.delete(backendIndex);
    if (slot.kind === 'dropped') return [];
    const stop: StreamEvent = { type: 'content_block_stop', index: slot.index };
    if (slot.kind === 'tool') {
      const problem = toolCallProblem(slot.name, slot.json);
      if (problem === null) return [...slot.held, stop];
      // Held back until message_delta tells whether max_tokens cut it.
      this.incompleteCall = problem;
      return [];
    }
    if (slot.kind === 'thinking') return [{ type: 'content_block_delta', index: slot.index, delta: { type: 'signature_delta', signature: this.options.signature } }, stop];
    return [stop];
  }

  private delta(event: Extract<StreamEvent, { type: 'message_delta' }>): StreamEvent {
    this.sawDelta = true;
    for (const [index, slot] of this.slots) {
      if (slot.kind !== 'dropped') throw new LocalFailure('malformed', `message_delta while content block ${index} is open`);
    }
    const stopReason = event.delta.stop_reason ?? 'end_turn';
    if (this.incompleteCall !== null && stopReason !== 'max_tokens') throw new LocalFailure('invalid_tool_json', this.incompleteCall);
    const reported = event.usage ?? { output_tokens: 0 };
    const usage: Partial<Usage> & { output_tokens: number } = { ...reported, output_tokens: positive(reported.output_tokens) ?? 0 };
    if (positive(reported.input_tokens) !== undefined) this.inputProvisional = false;
    else if (this.inputProvisional) {
      usage.input_tokens = this.options.inputTokens;
      this.usageCounted = true;
    }
    if (usage.output_tokens === 0) {
      usage.output_tokens = Math.max(1, Math.ceil(this.outputTokens));
      this.usageCounted = true;
    }
    const stopSequence = event.delta.stop_sequence ?? null;
    // Some servers (llama.cpp) report a matched stop sequence as end_turn; Anthropic says stop_sequence.
    const reason = stopReason === 'end_turn' && stopSequence !== null ? 'stop_sequence' : stopReason;
    return { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: stopSequence }, usage };
  }

  private requireNoIncompleteCall(): void {
    if (this.incompleteCall !== null) throw new LocalFailure('invalid_tool_json', this.incompleteCall);
  }

  private slot(index: number): Slot {
    const slot = this.slots.get(index);
    if (!slot) throw new LocalFailure('malformed', `no open content block ${index}`);
    return slot;
  }

  private bound(chars: number): void {
    this.chars += chars;
    if (this.chars > this.options.maxChars) {
      throw new LocalFailure('too_long', `the answer is longer than ${this.options.maxChars} characters (local.maxOutputTokens × local.answerCharsPerToken): the backend ignores max_tokens`);
    }
  }

  private count(text: string): void {
    this.outputTokens += estimateText(text);
  }
}

/** What makes a tool call unusable (no name, or input that is not a JSON object), or null when a client can run it. */
function toolCallProblem(name: string, json: string): string | null {
  if (name === '') return 'the backend produced a tool call without a name';
  try {
    parseToolInput(json);
    return null;
  } catch (error) {
    const why = error instanceof MalformedStreamError ? error.message : String(error);
    return `the backend produced a call of ${name} whose ${why.replace(/^tool /, '')}`;
  }
}

function deltaChars(delta: Extract<StreamEvent, { type: 'content_block_delta' }>['delta']): number {
  switch (delta.type) {
    case 'text_delta':
      return delta.text.length;
    case 'thinking_delta':
      return delta.thinking.length;
    case 'input_json_delta':
      return delta.partial_json.length;
    default:
      return 0;
  }
}

const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);
