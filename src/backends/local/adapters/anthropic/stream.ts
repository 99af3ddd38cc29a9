import type { SseRecord } from '../../../../anthropic/sse-reader.js';
import type { Message, StreamEvent } from '../../../../anthropic/types.js';
import { isObject, type Json } from '../../../../shared/json.js';
import { blockEvents, messageEnd, messageStart } from '../../events.js';
import { LocalFailure } from '../../types.js';

/** The shape checks a stream event must pass before anything reads it. */
function isWellFormed(event: Json): boolean {
  switch (event.type) {
    case 'message_start':
      return isObject(event.message);
    case 'content_block_start':
      return typeof event.index === 'number' && isObject(event.content_block) && typeof event.content_block.type === 'string';
    case 'content_block_delta':
      return typeof event.index === 'number' && isObject(event.delta) && typeof event.delta.type === 'string';
    case 'content_block_stop':
      return typeof event.index === 'number';
    case 'message_delta':
      return isObject(event.delta);
    case 'error':
      return isObject(event.error);
    default:
      return true;
  }
}

const KNOWN_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);

/** A native server's SSE records as stream events; events of other names are skipped. */
export async function* nativeEvents(records: AsyncIterable<SseRecord>, url: string): AsyncGenerator<StreamEvent> {
  for await (const record of records) {
    if (!KNOWN_EVENTS.has(record.event)) continue;
    let data: unknown;
    try {
      data = JSON.parse(record.data);
    } catch {
      throw new LocalFailure('malformed', `${url} sent an SSE ${record.event} event whose data is not JSON`);
    }
    const event = isObject(data) ? { ...data, type: record.event } : null;
    if (event === null || !isWellFormed(event)) {
      throw new LocalFailure('malformed', `${url} sent a malformed ${record.event} event`);
    }
    yield event as StreamEvent;
  }
}

/** A native server's one JSON message (it did not stream) as the stream that would have produced it. */
export function replyEvents(reply: unknown): StreamEvent[] {
  const message = toMessage(reply);
  const { usage } = message;
  const events: StreamEvent[] = [messageStart(message.model, { ...usage, output_tokens: 0 }, message.id)];
  const known = message.content.filter((block) => ['text', 'tool_use', 'thinking', 'redacted_thinking'].includes(block.type));
  known.forEach((block, index) => events.push(...blockEvents(index, block)));
  events.push(...messageEnd(message.stop_reason ?? 'end_turn', usage, message.stop_sequence));
  return events;
}

function toMessage(value: unknown): Message {
  if (!isObject(value) || !Array.isArray(value.content) || !value.content.every((b) => isObject(b) && typeof b.type === 'string')) {
    throw new LocalFailure('malformed', 'the reply is not an Anthropic message');
  }
  const usage = isObject(value.usage) ? value.usage : {};
  return {
    id: typeof value.id === 'string' ? value.id : '',
    type: 'message',
    role: 'assistant',
    model: typeof value.model === 'string' ? value.model : '',
    content: value.content as Message['content'],
    stop_reason: (typeof value.stop_reason === 'string' ? value.stop_reason : 'end_turn') as Message['stop_reason'],
    stop_sequence: typeof value.stop_sequence === 'string' ? value.stop_sequence : null,
    usage: { ...usage, input_tokens: Number(usage.input_tokens) || 0, output_tokens: Number(usage.output_tokens) || 0 },
  };
}
