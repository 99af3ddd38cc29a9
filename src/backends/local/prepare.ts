import type { Config } from '../../config/schema.js';
import type { ContentBlock, MessageParam, MessagesRequest, OtherBlock, TextBlock, Tool } from '../../anthropic/types.js';
import { estimateRequest } from '../../routing/estimate.js';
import { LocalFailure, type AdapterCapabilities, type JsonFormat, type PreparationNotes, type PreparedRequest, type ToolsNote } from './types.js';
import { BILLING_PREFIX } from '../../shared/headers.js';

/** Top-level fields every native Messages server understands; anything else (betas) is dropped. */
const KEPT_FIELDS = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'tools', 'tool_choice', 'stop_sequences', 'temperature', 'top_p', 'top_k']);

export interface PrepareSettings {
  local: Config['local'];
  /** Room kept in the context window for the answer (routing.answerReserveTokens). */
  answerReserveTokens: number;
  capabilities: AdapterCapabilities;
}

export interface Preparation {
  request: PreparedRequest;
  /** What was changed, for telemetry and logs (never prompt text). */
  notes: PreparationNotes;
}

type Block = ContentBlock | OtherBlock;

/** The request taken apart and cleaned once; assembled in variants (with or without tools, context). */
interface Parts {
  system: TextBlock[];
  messages: MessageParam[];
  tools: Tool[];
  toolChoice: unknown;
  format: JsonFormat | null;
  instruction: TextBlock | null;
  passthrough: Partial<MessagesRequest>;
  model: string;
  notes: PreparationNotes;
}

/**
 * Makes a client request safe and small enough for the local backend: no billing nonce, no
 * `role:"system"` turns, no thinking blocks or signatures, no beta-only fields, the local model
 * name, `max_tokens` within what the backend allows, tools passed only when they fit, and the
 * retrieved `context` as one system block after the cacheable prefix. A request that would not fit
 * the context window even without tools and context is refused (never truncated by the backend).
 */
export function prepareLocal(original: MessagesRequest, settings: PrepareSettings, context: string | null): Preparation {
  const parts = dissect(original, settings);
  const { local } = settings;
  const ceiling = Math.min(original.max_tokens ?? local.maxOutputTokens, local.maxOutputTokens);
  const reserve = Math.min(settings.answerReserveTokens, ceiling);
  const [toolChoices, toolsNote] = toolOptions(parts, settings);
  const contexts = context === null ? [null] : [context, null];
  const tried: number[] = [];
  for (const withTools of toolChoices) {
    for (const ctx of contexts) {
      const body = assemble(parts, withTools, ctx);
      const inputTokens = estimateRequest(body).request;
      tried.push(inputTokens);
      const room = local.contextWindow - inputTokens;
      if (room < reserve) continue;
      body.max_tokens = Math.max(1, Math.min(ceiling, room));
      // Always streamed from the backend: the deadlines then apply per token, not to the whole answer;
      // a non-streaming client gets the accumulated message.
      body.stream = true;
      const notes: PreparationNotes = {
        ...parts.notes,
        tools: toolsNote === 'passed' && !withTools ? 'stripped' : toolsNote,
        input_estimate: inputTokens,
        max_tokens: body.max_tokens,
      };
      if (context !== null && ctx === null) notes.rag_dropped_to_fit = true;
      return { request: { body, format: parts.format, thinking: wantsThinking(original), inputTokens }, notes };
    }
  }
  const smallest = Math.min(...tried);
  throw new LocalFailure(
    'context_overflow',
    `the request needs about ${smallest} tokens${toolsNote === 'passed' ? ' even without tools' : ''}, but local.contextWindow is ${local.contextWindow} with ${reserve} kept for the answer`,
  );
}

/** The request as it would be sent, for counting its tokens (tools as configured, no retrieval, no fitting). */
export function prepareForCount(original: MessagesRequest, settings: PrepareSettings): PreparedRequest {
  const parts = dissect(original, settings);
  const [toolChoices] = toolOptions(parts, settings);
  const body = assemble(parts, toolChoices[0] ?? false, null);
  return { body, format: parts.format, thinking: false, inputTokens: estimateRequest(body).request };
}

function toolOptions(parts: Parts, settings: PrepareSettings): [boolean[], ToolsNote] {
  if (parts.tools.length === 0) return [[false], 'none'];
  if (!settings.capabilities.tools) return [[false], 'unsupported'];
  switch (settings.local.tools) {
    case 'never':
      return [[false], 'never'];
    case 'always':
      return [[true], 'passed'];
    case 'auto':
      return [[true, false], 'passed'];
  }
}

