import type { Message, ResponseBlock, StreamEvent } from './types.js';

/** Raised when a stream does not form a valid message (e.g. tool input that is not a JSON object). */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
}

/**
 * Builds the final message from stream events, as the SDK's accumulator does. One code path serves
 * non-streaming local answers, so streaming and non-streaming can never disagree.
 */
export class MessageAccumulator {
  private message: Message | null = null;
  private readonly partialJson = new Map<number, string>();

  apply(event: StreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.message = structuredClone(event.message);
        return;
      case 'content_block_start':
        this.require().content[event.index] = structuredClone(event.content_block);
        if (event.content_block.type === 'tool_use') this.partialJson.set(event.index, '');
        return;
      case 'content_block_delta': {
        const block = this.block(event.index);
        const delta = event.delta;
        if (delta.type === 'text_delta' && block.type === 'text') block.text += delta.text;
        else if (delta.type === 'thinking_delta' && block.type === 'thinking') block.thinking += delta.thinking;
        else if (delta.type === 'signature_delta' && block.type === 'thinking') block.signature += delta.signature;
        else if (delta.type === 'input_json_delta' && block.type === 'tool_use') {
          this.partialJson.set(event.index, (this.partialJson.get(event.index) ?? '') + delta.partial_json);
        } else throw new MalformedStreamError(`${delta.type} does not apply to a ${block.type} block`);
        return;
      }
      case 'content_block_stop': {
        const block = this.block(event.index);
        if (block.type === 'tool_use') {
          const json = this.partialJson.get(event.index) ?? '';
          block.input = parseToolInput(json);
          this.partialJson.delete(event.index);
        }
        return;
      }
      case 'message_delta': {
        const message = this.require();
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = { ...message.usage, ...event.usage };
        return;
      }
      default:
        return;
    }
  }

  result(): Message {
    return this.require();
  }

  private require(): Message {
    if (!this.message) throw new MalformedStreamError('stream did not start with message_start');
    return this.message;
  }

  private block(index: number): ResponseBlock {
    const block = this.require().content[index];
    if (!block) throw new MalformedStreamError(`no content block at index ${index}`);
    return block;
  }
}

/** Tool input must be a JSON object; an empty string means `{}`. */
export function parseToolInput(json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new MalformedStreamError('tool input is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedStreamError('tool input is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}
