import { contentBlock } from '../../../../anthropic/blocks.js';
import type { ContentBlock, ImageBlock, MessageParam, TextBlock, Tool, ToolResultBlock, ToolUseBlock } from '../../../../anthropic/types.js';
import { isObject } from '../../../../shared/json.js';
import type { PreparedRequest } from '../../types.js';

export type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** An Anthropic request (already prepared) as a `/v1/chat/completions` body. */
export function toChatRequest(request: PreparedRequest): Record<string, unknown> {
  const { body, format } = request;
  const messages: ChatMessage[] = [];
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n\n');
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const message of body.messages) messages.push(...toChatMessages(message));

  const chat: Record<string, unknown> = { model: body.model, messages, stream: body.stream === true };
  if (body.max_tokens !== undefined) chat.max_tokens = body.max_tokens;
  if (body.stream === true) chat.stream_options = { include_usage: true };
  // Stop sequences are matched by the proxy (ChatStreamTranslator): a server that matched one would
  // not say which.
  if (typeof body.temperature === 'number') chat.temperature = body.temperature;
  if (typeof body.top_p === 'number') chat.top_p = body.top_p;
  if (body.tools && body.tools.length > 0) {
    chat.tools = body.tools.map(toChatTool);
    const choice = toChatToolChoice(body.tool_choice);
    if (choice !== undefined) chat.tool_choice = choice;
  }
  if (format) chat.response_format = { type: 'json_schema', json_schema: { name: 'reply', schema: format.schema, strict: true } };
  return chat;
}

function toChatTool(tool: Tool): Record<string, unknown> {
  return {
    type: 'function',
    function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.input_schema ?? { type: 'object', properties: {} } },
  };
}

function toChatToolChoice(choice: unknown): unknown {
  if (!isObject(choice)) return undefined;
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      return undefined;
  }
}

function imageUrl(block: ImageBlock): string {
  return block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url;
}

/** Text parts as one string when there are no images (what every server accepts), else a part list. */
function userContent(parts: ChatPart[]): string | ChatPart[] {
  const texts = parts.flatMap((p) => (p.type === 'text' ? [p.text] : []));
  return texts.length === parts.length ? texts.join('\n\n') : parts;
}

function toChatMessages(message: MessageParam): ChatMessage[] {
  const blocks: ContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content.map(contentBlock);
  if (message.role === 'assistant') {
    const text = blocks
      .filter((b): b is TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join('\n\n');
    const calls = blocks
      .filter((b): b is ToolUseBlock => b.type === 'tool_use')
      .map((b): ChatToolCall => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }));
    return [{ role: 'assistant', content: text === '' ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }];
  }
  // Tool results answer the previous assistant turn's calls, so they come first, as `tool` messages.
  const out: ChatMessage[] = [];
  const parts: ChatPart[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const { text, images } = resultContent(block.content);
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text });
      parts.push(...images);
    } else if (block.type === 'text') {
      parts.push({ type: 'text', text: block.text });
    } else if (block.type === 'image') {
      parts.push({ type: 'image_url', image_url: { url: imageUrl(block) } });
    }
  }
  if (parts.length > 0) out.push({ role: 'user', content: userContent(parts) });
  return out;
}

function resultContent(content: ToolResultBlock['content']): { text: string; images: ChatPart[] } {
  if (content === undefined) return { text: '', images: [] };
  if (typeof content === 'string') return { text: content, images: [] };
  const texts: string[] = [];
  const images: ChatPart[] = [];
  for (const block of content.map(contentBlock)) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'image') images.push({ type: 'image_url', image_url: { url: imageUrl(block) } });
  }
  return { text: texts.join('\n\n'), images };
}