/** Thinking blocks are returned only to a client that asked to see them. */
function wantsThinking(request: MessagesRequest): boolean {
  const thinking = request.thinking;
  return thinking !== undefined && thinking.type !== 'disabled' && thinking.display !== 'omitted';
}

function dissect(original: MessagesRequest, settings: PrepareSettings): Parts {
  const notes: PreparationNotes = {};
  const counts = { thinking: 0, images: 0, other: 0 };
  const droppedFields = Object.keys(original).filter((key) => !KEPT_FIELDS.has(key));
  if (droppedFields.length > 0) notes.fields_dropped = droppedFields;

  const system = systemBlocks(original.system);
  const kept = system.filter((block) => !block.text.startsWith(BILLING_PREFIX));
  if (kept.length !== system.length) notes.billing_block_removed = true;

  const messages: MessageParam[] = [];
  let folded = 0;
  for (const message of original.messages) {
    if (message.role === 'system') {
      const text = plainText(message.content);
      if (text !== '') kept.push({ type: 'text', text });
      folded += 1;
      continue;
    }
    const content = cleanContent(message.content, settings.local.vision, counts);
    if (content.length > 0) appendTurn(messages, { role: message.role, content });
  }
  if (folded > 0) notes.system_turns_folded = folded;
  if (counts.thinking > 0) notes.thinking_blocks_removed = counts.thinking;
  if (counts.images > 0) notes.images_omitted = counts.images;
  if (counts.other > 0) notes.blocks_dropped = counts.other;

  const tools: Tool[] = [];
  for (const tool of original.tools ?? []) {
    // Server tools run at Anthropic and deferred tools are loaded by its tool search: neither exists locally.
    if ((tool.type !== undefined && tool.type !== 'custom') || tool.defer_loading === true) continue;
    tools.push({
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      input_schema: tool.input_schema ?? { type: 'object', properties: {} },
    });
  }
  const unusable = (original.tools?.length ?? 0) - tools.length;
  if (unusable > 0) notes.tools_unavailable_locally = unusable;

  const format = jsonFormat(original);
  let instruction: TextBlock | null = null;
  if (format) {
    notes.format = settings.capabilities.jsonSchema;
    if (settings.capabilities.jsonSchema === 'instruction') {
      instruction = {
        type: 'text',
        text: `Reply with only a JSON object that matches this JSON schema, and nothing else (no prose, no code fences):\n${JSON.stringify(format.schema)}`,
      };
    }
  }

  const passthrough: Partial<MessagesRequest> = {};
  if (original.stop_sequences && original.stop_sequences.length > 0) passthrough.stop_sequences = original.stop_sequences;
  for (const key of ['temperature', 'top_p', 'top_k'] as const) {
    const value = original[key];
    if (typeof value === 'number') passthrough[key] = value;
  }
  const [offered, toolChoice] = namedChoice(tools, isToolChoice(original.tool_choice) ? original.tool_choice : undefined);
  if (offered !== tools) notes.tool_choice_named = true;
  return { system: kept, messages, tools: offered, toolChoice, format, instruction, passthrough, model: settings.local.model, notes };
}

function assemble(parts: Parts, withTools: boolean, context: string | null): MessagesRequest {
  const system = [...parts.system];
  if (parts.instruction) system.push(parts.instruction);
  // Retrieved context changes with every question: after the stable, cacheable blocks, without a breakpoint.
  if (context !== null) system.push({ type: 'text', text: context });
  const messages = withTools ? parts.messages : toolTurnsAsText(parts.messages);
  const body: MessagesRequest = { model: parts.model, messages, max_tokens: 1, ...parts.passthrough };
  if (system.length > 0) body.system = system;
  if (withTools) {
    body.tools = parts.tools;
    if (parts.toolChoice !== undefined) body.tool_choice = parts.toolChoice;
  }
  return body;
}

function systemBlocks(system: MessagesRequest['system']): TextBlock[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  return system.map((block) => ({ type: 'text', text: block.text, ...(block.cache_control ? { cache_control: block.cache_control } : {}) }));
}

function plainText(content: MessageParam['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((block): block is TextBlock => block.type === 'text' && typeof (block as TextBlock).text === 'string')
    .map((block) => block.text)
    .join('\n\n');
}

const IMAGE_OMITTED = '[an image was omitted: the local model does not take images]';

function cleanContent(content: MessageParam['content'], vision: boolean, counts: { thinking: number; images: number; other: number }): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const out: Block[] = [];
  for (const block of content) {
    const cleaned = cleanBlock(block, vision, counts);
    if (cleaned) out.push(cleaned);
  }
  return out;
}

