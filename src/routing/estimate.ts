import type { MessageParam, MessagesRequest, TextBlock, Tool } from '../anthropic/types.js';
import { latestUserText } from './query-text.js';
import type { Estimate } from './types.js';

// A tokenizer-free estimate: fast enough for the request path (one pass, native string work only),
// and corrected per model family by calibration against the usage the backends report.

/** English prose and code average about four characters per token. */
export const CHARS_PER_TOKEN = 4;
/** Serialized JSON (tool schemas and inputs) is denser: punctuation and short keys. */
export const JSON_CHARS_PER_TOKEN = 3;
/** Each extra UTF-8 byte of a non-ASCII character adds this much (CJK: about one token per character). */
const NON_ASCII_BYTE_TOKENS = 0.35;
/** Role markers and framing around every message. */
const MESSAGE_OVERHEAD = 4;
/** Framing around every content block. */
const BLOCK_OVERHEAD = 2;
/** Framing around every tool definition. */
const TOOL_OVERHEAD = 8;
/** The instructions a Messages API adds once when tools are defined. */
const TOOLS_PREAMBLE = 300;
/** An image costs about (width × height) / 750 tokens, at most about 1600 after the API's resizing. */
export const IMAGE_TOKENS = 1600;

/** Raw (uncalibrated) token estimates of one request, with the parts the local route needs for fitting. */
export interface RequestEstimate extends Estimate {
  /** The system prompt. */
  system: number;
  /** The tool definitions, including the tool-use preamble (0 without tools). */
  tools: number;
  /** Number of images anywhere in the messages. */
  images: number;
}

/** Tokens of a piece of text. */
export function estimateText(text: string): number {
  const length = text.length;
  if (length === 0) return 0;
  const extraBytes = Buffer.byteLength(text, 'utf8') - length;
  return length / CHARS_PER_TOKEN + (extraBytes > 0 ? extraBytes * NON_ASCII_BYTE_TOKENS : 0);
}

/** Characters that JSON escapes (and surrogates, which it may): a string without them is its length plus quotes. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonStringLength(text: string): number {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).length : text.length + 2;
}

/**
 * The length of `JSON.stringify(value)` without building the string: tool schemas are estimated on
 * every request, and walking them is several times faster than serializing them (measured).
 */
export function jsonLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return jsonStringLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let length = value.length > 0 ? value.length + 1 : 2;
        for (const item of value) length += item === undefined ? 4 : jsonLength(item);
        return length;
      }
      let length = 1;
      let members = 0;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        length += jsonStringLength(key) + 1 + jsonLength(item);
        members++;
      }
      return length + (members > 0 ? members : 1);
    }
    default:
      return 0;
  }
}

function estimateJson(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return estimateText(value);
  return jsonLength(value) / JSON_CHARS_PER_TOKEN;
}

/** Text and image counts of one content value (a string or a block list), recursing into tool results. */
interface Tally {
  tokens: number;
  images: number;
}

function tallyContent(content: unknown, tally: Tally): void {
  if (typeof content === 'string') {
    tally.tokens += estimateText(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content as Record<string, unknown>[]) tallyBlock(block, tally);
}

function tallyBlock(block: Record<string, unknown>, tally: Tally): void {
  tally.tokens += BLOCK_OVERHEAD;
  switch (block.type) {
    case 'text':
      tally.tokens += typeof block.text === 'string' ? estimateText(block.text) : 0;
      return;
    case 'image':
      tally.tokens += IMAGE_TOKENS;
      tally.images += 1;
      return;
    case 'tool_use':
    case 'server_tool_use':
      tally.tokens += (typeof block.name === 'string' ? estimateText(block.name) : 0) + estimateJson(block.input);
      return;
    case 'tool_result':
      tallyContent(block.content, tally);
      return;
    case 'thinking':
      // Only the text counts; the signature is an opaque token the API does not bill as input text.
      tally.tokens += typeof block.thinking === 'string' ? estimateText(block.thinking) : 0;
      return;
    case 'redacted_thinking':
      return;
    case 'document':
      tally.tokens += estimateDocument(block.source);
      return;
    default:
      tally.tokens += estimateJson(block);
  }
}

/** Text documents count as text; binary ones (PDF) by their data size as if it were text: an over-estimate, which routes up. */
function estimateDocument(source: unknown): number {
  if (typeof source !== 'object' || source === null) return 0;
  const s = source as Record<string, unknown>;
  if (typeof s.data === 'string') return s.type === 'text' ? estimateText(s.data) : s.data.length / CHARS_PER_TOKEN;
  if (Array.isArray(s.content) || typeof s.content === 'string') {
    const tally = { tokens: 0, images: 0 };
    tallyContent(s.content, tally);
    return tally.tokens;
  }
  return IMAGE_TOKENS;
}

/** Tokens and images of a list of messages. */
export function estimateMessages(messages: readonly MessageParam[]): { tokens: number; images: number } {
  const tally = { tokens: 0, images: 0 };
  for (const message of messages) {
    tally.tokens += MESSAGE_OVERHEAD;
    tallyContent(message.content, tally);
  }
  return tally;
}

export function estimateSystem(system: string | readonly TextBlock[] | undefined): number {
  if (system === undefined) return 0;
  if (typeof system === 'string') return estimateText(system);
  let tokens = 0;
  for (const block of system) tokens += BLOCK_OVERHEAD + (typeof block.text === 'string' ? estimateText(block.text) : 0);
  return tokens;
}

/** Tokens of one tool definition (for fitting tools into a small window one by one). */
export function estimateTool(tool: Tool): number {
  let tokens = TOOL_OVERHEAD + estimateText(tool.name);
  if (typeof tool.description === 'string') tokens += estimateText(tool.description);
  tokens += estimateJson(tool.input_schema);
  return tokens;
}

/** Tokens of all tool definitions, including the preamble the API adds when there are any. */
export function estimateTools(tools: readonly Tool[] | undefined): number {
  if (!tools || tools.length === 0) return 0;
  let tokens = TOOLS_PREAMBLE;
  for (const tool of tools) tokens += estimateTool(tool);
  return tokens;
}

/**
 * The three figures the policy uses, plus the parts: `query` (latest user-authored text),
 * `conversation` (all messages), `request` (system + messages + tools: everything sent).
 * Raw, uncalibrated, rounded up to whole tokens. Pass `queryText` when it is already at hand.
 */
export function estimateRequest(body: MessagesRequest, queryText: string = latestUserText(body.messages)): RequestEstimate {
  const messages = estimateMessages(body.messages);
  const system = Math.ceil(estimateSystem(body.system));
  const tools = Math.ceil(estimateTools(body.tools));
  const conversation = Math.ceil(messages.tokens);
  return {
    query: Math.ceil(estimateText(queryText)),
    conversation,
    request: system + conversation + tools,
    system,
    tools,
    images: messages.images,
  };
}

/** The estimate multiplied by a calibration factor. */
export function scaleEstimate(estimate: Estimate, factor: number): Estimate {
  return {
    query: Math.round(estimate.query * factor),
    conversation: Math.round(estimate.conversation * factor),
    request: Math.round(estimate.request * factor),
  };
}

/** Relative error of an estimate against the real count: +0.1 means 10 % too high. */
export function estimateError(estimated: number, actual: number): number | null {
  return actual > 0 ? (estimated - actual) / actual : null;
}
