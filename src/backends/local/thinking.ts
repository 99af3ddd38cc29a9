import type { MessageParam, MessagesRequest, RawBlock } from '../../anthropic/types.js';

/** Marks thinking blocks the proxy produced, so they can be recognised (and removed) before history goes to Anthropic. */
export const LOCAL_SIGNATURE_PREFIX = 'claude-api-proxy:local:';

/** The signature the answers of one local backend kind give their thinking blocks. */
export const localSignature = (kind: string): string => `${LOCAL_SIGNATURE_PREFIX}${kind}`;

const isLocalThinking = (block: RawBlock): boolean => block.type === 'thinking' && typeof block.signature === 'string' && block.signature.startsWith(LOCAL_SIGNATURE_PREFIX);

const holdsLocalThinking = (message: MessageParam): boolean => typeof message.content !== 'string' && message.content.some(isLocalThinking);

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
    if (typeof message.content === 'string' || !message.content.some(isLocalThinking)) {
      messages.push(message);
      continue;
    }
    const content = message.content.filter((block) => !isLocalThinking(block));
    // A turn that held nothing but local thinking says nothing Anthropic could read.
    if (content.length > 0) messages.push({ ...message, content });
  }
  return Buffer.from(JSON.stringify({ ...body, messages }));
}
