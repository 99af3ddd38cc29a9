import { LOCAL_SIGNATURE_PREFIX } from './answer.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const MARKER = Buffer.from(JSON.stringify(LOCAL_SIGNATURE_PREFIX).slice(1, -1));

const isLocalThinking = (block: unknown): boolean =>
  isObject(block) && block.type === 'thinking' && typeof block.signature === 'string' && block.signature.startsWith(LOCAL_SIGNATURE_PREFIX);

/**
 * The body to send to Anthropic: thinking blocks the proxy's local route produced (Anthropic did not
 * sign them and would reject them) are removed. A body without such blocks is returned as the very
 * same bytes; the search for the marker is the only cost on that path.
 */
export function withoutLocalThinking(raw: Buffer): Buffer {
  if (raw.indexOf(MARKER) === -1) return raw;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return raw;
  }
  if (!isObject(body) || !Array.isArray(body.messages)) return raw;
  let removed = 0;
  const messages: unknown[] = [];
  for (const message of body.messages) {
    if (!isObject(message) || !Array.isArray(message.content) || !message.content.some(isLocalThinking)) {
      messages.push(message);
      continue;
    }
    const content = message.content.filter((block) => !isLocalThinking(block));
    removed += message.content.length - content.length;
    // A turn that held nothing but local thinking says nothing Anthropic could read.
    if (content.length > 0) messages.push({ ...message, content });
  }
  if (removed === 0) return raw;
  return Buffer.from(JSON.stringify({ ...body, messages }));
}