function withCache<T extends object>(target: T, source: Block): T {
  const cache = (source as { cache_control?: unknown }).cache_control;
  return cache ? { ...target, cache_control: cache } : target;
}

function cleanBlock(block: Block, vision: boolean, counts: { thinking: number; images: number; other: number }): Block | null {
  switch (block.type) {
    case 'text': {
      const text = (block as TextBlock).text;
      return text === '' ? null : withCache({ type: 'text', text }, block);
    }
    case 'image':
      if (vision) return withCache({ type: 'image', source: (block as { source: unknown }).source }, block) as Block;
      counts.images += 1;
      return { type: 'text', text: IMAGE_OMITTED };
    case 'tool_use': {
      const b = block as { id: string; name: string; input?: unknown };
      return withCache({ type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} }, block);
    }
    case 'tool_result': {
      const b = block as { tool_use_id: string; content?: unknown; is_error?: boolean };
      const result: Record<string, unknown> = { type: 'tool_result', tool_use_id: b.tool_use_id, content: cleanResultContent(b.content, vision, counts) };
      if (b.is_error === true) result.is_error = true;
      return withCache(result as unknown as Block, block);
    }
    case 'thinking':
    case 'redacted_thinking':
      counts.thinking += 1;
      return null;
    case 'document': {
      const source = (block as { source?: { type?: string; data?: unknown } }).source;
      if (source?.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
      counts.other += 1;
      return { type: 'text', text: '[a document was omitted: the local model cannot read it]' };
    }
    default:
      // Server tool calls and their results, containers, search results: Anthropic-side features.
      counts.other += 1;
      return null;
  }
}

function cleanResultContent(content: unknown, vision: boolean, counts: { thinking: number; images: number; other: number }): string | Block[] {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const out: Block[] = [];
  for (const block of content as Block[]) {
    if (block.type === 'text' || block.type === 'image') {
      const cleaned = cleanBlock(block, vision, counts);
      if (cleaned) out.push(cleaned);
    }
  }
  return out;
}

/** Consecutive turns of one role become one (strict servers want alternation). */
function appendTurn(messages: MessageParam[], turn: { role: MessageParam['role']; content: Block[] }): void {
  const last = messages.at(-1);
  if (last && last.role === turn.role && Array.isArray(last.content)) last.content.push(...turn.content);
  else messages.push(turn);
}

/** Without tool definitions, tool calls and results in the history are kept as text the model can still read. */
function toolTurnsAsText(messages: MessageParam[]): MessageParam[] {
  if (!messages.some((m) => typeof m.content !== 'string' && m.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'))) return messages;
  const out: MessageParam[] = [];
  for (const message of messages) {
    if (typeof message.content === 'string' || !message.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result')) {
      appendTurn(out, { role: message.role, content: typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content] });
      continue;
    }
    const content = message.content.map((block): Block => {
      if (block.type === 'tool_use') {
        const b = block as { name: string; input: unknown };
        return { type: 'text', text: `[called the tool ${b.name} with ${JSON.stringify(b.input ?? {})}]` };
      }
      if (block.type === 'tool_result') {
        const b = block as { content?: unknown; is_error?: boolean };
        const result = typeof b.content === 'string' ? b.content : plainText((b.content ?? []) as Block[]);
        return { type: 'text', text: `[tool ${b.is_error ? 'error' : 'result'}]\n${result}` };
      }
      return block;
    });
    appendTurn(out, { role: message.role, content });
  }
  return out;
}

function jsonFormat(request: MessagesRequest): JsonFormat | null {
  const format = request.output_config?.format;
  if (format && format.type === 'json_schema' && typeof format.schema === 'object' && format.schema !== null) return { schema: format.schema };
  return null;
}

/**
 * Local servers do not enforce a named tool_choice (llama.cpp takes it for "any" or rejects it), but
 * they do enforce "any": offering only the named tool and requiring a call means the same.
 */
function namedChoice(tools: Tool[], choice: unknown): [Tool[], unknown] {
  const named = choice as { type?: unknown; name?: unknown } | undefined;
  if (named?.type !== 'tool') return [tools, choice];
  const tool = tools.find((t) => t.name === named.name);
  if (!tool) return [tools, choice];
  const { name: _name, ...rest } = named;
  return [[tool], { ...rest, type: 'any' }];
}

function isToolChoice(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'auto' || type === 'any' || type === 'tool' || type === 'none';
}
