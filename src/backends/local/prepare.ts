import type { Config } from '../../config/schema.js';
import { contentBlock } from '../../anthropic/blocks.js';
import type { CacheControl, KnownBlock, MessageParam, MessagesRequest, RawBlock, TextBlock, Tool, ToolResultBlock } from '../../anthropic/types.js';
import { isObject } from '../../shared/json.js';
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

/** A turn of the prepared request: its blocks read and cleaned. */
interface Turn {
  role: MessageParam['role'];
  content: KnownBlock[];
}

type Counts = { thinking: number; images: number; other: number };

/** The request taken apart and cleaned once; assembled in variants (with or without tools, context). */
interface Parts {
  system: TextBlock[];
  messages: Turn[];
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
 * retrieved `context` in one system block after the cacheable prefix. A request that would not fit
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

/** The request in the form it would be sent, for counting its tokens (the configured tools, no retrieval, no fitting). */
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

  const messages: Turn[] = [];
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

function plainText(content: string | readonly RawBlock[]): string {
  if (typeof content === 'string') return content;
  return content
    .map(contentBlock)
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n\n');
}

const IMAGE_OMITTED = '[an image was omitted: the local model does not take images]';

function cleanContent(content: string | readonly RawBlock[], vision: boolean, counts: Counts): KnownBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const out: KnownBlock[] = [];
  for (const raw of content) {
    const cleaned = cleanBlock(raw, vision, counts);
    if (cleaned) out.push(cleaned);
  }
  return out;
}

function withCache<T extends KnownBlock>(target: T, source: { cache_control?: CacheControl }): T {
  return source.cache_control ? { ...target, cache_control: source.cache_control } : target;
}

function cleanBlock(raw: RawBlock, vision: boolean, counts: Counts): KnownBlock | null {
  const block = contentBlock(raw);
  switch (block.type) {
    case 'text':
      return block.text === '' ? null : withCache({ type: 'text', text: block.text }, block);
    case 'image':
      if (vision) return withCache({ type: 'image', source: block.source }, block);
      counts.images += 1;
      return { type: 'text', text: IMAGE_OMITTED };
    case 'tool_use':
      return withCache({ type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} }, block);
    case 'tool_result': {
      const result: ToolResultBlock = { type: 'tool_result', tool_use_id: block.tool_use_id, content: cleanResultContent(block.content, vision, counts) };
      if (block.is_error === true) result.is_error = true;
      return withCache(result, block);
    }
    case 'thinking':
    case 'redacted_thinking':
      counts.thinking += 1;
      return null;
    case 'document': {
      const { source } = block;
      if (isObject(source) && source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
      counts.other += 1;
      return { type: 'text', text: '[a document was omitted: the local model cannot read it]' };
    }
    case 'unknown':
      // Server tool calls and their results, containers, search results: Anthropic-side features.
      counts.other += 1;
      return null;
  }
}

function cleanResultContent(content: ToolResultBlock['content'], vision: boolean, counts: Counts): string | KnownBlock[] {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  const out: KnownBlock[] = [];
  for (const raw of content) {
    if (raw.type === 'text' || raw.type === 'image') {
      const cleaned = cleanBlock(raw, vision, counts);
      if (cleaned) out.push(cleaned);
    }
  }
  return out;
}

/** Consecutive turns of one role become one (strict servers want alternation). */
function appendTurn(messages: Turn[], turn: Turn): void {
  const last = messages.at(-1);
  if (last && last.role === turn.role) last.content.push(...turn.content);
  else messages.push(turn);
}

const isToolBlock = (block: KnownBlock): boolean => block.type === 'tool_use' || block.type === 'tool_result';

/** Without tool definitions, tool calls and results in the history become text the model can still read. */
function toolTurnsAsText(messages: Turn[]): Turn[] {
  if (!messages.some((m) => m.content.some(isToolBlock))) return messages;
  const out: Turn[] = [];
  for (const message of messages) {
    const content = message.content.map((block): KnownBlock => {
      if (block.type === 'tool_use') return { type: 'text', text: `[called the tool ${block.name} with ${JSON.stringify(block.input ?? {})}]` };
      if (block.type === 'tool_result') {
        const result = typeof block.content === 'string' ? block.content : plainText(block.content ?? []);
        return { type: 'text', text: `[tool ${block.is_error ? 'error' : 'result'}]\n${result}` };
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
  if (!isObject(choice) || choice.type !== 'tool') return [tools, choice];
  const tool = tools.find((t) => t.name === choice.name);
  if (!tool) return [tools, choice];
  const { name: _name, ...rest } = choice;
  return [[tool], { ...rest, type: 'any' }];
}

function isToolChoice(value: unknown): boolean {
  if (!isObject(value)) return false;
  const type = value.type;
  return type === 'auto' || type === 'any' || type === 'tool' || type === 'none';
}
