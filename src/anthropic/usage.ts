import type { SseRecord } from './sse-reader.js';
import type { Message, StopReason, StreamEvent, Usage } from './types.js';
import { isObject, type Json } from '../shared/json.js';

/** What telemetry needs to know about one answer, wherever it came from. */
export interface AnswerSummary {
  usage: Usage | null;
  stopReason: StopReason | null;
  servedModel: string | null;
  /** Anthropic error type carried in the body or stream, if any. */
  errorType: string | null;
  /** True once a complete message (message_stop, or a whole JSON message) was seen. */
  complete: boolean;
  /** Ids of the tool_use blocks in the answer (tool loops are pinned to the backend that made them). */
  toolUseIds: string[];
}

export function emptySummary(): AnswerSummary {
  return { usage: null, stopReason: null, servedModel: null, errorType: null, complete: false, toolUseIds: [] };
}

/** Above this a "token count" is noise (a poisoned upstream), not a request: it would stick in the stats for months. */
const MAX_TOKEN_COUNT = 2 ** 31 - 1;
/** A token count an upstream reports, if it is one: a whole, non-negative, plausible number. */
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TOKEN_COUNT ? v : undefined);

function mergeUsage(into: Usage | null, raw: unknown): Usage | null {
  if (!isObject(raw)) return into;
  const next: Usage = into ? { ...into } : { input_tokens: 0, output_tokens: 0 };
  const input = num(raw.input_tokens);
  const output = num(raw.output_tokens);
  const cacheCreate = num(raw.cache_creation_input_tokens);
  const cacheRead = num(raw.cache_read_input_tokens);
  if (input !== undefined) next.input_tokens = input;
  if (output !== undefined) next.output_tokens = output;
  if (cacheCreate !== undefined) next.cache_creation_input_tokens = cacheCreate;
  if (cacheRead !== undefined) next.cache_read_input_tokens = cacheRead;
  return next;
}

// Only these events carry what telemetry needs; the many deltas between them are never parsed.
const OBSERVED_EVENTS = new Set(['message_start', 'message_delta', 'message_stop', 'content_block_start', 'error']);

/** The event an SSE record carries, parsed only when it says something telemetry needs (else null). */
export function recordEvent(record: SseRecord): Json | null {
  if (!OBSERVED_EVENTS.has(record.event)) return null;
  const parsed = safeParse(record.data);
  if (isObject(parsed)) return { ...parsed, type: record.event };
  return record.event === 'error' ? { type: 'error' } : null;
}

/** Reads usage, stop reason and tool ids out of one stream event. */
export function observeEvent(summary: AnswerSummary, event: Json | StreamEvent): void {
  const e = event as Json;
  switch (e.type) {
    case 'message_start':
      if (isObject(e.message)) {
        summary.usage = mergeUsage(summary.usage, e.message.usage);
        if (typeof e.message.model === 'string') summary.servedModel = e.message.model;
      }
      return;
    case 'message_delta':
      summary.usage = mergeUsage(summary.usage, e.usage);
      if (isObject(e.delta) && typeof e.delta.stop_reason === 'string') summary.stopReason = e.delta.stop_reason as StopReason;
      return;
    case 'content_block_start':
      if (isObject(e.content_block) && e.content_block.type === 'tool_use' && typeof e.content_block.id === 'string') {
        summary.toolUseIds.push(e.content_block.id);
      }
      return;
    case 'message_stop':
      summary.complete = true;
      return;
    case 'error':
      summary.errorType = isObject(e.error) && typeof e.error.type === 'string' ? e.error.type : 'api_error';
      return;
    default:
      return;
  }
}

/** Reads a whole message object (non-streaming answers). */
export function observeJsonMessage(summary: AnswerSummary, message: Json | Message): void {
  const m = message as Json;
  summary.usage = mergeUsage(summary.usage, m.usage);
  if (typeof m.model === 'string') summary.servedModel = m.model;
  if (typeof m.stop_reason === 'string') summary.stopReason = m.stop_reason as StopReason;
  if (Array.isArray(m.content)) {
    for (const block of m.content) if (isObject(block) && block.type === 'tool_use' && typeof block.id === 'string') summary.toolUseIds.push(block.id);
  }
  summary.complete = true;
}

/** A whole JSON response body, parsed (null when it is not a JSON object). */
export function parseJsonBody(text: string): Json | null {
  const parsed = safeParse(text);
  return isObject(parsed) ? parsed : null;
}

/** Reads usage out of a whole JSON answer (non-streaming messages, count_tokens, errors). */
export function observeJsonBody(summary: AnswerSummary, parsed: Json | Message): void {
  if (!isObject(parsed)) return;
  if (parsed.type === 'message') observeJsonMessage(summary, parsed);
  else if (parsed.type === 'error' && isObject(parsed.error) && typeof parsed.error.type === 'string') {
    summary.errorType = parsed.error.type;
  } else if (num(parsed.input_tokens) !== undefined) {
    summary.usage = { input_tokens: num(parsed.input_tokens) ?? 0, output_tokens: 0 };
    summary.complete = true;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
