import type { MessageParam, MessagesRequest } from '../../anthropic/types.js';
import { LOCAL_SIGNATURE_PREFIX } from './answer.js';
import { isObject } from '../../shared/json.js';

const isLocalThinking = (block: unknown): boolean =>
  isObject(block) && block.type === 'thinking' && typeof block.signature === 'string' && block.signature.startsWith(LOCAL_SIGNATURE_PREFIX);

const holdsLocalThinking = (message: MessageParam): boolean => Array.isArray(message.content) && message.content.some(isLocalThinking);

/**
 * The body to send to Anthropic: thinking blocks the proxy's local route produced (Anthropic did not
 * sign them and would reject them) are removed. `body` is `raw` parsed; it is only read. A body
 * without such blocks is returned as the very same bytes, found by looking at the parsed messages
 * rather than searching the bytes (which costs microseconds on an 80 kB body).
 */
export function withoutLocalThinking(raw: Buffer, body: MessagesRequest): Buffer {
  if (!body.messages.some(holdsLocalThinking)) return raw;
  const messages: MessageParam[] = [];
  for (const message of body.messages) {
    if (!holdsLocalThinking(message)) {
      messages.push(message);
      continue;
    }
    const content = (message.content as unknown[]).filter((block) => !isLocalThinking(block));
    // A turn that held nothing but local thinking says nothing Anthropic could read.
    if (content.length > 0) messages.push({ ...message, content } as MessageParam);
  }
  return Buffer.from(JSON.stringify({ ...body, messages }));
}
