import { mintMessageId } from '../../anthropic/errors.js';
import type { ResponseBlock, StopReason, StreamEvent, Usage } from '../../anthropic/types.js';

/** The opening event of a locally produced answer. */
export function messageStart(model: string, usage: Usage, id: string = mintMessageId()): StreamEvent {
  return {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
  };
}

export function messageEnd(stopReason: StopReason, usage: Partial<Usage> & { output_tokens: number }, stopSequence: string | null = null): StreamEvent[] {
  return [{ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage }, { type: 'message_stop' }];
}

/** The events of one complete content block. */
export function blockEvents(index: number, block: ResponseBlock): StreamEvent[] {
  switch (block.type) {
    case 'text':
      return [
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        ...(block.text === '' ? [] : [{ type: 'content_block_delta' as const, index, delta: { type: 'text_delta' as const, text: block.text } }]),
        { type: 'content_block_stop', index },
      ];
    case 'tool_use':
      return [
        { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } },
        { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {}) } },
        { type: 'content_block_stop', index },
      ];
    case 'thinking':
      return [
        { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } },
        { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } },
        ...(block.signature ? [{ type: 'content_block_delta' as const, index, delta: { type: 'signature_delta' as const, signature: block.signature } }] : []),
        { type: 'content_block_stop', index },
      ];
    case 'redacted_thinking':
      return [
        { type: 'content_block_start', index, content_block: block },
        { type: 'content_block_stop', index },
      ];
  }
}
