import { isUtf8 } from 'node:buffer';
import { ApiError } from './errors.js';
import type { MessagesRequest } from './types.js';
import { isObject, type Json } from '../shared/json.js';
import { errorMessage } from '../shared/errors.js';

/** Deeper nesting is refused: cloning or serializing it downstream would exhaust the stack. Real requests nest about 10 deep. */
export const MAX_NESTING = 256;

function invalid(message: string): never {
  throw new ApiError('invalid_request_error', message);
}

/**
 * Parses a Messages API body and checks the types of every field the proxy reads, so that routing
 * can trust them. Everything else is left for the backend to judge.
 */
export function parseMessagesBody(raw: Buffer, requireMaxTokens: boolean): MessagesRequest {
  if (raw.length === 0) invalid('request body is empty: expected a JSON object');
  if (!isUtf8(raw)) invalid('request body is not valid UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    invalid(`request body is not valid JSON: ${errorMessage(error)}`);
  }
  if (!isObject(parsed)) invalid(`request body must be a JSON object, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  if (nestsDeeperThan(raw, MAX_NESTING)) invalid(`request body nests deeper than ${MAX_NESTING} levels`);
  checkFields(parsed, requireMaxTokens);
  return parsed as MessagesRequest;
}

/** Whether valid JSON text nests deeper than `limit`: brackets are counted outside strings. */
function nestsDeeperThan(raw: Buffer, limit: number): boolean {
  // Fewer brackets in all than the limit cannot nest deeper; native searches make this the common, cheap case.
  let brackets = 0;
  for (const open of [0x7b, 0x5b]) {
    for (let i = raw.indexOf(open); i !== -1 && brackets <= limit; i = raw.indexOf(open, i + 1)) brackets++;
  }
  if (brackets <= limit) return false;
  let depth = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x22) i = closingQuote(raw, i);
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Index of the quote that closes the string opened at `open` (a quote after an odd run of backslashes is escaped). */
function closingQuote(raw: Buffer, open: number): number {
  for (let i = raw.indexOf(0x22, open + 1); i !== -1; i = raw.indexOf(0x22, i + 1)) {
    let backslashes = 0;
    while (raw[i - 1 - backslashes] === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return raw.length;
}

function checkFields(body: Json, requireMaxTokens: boolean): void {
  if (typeof body.model !== 'string' || body.model === '') invalid('model: expected a non-empty string');
  if (!Array.isArray(body.messages)) invalid('messages: expected an array');
  body.messages.forEach((message: unknown, i) => {
    if (!isObject(message)) invalid(`messages.${i}: expected an object`);
    if (typeof message.role !== 'string') invalid(`messages.${i}.role: expected a string`);
    checkContent(message.content, `messages.${i}.content`);
  });
  if (requireMaxTokens || body.max_tokens !== undefined) {
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) invalid('max_tokens: expected a positive integer');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') invalid('stream: expected a boolean');
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) invalid('system: expected a string or an array of text blocks');
    body.system.forEach((block: unknown, i) => checkBlock(block, `system.${i}`));
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) invalid('tools: expected an array');
    body.tools.forEach((tool: unknown, i) => {
      if (!isObject(tool) || typeof tool.name !== 'string') invalid(`tools.${i}: expected an object with a string name`);
    });
  }
  if (body.thinking !== undefined && (!isObject(body.thinking) || typeof body.thinking.type !== 'string')) invalid('thinking: expected an object with a type');
  if (body.output_config !== undefined && !isObject(body.output_config)) invalid('output_config: expected an object');
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string'))) {
    invalid('stop_sequences: expected an array of strings');
  }
}

function checkContent(content: unknown, at: string): void {
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) invalid(`${at}: expected a string or an array of content blocks`);
  content.forEach((block: unknown, i) => checkBlock(block, `${at}.${i}`));
}

function checkBlock(block: unknown, at: string): void {
  if (!isObject(block) || typeof block.type !== 'string') invalid(`${at}: expected a content block with a type`);
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') invalid(`${at}.text: expected a string`);
      return;
    case 'tool_use':
      if (typeof block.id !== 'string' || typeof block.name !== 'string') invalid(`${at}: tool_use needs string id and name`);
      return;
    case 'tool_result':
      if (typeof block.tool_use_id !== 'string') invalid(`${at}.tool_use_id: expected a string`);
      if (block.content !== undefined) checkContent(block.content, `${at}.content`);
      return;
    case 'thinking':
      if (typeof block.thinking !== 'string') invalid(`${at}.thinking: expected a string`);
      return;
    case 'image':
      if (!isObject(block.source)) invalid(`${at}.source: expected an object`);
      return;
    default:
      return;
  }
}
